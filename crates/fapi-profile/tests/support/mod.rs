//! Helpers shared by the store tests (each test file uses part of them).

pub(crate) mod dpop;
pub(crate) mod redis;
