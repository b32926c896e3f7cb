//! Conformance vectors and their runner (work in progress).
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]
