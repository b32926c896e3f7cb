//! A refreshing JWK Set cache that plugs into `httpsig-core`'s key resolution.
//!
//! [`JwksCache`] holds the current key set of one JWKS endpoint as an immutable
//! [`KeySnapshot`] and swaps the whole snapshot atomically on refresh: readers take the current
//! `Arc` and never wait for a fetch. It implements [`httpsig_core::KeyResolver`] (a synchronous
//! lookup on the current snapshot, for the synchronous engine) and adds the async edges:
//!
//! - **Unknown `kid`** (or a set too old to serve): [`JwksCache::refresh_after_miss`]
//!   refreshes at most once per [`CacheConfig::min_refresh_interval`], single-flight: many
//!   concurrent misses cause one fetch, and the others wait for its result. While the last
//!   refresh failed, a key that is not in the set is unavailable (503), not unknown (401).
//! - **Scheduled refresh**: [`JwksCache::refresh_due`] and [`JwksCache::refresh`] for an
//!   application's own timer, or [`JwksCache::run_refresher`] as a task.
//! - **Fetch errors**: the old keys are served until [`CacheConfig::max_stale`] past the due
//!   refresh, then lookups fail closed with [`httpsig_core::ResolveError::Unavailable`]
//!   (`key.unavailable`, HTTP 503: never a 401 for a forged signature).
//!
//! Members of a fetched set that this toolkit cannot verify with (encryption keys, unknown
//! `kty`/`crv`/`alg`) are left out with a warning each ([`KeySnapshot::keys`] →
//! [`httpsig_core::JwksKeySet::skipped`]); a document that is not a JWK Set is a failed refresh.
//!
//! It does **not** make HTTP requests itself: the application provides a [`JwksFetcher`]
//! (feature `hyper` adds `HyperFetcher`). Time comes from a [`Clock`], so tests are
//! deterministic.
//!
//! # Getting started: verify, and on an unknown key refresh once and retry
//! ```
//! use std::sync::Arc;
//! use httpsig_core::{keys::PrivateKey, sign, Algorithm, BaseOptions, Component, Derived,
//!     Error, MaxAge, Message, SignatureParams, VerifyInput, VerifyPolicy};
//! use httpsig_jwks::{CacheConfig, FetchError, JwksCache, JwksFetcher};
//!
//! // The application's fetcher (here: the rotated set, already published).
//! struct Endpoint;
//! impl JwksFetcher for Endpoint {
//!     async fn fetch(&self) -> Result<Vec<u8>, FetchError> {
//!         Ok(br#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"new",
//!             "x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}]}"#.to_vec())
//!     }
//! }
//! # let rt = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
//! # rt.block_on(async {
//! // Bootstrapped from a document the application has (an older set without "new").
//! let cache = Arc::new(JwksCache::bootstrap(br#"{"keys":[]}"#, Endpoint, CacheConfig::default())?);
//!
//! // A request signed with the new key.
//! let pem = std::fs::read("../conformance/testdata/keys/test-key-ed25519.pem")?;
//! let key = PrivateKey::from_pem(&pem, Algorithm::Ed25519)?;
//! let mut msg = Message::request("GET", "https://rs.example.com/a")?;
//! let params = SignatureParams::builder()
//!     .component(Component::derived(Derived::Method))
//!     .created(1_700_000_000).keyid("new").build()?;
//! let signed = sign(&msg, None, "sig1", params, &key, &BaseOptions::default())?;
//! msg.add_header("Signature-Input", signed.signature_input_member());
//! msg.add_header("Signature", signed.signature_member());
//!
//! let policy = VerifyPolicy::new(&[Algorithm::Ed25519], MaxAge::Seconds(60)).at(1_700_000_001);
//! let keys = cache.current();
//! let verified = match policy.verify(VerifyInput::new(&msg), &*keys) {
//!     // Unknown kid, or a set too old to serve: refresh (rate-limited, single-flight) and
//!     // retry once on the newer set.
//!     // A failed refresh answers key.unavailable (503), never a 401.
//!     Err(missed @ (Error::KeyNotFound | Error::KeyUnavailable)) => {
//!         let newer = cache.newer_after_miss(&keys, missed).await?;
//!         policy.verify(VerifyInput::new(&msg), &*newer)
//!     }
//!     other => other,
//! };
//! assert_eq!(verified?.label(), "sig1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! `examples/key_rotation.rs` runs the whole pattern: many tasks sharing one cache, the JWK Set
//! served over HTTP on loopback, a key rotation mid-run.
//!
//! # Features
//! - `hyper`: `HyperFetcher`, a fetcher on `hyper-util`'s client (plain HTTP with its
//!   default connector; pass an HTTPS connector such as `hyper-rustls`'s for TLS).
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod cache;
mod clock;
mod fetch;
#[cfg(feature = "hyper")]
mod hyper_fetcher;

pub use cache::{CacheConfig, JwksCache, KeySnapshot, RefreshError};
pub use clock::{Clock, ManualClock, SystemClock};
pub use fetch::{FetchError, JwksFetcher};
#[cfg(feature = "hyper")]
pub use hyper_fetcher::HyperFetcher;
