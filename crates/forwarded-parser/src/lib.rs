//! RFC 7239 `Forwarded` and `X-Forwarded-*` under an explicit trusted-proxy policy.
//!
//! This crate is a placeholder until its own issue is taken up; it exports nothing yet.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
