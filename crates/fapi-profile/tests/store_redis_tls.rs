//! AsyncRedisReplayStore over `rediss://` against a real TLS-only `redis-server` (`--port 0
//! --tls-port …`) whose certificate comes from a CA generated for the test run.
//!
//! Needs `redis-server` built with TLS on PATH (Debian's is; `scripts/setup-redis.sh` installs
//! it); a missing binary is a test FAILURE, never a skip. Run with
//! `cargo test -p fapi-profile --features redis-tls --test store_redis_tls`.
#![cfg(feature = "redis-tls")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use fapi_profile::dpop::DpopVerifier;
use fapi_profile::store::{AsyncRedisReplayStore, AsyncReplayStore, StoreError};

#[allow(dead_code, reason = "each test file uses part of the shared helpers")]
mod support;

use support::dpop::{now, proof, verify};
use support::redis::{RedisServer, TestPki};

const MINUTE: Duration = Duration::from_secs(60);
const TEST_TIMEOUT: Duration = Duration::from_secs(2);

#[tokio::test]
async fn trusted_ca_records_and_refuses_replays() {
    let pki = TestPki::generate();
    let server = RedisServer::start_tls(&pki);
    assert!(server.url().starts_with("rediss://127.0.0.1:"));
    let store = AsyncRedisReplayStore::open_with_ca(&server.url(), pki.ca_pem.as_bytes())
        .expect("valid url and CA")
        .with_timeout(TEST_TIMEOUT);
    assert_eq!(
        store.check_and_record_async(b"tls-jti", MINUTE).await,
        Ok(true)
    );
    assert_eq!(
        store.check_and_record_async(b"tls-jti", MINUTE).await,
        Ok(false)
    );

    // By name too: the certificate's SAN holds `localhost` as well as 127.0.0.1.
    let by_name = format!("rediss://localhost:{}/", server.port);
    let named = AsyncRedisReplayStore::open_with_ca(&by_name, pki.ca_pem.as_bytes())
        .unwrap()
        .with_timeout(TEST_TIMEOUT);
    assert_eq!(
        named.check_and_record_async(b"tls-jti", MINUTE).await,
        Ok(false)
    );

    // And a DPoP commit through it.
    let verifier = DpopVerifier::new_async(Arc::new(store));
    let now = now();
    let p = proof(now, None);
    verify(&verifier, &p, now)
        .unwrap()
        .commit_async()
        .await
        .unwrap();
    let err = verify(&verifier, &p, now)
        .unwrap()
        .commit_async()
        .await
        .unwrap_err();
    assert_eq!(err.code(), "dpop.replay");
}

/// A client that does not trust the server's CA never gets an answer it could accept: the
/// handshake fails and the store reports `store.unavailable`, quickly, every time, also in a
/// DPoP commit.
#[tokio::test]
async fn untrusted_server_fails_closed() {
    let pki = TestPki::generate();
    let server = RedisServer::start_tls(&pki);
    let other_ca = TestPki::generate();
    let stores = [
        (
            "system roots only",
            AsyncRedisReplayStore::open(&server.url()).expect("rediss:// parses"),
        ),
        (
            "another CA",
            AsyncRedisReplayStore::open_with_ca(&server.url(), other_ca.ca_pem.as_bytes()).unwrap(),
        ),
    ];
    for (name, store) in stores {
        let store = Arc::new(store.with_timeout(TEST_TIMEOUT));
        for key in [&b"k1"[..], b"k1", b"k2"] {
            let start = Instant::now();
            let answer = store.check_and_record_async(key, MINUTE).await;
            assert_eq!(answer, Err(StoreError::Unavailable), "{name}");
            assert!(
                start.elapsed() <= TEST_TIMEOUT + Duration::from_millis(500),
                "{name}"
            );
        }
        let verifier = DpopVerifier::new_async(store);
        let now = now();
        let err = verify(&verifier, &proof(now, None), now)
            .unwrap()
            .commit_async()
            .await
            .unwrap_err();
        assert_eq!(err.code(), "store.unavailable", "{name}");
    }

    // Plain redis:// to the TLS port: no answer the client can parse, so unavailable too.
    let plain = AsyncRedisReplayStore::open(&format!("redis://127.0.0.1:{}/", server.port))
        .unwrap()
        .with_timeout(Duration::from_millis(500));
    assert_eq!(
        plain.check_and_record_async(b"k", MINUTE).await,
        Err(StoreError::Unavailable)
    );

    // The trusted client still works against the same server: the failures were the trust.
    let trusted = AsyncRedisReplayStore::open_with_ca(&server.url(), pki.ca_pem.as_bytes())
        .unwrap()
        .with_timeout(TEST_TIMEOUT);
    assert_eq!(
        trusted.check_and_record_async(b"k1", MINUTE).await,
        Ok(true)
    );
}

/// TLS server down and back: fails closed, then the same store recovers (new handshake).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_server_down_then_recovers() {
    let pki = TestPki::generate();
    let mut server = RedisServer::start_tls(&pki);
    let store = AsyncRedisReplayStore::open_with_ca(&server.url(), pki.ca_pem.as_bytes())
        .unwrap()
        .with_timeout(TEST_TIMEOUT);
    assert_eq!(
        store.check_and_record_async(b"before", MINUTE).await,
        Ok(true)
    );
    server.kill();
    assert_eq!(
        store.check_and_record_async(b"during", MINUTE).await,
        Err(StoreError::Unavailable)
    );
    server.spawn();
    let start = Instant::now();
    loop {
        if store.check_and_record_async(b"after", MINUTE).await == Ok(true) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no recovery");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        store.check_and_record_async(b"after", MINUTE).await,
        Ok(false)
    );
}
