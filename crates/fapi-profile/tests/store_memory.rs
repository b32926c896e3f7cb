//! MemoryReplayStore: single use, TTL on an injected clock, the size bound, hashed keys, threads.

use std::num::NonZeroUsize;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use fapi_profile::store::{
    Clock, MAX_TTL, ManualClock, MemoryReplayStore, ReplayStore, StoreError,
};

fn cap(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

fn store_with_clock(max: usize) -> (MemoryReplayStore, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let dyn_clock: Arc<dyn Clock> = clock.clone();
    (MemoryReplayStore::with_clock(cap(max), dyn_clock), clock)
}

const MINUTE: Duration = Duration::from_secs(60);

#[test]
fn first_use_is_new_second_is_seen() {
    let store = MemoryReplayStore::new(cap(16));
    assert_eq!(store.check_and_record(b"jti-1", MINUTE), Ok(true));
    assert_eq!(store.check_and_record(b"jti-1", MINUTE), Ok(false));
    assert_eq!(store.check_and_record(b"jti-1", MINUTE), Ok(false));
    // Other keys are independent, including the empty key and a prefix of a recorded key.
    assert_eq!(store.check_and_record(b"jti-2", MINUTE), Ok(true));
    assert_eq!(store.check_and_record(b"jti-", MINUTE), Ok(true));
    assert_eq!(store.check_and_record(b"", MINUTE), Ok(true));
    assert_eq!(store.check_and_record(b"", MINUTE), Ok(false));
    assert_eq!(store.len(), 4);
}

#[test]
fn key_is_seen_until_ttl_ends_then_new_again() {
    let (store, clock) = store_with_clock(16);
    let ttl = Duration::from_secs(10);
    assert_eq!(store.check_and_record(b"k", ttl), Ok(true));
    clock.advance(ttl - Duration::from_nanos(1));
    assert_eq!(
        store.check_and_record(b"k", ttl),
        Ok(false),
        "1 ns before expiry"
    );
    clock.advance(Duration::from_nanos(1));
    assert_eq!(store.check_and_record(b"k", ttl), Ok(true), "at expiry");
    // Recorded again at t = 10 s, so seen until t = 20 s.
    clock.advance(Duration::from_secs(9));
    assert_eq!(store.check_and_record(b"k", ttl), Ok(false));
}

#[test]
fn a_seen_key_does_not_extend_its_ttl() {
    let (store, clock) = store_with_clock(16);
    assert_eq!(
        store.check_and_record(b"k", Duration::from_secs(10)),
        Ok(true)
    );
    clock.advance(Duration::from_secs(5));
    // A replay attempt with a longer TTL must not push the deadline out.
    assert_eq!(
        store.check_and_record(b"k", Duration::from_secs(100)),
        Ok(false)
    );
    clock.advance(Duration::from_secs(5));
    assert_eq!(
        store.check_and_record(b"k", Duration::from_secs(10)),
        Ok(true)
    );
}

#[test]
fn each_key_keeps_its_own_ttl() {
    let (store, clock) = store_with_clock(16);
    assert_eq!(
        store.check_and_record(b"short", Duration::from_secs(1)),
        Ok(true)
    );
    assert_eq!(
        store.check_and_record(b"long", Duration::from_secs(60)),
        Ok(true)
    );
    clock.advance(Duration::from_secs(2));
    assert_eq!(store.check_and_record(b"short", MINUTE), Ok(true));
    assert_eq!(store.check_and_record(b"long", MINUTE), Ok(false));
}

#[test]
fn full_store_refuses_new_keys_and_keeps_live_ones() {
    let (store, clock) = store_with_clock(3);
    for key in [b"a", b"b", b"c"] {
        assert_eq!(store.check_and_record(key, MINUTE), Ok(true));
    }
    let err = store.check_and_record(b"d", MINUTE).unwrap_err();
    assert_eq!(err, StoreError::Full);
    assert_eq!(err.code(), "store.full");
    // No live key was evicted: all three are still refused as replays, and the refused key
    // was not recorded.
    for key in [b"a", b"b", b"c"] {
        assert_eq!(store.check_and_record(key, MINUTE), Ok(false));
    }
    assert_eq!(store.check_and_record(b"d", MINUTE), Err(StoreError::Full));
    assert_eq!(store.len(), 3);
    // Still full one nanosecond before the first keys expire.
    clock.advance(MINUTE - Duration::from_nanos(1));
    assert_eq!(store.check_and_record(b"e", MINUTE), Err(StoreError::Full));
}

#[test]
fn full_store_drops_expired_keys_first() {
    let (store, clock) = store_with_clock(3);
    assert_eq!(
        store.check_and_record(b"old", Duration::from_secs(1)),
        Ok(true)
    );
    assert_eq!(store.check_and_record(b"live-1", MINUTE), Ok(true));
    assert_eq!(store.check_and_record(b"live-2", MINUTE), Ok(true));
    clock.advance(Duration::from_secs(1));
    // "old" has expired, so there is room for one new key and only one.
    assert_eq!(store.check_and_record(b"new-1", MINUTE), Ok(true));
    assert_eq!(
        store.check_and_record(b"new-2", MINUTE),
        Err(StoreError::Full)
    );
    assert_eq!(store.check_and_record(b"live-1", MINUTE), Ok(false));
    assert_eq!(store.check_and_record(b"live-2", MINUTE), Ok(false));
    assert_eq!(store.check_and_record(b"new-1", MINUTE), Ok(false));
    assert_eq!(store.len(), 3);
}

#[test]
fn size_stays_bounded_under_a_flood_of_distinct_keys() {
    let (store, clock) = store_with_clock(100);
    let mut accepted = 0;
    let mut full = 0;
    for round in 0..10u32 {
        for i in 0..1_000u32 {
            let key = format!("flood-{round}-{i}");
            match store.check_and_record(key.as_bytes(), Duration::from_secs(1)) {
                Ok(true) => accepted += 1,
                Err(StoreError::Full) => full += 1,
                other => panic!("unexpected {other:?}"),
            }
            assert!(store.len() <= 100);
        }
        // Each round the previous round's keys expire and make room again.
        clock.advance(Duration::from_secs(1));
    }
    assert_eq!(accepted, 1_000);
    assert_eq!(full, 9_000);
}

#[test]
fn huge_keys_are_hashed_and_still_distinct() {
    let store = MemoryReplayStore::new(cap(4));
    let mut a = vec![b'x'; 4 << 20];
    let mut b = a.clone();
    if let Some(last) = b.last_mut() {
        *last = b'y';
    }
    assert_eq!(store.check_and_record(&a, MINUTE), Ok(true));
    assert_eq!(store.check_and_record(&b, MINUTE), Ok(true));
    assert_eq!(store.check_and_record(&a, MINUTE), Ok(false));
    assert_eq!(store.check_and_record(&b, MINUTE), Ok(false));
    // Differing in the first byte only.
    a[0] = b'z';
    assert_eq!(store.check_and_record(&a, MINUTE), Ok(true));
    assert_eq!(store.len(), 3);
}

#[test]
fn invalid_ttls_are_refused_and_not_recorded() {
    let store = MemoryReplayStore::new(cap(4));
    for ttl in [
        Duration::ZERO,
        MAX_TTL + Duration::from_nanos(1),
        Duration::MAX,
    ] {
        let err = store.check_and_record(b"k", ttl).unwrap_err();
        assert_eq!(err, StoreError::InvalidTtl);
        assert_eq!(err.code(), "store.invalid_ttl");
    }
    assert!(store.is_empty());
    assert_eq!(store.check_and_record(b"k", MAX_TTL), Ok(true));
}

#[test]
fn racing_threads_have_exactly_one_winner_per_key() {
    const THREADS: usize = 8;
    const KEYS: usize = 500;
    let store: Arc<dyn ReplayStore> = Arc::new(MemoryReplayStore::new(cap(KEYS)));
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|_| {
            let store = Arc::clone(&store);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                (0..KEYS)
                    .map(|k| {
                        let key = format!("race-{k}");
                        store.check_and_record(key.as_bytes(), MINUTE).unwrap()
                    })
                    .collect::<Vec<bool>>()
            })
        })
        .collect();
    let results: Vec<Vec<bool>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    for k in 0..KEYS {
        let winners = results.iter().filter(|r| r[k]).count();
        assert_eq!(winners, 1, "key {k}");
    }
}

#[test]
fn racing_threads_never_exceed_the_bound() {
    const THREADS: usize = 8;
    let store = Arc::new(MemoryReplayStore::new(cap(100)));
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|t| {
            let store = Arc::clone(&store);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                let mut accepted = 0usize;
                for i in 0..50 {
                    let key = format!("t{t}-{i}");
                    match store.check_and_record(key.as_bytes(), MINUTE) {
                        Ok(true) => accepted += 1,
                        Err(StoreError::Full) => {}
                        other => panic!("unexpected {other:?}"),
                    }
                }
                accepted
            })
        })
        .collect();
    let accepted: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(accepted, 100);
    assert_eq!(store.len(), 100);
}

#[test]
fn debug_does_not_show_keys() {
    let store = MemoryReplayStore::new(cap(4));
    store.check_and_record(b"secret-jti", MINUTE).unwrap();
    let text = format!("{store:?}");
    assert!(!text.contains("secret-jti"), "{text}");
    assert!(text.contains("len: 1"), "{text}");
}

#[test]
fn scope_quota_survives_every_forwarding_wrapper() {
    // The &T, Box<T> and Arc<T> impls must forward the scoped call: falling back to the trait's
    // default (no quota) would silently drop the bound.
    let fresh = || MemoryReplayStore::new(cap(100)).with_scope_quota(cap(1));
    let s1 = fresh();
    let by_ref: &dyn ReplayStore = &&s1;
    let boxed: Box<dyn ReplayStore> = Box::new(fresh());
    let arced: Arc<dyn ReplayStore> = Arc::new(fresh());
    let nested: Arc<dyn ReplayStore> = Arc::new(Box::new(fresh()) as Box<dyn ReplayStore>);
    for (name, store) in [
        ("&&T", by_ref),
        ("Box", &*boxed),
        ("Arc", &*arced),
        ("Arc<Box>", &*nested),
    ] {
        assert_eq!(
            store.check_and_record_scoped(b"s", b"k1", MINUTE),
            Ok(true),
            "{name}"
        );
        assert_eq!(
            store.check_and_record_scoped(b"s", b"k2", MINUTE),
            Err(StoreError::QuotaExceeded),
            "{name}"
        );
        assert_eq!(
            store.check_and_record_scoped(b"t", b"k2", MINUTE),
            Ok(true),
            "{name}"
        );
    }
}

#[test]
fn scoped_and_unscoped_keys_share_one_table() {
    let (store, clock) = store_with_clock(3);
    let store = store.with_scope_quota(cap(2));
    assert_eq!(store.scope_quota(), cap(2));
    assert_eq!(store.check_and_record(b"a", MINUTE), Ok(true));
    // Same key under a scope: still the same key, a replay.
    assert_eq!(store.check_and_record_scoped(b"s", b"a", MINUTE), Ok(false));
    assert_eq!(store.check_and_record_scoped(b"s", b"b", MINUTE), Ok(true));
    assert_eq!(store.check_and_record_scoped(b"s", b"c", MINUTE), Ok(true));
    // Scope s is at its quota and the table is full: the quota answers for s, Full for others.
    assert_eq!(
        store.check_and_record_scoped(b"s", b"d", MINUTE),
        Err(StoreError::QuotaExceeded)
    );
    assert_eq!(
        store.check_and_record_scoped(b"t", b"d", MINUTE),
        Err(StoreError::Full)
    );
    clock.advance(MINUTE);
    assert_eq!(store.check_and_record_scoped(b"s", b"d", MINUTE), Ok(true));
    // The quota is clamped to the capacity; the default is 1024 unless the store is smaller.
    assert_eq!(
        MemoryReplayStore::new(cap(4))
            .with_scope_quota(cap(10))
            .scope_quota(),
        cap(4)
    );
    assert_eq!(MemoryReplayStore::new(cap(4)).scope_quota(), cap(4));
    assert_eq!(
        MemoryReplayStore::new(cap(100_000)).scope_quota(),
        MemoryReplayStore::DEFAULT_SCOPE_QUOTA
    );
}
