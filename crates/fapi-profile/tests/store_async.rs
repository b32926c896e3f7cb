//! The async replay-store seam with the in-memory store: the same answers and codes as the sync
//! seam, awaited from many tokio tasks; DPoP commits through it; single-use server nonces.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use fapi_profile::dpop::{DpopVerifier, HmacNonces, NonceMode};
use fapi_profile::store::{AsyncReplayStore, MemoryReplayStore, ReplayStore, StoreError};

#[allow(dead_code, reason = "each test file uses part of the shared helpers")]
mod support;

use support::dpop::{now, proof, single_use_nonce_contract, verify};

const MINUTE: Duration = Duration::from_secs(60);

fn memory(capacity: usize, quota: usize) -> Arc<MemoryReplayStore> {
    Arc::new(
        MemoryReplayStore::new(NonZeroUsize::new(capacity).unwrap())
            .with_scope_quota(NonZeroUsize::new(quota).unwrap()),
    )
}

#[tokio::test]
async fn memory_store_answers_the_same_through_both_seams() {
    let store = memory(4, 2);
    let dyn_store: Arc<dyn AsyncReplayStore> = store.clone();
    assert_eq!(
        dyn_store.check_and_record_async(b"k", MINUTE).await,
        Ok(true)
    );
    assert_eq!(
        dyn_store.check_and_record_async(b"k", MINUTE).await,
        Ok(false)
    );
    // One table: a key recorded through one seam is seen through the other.
    assert_eq!(store.check_and_record(b"k", MINUTE), Ok(false));
    assert_eq!(store.check_and_record(b"s", MINUTE), Ok(true));
    assert_eq!(
        dyn_store.check_and_record_async(b"s", MINUTE).await,
        Ok(false)
    );
    // Quotas and their codes are those of the sync seam.
    let scoped =
        |key: &'static [u8]| dyn_store.check_and_record_scoped_async(b"client-a", key, MINUTE);
    assert_eq!(scoped(b"1").await, Ok(true));
    assert_eq!(scoped(b"2").await, Ok(true));
    let err = scoped(b"3").await.unwrap_err();
    assert_eq!(err, StoreError::QuotaExceeded);
    assert_eq!(err.code(), "store.quota_exceeded");
    assert_eq!(
        scoped(b"1").await,
        Ok(false),
        "a replay is a replay, whatever the quota"
    );
    // Capacity 4 is used up (k, s, 1, 2): full for everyone.
    assert_eq!(
        dyn_store.check_and_record_async(b"x", MINUTE).await,
        Err(StoreError::Full)
    );
    assert_eq!(
        dyn_store.check_and_record_async(b"y", Duration::ZERO).await,
        Err(StoreError::InvalidTtl)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_tasks_have_exactly_one_winner_per_key() {
    let store: Arc<dyn AsyncReplayStore> = memory(10_000, 10_000);
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let store = Arc::clone(&store);
            // Spawned: the future must be Send.
            tokio::spawn(async move {
                let mut won = Vec::new();
                for k in 0..50 {
                    won.push(
                        store
                            .check_and_record_async(format!("race-{k}").as_bytes(), MINUTE)
                            .await
                            .unwrap(),
                    );
                }
                won
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    for k in 0..50 {
        assert_eq!(results.iter().filter(|r| r[k]).count(), 1, "key {k}");
    }
}

#[tokio::test]
async fn dpop_commit_async_records_the_jti_once() {
    let verifier = DpopVerifier::new_async(memory(100, 10));
    let now = now();
    let proof = proof(now, None);
    let pending = verify(&verifier, &proof, now).unwrap();
    let verified = pending.commit_async().await.unwrap();
    assert_eq!(verified.jkt, support::dpop::JKT);
    let again = verify(&verifier, &proof, now).unwrap();
    assert_eq!(
        again.commit_async().await.unwrap_err().code(),
        "dpop.replay"
    );
    // A verifier with an async store cannot be committed synchronously: refused, not accepted.
    let fresh = verify(&verifier, &support::dpop::proof(now, None), now).unwrap();
    let err = fresh.commit().unwrap_err();
    assert_eq!(err.code(), "store.invalid_config");
    assert_eq!(err.status(), 503);
}

#[tokio::test]
async fn dpop_commit_async_over_a_sync_store_and_quota_per_key() {
    // The sync memory store works on the async path too (called in place); its quota applies.
    let verifier = DpopVerifier::new(memory(100, 1));
    let now = now();
    let first = verify(&verifier, &proof(now, None), now).unwrap();
    first.commit_async().await.unwrap();
    let second = verify(&verifier, &proof(now, None), now).unwrap();
    let err = second.commit_async().await.unwrap_err();
    assert_eq!(err.code(), "store.quota_exceeded");
    assert_eq!(err.status(), 429);
}

fn nonces(secret: u8) -> Arc<HmacNonces> {
    Arc::new(HmacNonces::new(&[secret; 32], Duration::from_secs(120)).unwrap())
}

#[tokio::test]
async fn single_use_nonces_in_memory() {
    // Two instances: one HMAC secret, one store.
    let store = memory(1_000, 100);
    let a =
        DpopVerifier::new_async(store.clone()).nonce_mode(NonceMode::RequireSingleUse(nonces(7)));
    let b = DpopVerifier::new_async(store).nonce_mode(NonceMode::RequireSingleUse(nonces(7)));
    single_use_nonce_contract(&a, &b).await;
}

#[test]
fn single_use_nonces_on_the_sync_path_and_reusable_ones_stay_reusable() {
    let now = now();
    let single =
        DpopVerifier::new(memory(1_000, 100)).nonce_mode(NonceMode::RequireSingleUse(nonces(8)));
    let nonce = single.next_nonce(support::dpop::JKT, now).unwrap();
    let first = verify(&single, &proof(now, Some(&nonce)), now).unwrap();
    first.commit().unwrap();
    let second = verify(&single, &proof(now, Some(&nonce)), now).unwrap();
    let err = second.commit().unwrap_err();
    assert_eq!(err.code(), "dpop.nonce_reused");
    assert!(single.challenge(&err, now).dpop_nonce.is_some());

    // `Require` keeps today's behaviour: a nonce is reusable until it expires.
    let reusable = DpopVerifier::new(memory(1_000, 100)).nonce_mode(NonceMode::Require(nonces(8)));
    for _ in 0..3 {
        let p = verify(&reusable, &proof(now, Some(&nonce)), now).unwrap();
        p.commit().unwrap();
    }
}

#[test]
fn the_same_proof_twice_is_refused_on_its_nonce_first() {
    let now = now();
    let v =
        DpopVerifier::new(memory(1_000, 100)).nonce_mode(NonceMode::RequireSingleUse(nonces(9)));
    let n1 = v.next_nonce(support::dpop::JKT, now).unwrap();
    let p1 = proof(now, Some(&n1));
    verify(&v, &p1, now).unwrap().commit().unwrap();
    // The very same proof again: its nonce is checked first, so the answer is the nonce
    // refusal (the client retries with a fresh nonce and a fresh jti); either way refused.
    assert_eq!(
        verify(&v, &p1, now).unwrap().commit().unwrap_err().code(),
        "dpop.nonce_reused"
    );
}

#[tokio::test]
async fn nonce_records_count_against_their_own_scope() {
    // A quota of one live key per scope: the jti and the nonce of one commit are recorded under
    // different scopes, so the commit fits; the next commit of the same key exceeds the jti
    // scope's quota (the nonce scope's is checked first and is also full: either way 429).
    let v =
        DpopVerifier::new_async(memory(100, 1)).nonce_mode(NonceMode::RequireSingleUse(nonces(10)));
    let now = now();
    let n1 = v.next_nonce(support::dpop::JKT, now).unwrap();
    let first = verify(&v, &proof(now, Some(&n1)), now).unwrap();
    first
        .commit_async()
        .await
        .expect("one jti and one nonce, two scopes");
    let n2 = v.next_nonce(support::dpop::JKT, now).unwrap();
    let second = verify(&v, &proof(now, Some(&n2)), now).unwrap();
    assert_eq!(
        second.commit_async().await.unwrap_err().code(),
        "store.quota_exceeded"
    );
    // Another client's scope is unaffected.
    let n3 = v.next_nonce(support::dpop::JKT, now).unwrap();
    let other = verify(&v, &proof(now, Some(&n3)), now).unwrap();
    other
        .commit_for_client_async("client-b")
        .await
        .expect("own scopes");
}
