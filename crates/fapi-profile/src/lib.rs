//! FAPI 2.0 on top of `httpsig-core`: the HTTP-signature rules for both sides (FAPI 2.0 HTTP
//! Signatures draft §5.3), DPoP proof verification (RFC 9449), key binding, replay stores.
//!
//! # Getting started
//! ```
//! use fapi_profile::signatures::{RequestSigner, RequestVerifier, ClientKeys};
//! use httpsig_core::keys::PrivateKey;
//! use httpsig_core::{Algorithm, KeyLookup, VerifyingKey};
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
//!     fn client_key(&self, client: &str, l: &KeyLookup<'_>) -> Option<&dyn VerifyingKey> {
//!         (client == "client-a" && l.keyid == Some("client-key-1")).then_some(&self.0 as _)
//!     }
//! }
//! let view = httpsig_core::http::RequestView::server(&req, "https://rs.example.com/accounts?x=1")?;
//! let verified = RequestVerifier::new().at(1_700_000_005)
//!     .verify(&view, req.body(), "client-a", &Keys(key.public_key()))?;
//! assert_eq!(verified.len(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

pub mod dpop;
pub mod jws;
pub mod mtls;
pub mod signatures;
pub mod store;
