//! The dependency-injection point for single-use checks (DPoP `jti` values, server nonces).
//!
//! Only the trait lives here; the implementations (in memory, Redis) belong to the store
//! module.

use core::fmt;
use std::time::Duration;

/// Single-use check for DPoP `jti` values (and server nonces). Implemented by the store module.
pub trait ReplayStore: Send + Sync {
    /// Records `key` for `ttl`; Ok(true) if it was new, Ok(false) if already seen; Err if the
    /// store is unavailable (verifiers fail closed).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the store cannot answer.
    fn check_and_record(&self, key: &[u8], ttl: Duration) -> Result<bool, StoreError>;
}

/// Why a [`ReplayStore`] could not answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The store cannot be reached or failed (code `store.unavailable`).
    Unavailable,
}

impl StoreError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unavailable => "store.unavailable",
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable => f.write_str("replay store unavailable"),
        }
    }
}

impl std::error::Error for StoreError {}
