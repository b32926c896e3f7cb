//! Async Redis (and Redis Cluster) replay store on the `redis` crate's tokio support.

use std::fmt;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use ::redis::aio::{ConnectionManager, ConnectionManagerConfig};
use ::redis::cluster::{ClusterClient, ClusterClientBuilder};
use ::redis::cluster_async::ClusterConnection;
use ::redis::{Client, ConnectionAddr, ErrorKind, RedisError, ServerErrorKind, Value};

use super::redis::{redis_key, ttl_millis};
use super::{AsyncReplayStore, StoreError, StoreFuture, check_ttl};

/// An [`AsyncReplayStore`] on Redis or Redis Cluster, for verifiers running on tokio as
/// several instances (feature `redis-async`; `rediss://` needs `redis-tls`).
///
/// Each check is one atomic command, `SET <prefix><hex(SHA-256(key))> 1 NX PX <ttl ms>`,
/// awaited without blocking the executor: `OK` means the key was new, nil that some instance
/// already recorded it. Keys are named exactly as by the sync `RedisReplayStore`, so sync and
/// async verifiers can share one Redis.
///
/// - **Targets:** one server (`redis://` or `rediss://`, [`Self::open`],
///   [`Self::open_with_ca`]) through a reconnecting multiplexed connection
///   (`redis::aio::ConnectionManager`), or a Redis Cluster ([`Self::open_cluster`],
///   [`Self::open_cluster_with_ca`]) given several node URLs, through the cluster client, which
///   follows `MOVED`/`ASK` redirections and refreshes its slot map. Keys carry no hash tag, so
///   they spread over every slot and master. Sentinel and Unix sockets are not supported.
/// - **Bounded:** every call, connecting included, is bounded by one timeout
///   ([`Self::DEFAULT_TIMEOUT`], 1 s; [`Self::with_timeout`]) on the tokio clock. A refused
///   connection, a failed TLS handshake, a hung server, a cluster slot without a reachable
///   master all resolve to [`StoreError::Unavailable`] (`store.unavailable`, HTTP 503): fail
///   closed, never "new". An error reply from a reachable server (out of memory under
///   `noeviction`, `NOAUTH`, a read-only replica) is [`StoreError::Rejected`].
/// - **Recovers by itself:** nothing connects until the first check (so a store can be built
///   while Redis is down); a dropped connection is re-established in the background on the next
///   call, so the same store object answers again once Redis is back, with no restart.
/// - **No per-scope quota, no entry cap:** as the sync Redis store; size Redis by the capacity
///   formula in the [module docs](super#capacity) and run it with `maxmemory-policy noeviction`
///   (an evicting policy could drop a live key and reopen its replay window).
/// - **Runtime:** the methods must run inside a tokio runtime (the background reconnection is a
///   tokio task); the constructors do no I/O and need none.
pub struct AsyncRedisReplayStore {
    backend: Backend,
    /// `host:port` of each node; URLs may carry a password and are never printed.
    targets: Vec<String>,
    prefix: Vec<u8>,
    timeout: Duration,
}

/// The connection, created on first use inside the caller's runtime.
enum Backend {
    Single {
        client: Client,
        conn: Mutex<Option<ConnectionManager>>,
    },
    Cluster {
        /// The node URLs and TLS roots; the client is built at first use, with the store's
        /// timeout at that point.
        nodes: Vec<String>,
        certs: Option<Certs>,
        conn: tokio::sync::Mutex<Option<ClusterConnection>>,
    },
}

#[cfg(feature = "redis-tls")]
type Certs = ::redis::TlsCertificates;
/// Without TLS support there are no certificates to carry.
#[cfg(not(feature = "redis-tls"))]
#[derive(Clone, Copy)]
enum Certs {}

impl AsyncRedisReplayStore {
    /// The key prefix used unless [`Self::with_prefix`] sets another (the same as the sync
    /// store's).
    pub const DEFAULT_PREFIX: &'static str = "fapi:replay:";

    /// The bound on each call (connecting included) unless [`Self::with_timeout`] sets another.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

    /// A store for the Redis at `url`: `redis://[user:password@]host:port[/db]`, or `rediss://`
    /// (feature `redis-tls`) checked against the system's root certificates.
    ///
    /// Nothing is sent until the first check; the URL is only parsed here.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), fapi_profile::store::StoreError> {
    /// use std::time::Duration;
    /// use fapi_profile::store::{AsyncRedisReplayStore, AsyncReplayStore};
    ///
    /// let store = AsyncRedisReplayStore::open("redis://10.0.0.5:6379/0")?
    ///     .with_prefix("rs-prod:dpop-jti:")
    ///     .with_timeout(Duration::from_millis(500));
    /// match store.check_and_record_async(b"jti-e1j3V_bKic8", Duration::from_secs(71)).await {
    ///     Ok(true) => { /* first use */ }
    ///     Ok(false) => { /* replay: 401 */ }
    ///     Err(_) => { /* store down: fail closed, 503 */ }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidConfig`] if the URL does not parse, is not `redis://` or
    /// `rediss://`, or is `rediss://` in a build without `redis-tls`.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let client = Client::open(url).map_err(|_| StoreError::InvalidConfig)?;
        Self::single(client)
    }

    /// A store for the Redis at the `rediss://` `url`, trusting only the CA certificates in
    /// `ca_pem` (one or more PEM `CERTIFICATE` blocks), for a Redis behind a private CA.
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidConfig`] if the URL does not parse or is not `rediss://`, or
    /// `ca_pem` holds no certificate.
    #[cfg(feature = "redis-tls")]
    pub fn open_with_ca(url: &str, ca_pem: &[u8]) -> Result<Self, StoreError> {
        let certs = tls::certificates(ca_pem)?;
        let client = Client::build_with_tls(url, certs).map_err(|_| StoreError::InvalidConfig)?;
        Self::single(client)
    }

    /// A store for the Redis Cluster reached through `nodes` (`redis://host:port` URLs of some or
    /// all nodes; the rest are discovered; `rediss://` with `redis-tls`, system roots).
    ///
    /// # Errors
    ///
    /// [`StoreError::InvalidConfig`] if `nodes` is empty or a URL does not parse or is not
    /// `redis://`/`rediss://`.
    pub fn open_cluster(nodes: &[&str]) -> Result<Self, StoreError> {
        Self::cluster(nodes, None)
    }

    /// As [`Self::open_cluster`] over `rediss://` nodes, trusting only the CA certificates in
    /// `ca_pem`.
    ///
    /// # Errors
    ///
    /// As [`Self::open_cluster`], and [`StoreError::InvalidConfig`] if `ca_pem` holds no
    /// certificate.
    #[cfg(feature = "redis-tls")]
    pub fn open_cluster_with_ca(nodes: &[&str], ca_pem: &[u8]) -> Result<Self, StoreError> {
        Self::cluster(nodes, Some(tls::certificates(ca_pem)?))
    }

    fn single(client: Client) -> Result<Self, StoreError> {
        let target = target_of(client.get_connection_info().addr())?;
        Ok(Self {
            backend: Backend::Single {
                client,
                conn: Mutex::new(None),
            },
            targets: vec![target],
            prefix: Self::DEFAULT_PREFIX.as_bytes().to_vec(),
            timeout: Self::DEFAULT_TIMEOUT,
        })
    }

    fn cluster(nodes: &[&str], certs: Option<Certs>) -> Result<Self, StoreError> {
        if nodes.is_empty() {
            return Err(StoreError::InvalidConfig);
        }
        let mut targets = Vec::with_capacity(nodes.len());
        for node in nodes {
            // Parsed here only to refuse bad URLs early and to name the targets.
            let client = Client::open(*node).map_err(|_| StoreError::InvalidConfig)?;
            targets.push(target_of(client.get_connection_info().addr())?);
        }
        let nodes: Vec<String> = nodes.iter().map(|n| (*n).to_owned()).collect();
        // Built once here to refuse a bad configuration now rather than at the first request.
        cluster_client(&nodes, certs.as_ref(), Self::DEFAULT_TIMEOUT)?;
        Ok(Self {
            backend: Backend::Cluster {
                nodes,
                certs,
                conn: tokio::sync::Mutex::new(None),
            },
            targets,
            prefix: Self::DEFAULT_PREFIX.as_bytes().to_vec(),
            timeout: Self::DEFAULT_TIMEOUT,
        })
    }

    /// Uses `prefix` in front of every Redis key (to separate environments, or `jti` values from
    /// nonces, on one Redis).
    #[must_use]
    pub fn with_prefix(mut self, prefix: impl Into<Vec<u8>>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Bounds each call, connecting included, by `timeout`; a zero timeout is replaced by
    /// [`Self::DEFAULT_TIMEOUT`] (a zero bound would refuse every request).
    ///
    /// Call it before the first check: a connection already made keeps the bounds it was made
    /// with for its own connect and response timeouts (the overall bound applies at once).
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = if timeout.is_zero() {
            Self::DEFAULT_TIMEOUT
        } else {
            timeout
        };
        self
    }

    /// The configured bound on each call.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The Redis key for a caller's key: prefix followed by the lower-case hex SHA-256 digest.
    pub fn redis_key(&self, key: &[u8]) -> Vec<u8> {
        redis_key(&self.prefix, key)
    }

    /// `SET key 1 NX PX ttl`, connecting first if needed; not bounded here (the caller is).
    async fn set_nx(&self, key: &[u8], ttl_ms: u64) -> Result<bool, StoreError> {
        let mut cmd = ::redis::cmd("SET");
        cmd.arg(key).arg(1).arg("NX").arg("PX").arg(ttl_ms);
        let reply: Result<Value, RedisError> = match &self.backend {
            Backend::Single { client, conn } => {
                let mut manager = self.manager(client, conn)?;
                cmd.query_async(&mut manager).await
            }
            Backend::Cluster { nodes, certs, conn } => {
                let mut connection = {
                    let mut slot = conn.lock().await;
                    if let Some(existing) = slot.as_ref() {
                        existing.clone()
                    } else {
                        let client = cluster_client(nodes, certs.as_ref(), self.timeout)?;
                        let fresh = client
                            .get_async_connection()
                            .await
                            .map_err(|err| classify(&err))?;
                        *slot = Some(fresh.clone());
                        fresh
                    }
                };
                cmd.query_async(&mut connection).await
            }
        };
        match reply {
            Ok(Value::Okay) => Ok(true),
            Ok(Value::SimpleString(s)) if s == "OK" => Ok(true),
            Ok(Value::Nil) => Ok(false),
            Ok(_) => Err(StoreError::Rejected),
            Err(err) => Err(classify(&err)),
        }
    }

    /// The shared connection manager, made on first use (it spawns its reconnection task on the
    /// caller's runtime, so it cannot be made in the constructor).
    fn manager(
        &self,
        client: &Client,
        slot: &Mutex<Option<ConnectionManager>>,
    ) -> Result<ConnectionManager, StoreError> {
        // The guarded Option is only read or set whole; a poisoned lock is safe to reuse.
        let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(manager) = slot.as_ref() {
            return Ok(manager.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(self.timeout))
            .set_response_timeout(Some(self.timeout))
            // A short reconnection schedule: a call that finds Redis gone fails at once
            // (bounded by the timeout anyway) and the next call starts a new attempt, so the
            // store notices a returning Redis within a fraction of a second.
            .set_number_of_retries(1)
            .set_min_delay(Duration::from_millis(20))
            .set_max_delay(Duration::from_millis(200));
        let manager = ConnectionManager::new_lazy_with_config(client.clone(), config)
            .map_err(|_| StoreError::InvalidConfig)?;
        *slot = Some(manager.clone());
        Ok(manager)
    }

    async fn record(&self, key: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        check_ttl(ttl)?;
        let redis_key = self.redis_key(key);
        match tokio::time::timeout(self.timeout, self.set_nx(&redis_key, ttl_millis(ttl))).await {
            Ok(answer) => answer,
            Err(_elapsed) => Err(StoreError::Unavailable),
        }
    }
}

/// A cluster client for `nodes` whose own connect and response timeouts are the store's (the
/// overall bound is applied around each call as well), with a short retry schedule for
/// redirections and reconnections.
fn cluster_client(
    nodes: &[String],
    certs: Option<&Certs>,
    timeout: Duration,
) -> Result<ClusterClient, StoreError> {
    let builder: ClusterClientBuilder = ClusterClient::builder(nodes.iter().map(String::as_str))
        .connection_timeout(timeout)
        .response_timeout(timeout)
        .retries(2)
        .min_retry_wait(10)
        .max_retry_wait(200);
    #[cfg(feature = "redis-tls")]
    let builder = match certs {
        Some(certs) => builder.certs(certs.clone()),
        None => builder,
    };
    #[cfg(not(feature = "redis-tls"))]
    if let Some(certs) = certs {
        match *certs {}
    }
    builder.build().map_err(|_| StoreError::InvalidConfig)
}

/// `host:port` of a TCP (or TLS) address; other transports are refused.
fn target_of(addr: &ConnectionAddr) -> Result<String, StoreError> {
    match addr {
        ConnectionAddr::Tcp(host, port) | ConnectionAddr::TcpTls { host, port, .. } => {
            Ok(format!("{host}:{port}"))
        }
        // Unix sockets are left out: one transport, one timeout story.
        _ => Err(StoreError::InvalidConfig),
    }
}

/// What a `redis` error means for the caller. Only an error reply from a server that is up and
/// in charge of the key is `Rejected`; everything that says "cannot reach an answer" (I/O,
/// TLS, timeouts, a cluster without a master for the slot, a server still loading) is
/// `Unavailable`. Both fail closed; the distinction is for operators and the HTTP status.
fn classify(err: &RedisError) -> StoreError {
    match err.kind() {
        ErrorKind::Server(
            ServerErrorKind::ClusterDown
            | ServerErrorKind::MasterDown
            | ServerErrorKind::TryAgain
            | ServerErrorKind::BusyLoading
            | ServerErrorKind::Moved
            | ServerErrorKind::Ask,
        ) => StoreError::Unavailable,
        ErrorKind::Server(_)
        | ErrorKind::AuthenticationFailed
        | ErrorKind::UnexpectedReturnType
        | ErrorKind::Extension => StoreError::Rejected,
        _ => StoreError::Unavailable,
    }
}

impl AsyncReplayStore for AsyncRedisReplayStore {
    fn check_and_record_async<'a>(&'a self, key: &'a [u8], ttl: Duration) -> StoreFuture<'a> {
        Box::pin(self.record(key, ttl))
    }
}

impl fmt::Debug for AsyncRedisReplayStore {
    // URLs (which may hold a password), certificates and keys are never printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncRedisReplayStore")
            .field(
                "mode",
                &match self.backend {
                    Backend::Single { .. } => "single",
                    Backend::Cluster { .. } => "cluster",
                },
            )
            .field("targets", &self.targets)
            .field("prefix", &String::from_utf8_lossy(&self.prefix))
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "redis-tls")]
mod tls {
    use ::redis::TlsCertificates;
    use rustls::crypto::CryptoProvider;
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;

    use crate::store::StoreError;

    /// The CA certificates of `ca_pem` as the `redis` crate takes them, after checking that the
    /// PEM holds at least one certificate and nothing unparsable.
    pub(super) fn certificates(ca_pem: &[u8]) -> Result<TlsCertificates, StoreError> {
        let mut count = 0usize;
        for cert in CertificateDer::pem_slice_iter(ca_pem) {
            cert.map_err(|_| StoreError::InvalidConfig)?;
            count += 1;
        }
        if count == 0 {
            return Err(StoreError::InvalidConfig);
        }
        ensure_provider();
        Ok(TlsCertificates {
            client_tls: None,
            root_cert: Some(ca_pem.to_vec()),
        })
    }

    /// `redis` builds its rustls configuration with the process-wide default provider. With
    /// only ring compiled in, rustls picks it by itself; if another crate of the program also
    /// compiles in aws-lc-rs, rustls cannot choose and would panic, so ring (the workspace's
    /// crypto) is installed as the default when the program has not installed one.
    pub(super) fn ensure_provider() {
        if CryptoProvider::get_default().is_none() {
            // Err only if another thread installed a default in between: that one is used.
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_match_the_sync_store() {
        let store = AsyncRedisReplayStore::open("redis://127.0.0.1:1/")
            .unwrap()
            .with_prefix("p:");
        // SHA-256("abc"), FIPS 180-2 Appendix B.1.
        assert_eq!(
            store.redis_key(b"abc"),
            b"p:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".to_vec()
        );
    }

    #[test]
    fn bad_configs_are_invalid_config() {
        for url in [
            "",
            "http://127.0.0.1:6379/",
            "not a url",
            "redis+unix:///tmp/r.sock",
        ] {
            assert_eq!(
                AsyncRedisReplayStore::open(url).err(),
                Some(StoreError::InvalidConfig),
                "{url}"
            );
        }
        assert_eq!(
            AsyncRedisReplayStore::open_cluster(&[]).err(),
            Some(StoreError::InvalidConfig)
        );
        assert_eq!(
            AsyncRedisReplayStore::open_cluster(&["redis://127.0.0.1:7000", "bogus"]).err(),
            Some(StoreError::InvalidConfig)
        );
    }

    #[cfg(feature = "redis-tls")]
    #[test]
    fn ca_must_hold_a_certificate() {
        for pem in [
            &b""[..],
            b"not pem",
            b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n",
        ] {
            assert_eq!(
                AsyncRedisReplayStore::open_with_ca("rediss://127.0.0.1:1/", pem).err(),
                Some(StoreError::InvalidConfig)
            );
        }
    }

    #[test]
    fn debug_hides_password() {
        let store = AsyncRedisReplayStore::open("redis://user:s3cret@127.0.0.1:6379/0").unwrap();
        let text = format!("{store:?}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("127.0.0.1:6379"), "{text}");
        let cluster =
            AsyncRedisReplayStore::open_cluster(&["redis://:pw-x@127.0.0.1:7000"]).unwrap();
        assert!(!format!("{cluster:?}").contains("pw-x"));
    }

    #[test]
    fn classification() {
        let server = |kind| RedisError::from((ErrorKind::Server(kind), "x"));
        assert_eq!(
            classify(&server(ServerErrorKind::ClusterDown)),
            StoreError::Unavailable
        );
        assert_eq!(
            classify(&server(ServerErrorKind::ReadOnly)),
            StoreError::Rejected
        );
        let io = RedisError::from(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(classify(&io), StoreError::Unavailable);
    }
}
