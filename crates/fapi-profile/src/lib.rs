//! FAPI 2.0 on top of `httpsig-core`: the HTTP-signature rules for both sides (FAPI 2.0 HTTP
//! Signatures draft §5.3), DPoP proof verification (RFC 9449), mTLS certificate binding
//! (RFC 8705, RFC 9440), and replay/nonce stores (in memory and Redis).
//!
//! It does not validate access tokens (signature, expiry, revocation, introspection): pass it
//! the token's `cnf` claims. It does not route requests or reconstruct URIs behind proxies
//! (`forwarded-parser` does; its `htu` matcher plugs into [`dpop::HtuCheck`]).
//!
//! # Requirements
//! The IDs are those of the project's reference tables (`fapi-dpop-requirements.md`).
//!
//! | IDs | where | notes |
//! |---|---|---|
//! | RQS-1..8 | [`signatures::RequestSigner`] | covers `@method`, `@target-uri`, `authorization`, `dpop` when present, `content-digest` (computed) when there is a body; `created`, `keyid`, `tag="fapi-2-request"` |
//! | RQV-1..8 | [`signatures::RequestVerifier`], [`signatures::request_policy`] | key by (client id, keyid) through [`signatures::ClientKeys`]; every violation reported; 401 via `Error::http_status` |
//! | RSS-1..7 | [`signatures::ResponseSigner`] | `@status`, `content-digest`, `;req` binding incl. `signature`/`signature-input`;`key=` of each `fapi-2-request` signature |
//! | RSV-1..6 | [`signatures::ResponseVerifier`], [`signatures::response_policy`] | takes the original request (RSV-6) |
//! | D-1 | [`signatures::DEFAULT_ALGORITHMS`] | Ed25519, ECDSA P-256, RSA-PSS-SHA512, JWS PS256/ES256/EdDSA/Ed25519; HMAC and RSA v1.5 refused |
//! | D-2, SP-9 | `httpsig-core` keys | RSA < 2048 bits refused at load; EC curves P-256/P-384 only |
//! | D-3 | [`signatures::CreatedWindow`] | 60 s old, 10 s ahead (configurable up to 60 s); `expires` enforced |
//! | D-4 | `RequestVerifier::verify` | every `fapi-2-request` signature must verify, at least one; other tags ignored |
//! | D-5 | `ResponseVerifier` | request binding required by default (`without_request_binding` to relax) |
//! | D-6 | [`signatures::RequestVerifier::verify_bound_to_dpop_key`] | stricter mode binding the signature key to the DPoP key, off unless called. Binding to the mTLS certificate key is **declined for now**: it needs an X.509 SPKI extractor that this workspace does not have yet; bind by client id (MT-1) instead |
//! | D-7, DG-1..2, DG-5, DG-7 | `httpsig-core` digest module, called inside verify | recomputed for sha-256/sha-512; deprecated algorithms rejected; any mismatch rejects |
//! | DG-3 | declined | FAPI uses `Content-Digest` only; `Repr-Digest` parses with the same type but is never required |
//! | DG-4 | `httpsig_core::digest::WantContentDigest` | parsed; a hint only |
//! | DG-6 | `RequestSigner::cover` / `ResponseSigner::cover` | covering `content-type` is the caller's choice (recommended) |
//! | D-8 | `ResponseSigner` | covers the request's signature fields (FAPI) and the request components (the RFC 9421 §7.3.7 mitigation) |
//! | D-9 | `Error::http_status`, [`dpop::DpopVerifier::challenge`] | 401 with a short code; DPoP challenges per RFC 9449 §7.1 |
//! | DP-1..17 | [`dpop::DpopVerifier`] | all checks; `jti` single use per proof key through a [`store::ReplayStore`], recorded by [`dpop::PendingProof::commit`] after the caller validated the token; server nonces bound to the proof key through [`dpop::NonceMode`] (required once used: no optional mode, DP-10) |
//! | TP-1..5 | `httpsig_core::keys::Jwk::thumbprint_sha256` | RFC 7638 / RFC 8037 |
//! | MT-1..4 | [`mtls`] | `Client-Cert` only from a trusted proxy (off by default); `x5t#S256` binding |
//! | SP-1, SP-3 (AS part) | declined | authorization-server rules; this crate is for clients and resource servers |
//! | SP-2 | `DpopVerifier::iat_window` | 10 s ahead / 60 s old by default |
//! | SP-4, SP-7 | [`dpop`], [`mtls`] | `Authorization: DPoP`; `Bearer` refused for DPoP-bound tokens |
//! | SP-5 | declined here | rejecting `?access_token=` belongs to the router, before this crate sees the request |
//! | SP-6 | declined | token validity is the token layer's job |
//! | SP-8 | [`jws::FAPI_ALGORITHMS`] | PS256, ES256, EdDSA, Ed25519; never `none` |
//! | SP-10 | `httpsig_core::keys::Jwks::verifying_key` / `signing_key` | a `kid` shared by several members is resolved by `use`, `key_ops`, `kty`/`crv` and `alg`; an `enc` key or `key_ops` without `verify` never verifies; unloadable members are skipped; two usable members are `key.jwks_ambiguous_key` (vectors: `keys/jwks-selection.json`); per client: [`signatures::ClientJwks`]; refreshed from a JWKS endpoint: the `httpsig-jwks` crate, where an unreachable endpoint is `key.unavailable` (503) |
//! | SP-11 | [`store`] | `jti` replay cache (memory with per-key/per-client quotas, or Redis: sync, or async on tokio with TLS and Cluster), single-use nonces ([`dpop::NonceMode::RequireSingleUse`]); capacity sizing in [`store`] |
//!
//! # The order of the checks at a resource server
//!
//! Cheap syntax before crypto, crypto before I/O, and the `jti` recorded last, so that junk
//! triggers no fetch and nothing that fails a later check occupies the replay store:
//!
//! 1. the client-facing request from `forwarded-parser` (trusted proxies only);
//! 2. the presented token ([`token::PresentedToken`], the one `Authorization` reader);
//! 3. token validation (JWT or introspection; outside this crate), which yields the binding;
//! 4. the certificate binding ([`mtls`]) or the DPoP proof ([`dpop::DpopVerifier::verify`],
//!    which returns a pending proof);
//! 5. the HTTP message signature and its covered `Content-Digest`
//!    ([`signatures::RequestVerifier`]);
//! 6. [`dpop::PendingProof::commit`]: the `jti` is recorded only now.
//!
//! Every failure converts into the one [`Error`]; [`Error::refusal`] gives the status,
//! `WWW-Authenticate`, `DPoP-Nonce` and `Retry-After` to answer with, and [`Error::code`] the
//! stable code for logs (never sent to the client).
//!
//! # Getting started
//! ```
//! use fapi_profile::signatures::{RequestSigner, RequestVerifier, ClientKeys};
//! use httpsig_core::keys::PrivateKey;
//! use httpsig_core::{Algorithm, KeyLookup, ResolveError, ResolvedKey};
//!
//! let pem = std::fs::read("../conformance/testdata/keys/test-key-ed25519.pem")?;
//! let key = PrivateKey::from_pem(&pem, Algorithm::Ed25519)?;
//! let mut req = http::Request::post("https://rs.example.com/accounts?x=1")
//!     .header("authorization", "DPoP token")
//!     .body(b"{}".to_vec())?;
//! RequestSigner::new(&key, "client-key-1").sign(&mut req, 1_700_000_000)?;
//!
//! struct Keys(httpsig_core::keys::PublicKey);
//! impl ClientKeys for Keys {
//!     fn client_key<'s>(&'s self, client: &str, l: &KeyLookup<'_>)
//!         -> Result<ResolvedKey<'s>, ResolveError> {
//!         (client == "client-a" && l.keyid == Some("client-key-1"))
//!             .then_some(ResolvedKey::Borrowed(&self.0))
//!             .ok_or(ResolveError::NotFound)
//!     }
//! }
//! let view = httpsig_core::http::RequestView::server(&req, "https://rs.example.com/accounts?x=1")?;
//! let verified = RequestVerifier::new().at(1_700_000_005)
//!     .verify(&view, req.body(), "client-a", &Keys(key.public_key()))?;
//! assert_eq!(verified.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Which store when
//!
//! DPoP `jti` values (and single-use server nonces) are recorded in a replay store
//! ([`store`]); the verifier itself does no I/O, only the commit touches the store.
//!
//! | Service | Store | Commit with |
//! |---|---|---|
//! | one process, sync or async | [`store::MemoryReplayStore`] (bounded, per-scope quotas) | [`dpop::PendingProof::commit`] or [`commit_async`](dpop::PendingProof::commit_async) |
//! | several instances, sync (threads, the CLI) | `store::RedisReplayStore` (feature `redis`) | [`dpop::PendingProof::commit`] |
//! | several instances on tokio | `store::AsyncRedisReplayStore` (feature `redis-async`; `rediss://` with `redis-tls`; Redis Cluster included), behind [`dpop::DpopVerifier::new_async`] | [`dpop::PendingProof::commit_async`] |
//!
//! Behind a load balancer the store must be shared (Redis), or a proof refused by one
//! instance is accepted by the next. In an async request path use an async store: the sync
//! Redis store blocks the thread for a round trip. Every store fails closed: an unreachable
//! store refuses the request with `store.unavailable` (HTTP 503), never accepts it.
//!
//! # Features
//!
//! | Feature | Default | Adds |
//! |---|---|---|
//! | `redis` | yes | `store::RedisReplayStore`, the sync Redis store (plain TCP) |
//! | `redis-async` | no | `store::AsyncRedisReplayStore` on the `redis` crate's tokio support: reconnecting single-node connection and Redis Cluster; pulls in tokio |
//! | `redis-tls` | no | `rediss://` for the async store (rustls with ring; system roots or a given CA) |
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

pub mod dpop;
mod error;
pub mod jws;
pub mod mtls;
pub mod signatures;
pub mod store;
pub mod token;

pub use error::{Error, ErrorKind, Refusal, RefusalContext};
