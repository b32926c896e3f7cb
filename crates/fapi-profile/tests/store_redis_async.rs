//! AsyncRedisReplayStore against real `redis-server` processes started by each test: one plain
//! server, and a 3-master Redis Cluster on loopback. Store-down, fail-closed and recovery for
//! both. (`rediss://` is in `store_redis_tls.rs`.)
//!
//! Needs `redis-server` and `redis-cli` on PATH (`scripts/setup-redis.sh` installs them); a
//! missing binary is a test FAILURE, never a skip. Run with
//! `cargo test -p fapi-profile --features redis-tls --test store_redis_async`.
#![cfg(feature = "redis-async")]

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fapi_profile::dpop::{DpopVerifier, HmacNonces, NonceMode};
use fapi_profile::store::{AsyncRedisReplayStore, AsyncReplayStore, StoreError};

#[allow(dead_code, reason = "each test file uses part of the shared helpers")]
mod support;

use support::dpop::{now, proof, single_use_nonce_contract, verify};
use support::redis::{Cluster, RedisServer, free_port, raw_command};

const MINUTE: Duration = Duration::from_secs(60);

/// The bound of each call in these tests: generous for a loaded 2-core machine (a slow answer
/// must not read as `Unavailable`), still short enough that the down tests finish quickly.
const TEST_TIMEOUT: Duration = Duration::from_secs(2);

/// How long a store may take to notice that a restarted server is back.
const RECOVERY_DEADLINE: Duration = Duration::from_secs(20);

fn store(server: &RedisServer) -> AsyncRedisReplayStore {
    AsyncRedisReplayStore::open(&server.url())
        .expect("valid url")
        .with_timeout(TEST_TIMEOUT)
}

fn cluster_store(nodes: &[String]) -> AsyncRedisReplayStore {
    let nodes: Vec<&str> = nodes.iter().map(String::as_str).collect();
    AsyncRedisReplayStore::open_cluster(&nodes)
        .expect("valid urls")
        .with_timeout(TEST_TIMEOUT)
}

/// Polls `store` with fresh keys until a check answers `Ok(true)`, and returns how long that
/// took; fails after [`RECOVERY_DEADLINE`].
async fn wait_until_recovered(store: &dyn AsyncReplayStore, tag: &str) -> Duration {
    let start = Instant::now();
    for i in 0.. {
        let key = format!("{tag}-probe-{i}");
        let answer = store.check_and_record_async(key.as_bytes(), MINUTE).await;
        if answer == Ok(true) {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < RECOVERY_DEADLINE,
            "{tag}: no recovery within {RECOVERY_DEADLINE:?}; last answer {answer:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    unreachable!()
}

#[tokio::test]
async fn fresh_is_accepted_replay_is_refused() {
    let server = RedisServer::start();
    let store = store(&server);
    assert_eq!(
        store.check_and_record_async(b"jti-1", MINUTE).await,
        Ok(true)
    );
    assert_eq!(
        store.check_and_record_async(b"jti-1", MINUTE).await,
        Ok(false)
    );
    assert_eq!(
        store.check_and_record_async(b"jti-2", MINUTE).await,
        Ok(true)
    );
    // Scoped records land in the same key space (no quota on Redis).
    assert_eq!(
        store
            .check_and_record_scoped_async(b"scope", b"jti-2", MINUTE)
            .await,
        Ok(false)
    );
    // Named like the sync store's keys: prefix + hex SHA-256 (FIPS 180-2 B.1 for "abc"),
    // with the TTL, read back with a raw client.
    let store = store.with_prefix("test:jti:");
    assert_eq!(store.check_and_record_async(b"abc", MINUTE).await, Ok(true));
    let name = "test:jti:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    assert_eq!(
        raw_command(server.port, &format!("GET {name}")).unwrap(),
        "$1\r\n1\r\n"
    );
    let pttl = raw_command(server.port, &format!("PTTL {name}")).unwrap();
    let ms: i64 = pttl.trim_start_matches(':').trim_end().parse().unwrap();
    assert!((50_000..=60_000).contains(&ms), "PTTL {ms}");
}

#[tokio::test]
async fn keys_expire_after_the_ttl() {
    let server = RedisServer::start();
    let store = store(&server);
    let ttl = Duration::from_millis(300);
    assert_eq!(store.check_and_record_async(b"short", ttl).await, Ok(true));
    assert_eq!(store.check_and_record_async(b"short", ttl).await, Ok(false));
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(store.check_and_record_async(b"short", ttl).await, Ok(true));
    // Invalid TTLs are refused before any I/O.
    assert_eq!(
        store.check_and_record_async(b"k", Duration::ZERO).await,
        Err(StoreError::InvalidTtl)
    );
}

/// 64 tasks on 2 worker threads race on the same 40 keys, half through one shared store (one
/// multiplexed connection), half through their own store each (separate instances): every key
/// is won exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_tasks_have_exactly_one_winner() {
    let server = RedisServer::start();
    let shared: Arc<dyn AsyncReplayStore> = Arc::new(store(&server));
    let keys = 40;
    let start = Arc::new(tokio::sync::Barrier::new(64));
    let tasks: Vec<_> = (0..64)
        .map(|t| {
            let store: Arc<dyn AsyncReplayStore> = if t % 2 == 0 {
                Arc::clone(&shared)
            } else {
                Arc::new(store(&server))
            };
            let start = Arc::clone(&start);
            tokio::spawn(async move {
                start.wait().await;
                let mut won = Vec::with_capacity(keys);
                for k in 0..keys {
                    let key = format!("race-{k}");
                    won.push(store.check_and_record_async(key.as_bytes(), MINUTE).await);
                }
                won
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    for k in 0..keys {
        let winners = results.iter().filter(|r| r[k] == Ok(true)).count();
        let errors: Vec<_> = results.iter().filter(|r| r[k].is_err()).collect();
        assert!(errors.is_empty(), "key {k}: {errors:?}");
        assert_eq!(winners, 1, "key {k}");
    }
}

#[tokio::test]
async fn closed_port_and_silent_server_are_unavailable_within_the_bound() {
    // Nothing listens: refused at once.
    let closed = AsyncRedisReplayStore::open(&format!("redis://127.0.0.1:{}/", free_port()))
        .unwrap()
        .with_timeout(Duration::from_millis(300));
    let start = Instant::now();
    let err = closed
        .check_and_record_async(b"k", MINUTE)
        .await
        .unwrap_err();
    assert_eq!(err, StoreError::Unavailable);
    assert_eq!(err.code(), "store.unavailable");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );

    // Accepts connections, never answers: only the timeout ends the call.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = std::thread::spawn(move || {
        let conns: Vec<_> = listener.incoming().take(4).collect();
        std::thread::sleep(Duration::from_secs(4));
        drop(conns);
    });
    let timeout = Duration::from_millis(300);
    let silent = AsyncRedisReplayStore::open(&format!("redis://127.0.0.1:{port}/"))
        .unwrap()
        .with_timeout(timeout);
    let start = Instant::now();
    assert_eq!(
        silent.check_and_record_async(b"k", MINUTE).await,
        Err(StoreError::Unavailable)
    );
    let elapsed = start.elapsed();
    assert!(elapsed >= timeout / 2, "gave up too early: {elapsed:?}");
    assert!(elapsed < timeout * 5, "took {elapsed:?}");
    drop(hold);
}

/// The single-node store-down scenario: kill Redis, every check and every DPoP commit fails
/// closed with `store.unavailable` within the bound; restart Redis on the same port and the
/// same store (and verifier) objects answer again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_server_fails_closed_then_the_same_store_recovers() {
    let mut server = RedisServer::start();
    let store = Arc::new(store(&server));
    let verifier = DpopVerifier::new_async(store.clone());
    assert_eq!(
        store.check_and_record_async(b"before", MINUTE).await,
        Ok(true)
    );

    server.kill();
    for i in 0..3 {
        let start = Instant::now();
        let key = format!("during-{i}");
        assert_eq!(
            store.check_and_record_async(key.as_bytes(), MINUTE).await,
            Err(StoreError::Unavailable)
        );
        assert!(
            start.elapsed() <= TEST_TIMEOUT + Duration::from_millis(500),
            "{:?}",
            start.elapsed()
        );
    }
    let now = now();
    let pending = verify(&verifier, &proof(now, None), now).expect("verification needs no store");
    let start = Instant::now();
    let err = pending.commit_async().await.unwrap_err();
    assert_eq!(err.code(), "store.unavailable");
    assert_eq!(err.status(), 503);
    assert!(start.elapsed() <= TEST_TIMEOUT + Duration::from_millis(500));

    server.spawn(); // same port, empty data set (no persistence)
    let took = wait_until_recovered(&*store, "single").await;
    eprintln!("single node: recovered {took:?} after the restart");
    assert_eq!(
        store.check_and_record_async(b"after", MINUTE).await,
        Ok(true)
    );
    assert_eq!(
        store.check_and_record_async(b"after", MINUTE).await,
        Ok(false)
    );
    // The keys refused while Redis was down were never recorded.
    assert_eq!(
        store.check_and_record_async(b"during-0", MINUTE).await,
        Ok(true)
    );
    let pending = verify(&verifier, &proof(now, None), now).unwrap();
    pending
        .commit_async()
        .await
        .expect("the verifier recovered with its store");
}

/// Single-use server nonces on two verifier instances sharing the HMAC secret and one Redis.
#[tokio::test]
async fn single_use_nonces_on_redis() {
    let server = RedisServer::start();
    let nonces = || Arc::new(HmacNonces::new(&[11; 32], Duration::from_secs(120)).unwrap());
    let a = DpopVerifier::new_async(Arc::new(store(&server)))
        .nonce_mode(NonceMode::RequireSingleUse(nonces()));
    let b = DpopVerifier::new_async(Arc::new(store(&server)))
        .nonce_mode(NonceMode::RequireSingleUse(nonces()));
    single_use_nonce_contract(&a, &b).await;
}

/// Records land on every master of a 3-master cluster (the keys spread over the slots), and a
/// key recorded through one node is a replay through any other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_records_across_nodes_and_refuses_replays_through_any_node() {
    let cluster = Cluster::start(3);
    let urls = cluster.urls();
    let all = cluster_store(&urls);
    let mut per_node = [0usize; 3];
    for i in 0..60 {
        let key = format!("cluster-jti-{i}");
        assert_eq!(
            all.check_and_record_async(key.as_bytes(), MINUTE).await,
            Ok(true)
        );
        let owner = cluster
            .owner_of(std::str::from_utf8(&all.redis_key(key.as_bytes())).unwrap())
            .unwrap_or_else(|| panic!("{key} is on no master"));
        per_node[owner] += 1;
    }
    assert!(
        per_node.iter().all(|&n| n > 0),
        "keys per master: {per_node:?}"
    );

    // One store per entry node: each knows only one node and finds the others itself.
    for (n, url) in urls.iter().enumerate() {
        let through = cluster_store(std::slice::from_ref(url));
        for i in (0..60).step_by(7) {
            let key = format!("cluster-jti-{i}");
            assert_eq!(
                through.check_and_record_async(key.as_bytes(), MINUTE).await,
                Ok(false),
                "{key} through node {n}"
            );
        }
        let own = format!("via-node-{n}");
        assert_eq!(
            through.check_and_record_async(own.as_bytes(), MINUTE).await,
            Ok(true)
        );
        assert_eq!(
            all.check_and_record_async(own.as_bytes(), MINUTE).await,
            Ok(false)
        );
    }
}

/// Kill one master: checks of keys in its slots fail closed (`store.unavailable`, within the
/// bound); keys on the other masters keep working. Restart it on the same port (it rejoins
/// with its `nodes.conf`): the same store object answers for its slots again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_master_down_fails_closed_for_its_slots_then_recovers() {
    let mut cluster = Cluster::start(3);
    let store = Arc::new(cluster_store(&cluster.urls()));
    let verifier = DpopVerifier::new_async(store.clone());
    let mut owners = Vec::new();
    for i in 0..30 {
        let key = format!("down-{i}");
        assert_eq!(
            store.check_and_record_async(key.as_bytes(), MINUTE).await,
            Ok(true)
        );
        let name = String::from_utf8(store.redis_key(key.as_bytes())).unwrap();
        owners.push((key, cluster.owner_of(&name).expect("an owner")));
    }
    let victim = 0;
    assert!(owners.iter().any(|(_, o)| *o == victim), "{owners:?}");
    assert!(owners.iter().any(|(_, o)| *o != victim), "{owners:?}");

    cluster.nodes[victim].kill();
    for (key, owner) in &owners {
        let start = Instant::now();
        let answer = store.check_and_record_async(key.as_bytes(), MINUTE).await;
        if *owner == victim {
            assert_eq!(
                answer,
                Err(StoreError::Unavailable),
                "{key} (on the dead master)"
            );
            assert!(
                start.elapsed() <= TEST_TIMEOUT + Duration::from_millis(500),
                "{key}: {:?}",
                start.elapsed()
            );
        } else {
            assert_eq!(
                answer,
                Ok(false),
                "{key} (on a live master): still a replay"
            );
        }
    }
    // A DPoP commit whose key lands on the dead master fails closed. The replay key hashes the
    // random jti, so try fresh proofs until one lands there (each commit that lands elsewhere
    // succeeds); a handful suffices with 1 in 3 odds.
    let now = now();
    let mut refused = 0;
    for _ in 0..40 {
        let pending = verify(&verifier, &proof(now, None), now).unwrap();
        match pending.commit_async().await {
            Ok(_) => {}
            Err(err) => {
                assert_eq!(err.code(), "store.unavailable");
                refused += 1;
                break;
            }
        }
    }
    assert_eq!(
        refused, 1,
        "no commit landed on the dead master's slots in 40 tries"
    );

    cluster.nodes[victim].spawn();
    cluster.wait_ok();
    let start = Instant::now();
    loop {
        // Keys on the restarted master: its data is gone (no persistence), so they are new again;
        // what matters is that they are answered.
        let (key, _) = owners.iter().find(|(_, o)| *o == victim).unwrap();
        match store.check_and_record_async(key.as_bytes(), MINUTE).await {
            Ok(_) => break,
            Err(err) => assert!(
                start.elapsed() < RECOVERY_DEADLINE,
                "no recovery within {RECOVERY_DEADLINE:?}: {err:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!(
        "cluster: recovered {:?} after the master rejoined",
        start.elapsed()
    );
    for (key, owner) in &owners {
        let answer = store.check_and_record_async(key.as_bytes(), MINUTE).await;
        assert!(answer.is_ok(), "{key} on node {owner}: {answer:?}");
        assert_eq!(
            store.check_and_record_async(key.as_bytes(), MINUTE).await,
            Ok(false),
            "{key}"
        );
    }
}
