//! The cache's refresh rules, on a manual clock and a counting fetcher.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpsig_core::{
    Algorithm, Error, KeyResolver, MaxAge, Message, ResolveError, VerifyInput, VerifyPolicy,
};
use httpsig_jwks::{
    CacheConfig, Clock, FetchError, JwksCache, JwksFetcher, ManualClock, RefreshError,
};
use tokio::sync::Semaphore;

mod support;
use support::{doc, lookup, member, signed};

use support::{KEY1_D as OLD_D, KEY1_X as OLD_X, KEY2_D as NEW_D, KEY2_X as NEW_X};

/// A fetcher that counts its calls, answers what it is set to, and (when gated) waits for a
/// permit before answering, so a test can hold a fetch in flight.
struct TestFetcher {
    calls: AtomicUsize,
    answer: Mutex<Result<Vec<u8>, FetchError>>,
    gate: Option<Semaphore>,
}

impl TestFetcher {
    fn new(answer: Result<Vec<u8>, FetchError>) -> Self {
        Self {
            calls: AtomicUsize::new(0),
            answer: Mutex::new(answer),
            gate: None,
        }
    }

    fn set(&self, answer: Result<Vec<u8>, FetchError>) {
        *self.answer.lock().expect("lock") = answer;
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl JwksFetcher for TestFetcher {
    async fn fetch(&self) -> Result<Vec<u8>, FetchError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(gate) = &self.gate {
            gate.acquire().await.expect("gate").forget();
        }
        self.answer.lock().expect("lock").clone()
    }
}

fn config() -> CacheConfig {
    CacheConfig::default()
        .refresh_interval(Duration::from_secs(60))
        .min_refresh_interval(Duration::from_secs(10))
        .max_stale(Duration::from_secs(120))
}

fn cache(
    bootstrap: &[u8],
    fetcher: &Arc<TestFetcher>,
) -> (Arc<JwksCache<Arc<TestFetcher>>>, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let cache =
        JwksCache::bootstrap_with_clock(bootstrap, Arc::clone(fetcher), config(), clock.clone())
            .expect("bootstrap");
    (Arc::new(cache), clock)
}

fn policy() -> VerifyPolicy {
    VerifyPolicy::new(&[Algorithm::Ed25519], MaxAge::Seconds(60)).at(1_700_000_001)
}

/// The crate's documented pattern: verify on the current set; on an unknown key (or a set too
/// old to serve), take the newer set `newer_after_miss` gives and verify again.
async fn verify(cache: &JwksCache<Arc<TestFetcher>>, msg: &Message) -> Result<(), &'static str> {
    let keys = cache.current();
    let r = match policy().verify(VerifyInput::new(msg), &*keys) {
        Err(missed @ (Error::KeyNotFound | Error::KeyUnavailable)) => {
            match cache.newer_after_miss(&keys, missed).await {
                Ok(newer) => policy().verify(VerifyInput::new(msg), &*newer),
                Err(e) => Err(e),
            }
        }
        other => other,
    };
    r.map(|_| ()).map_err(|e| e.code())
}

#[tokio::test]
async fn unknown_kid_while_the_endpoint_is_down_is_unavailable_not_unknown() {
    let fetcher = Arc::new(TestFetcher::new(Err(FetchError::Status(503))));
    let (cache, clock) = cache(&doc(&[member("old", OLD_X)]), &fetcher);
    let by_new = signed("new", NEW_X, NEW_D);
    // The set is fresh but the endpoint is down: the new kid may exist; 503, not 401.
    assert_eq!(verify(&cache, &by_new).await, Err("key.unavailable"));
    assert_eq!(fetcher.calls(), 1);
    // Within the minimum interval: no second fetch, still unavailable (the last one failed).
    assert_eq!(verify(&cache, &by_new).await, Err("key.unavailable"));
    assert_eq!(fetcher.calls(), 1);
    // The endpoint answers without the kid: now it is unknown (401).
    fetcher.set(Ok(doc(&[member("old", OLD_X)])));
    clock.advance(Duration::from_secs(10));
    assert_eq!(verify(&cache, &by_new).await, Err("verify.key_not_found"));
    // Other errors are handed back without a refresh.
    let missed = Error::InvalidSignature;
    let calls = fetcher.calls();
    assert_eq!(
        cache
            .newer_after_miss(&cache.current(), missed)
            .await
            .map(|_| ()),
        Err(Error::InvalidSignature)
    );
    assert_eq!(fetcher.calls(), calls);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_unknown_kid_lookups_cause_one_fetch() {
    let fetcher = Arc::new(TestFetcher {
        gate: Some(Semaphore::new(0)),
        ..TestFetcher::new(Ok(doc(&[member("old", OLD_X), member("new", NEW_X)])))
    });
    let (cache, _clock) = cache(&doc(&[member("old", OLD_X)]), &fetcher);
    let tasks: Vec<_> = (0..32)
        .map(|_| {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move { cache.resolve_or_refresh(&lookup("new")).await.is_ok() })
        })
        .collect();
    // Wait until one fetch is in flight, give the others time to queue behind it, release it.
    while fetcher.calls() == 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    fetcher.gate.as_ref().expect("gate").add_permits(32);
    for t in tasks {
        assert!(t.await.expect("task"), "every lookup gets the fetched key");
    }
    assert_eq!(fetcher.calls(), 1);
    assert_eq!(cache.current().generation(), 1);
}

#[tokio::test]
async fn a_second_unknown_kid_within_the_interval_does_not_fetch() {
    let fetcher = Arc::new(TestFetcher::new(Ok(doc(&[member("old", OLD_X)]))));
    let (cache, clock) = cache(&doc(&[member("old", OLD_X)]), &fetcher);
    let r = cache.resolve_or_refresh(&lookup("x")).await;
    assert_eq!(r.err(), Some(ResolveError::NotFound));
    assert_eq!(fetcher.calls(), 1);
    clock.advance(Duration::from_secs(9));
    let r = cache.resolve_or_refresh(&lookup("y")).await;
    assert_eq!(r.err(), Some(ResolveError::NotFound));
    assert_eq!(fetcher.calls(), 1, "rate-limited");
    // After the interval the next miss fetches again.
    clock.advance(Duration::from_secs(2));
    let _ = cache.resolve_or_refresh(&lookup("y")).await;
    assert_eq!(fetcher.calls(), 2);
}

#[tokio::test]
async fn rotation_new_key_verifies_old_key_refused() {
    let fetcher = Arc::new(TestFetcher::new(Ok(doc(&[member("new", NEW_X)]))));
    let (cache, _clock) = cache(&doc(&[member("old", OLD_X)]), &fetcher);
    let by_old = signed("old", OLD_X, OLD_D);
    let by_new = signed("new", NEW_X, NEW_D);
    assert_eq!(verify(&cache, &by_old).await, Ok(()));
    assert_eq!(fetcher.calls(), 0);
    // New kid published, old removed: the miss refreshes and the new key verifies.
    assert_eq!(verify(&cache, &by_new).await, Ok(()));
    assert_eq!(fetcher.calls(), 1);
    // The old key is gone; within the interval the miss does not fetch again.
    assert_eq!(verify(&cache, &by_old).await, Err("verify.key_not_found"));
    assert_eq!(fetcher.calls(), 1);
    // A signature by the old key under the new kid does not verify.
    let forged = signed("new", OLD_X, OLD_D);
    assert_eq!(
        verify(&cache, &forged).await,
        Err("verify.invalid_signature")
    );
}

#[tokio::test]
async fn stale_keys_are_served_until_max_stale_then_unavailable() {
    let fetcher = Arc::new(TestFetcher::new(Err(FetchError::Status(500))));
    let (cache, clock) = cache(&doc(&[member("old", OLD_X)]), &fetcher);
    let by_old = signed("old", OLD_X, OLD_D);
    assert!(!cache.refresh_due());
    clock.advance(Duration::from_secs(60));
    assert!(cache.refresh_due());
    assert_eq!(
        cache.refresh().await.map(|_| ()),
        Err(RefreshError::Fetch(FetchError::Status(500)))
    );
    assert_eq!(
        cache.last_error().map(|e| e.code()),
        Some("jwks.fetch_status")
    );
    // Failed retries are spaced by the minimum interval.
    assert!(!cache.refresh_due());
    clock.advance(Duration::from_secs(10));
    assert!(cache.refresh_due());
    // Served stale up to refresh_interval + max_stale = 180 s after the fetch.
    clock.advance(Duration::from_secs(110));
    assert_eq!(verify(&cache, &by_old).await, Ok(()));
    assert!(cache.resolve(&lookup("old")).is_ok());
    clock.advance(Duration::from_secs(1));
    assert_eq!(
        verify(&cache, &by_old).await,
        Err("key.unavailable"),
        "fail closed after max_stale"
    );
    let e = policy()
        .verify(VerifyInput::new(&by_old), &*cache)
        .expect_err("unavailable");
    assert_eq!((e.code(), e.http_status()), ("key.unavailable", 503));
    // The endpoint recovers: the next refresh serves again.
    fetcher.set(Ok(doc(&[member("old", OLD_X)])));
    assert!(cache.refresh().await.is_ok());
    assert_eq!(verify(&cache, &by_old).await, Ok(()));
    assert_eq!(cache.last_error(), None);
}

#[tokio::test]
async fn unusable_members_are_skipped_and_bad_documents_keep_the_old_set() {
    let fetcher = Arc::new(TestFetcher::new(Ok(doc(&[
        member("new", NEW_X),
        r#"{"kty":"EC","crv":"P-256","kid":"enc","use":"enc","x":"AA","y":"AA"}"#.to_owned(),
        r#"{"kty":"OKP","crv":"X448","kid":"kx","x":"AA"}"#.to_owned(),
    ]))));
    let (cache, clock) = cache(&doc(&[member("old", OLD_X)]), &fetcher);
    let snap = cache.refresh().await.expect("refresh");
    let skipped: Vec<_> = snap
        .keys()
        .skipped()
        .iter()
        .map(|w| (w.index(), w.kid().map(str::to_owned), w.reason().code()))
        .collect();
    assert_eq!(
        skipped,
        [
            (1, Some("enc".to_owned()), "key.jwk_wrong_use"),
            (2, Some("kx".to_owned()), "key.jwk_unsupported_crv"),
        ]
    );
    assert_eq!(verify(&cache, &signed("new", NEW_X, NEW_D)).await, Ok(()));
    // A document that is not a JWK Set is a failed refresh; the set stays.
    fetcher.set(Ok(b"<html>".to_vec()));
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        cache.refresh().await.map(|_| ()).map_err(|e| e.code()),
        Err("key.jwk_json")
    );
    assert_eq!(cache.current().generation(), 1);
    assert_eq!(verify(&cache, &signed("new", NEW_X, NEW_D)).await, Ok(()));
}

/// Tokio's clock, so that the refresher's sleeps and the cache's notion of time agree on
/// paused time.
#[derive(Debug)]
struct TokioClock(tokio::time::Instant);

impl Clock for TokioClock {
    fn now(&self) -> Duration {
        self.0.elapsed()
    }
}

#[tokio::test(start_paused = true)]
async fn the_refresher_task_refreshes_on_schedule_and_spaces_retries() {
    let fetcher = Arc::new(TestFetcher::new(Ok(doc(&[member("new", NEW_X)]))));
    let clock = Arc::new(TokioClock(tokio::time::Instant::now()));
    let cache = Arc::new(
        JwksCache::bootstrap_with_clock(
            &doc(&[member("old", OLD_X)]),
            Arc::clone(&fetcher),
            config(),
            clock,
        )
        .expect("bootstrap"),
    );
    let task = tokio::spawn(Arc::clone(&cache).run_refresher());
    tokio::time::sleep(Duration::from_secs(59)).await;
    assert_eq!(fetcher.calls(), 0, "not due before refresh_interval");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(fetcher.calls(), 1);
    assert!(cache.current().keys().contains_kid("new"));
    assert!(!cache.current().keys().contains_kid("old"));
    // The endpoint fails: the next scheduled refresh (t = 120 s) fails, and the retry waits
    // for the minimum interval (t = 130 s).
    fetcher.set(Err(FetchError::Timeout));
    tokio::time::sleep(Duration::from_secs(64)).await; // t = 125 s
    assert_eq!(fetcher.calls(), 2);
    assert_eq!(
        cache.last_error().map(|e| e.code()),
        Some("jwks.fetch_timeout")
    );
    tokio::time::sleep(Duration::from_secs(4)).await; // t = 129 s
    assert_eq!(fetcher.calls(), 2);
    tokio::time::sleep(Duration::from_secs(2)).await; // t = 131 s
    assert_eq!(fetcher.calls(), 3);
    assert!(cache.current().keys().contains_kid("new"), "served stale");
    task.abort();
}
