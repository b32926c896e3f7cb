//! An exact, strict engine for HTTP Message Signatures ([RFC 9421]) and Content-Digest
//! ([RFC 9530]).
//!
//! It builds signature bases byte for byte as the RFC specifies — field lines trimmed and
//! combined, default ports dropped from `@authority`, `@query-param` re-encoded the WHATWG way,
//! signature parameters kept in the order received — signs and verifies through a crypto
//! provider chosen by value (*ring* by default), loads keys from PEM and JWK, and enforces a
//! verification policy inside `verify` (RFC 9421 §3.2.1).
//!
//! It does **not** do I/O (key fetching and caching live outside, behind [`KeyResolver`]),
//! guess a server's target URI from `Host` (pass it explicitly; the `forwarded-parser` crate
//! reconstructs it behind proxies), or implement FAPI rules (see `fapi-profile`).
//!
//! # Getting started
//! ```
//! use httpsig_core::{keys::PrivateKey, sign, Algorithm, BaseOptions, Component, Derived,
//!     Message, MaxAge, SignatureParams, SigningKey, VerifyInput, VerifyPolicy};
//!
//! let pem = std::fs::read("../conformance/testdata/keys/test-key-ed25519.pem")?;
//! let key = PrivateKey::from_pem(&pem, Algorithm::Ed25519)?.with_key_id("test-key-ed25519");
//! let mut msg = Message::request("GET", "https://example.com/foo?x=1")?;
//! let params = SignatureParams::builder()
//!     .component(Component::derived(Derived::Method))
//!     .component(Component::derived(Derived::TargetUri))
//!     .created(1_700_000_000)
//!     .keyid("test-key-ed25519")
//!     .build()?;
//! let signed = sign(&msg, None, "sig1", params, &key, &BaseOptions::default())?;
//! msg.add_header("Signature-Input", signed.signature_input_member());
//! msg.add_header("Signature", signed.signature_member());
//!
//! let policy = VerifyPolicy::new(&[Algorithm::Ed25519], MaxAge::Seconds(60)).at(1_700_000_010);
//! let verified = policy.verify(VerifyInput::new(&msg), &key.public_key())?;
//! assert_eq!(verified.label(), "sig1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//! - `aws-lc-rs`: a second crypto provider, [`crypto::aws_lc_rs`], on AWS-LC. Adds items only:
//!   the loaders without `_with` keep using *ring*.
//! - `fips`: the `aws-lc-rs` provider on AWS-LC's FIPS 140-3 module (implies `aws-lc-rs`;
//!   building it needs Go, CMake and Clang: `scripts/setup-fips.sh`).
//! - `insecure-test-backend`: a fake signing backend that PROVIDES NO SECURITY, for tests and
//!   fuzzing only.
//!
//! [RFC 9421]: https://www.rfc-editor.org/rfc/rfc9421
//! [RFC 9530]: https://www.rfc-editor.org/rfc/rfc9530
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

pub mod accept;
mod algorithm;
mod base;
mod component;
pub mod crypto;
pub mod digest;
mod error;
mod fnv;
pub mod http;
pub mod json;
mod key_error;
pub mod keys;
mod labels;
mod limits;
mod message;
mod params;
mod resolve;
mod sf;
mod sign;
mod signature;
mod signature_input;
mod time;
mod verify;
mod visit;

pub use base::{BaseOptions, component_line, signature_base};
pub use component::{Component, CoveredComponent, Derived};
pub use crypto::{Algorithm, InvalidSignature, JwsAlgorithm, SigningKey, VerifyingKey};
pub use error::{
    ComponentError, ComponentErrorKind, Error, LimitExceeded, ParamName, ParamsError,
    ParamsErrorKind, ParseError, ParseErrorKind, SignatureField, Violation, Violations,
};
/// The one request-target model shared with `forwarded-parser`: [`uri::Authority`] (the host
/// grammar), [`uri::NormalizedAuthority`] (`@authority`), [`TargetUri`], [`uri::trim_ows`].
pub use httpsig_uri as uri;
pub use message::{HttpMessage, Message, TargetUri, UriError, combined_field};
pub use params::{ParamValue, SignatureParams, SignatureParamsBuilder};
pub use resolve::{
    JwksKeySet, KeyLookup, KeyResolver, KeySet, ResolveError, ResolvedKey, SkipReason, SkippedKey,
};
pub use sf::{SfType, SfTypes};
pub use sign::{Signed, append_member, fresh_label, sign};
pub use signature::signature_value;
pub use signature_input::parse_signature_input_field;
pub use time::unix_now;
pub use verify::{
    MaxAge, NonceCheck, Selection, VerifiedSignature, VerifiedSignatures, VerifyInput, VerifyPolicy,
};
