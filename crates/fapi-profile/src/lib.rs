//! FAPI 2.0 HTTP-signature rules, DPoP (RFC 9449) and key binding.
//!
//! This crate is a placeholder until its own issue is taken up; it exports nothing yet.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

pub mod dpop;
pub mod jws;
pub mod mtls;
pub mod store_api;
