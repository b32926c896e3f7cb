//! RedisReplayStore against a real `redis-server` started by each test.
//!
//! Needs the `redis-server` binary on PATH (`scripts/setup-redis.sh` installs it). A missing binary
//! or a server that does not start is a test FAILURE, never a skip.
#![cfg(feature = "redis")]

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use fapi_profile::store::{RedisReplayStore, ReplayStore, StoreError};

#[allow(dead_code, reason = "each test file uses part of the shared helpers")]
mod support;

use support::redis::{RedisServer, free_port, raw_command};

const MINUTE: Duration = Duration::from_secs(60);

/// Generous timeout for the functional tests, so a busy 2-core machine running tests in parallel
/// does not turn a slow answer into a spurious `Unavailable`. The timeout tests use the default.
const TEST_TIMEOUT: Duration = Duration::from_secs(2);

/// A sync store on `server`, with [`TEST_TIMEOUT`].
fn store_on(server: &RedisServer) -> RedisReplayStore {
    RedisReplayStore::open(&server.url())
        .expect("valid url")
        .with_timeout(TEST_TIMEOUT)
}

#[test]
fn first_use_is_new_second_is_seen() {
    let server = RedisServer::start();
    let store = store_on(&server);
    assert_eq!(store.check_and_record(b"jti-1", MINUTE), Ok(true));
    assert_eq!(store.check_and_record(b"jti-1", MINUTE), Ok(false));
    assert_eq!(store.check_and_record(b"jti-2", MINUTE), Ok(true));
    assert_eq!(store.check_and_record(b"", MINUTE), Ok(true));
    assert_eq!(store.check_and_record(b"", MINUTE), Ok(false));
}

#[test]
fn key_in_redis_is_prefix_plus_hex_sha256_with_the_ttl() {
    let server = RedisServer::start();
    let store = store_on(&server).with_prefix("test:jti:");
    assert_eq!(store.check_and_record(b"abc", MINUTE), Ok(true));
    // SHA-256("abc") from FIPS 180-2 Appendix B.1, read back with a raw client.
    let name = "test:jti:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assert_eq!(
        raw_command(server.port, &format!("GET {name}")).unwrap(),
        "$1\r\n1\r\n"
    );
    let pttl = raw_command(server.port, &format!("PTTL {name}")).unwrap();
    let ms: i64 = pttl
        .trim_start_matches(':')
        .trim_end()
        .parse()
        .unwrap_or_else(|_| panic!("PTTL reply {pttl:?}"));
    assert!((50_000..=60_000).contains(&ms), "PTTL {ms}");
    // Nothing else was written: the caller's key itself never reaches Redis.
    assert_eq!(raw_command(server.port, "DBSIZE").unwrap(), ":1\r\n");
    assert_eq!(raw_command(server.port, "EXISTS abc").unwrap(), ":0\r\n");
}

#[test]
fn huge_keys_cost_a_fixed_size_redis_key() {
    let server = RedisServer::start();
    let store = store_on(&server);
    let big = vec![b'j'; 1 << 20];
    assert_eq!(store.check_and_record(&big, MINUTE), Ok(true));
    assert_eq!(store.check_and_record(&big, MINUTE), Ok(false));
    let key = store.redis_key(&big);
    assert_eq!(key.len(), RedisReplayStore::DEFAULT_PREFIX.len() + 64);
}

#[test]
fn a_key_recorded_by_one_instance_is_refused_by_another() {
    let server = RedisServer::start();
    // Two verifier instances: separate stores, separate connections, one Redis.
    let a = store_on(&server);
    let b = store_on(&server);
    assert_eq!(a.check_and_record(b"shared-jti", MINUTE), Ok(true));
    assert_eq!(b.check_and_record(b"shared-jti", MINUTE), Ok(false));
    assert_eq!(b.check_and_record(b"b-first", MINUTE), Ok(true));
    assert_eq!(a.check_and_record(b"b-first", MINUTE), Ok(false));
    // Different prefixes are different namespaces.
    let nonces = store_on(&server).with_prefix("test:nonce:");
    assert_eq!(nonces.check_and_record(b"shared-jti", MINUTE), Ok(true));
}

#[test]
fn keys_expire_on_the_server_after_the_ttl() {
    let server = RedisServer::start();
    let store = store_on(&server);
    let ttl = Duration::from_millis(300);
    assert_eq!(store.check_and_record(b"short-lived", ttl), Ok(true));
    assert_eq!(store.check_and_record(b"short-lived", ttl), Ok(false));
    thread::sleep(Duration::from_millis(600));
    assert_eq!(store.check_and_record(b"short-lived", ttl), Ok(true));
}

#[test]
fn sub_millisecond_ttl_is_rounded_up_not_rejected() {
    let server = RedisServer::start();
    let store = store_on(&server);
    // PX 0 would be a Redis error; the store rounds up to 1 ms.
    assert_eq!(
        store.check_and_record(b"tiny", Duration::from_micros(1)),
        Ok(true)
    );
}

#[test]
fn invalid_ttls_are_refused_before_any_io() {
    // No server: a TTL error must come before connecting.
    let store = RedisReplayStore::open("redis://127.0.0.1:1/").unwrap();
    assert_eq!(
        store.check_and_record(b"k", Duration::ZERO),
        Err(StoreError::InvalidTtl)
    );
    assert_eq!(
        store.check_and_record(b"k", Duration::MAX),
        Err(StoreError::InvalidTtl)
    );
}

#[test]
fn racing_threads_on_one_store_have_exactly_one_winner() {
    let server = RedisServer::start();
    let store = Arc::new(store_on(&server));
    race(8, 50, |_| Arc::clone(&store) as Arc<dyn ReplayStore>);
}

#[test]
fn racing_instances_have_exactly_one_winner() {
    let server = RedisServer::start();
    race(8, 50, |_| {
        Arc::new(store_on(&server)) as Arc<dyn ReplayStore>
    });
}

/// `threads` threads, each with the store `make` gives it, all try the same `keys` keys at once;
/// every key must be won by exactly one thread.
fn race(threads: usize, keys: usize, make: impl Fn(usize) -> Arc<dyn ReplayStore>) {
    let barrier = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|t| {
            let store = make(t);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                (0..keys)
                    .map(|k| {
                        store
                            .check_and_record(format!("race-{k}").as_bytes(), MINUTE)
                            .unwrap()
                    })
                    .collect::<Vec<bool>>()
            })
        })
        .collect();
    let results: Vec<Vec<bool>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for k in 0..keys {
        let winners = results.iter().filter(|r| r[k]).count();
        assert_eq!(winners, 1, "key {k}");
    }
}

#[test]
fn closed_port_is_unavailable_within_the_default_timeout() {
    let port = free_port(); // bound then released: nothing listens there
    let store = RedisReplayStore::open(&format!("redis://127.0.0.1:{port}/")).unwrap();
    assert_eq!(store.timeout(), Duration::from_millis(200));
    let start = Instant::now();
    let err = store.check_and_record(b"k", MINUTE).unwrap_err();
    let elapsed = start.elapsed();
    assert_eq!(err, StoreError::Unavailable);
    assert_eq!(err.code(), "store.unavailable");
    assert!(elapsed < Duration::from_millis(400), "took {elapsed:?}");
    // Still unavailable on the next call (it tries to connect again).
    assert_eq!(
        store.check_and_record(b"k", MINUTE),
        Err(StoreError::Unavailable)
    );
}

#[test]
fn silent_server_is_unavailable_after_the_timeout() {
    // Accepts connections but never answers: only the read timeout can end the call.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = thread::spawn(move || {
        let mut conns = Vec::new();
        for conn in listener.incoming().take(2) {
            conns.push(conn);
        }
        thread::sleep(Duration::from_secs(3));
        drop(conns);
    });
    let timeout = Duration::from_millis(200);
    let store = RedisReplayStore::open(&format!("redis://127.0.0.1:{port}/"))
        .unwrap()
        .with_timeout(timeout);
    let start = Instant::now();
    assert_eq!(
        store.check_and_record(b"k", MINUTE),
        Err(StoreError::Unavailable)
    );
    let elapsed = start.elapsed();
    assert!(elapsed >= timeout / 2, "gave up too early: {elapsed:?}");
    assert!(elapsed < timeout * 3, "took {elapsed:?}");
    drop(held);
}

#[test]
fn killed_server_is_unavailable_then_recovers_after_restart() {
    let mut server = RedisServer::start();
    let store = store_on(&server);
    assert_eq!(store.check_and_record(b"before", MINUTE), Ok(true));

    server.kill();
    let start = Instant::now();
    assert_eq!(
        store.check_and_record(b"during-1", MINUTE),
        Err(StoreError::Unavailable)
    );
    assert_eq!(
        store.check_and_record(b"during-2", MINUTE),
        Err(StoreError::Unavailable)
    );
    assert!(
        start.elapsed() < TEST_TIMEOUT * 4,
        "took {:?}",
        start.elapsed()
    );

    server.spawn(); // same port, empty data set (no persistence)
    assert_eq!(store.check_and_record(b"after", MINUTE), Ok(true));
    assert_eq!(store.check_and_record(b"after", MINUTE), Ok(false));
    // The keys refused while Redis was down were never recorded.
    assert_eq!(store.check_and_record(b"during-1", MINUTE), Ok(true));
}

#[test]
fn restart_between_calls_is_survived_by_a_pooled_connection() {
    let mut server = RedisServer::start();
    let store = store_on(&server);
    assert_eq!(store.check_and_record(b"first", MINUTE), Ok(true));
    // Restart while the store holds an idle connection to the old process.
    server.kill();
    server.spawn();
    assert_eq!(store.check_and_record(b"second", MINUTE), Ok(true));
    assert_eq!(store.check_and_record(b"second", MINUTE), Ok(false));
}

#[test]
fn error_reply_is_rejected_not_accepted() {
    // A server over its memory limit with no eviction answers SET with an OOM error.
    let server = RedisServer::start_with(&["--maxmemory", "1", "--maxmemory-policy", "noeviction"]);
    let store = store_on(&server);
    let err = store.check_and_record(b"k", MINUTE).unwrap_err();
    assert_eq!(err, StoreError::Rejected);
    assert_eq!(err.code(), "store.rejected");
    // The connection stays usable: the next call gets the same answer, not a protocol error.
    assert_eq!(
        store.check_and_record(b"k2", MINUTE),
        Err(StoreError::Rejected)
    );
}

#[test]
fn password_from_the_url_is_used() {
    let server = RedisServer::start_with(&["--requirepass", "s3cret-pw"]);
    let with_pw = RedisReplayStore::open(&format!("redis://:s3cret-pw@127.0.0.1:{}/", server.port))
        .unwrap()
        .with_timeout(TEST_TIMEOUT);
    assert_eq!(with_pw.check_and_record(b"k", MINUTE), Ok(true));
    assert!(!format!("{with_pw:?}").contains("s3cret-pw"));

    let without = store_on(&server);
    let err = without.check_and_record(b"k2", MINUTE).unwrap_err();
    assert_eq!(err, StoreError::Rejected, "NOAUTH must not count as new");

    let wrong = RedisReplayStore::open(&format!("redis://:wrong@127.0.0.1:{}/", server.port))
        .unwrap()
        .with_timeout(TEST_TIMEOUT);
    assert!(wrong.check_and_record(b"k3", MINUTE).is_err());
}

/// The issue's scenario end to end: two resource-server instances, each with its own
/// `DpopVerifier` and its own connection to one Redis. A proof accepted by the first is a replay
/// for the second (`dpop.replay`); with Redis gone, both fail closed (`store.unavailable`).
#[test]
fn two_dpop_verifiers_share_one_redis() {
    use fapi_profile::dpop::{DpopProofBuilder, DpopRequest, DpopVerifier, HtuCheck, PendingProof};
    use httpsig_core::keys::PrivateKey;
    use httpsig_core::{Algorithm, JwsAlgorithm};

    struct Exact;
    impl HtuCheck for Exact {
        fn htu_matches(&self, claim: &str) -> bool {
            claim == "https://rs.example.com/r"
        }
    }
    let data = |p: &str| {
        std::fs::read(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../conformance/testdata")
                .join(p),
        )
        .unwrap()
    };
    let key = PrivateKey::from_pem(
        &data("keys/test-key-ecc-p256.pem"),
        Algorithm::Jws(JwsAlgorithm::Es256),
    )
    .unwrap();
    let now = httpsig_core::unix_now();
    let token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
    let proof = DpopProofBuilder::with_jwk(&key, &data("dpop/keys/test-key-ecc-p256.pub.jwk.json"))
        .unwrap()
        .htm("GET")
        .htu("https://rs.example.com/r")
        .ath(token)
        .iat(now)
        .build()
        .unwrap();
    let auth = format!("DPoP {token}");
    let dpop_lines = [proof.as_bytes()];
    let auth_lines = [auth.as_bytes()];
    let request = DpopRequest::new("GET", &Exact, now)
        .dpop_fields(&dpop_lines)
        .authorization_fields(&auth_lines)
        // RFC 7638 thumbprint of the key (thumbprints.json "ours-test-key-ecc-p256").
        .token_jkt(Some("ydQXMtvbsOsZyFir-Y7A8t7fKEM1gbKPvyFkdpu4fvI"));

    let mut server = RedisServer::start();
    let instance_a = DpopVerifier::new(Arc::new(store_on(&server)));
    let instance_b = DpopVerifier::new(Arc::new(store_on(&server)));
    // Verified on B but not committed (its token check failed, say): nothing recorded.
    drop(instance_b.verify(&request).unwrap());
    assert!(
        instance_a
            .verify(&request)
            .and_then(PendingProof::commit)
            .is_ok()
    );
    // The proof itself still verifies on B; committing it is the replay.
    let pending = instance_b.verify(&request).unwrap();
    assert_eq!(pending.commit().unwrap_err().code(), "dpop.replay");
    // The Redis store counts no quota (default scoped call): the scoped path records too.
    assert_eq!(
        store_on(&server).check_and_record_scoped(b"scope", b"scoped-key", Duration::from_secs(60)),
        Ok(true)
    );
    assert_eq!(
        store_on(&server).check_and_record(b"scoped-key", Duration::from_secs(60)),
        Ok(false)
    );

    server.kill();
    let down = DpopVerifier::new(Arc::new(
        store_on(&server).with_timeout(Duration::from_millis(200)),
    ));
    // Verification needs no store; recording does, and fails closed.
    let pending = down.verify(&request).unwrap();
    assert_eq!(pending.commit().unwrap_err().code(), "store.unavailable");
}
