//! Redis-backed replay store, shared by every verifier instance that uses the same Redis.

use std::fmt;
use std::fmt::Write as _;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use httpsig_core::crypto::sha256;

use super::{ReplayStore, StoreError, check_ttl};

/// Idle connections kept for reuse; more concurrent callers open extra connections that are
/// closed after use.
const MAX_IDLE: usize = 8;

/// A [`ReplayStore`] on Redis (or a protocol-compatible server such as Valkey), for verifiers
/// running as several instances.
///
/// Each check is one atomic round trip, `SET <prefix><hex(SHA-256(key))> 1 NX PX <ttl ms>`:
/// the reply `OK` means the key was new, a nil reply means another request (on any instance) already
/// recorded it. The server decides, so two instances racing on one key cannot both win, and the
/// server expires the key after the TTL (rounded up to whole milliseconds).
///
/// - **Keys** are SHA-256 digests in hex behind a configurable prefix ([`Self::DEFAULT_PREFIX`]),
///   so their size is fixed whatever the caller's key; keys are never logged or printed.
/// - **Timeouts:** connecting (including the handshake) and each command are bounded by one
///   timeout ([`Self::DEFAULT_TIMEOUT`], 200 ms). An unreachable or stalled server gives
///   [`StoreError::Unavailable`] instead of holding the request; verifiers fail closed on it. Host
///   names are resolved by the system resolver, which has its own timeout: prefer an IP address.
/// - **Reconnecting:** a connection that failed is dropped together with every idle one, and the
///   next call connects afresh, so the store recovers by itself once Redis is back. When a reused
///   connection turns out to be closed (Redis restarted since its last use), the call retries once
///   on a new connection; the retry can at worst report a key as seen whose first `SET` did reach
///   the server, which refuses a request rather than accepting a replay.
/// - **No per-scope quota:** [`ReplayStore::check_and_record_scoped`] records like
///   [`ReplayStore::check_and_record`] (the default method). The store has no entry cap of its
///   own either, so there is no `store.full` to exhaust; Redis memory is the limit. Size it for
///   the capacity formula in the [module docs](super#capacity) and run Redis with
///   `maxmemory-policy noeviction`: an evicting policy could drop a live `jti` and reopen its
///   replay window, where `noeviction` makes writes fail ([`StoreError::Rejected`], fail closed).
/// - **Scope:** one server or primary over plain TCP (`redis://host:port/db`, with optional
///   user and password in the URL). TLS and Cluster are supported by the async store
///   (`AsyncRedisReplayStore`, features `redis-async`, `redis-tls`); Sentinel by neither. A Redis that
///   restarts without persistence forgets the recorded keys, which reopens replay for keys whose TTL
///   had not ended; a read-only replica answers with an error ([`StoreError::Rejected`]).
pub struct RedisReplayStore {
    client: ::redis::Client,
    /// `host:port` only; the URL may carry a password and is never printed.
    target: String,
    prefix: Vec<u8>,
    timeout: Duration,
    idle: Mutex<Vec<::redis::Connection>>,
}

impl RedisReplayStore {
    /// The key prefix used unless [`Self::with_prefix`] sets another.
    pub const DEFAULT_PREFIX: &'static str = "fapi:replay:";

    /// The connect and command timeout used unless [`Self::with_timeout`] sets another.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_millis(200);

    /// A store for the Redis at `url` (`redis://[user:password@]host:port[/db]`).
    ///
    /// Nothing is sent until the first check; the URL is only parsed here.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use fapi_profile::store::{RedisReplayStore, ReplayStore, StoreError};
    ///
    /// let store = RedisReplayStore::open("redis://10.0.0.5:6379/0")?
    ///     .with_prefix("rs-prod:dpop-jti:")
    ///     .with_timeout(Duration::from_millis(100));
    /// match store.check_and_record(b"jti-e1j3V_bKic8", Duration::from_secs(60)) {
    ///     Ok(true) => { /* first use: go on verifying */ }
    ///     Ok(false) => { /* replay: reject with 401 */ }
    ///     Err(_) => { /* store down or full: fail closed, reject */ }
    /// }
    /// # Ok::<(), StoreError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidConfig`] if the URL does not parse or is not a plain `redis://` URL.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let client = ::redis::Client::open(url).map_err(|_| StoreError::InvalidConfig)?;
        let target = match client.get_connection_info().addr() {
            ::redis::ConnectionAddr::Tcp(host, port) => format!("{host}:{port}"),
            // TLS needs a crate feature this build does not enable; Unix sockets are left out to
            // keep one transport with one timeout story.
            _ => return Err(StoreError::InvalidConfig),
        };
        Ok(Self {
            client,
            target,
            prefix: Self::DEFAULT_PREFIX.as_bytes().to_vec(),
            timeout: Self::DEFAULT_TIMEOUT,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// Uses `prefix` in front of every Redis key (for example to separate environments or
    /// `jti` values from nonces on one Redis).
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<Vec<u8>>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Bounds connecting (with the handshake) and each command by `timeout`; a zero timeout
    /// is replaced by [`Self::DEFAULT_TIMEOUT`] (the socket API reads zero as "no timeout").
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = if timeout.is_zero() {
            Self::DEFAULT_TIMEOUT
        } else {
            timeout
        };
        self
    }

    /// The configured timeout.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The Redis key for a caller's key: prefix followed by the lower-case hex SHA-256 digest.
    pub fn redis_key(&self, key: &[u8]) -> Vec<u8> {
        redis_key(&self.prefix, key)
    }

    fn connect(&self) -> Result<::redis::Connection, StoreError> {
        let conn = self
            .client
            .get_connection_with_timeout(self.timeout)
            .map_err(|_| StoreError::Unavailable)?;
        conn.set_read_timeout(Some(self.timeout))
            .map_err(|_| StoreError::Unavailable)?;
        conn.set_write_timeout(Some(self.timeout))
            .map_err(|_| StoreError::Unavailable)?;
        Ok(conn)
    }

    fn take_idle(&self) -> Option<::redis::Connection> {
        self.idle_lock().pop()
    }

    fn put_idle(&self, conn: ::redis::Connection) {
        let mut idle = self.idle_lock();
        if idle.len() < MAX_IDLE {
            idle.push(conn);
        }
    }

    fn drop_idle(&self) {
        self.idle_lock().clear();
    }

    fn idle_lock(&self) -> std::sync::MutexGuard<'_, Vec<::redis::Connection>> {
        // The guarded Vec is only pushed, popped or cleared; a panic elsewhere cannot leave it
        // half-updated, so a poisoned lock is safe to reuse.
        self.idle.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// `prefix` followed by the lower-case hex SHA-256 digest of `key` (shared with the async store,
/// so both name a key the same way and can share one Redis).
pub(super) fn redis_key(prefix: &[u8], key: &[u8]) -> Vec<u8> {
    let mut hex = String::with_capacity(64);
    for byte in sha256(key) {
        // Writing to a String cannot fail.
        let _ = write!(hex, "{byte:02x}");
    }
    let mut out = Vec::with_capacity(prefix.len() + hex.len());
    out.extend_from_slice(prefix);
    out.extend_from_slice(hex.as_bytes());
    out
}

/// Whole milliseconds of `ttl`, rounded up so the key lives at least `ttl` (Redis refuses
/// `PX 0`). Callers check `ttl` against `MAX_TTL` first, so the value fits in u64 (the fallback
/// is unreachable).
pub(super) fn ttl_millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_nanos().div_ceil(1_000_000)).unwrap_or(u64::MAX)
}

/// One `SET key 1 NX PX ms` on `conn`.
fn set_nx(
    conn: &mut ::redis::Connection,
    key: &[u8],
    ttl_ms: u64,
) -> Result<bool, ::redis::RedisError> {
    let reply: ::redis::Value = ::redis::cmd("SET")
        .arg(key)
        .arg(1)
        .arg("NX")
        .arg("PX")
        .arg(ttl_ms)
        .query(conn)?;
    match reply {
        ::redis::Value::Okay => Ok(true),
        ::redis::Value::SimpleString(s) if s == "OK" => Ok(true),
        ::redis::Value::Nil => Ok(false),
        _ => Err(::redis::RedisError::from((
            ::redis::ErrorKind::UnexpectedReturnType,
            "unexpected reply to SET NX",
        ))),
    }
}

/// Whether the server answered with an error reply (or an unexpected reply type), which leaves
/// the connection in step; every other error (I/O, timeout, parse) makes the connection unusable.
fn is_error_reply(err: &::redis::RedisError) -> bool {
    matches!(
        err.kind(),
        ::redis::ErrorKind::Server(_)
            | ::redis::ErrorKind::Extension
            | ::redis::ErrorKind::UnexpectedReturnType
    )
}

impl ReplayStore for RedisReplayStore {
    fn check_and_record(&self, key: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        check_ttl(ttl)?;
        let ttl_ms = ttl_millis(ttl);
        let redis_key = self.redis_key(key);

        let (mut conn, reused) = match self.take_idle() {
            Some(conn) => (conn, true),
            None => (self.connect()?, false),
        };
        let result = match set_nx(&mut conn, &redis_key, ttl_ms) {
            Err(err) if reused && err.is_connection_dropped() && !err.is_timeout() => {
                // The idle connection was closed under us (typically a Redis restart): the others
                // are as stale, so drop them and retry once on a fresh connection.
                drop(conn);
                self.drop_idle();
                conn = self.connect()?;
                set_nx(&mut conn, &redis_key, ttl_ms)
            }
            other => other,
        };
        match result {
            Ok(new) => {
                self.put_idle(conn);
                Ok(new)
            }
            Err(err) if is_error_reply(&err) => {
                self.put_idle(conn);
                Err(StoreError::Rejected)
            }
            Err(_) => {
                // The connection may hold half a reply; never reuse it, nor the idle ones.
                drop(conn);
                self.drop_idle();
                Err(StoreError::Unavailable)
            }
        }
    }
}

impl fmt::Debug for RedisReplayStore {
    // The URL (which may hold a password) and keys are never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisReplayStore")
            .field("target", &self.target)
            .field("prefix", &String::from_utf8_lossy(&self.prefix))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_prefix_and_hex_sha256() {
        let store = RedisReplayStore::open("redis://127.0.0.1:1/")
            .unwrap()
            .with_prefix("p:");
        // SHA-256("abc"), FIPS 180-2 Appendix B.1.
        assert_eq!(
            store.redis_key(b"abc"),
            b"p:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_vec()
        );
    }

    #[test]
    fn bad_urls_are_invalid_config() {
        for url in ["", "http://127.0.0.1:6379/", "not a url", "redis://[::1"] {
            assert_eq!(
                RedisReplayStore::open(url).err(),
                Some(StoreError::InvalidConfig),
                "{url}"
            );
        }
    }

    #[test]
    fn debug_hides_password() {
        let store = RedisReplayStore::open("redis://user:s3cret@127.0.0.1:6379/0").unwrap();
        let text = format!("{store:?}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("127.0.0.1:6379"), "{text}");
    }

    #[test]
    fn zero_timeout_falls_back_to_default() {
        let store = RedisReplayStore::open("redis://127.0.0.1:1/")
            .unwrap()
            .with_timeout(Duration::ZERO);
        assert_eq!(store.timeout(), RedisReplayStore::DEFAULT_TIMEOUT);
    }
}
