//! RFC 9421 HTTP Message Signatures engine (work in progress).
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

pub mod crypto;
pub mod keys;
