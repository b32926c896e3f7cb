//! Replay stores: single-use checks for DPoP proof `jti` values and server nonces.
//!
//! RFC 9449 §11.1 lets a server refuse a proof whose `jti` it has already seen within the proof's
//! acceptance window (requirement DP-12); FAPI 2.0 (SP §5.3.2.1) relies on that to stop a stolen proof
//! from being replayed. A verifier asks a [`ReplayStore`] whether a key is new and records it in the
//! same atomic step, so two requests racing with the same `jti` cannot both be accepted.
//!
//! Two seams, one meaning:
//!
//! - [`ReplayStore`]: synchronous, for sync callers (the command-line tool, a thread-per-request
//!   server, tests);
//! - [`AsyncReplayStore`]: the same check as a future, for async services (tokio): the verifier
//!   awaits it ([`crate::dpop::PendingProof::commit_async`]), so no blocking I/O runs on an
//!   executor thread.
//!
//! Implementations:
//!
//! - [`MemoryReplayStore`]: one process; bounded size, TTL expiry, keys stored as SHA-256 digests.
//!   Implements both seams (the async one answers at once: its only wait is a short mutex).
//! - `RedisReplayStore` (feature `redis`, on by default): the sync seam on Redis, shared by every
//!   verifier instance that talks to the same Redis, one `SET key 1 NX PX ttl` round trip per check.
//! - `AsyncRedisReplayStore` (feature `redis-async`; `rediss://` with `redis-tls`): the async seam
//!   on Redis or Redis Cluster through the `redis` crate's tokio support, reconnecting by itself,
//!   every call bounded by a timeout.
//!
//! Every failure is an error, never a silent "new": a verifier that gets `Err` must refuse the request
//! (fail closed), because accepting it would reopen the replay window the store exists to close.
//!
//! # Who may fill the store
//!
//! A bounded store shared by every client is itself a target: one client recording fresh keys as
//! fast as it can would leave no room for the others ([`StoreError::Full`] for everyone until the
//! keys expire). Three things keep that in check:
//!
//! - the DPoP verifier records a `jti` only when the application commits a proof
//!   ([`crate::dpop::PendingProof::commit`]), after the access token and the rest of the request
//!   were validated, so forgeries and proofs with unvalidated tokens never occupy a slot;
//! - keys are recorded on behalf of a *scope* ([`ReplayStore::check_and_record_scoped`]): the
//!   proof key's thumbprint, or the client id from the validated token;
//! - [`MemoryReplayStore`] bounds the live keys of one scope
//!   ([`MemoryReplayStore::with_scope_quota`]); past it that scope gets
//!   [`StoreError::QuotaExceeded`] (HTTP 429) while the others are unaffected.
//!
//! ## Capacity
//!
//! A recorded key lives for the replay window: for DPoP, `max_age + max_future + 1` seconds of the
//! `iat` window (71 s with the defaults). A store must hold every key accepted within one window:
//!
//! ```text
//! capacity ≥ peak accepted proofs per second × window seconds
//! scope quota ≥ peak proofs per second of one client (or key) × window seconds
//! ```
//!
//! For example 1 000 requests/s with the default window need 71 000 entries (the memory store
//! uses roughly 150 to 400 bytes per entry for its hash map, ordered set and per-scope count,
//! an estimate from the element sizes, so 10 to 30 MB), and a client sending up to 10 requests/s needs
//! a quota of at least 710 ([`MemoryReplayStore::DEFAULT_SCOPE_QUOTA`] is 1 024). Size the store
//! for the sum over clients, not for one client times the number of clients: quotas stop one
//! client from taking everything, not many clients from taking their share.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

mod memory;
#[cfg(feature = "redis")]
mod redis;
#[cfg(feature = "redis-async")]
mod redis_async;

pub use memory::{Clock, ManualClock, MemoryReplayStore, MonotonicClock};
#[cfg(feature = "redis")]
pub use redis::RedisReplayStore;
#[cfg(feature = "redis-async")]
pub use redis_async::AsyncRedisReplayStore;

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

    /// As [`check_and_record`](Self::check_and_record), for a key recorded on behalf of `scope`
    /// (who the key belongs to: a DPoP key thumbprint or a client id; opaque bytes).
    ///
    /// A store that bounds what one scope may hold counts the scope's live keys and answers
    /// [`StoreError::QuotaExceeded`] instead of recording a key past the bound; a key already
    /// seen is still reported as `Ok(false)` (a replay is a replay, whatever the quota). The
    /// default implementation ignores `scope`: no quota.
    ///
    /// # Errors
    ///
    /// As [`check_and_record`](Self::check_and_record), and [`StoreError::QuotaExceeded`].
    fn check_and_record_scoped(
        &self,
        scope: &[u8],
        key: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        let _ = scope;
        self.check_and_record(key, ttl)
    }
}

// The forwarding impls forward both methods: falling back to the default
// `check_and_record_scoped` would silently drop the inner store's quota. One macro, so no
// wrapper can forget the second method.
macro_rules! forward_replay_store {
    ($($wrapper:ty),+) => {$(
        impl<T: ReplayStore + ?Sized> ReplayStore for $wrapper {
            fn check_and_record(&self, key: &[u8], ttl: Duration) -> Result<bool, StoreError> {
                (**self).check_and_record(key, ttl)
            }
            fn check_and_record_scoped(
                &self,
                scope: &[u8],
                key: &[u8],
                ttl: Duration,
            ) -> Result<bool, StoreError> {
                (**self).check_and_record_scoped(scope, key, ttl)
            }
        }
    )+};
}

forward_replay_store!(&T, Box<T>, std::sync::Arc<T>);

/// The future an [`AsyncReplayStore`] returns: `Ok(true)` if the key was new, `Ok(false)` if
/// already seen, `Err` if the store could not answer (fail closed).
pub type StoreFuture<'a> = Pin<Box<dyn Future<Output = Result<bool, StoreError>> + Send + 'a>>;

/// The asynchronous form of [`ReplayStore`], for services on an async runtime.
///
/// Same contract as [`ReplayStore`] (atomic check-and-record, per-scope quotas, every `Err`
/// refuses the key), but the answer is a future, so a store that talks to a server (Redis) waits
/// without blocking an executor thread.
///
/// The methods carry an `_async` suffix so that a type implementing both seams (the memory
/// store) can be called with both traits in scope. They return a boxed [`StoreFuture`] rather
/// than being `async fn`: an `async fn` in a
/// trait is not dyn-compatible, and verifiers hold their store as `Arc<dyn AsyncReplayStore>`
/// (the store is chosen at run time, by configuration). One small allocation per check is
/// nothing next to a network round trip, and no macro crate (`async-trait`) is needed. The
/// future is `Send`, so it can be awaited inside a `tokio::spawn`ed task.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use fapi_profile::store::{AsyncReplayStore, StoreError, StoreFuture};
///
/// /// A store that refuses everything (say, while a migration runs).
/// struct Closed;
/// impl AsyncReplayStore for Closed {
///     fn check_and_record_async<'a>(&'a self, _key: &'a [u8], _ttl: Duration) -> StoreFuture<'a> {
///         Box::pin(async { Err(StoreError::Unavailable) })
///     }
/// }
/// ```
pub trait AsyncReplayStore: Send + Sync {
    /// Records `key` for `ttl`: resolves to `Ok(true)` if it was new, `Ok(false)` if already
    /// seen.
    ///
    /// # Errors
    ///
    /// As [`ReplayStore::check_and_record`]; a store that does I/O resolves to
    /// [`StoreError::Unavailable`] when it cannot answer within its timeout.
    fn check_and_record_async<'a>(&'a self, key: &'a [u8], ttl: Duration) -> StoreFuture<'a>;

    /// As [`check_and_record_async`](Self::check_and_record_async), for a key recorded on behalf of `scope`
    /// (see [`ReplayStore::check_and_record_scoped`]). The default ignores `scope`: no quota.
    ///
    /// # Errors
    ///
    /// As [`check_and_record_async`](Self::check_and_record_async), and [`StoreError::QuotaExceeded`].
    fn check_and_record_scoped_async<'a>(
        &'a self,
        scope: &'a [u8],
        key: &'a [u8],
        ttl: Duration,
    ) -> StoreFuture<'a> {
        let _ = scope;
        self.check_and_record_async(key, ttl)
    }
}

// As for `ReplayStore`: both methods forwarded, so a wrapper keeps the inner store's quota.
macro_rules! forward_async_replay_store {
    ($($wrapper:ty),+) => {$(
        impl<T: AsyncReplayStore + ?Sized> AsyncReplayStore for $wrapper {
            fn check_and_record_async<'a>(&'a self, key: &'a [u8], ttl: Duration) -> StoreFuture<'a> {
                (**self).check_and_record_async(key, ttl)
            }
            fn check_and_record_scoped_async<'a>(
                &'a self,
                scope: &'a [u8],
                key: &'a [u8],
                ttl: Duration,
            ) -> StoreFuture<'a> {
                (**self).check_and_record_scoped_async(scope, key, ttl)
            }
        }
    )+};
}

forward_async_replay_store!(&T, Box<T>, std::sync::Arc<T>);

/// Why a replay store could not answer. Every variant means "do not accept the key".
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StoreError {
    /// The store could not be reached (refused connection, failed TLS handshake, a cluster
    /// without a master for the key's slot) or did not answer within its timeout. A
    /// 503-class condition, distinct from a replay (`dpop.replay`) and from a quota
    /// ([`StoreError::QuotaExceeded`]); a reconnecting store answers again once the server is
    /// back.
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
    /// The scope (one client or key) already holds as many live keys as the store allows one
    /// scope; other scopes are unaffected (see [`ReplayStore::check_and_record_scoped`]).
    QuotaExceeded,
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
            Self::QuotaExceeded => "store.quota_exceeded",
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unavailable => {
                "replay store unavailable: unreachable or no answer within the timeout"
            }
            Self::Full => "replay store full: no room for a new key until live keys expire",
            Self::InvalidTtl => "replay store ttl must be greater than zero and at most 366 days",
            Self::Rejected => "replay store answered but did not record the key",
            Self::InvalidConfig => "replay store configuration is invalid",
            Self::QuotaExceeded => {
                "replay store quota of this client or key is used up until its keys expire"
            }
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
            (StoreError::QuotaExceeded, "store.quota_exceeded"),
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
