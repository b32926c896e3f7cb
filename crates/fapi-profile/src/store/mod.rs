//! Replay stores: single-use checks for DPoP proof `jti` values and server nonces.
//!
//! RFC 9449 §11.1 lets a server refuse a proof whose `jti` it has already seen within the proof's
//! acceptance window (requirement DP-12); FAPI 2.0 (SP §5.3.2.1) relies on that to stop a stolen proof
//! from being replayed. A verifier asks a [`ReplayStore`] whether a key is new and records it in the
//! same atomic step, so two requests racing with the same `jti` cannot both be accepted.
//!
//! Two implementations:
//!
//! - [`MemoryReplayStore`]: one process; bounded size, TTL expiry, keys stored as SHA-256 digests.
//! - `RedisReplayStore` (feature `redis`, on by default): shared by every verifier instance that talks
//!   to the same Redis, one `SET key 1 NX PX ttl` round trip per check.
//!
//! Every failure is an error, never a silent "new": a verifier that gets `Err` must refuse the request
//! (fail closed), because accepting it would reopen the replay window the store exists to close.

use std::fmt;
use std::time::Duration;

mod memory;
#[cfg(feature = "redis")]
mod redis;

pub use memory::{Clock, ManualClock, MemoryReplayStore, MonotonicClock};
#[cfg(feature = "redis")]
pub use redis::RedisReplayStore;

/// The longest TTL a store accepts (366 days).
///
/// Replay windows are minutes long (the DPoP `iat` window, a nonce lifetime); a longer TTL is
/// almost certainly a unit mistake, and refusing it keeps the Redis `PX` argument and the memory
/// store's deadlines far from any overflow.
pub const MAX_TTL: Duration = Duration::from_secs(366 * 24 * 60 * 60);

/// Single-use check for DPoP `jti` values (and server nonces).
pub trait ReplayStore: Send + Sync {
    /// Records `key` for `ttl`; Ok(true) if it was new, Ok(false) if already seen; Err if the store is unavailable (verifiers fail closed).
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] when the store cannot be reached in time, [`StoreError::Full`]
    /// when a bounded store has no room for a new key, [`StoreError::InvalidTtl`] for a zero TTL
    /// or one above [`MAX_TTL`], [`StoreError::Rejected`] when the backend answered but did not
    /// record the key. In every case the key must be treated as not acceptable.
    fn check_and_record(&self, key: &[u8], ttl: Duration) -> Result<bool, StoreError>;
}

impl<T: ReplayStore + ?Sized> ReplayStore for &T {
    fn check_and_record(&self, key: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        (**self).check_and_record(key, ttl)
    }
}

impl<T: ReplayStore + ?Sized> ReplayStore for Box<T> {
    fn check_and_record(&self, key: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        (**self).check_and_record(key, ttl)
    }
}

impl<T: ReplayStore + ?Sized> ReplayStore for std::sync::Arc<T> {
    fn check_and_record(&self, key: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        (**self).check_and_record(key, ttl)
    }
}

/// Why a replay store could not answer. Every variant means "do not accept the key".
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The store could not be reached or did not answer within its timeout.
    Unavailable,
    /// A bounded store is full of live keys and refuses new ones rather than evicting a live key
    /// (evicting would let that key be replayed before its TTL ends).
    Full,
    /// The TTL was zero or above [`MAX_TTL`].
    InvalidTtl,
    /// The store answered but did not record the key (for Redis: an error reply such as
    /// out-of-memory, a read-only replica or missing authentication, or an unexpected reply).
    Rejected,
    /// The store's configuration is unusable (for Redis: the connection URL did not parse or names
    /// an unsupported scheme).
    InvalidConfig,
}

impl StoreError {
    /// A stable, machine-readable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unavailable => "store.unavailable",
            Self::Full => "store.full",
            Self::InvalidTtl => "store.invalid_ttl",
            Self::Rejected => "store.rejected",
            Self::InvalidConfig => "store.invalid_config",
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unavailable => "replay store unavailable: no answer within the timeout",
            Self::Full => "replay store full: no room for a new key until live keys expire",
            Self::InvalidTtl => "replay store ttl must be greater than zero and at most 366 days",
            Self::Rejected => "replay store answered but did not record the key",
            Self::InvalidConfig => "replay store configuration is invalid",
        })
    }
}

impl std::error::Error for StoreError {}

/// Checks the TTL rule shared by every store.
fn check_ttl(ttl: Duration) -> Result<(), StoreError> {
    if ttl.is_zero() || ttl > MAX_TTL {
        Err(StoreError::InvalidTtl)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_distinct() {
        let all = [
            (StoreError::Unavailable, "store.unavailable"),
            (StoreError::Full, "store.full"),
            (StoreError::InvalidTtl, "store.invalid_ttl"),
            (StoreError::Rejected, "store.rejected"),
            (StoreError::InvalidConfig, "store.invalid_config"),
        ];
        for (err, code) in &all {
            assert_eq!(err.code(), *code);
            let text = err.to_string();
            assert!(!text.ends_with('.'), "{text}");
            assert_eq!(text, text.to_lowercase(), "{text}");
        }
    }

    #[test]
    fn ttl_bounds() {
        assert_eq!(check_ttl(Duration::ZERO), Err(StoreError::InvalidTtl));
        assert_eq!(check_ttl(Duration::from_nanos(1)), Ok(()));
        assert_eq!(check_ttl(MAX_TTL), Ok(()));
        assert_eq!(
            check_ttl(MAX_TTL + Duration::from_nanos(1)),
            Err(StoreError::InvalidTtl)
        );
    }
}
