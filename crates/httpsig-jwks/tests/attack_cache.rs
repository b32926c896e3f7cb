//! The cache as an attacker of a resource server sees it: only the public API, hostile key
//! ids, hostile JWK Set documents, cancelled requests, extreme configurations.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use httpsig_core::{
    Algorithm, Error, KeyResolver, MaxAge, ResolveError, VerifyInput, VerifyPolicy,
};
use httpsig_jwks::{CacheConfig, Clock, FetchError, JwksCache, JwksFetcher, ManualClock};
use tokio::sync::Semaphore;

mod support;
use support::{doc, lookup, member, signed};

use support::{KEY1_D as GOOD_D, KEY1_X as GOOD_X, KEY2_D as OTHER_D, KEY2_X as OTHER_X};

fn good_doc() -> Vec<u8> {
    doc(&[member("good", GOOD_X)])
}

/// Counts calls; answers what it is set to; when gated, waits for a permit (a fetch held in
/// flight), so a test can cancel the task that started it.
struct Fetcher {
    calls: AtomicUsize,
    answer: Mutex<Result<Vec<u8>, FetchError>>,
    gate: Option<Semaphore>,
}

impl Fetcher {
    fn new(answer: Result<Vec<u8>, FetchError>) -> Arc<Self> {
        Arc::new(Self {
            calls: AtomicUsize::new(0),
            answer: Mutex::new(answer),
            gate: None,
        })
    }

    fn gated(answer: Result<Vec<u8>, FetchError>) -> Arc<Self> {
        Arc::new(Self {
            calls: AtomicUsize::new(0),
            answer: Mutex::new(answer),
            gate: Some(Semaphore::new(0)),
        })
    }

    fn set(&self, answer: Result<Vec<u8>, FetchError>) {
        *self.answer.lock().expect("lock") = answer;
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl JwksFetcher for Fetcher {
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

type Cache = Arc<JwksCache<Arc<Fetcher>>>;

fn cache(fetcher: &Arc<Fetcher>) -> (Cache, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new());
    let cache =
        JwksCache::bootstrap_with_clock(&good_doc(), Arc::clone(fetcher), config(), clock.clone())
            .expect("bootstrap");
    (Arc::new(cache), clock)
}

fn policy(algs: &[Algorithm]) -> VerifyPolicy {
    VerifyPolicy::new(algs, MaxAge::Seconds(60)).at(1_700_000_001)
}

fn good_still_resolves(cache: &Cache) {
    let msg = signed("good", GOOD_X, GOOD_D);
    assert!(
        policy(&[Algorithm::Ed25519])
            .verify(VerifyInput::new(&msg), &**cache)
            .is_ok(),
        "the good key must survive"
    );
}

/// An attacker sends signatures with random unknown key ids, many at once and then one by one:
/// at most one fetch per `min_refresh_interval`, and the good key stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kid_flooding_causes_one_fetch_per_interval_and_keeps_good_keys() {
    let fetcher = Fetcher::new(Ok(good_doc()));
    let (cache, clock) = cache(&fetcher);
    let tasks: Vec<_> = (0..500)
        .map(|i| {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move {
                let kid = format!("random-{i}-{}", i * 7919);
                cache.resolve_or_refresh(&lookup(&kid)).await.err()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.expect("task"), Some(ResolveError::NotFound));
    }
    assert_eq!(fetcher.calls(), 1, "one fetch for the whole flood");
    for i in 0..1_000 {
        clock.advance(Duration::from_millis(9));
        let kid = format!("sequential-{i}");
        let _ = cache.resolve_or_refresh(&lookup(&kid)).await;
    }
    // 9 s per 1 000 misses... 1 000 × 9 ms = 9 s < 10 s: still one fetch.
    assert_eq!(fetcher.calls(), 1);
    clock.advance(Duration::from_secs(1));
    let _ = cache.resolve_or_refresh(&lookup("after-interval")).await;
    assert_eq!(fetcher.calls(), 2);
    good_still_resolves(&cache);
}

/// Hostile JWK Set documents served by a compromised or confused endpoint (or a captive
/// portal): never a panic, never an empty set in place of the good one for a document that is
/// not a JWK Set, and the refusal of the document is recorded.
#[tokio::test]
async fn hostile_documents_fail_the_refresh_and_keep_the_good_keys() {
    let deep = format!(
        r#"{{"keys":[{}{}]}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let huge = {
        let mut d = good_doc();
        d.extend(std::iter::repeat_n(b' ', 1024 * 1024));
        d
    };
    let ten_k = doc(&vec![member("k", GOOD_X); 10_000]);
    let over_cap = doc(&vec![member("k", GOOD_X); 257]);
    let dup_member_name = br#"{"keys":[],"keys":[]}"#.to_vec();
    let dup_in_member = format!(
        r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"good","x":"{OTHER_X}","x":"{GOOD_X}"}}]}}"#
    )
    .into_bytes();
    let hostile: Vec<(&str, Vec<u8>, &str)> = vec![
        ("html", b"<html>login</html>".to_vec(), "key.jwk_json"),
        ("empty body", Vec::new(), "key.jwk_json"),
        ("null", b"null".to_vec(), "key.jwk_json"),
        ("array", b"[]".to_vec(), "key.jwk_json"),
        (
            "no keys member",
            br#"{"kty":"OKP"}"#.to_vec(),
            "key.jwk_json",
        ),
        (
            "keys not an array",
            br#"{"keys":{}}"#.to_vec(),
            "key.jwk_json",
        ),
        ("keys null", br#"{"keys":null}"#.to_vec(), "key.jwk_json"),
        (
            "two documents",
            [good_doc(), good_doc()].concat(),
            "key.jwk_json",
        ),
        ("NUL", b"{\"keys\":[]}\0".to_vec(), "key.jwk_json"),
        (
            "not UTF-8",
            b"{\"keys\":[\"\xff\"]}".to_vec(),
            "key.jwk_json",
        ),
        ("deeply nested", deep.into_bytes(), "key.jwk_json"),
        ("over 1 MiB", huge, "key.jwk_too_large"),
        ("10 000 members", ten_k, "key.jwks_too_many_keys"),
        ("257 members", over_cap, "key.jwks_too_many_keys"),
        ("repeated top-level name", dup_member_name, "key.jwk_json"),
        ("repeated name in a member", dup_in_member, "key.jwk_json"),
    ];
    let fetcher = Fetcher::new(Ok(good_doc()));
    let (cache, clock) = cache(&fetcher);
    for (name, body, code) in hostile {
        fetcher.set(Ok(body));
        clock.advance(Duration::from_secs(10));
        let before = cache.current().generation();
        assert!(
            cache.refresh_after_miss(&cache.current()).await.is_none(),
            "{name}"
        );
        assert_eq!(cache.last_error().map(|e| e.code()), Some(code), "{name}");
        assert_eq!(cache.current().generation(), before, "{name}");
        good_still_resolves(&cache);
    }
}

/// Members a verifier must never use, in a document that is otherwise a valid JWK Set: they
/// are left out, and a signature naming them is not accepted.
#[tokio::test]
async fn unusable_and_dangerous_members_are_never_selected() {
    // A private Ed25519 member (RFC 8037 A.1 "d"): whoever reads the published set can sign.
    let private = format!(
        r#"{{"kty":"OKP","crv":"Ed25519","kid":"leaked","x":"{OTHER_X}","d":"{OTHER_D}"}}"#
    );
    // A symmetric key: published, so anyone can compute the HMAC.
    let oct = r#"{"kty":"oct","kid":"hs","alg":"HS256","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}"#;
    // alg of another family than the key.
    let alg_mismatch = format!(
        r#"{{"kty":"OKP","crv":"Ed25519","kid":"mismatch","alg":"RS256","x":"{OTHER_X}"}}"#
    );
    let enc = format!(r#"{{"kty":"OKP","crv":"Ed25519","kid":"enc","use":"enc","x":"{OTHER_X}"}}"#);
    let fetcher = Fetcher::new(Ok(doc(&[
        member("good", GOOD_X),
        private,
        oct.to_owned(),
        alg_mismatch,
        enc,
    ])));
    let (cache, _clock) = cache(&fetcher);
    let snap = cache.refresh().await.expect("a JWK Set");
    let skipped: Vec<_> = snap
        .keys()
        .skipped()
        .iter()
        .map(|s| (s.index(), s.reason().code()))
        .collect();
    assert_eq!(
        skipped,
        [
            (1, "key.jwks_private_member"),
            (2, "key.symmetric"),
            (3, "key.jwk_alg_mismatch"),
            (4, "key.jwk_wrong_use"),
        ]
    );
    assert_eq!(snap.keys().len(), 1);
    for kid in ["leaked", "hs", "mismatch", "enc"] {
        assert_eq!(
            cache.resolve(&lookup(kid)).err(),
            Some(ResolveError::NotFound),
            "{kid}"
        );
    }
    // The private member would have verified this signature had it been kept.
    let msg = signed("leaked", OTHER_X, OTHER_D);
    let e = policy(&[Algorithm::Ed25519])
        .verify(VerifyInput::new(&msg), &*cache)
        .expect_err("a key from a published private member");
    assert_eq!(e.code(), "verify.key_not_found");
    good_still_resolves(&cache);
}

/// One `kid` published twice with different key types and no `alg` on either: a signature
/// without `alg` cannot pick one (ambiguous, fail closed), a signature's `alg` picks only the
/// member of that family, and a signature by one member never verifies as the other.
#[tokio::test]
async fn a_kid_with_two_key_types_does_not_confuse_algorithms() {
    // RFC 9421 B.1.3 test-key-ecc-p256 (public part).
    let ec = r#"{"kty":"EC","crv":"P-256","kid":"dual","x":"qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA","y":"Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0"}"#;
    let fetcher = Fetcher::new(Ok(doc(&[member("dual", GOOD_X), ec.to_owned()])));
    let (cache, _clock) = cache(&fetcher);
    cache.refresh().await.expect("a JWK Set");
    let no_alg = cache.resolve(&lookup("dual")).err();
    assert_eq!(
        no_alg.as_ref().map(ResolveError::code),
        Some("key.jwks_ambiguous_key")
    );
    // Signed by the Ed25519 member, no alg parameter: refused as a server-side problem, not
    // accepted.
    let msg = signed("dual", GOOD_X, GOOD_D);
    let all = [Algorithm::Ed25519, Algorithm::EcdsaP256Sha256];
    let e = policy(&all)
        .verify(VerifyInput::new(&msg), &*cache)
        .expect_err("ambiguous");
    assert_eq!(e.code(), "key.jwks_ambiguous_key");
    let mut with_alg = lookup("dual");
    with_alg.alg = Some("ecdsa-p256-sha256");
    assert_eq!(
        cache.resolve(&with_alg).map(|k| k.algorithm()).ok(),
        Some(Algorithm::EcdsaP256Sha256)
    );
    with_alg.alg = Some("ed25519");
    assert_eq!(
        cache.resolve(&with_alg).map(|k| k.algorithm()).ok(),
        Some(Algorithm::Ed25519)
    );
    // An alg naming neither (or an HMAC alg over public key material): no key is made from it.
    with_alg.alg = Some("hmac-sha256");
    assert_eq!(
        cache
            .resolve(&with_alg)
            .err()
            .as_ref()
            .map(ResolveError::code),
        Some("key.jwks_ambiguous_key")
    );
}

/// A fetch that fails while the set is still fresh leaves the signer's key unknowable: that is
/// `key.unavailable` (503), not a forged signature (401). A rate-limited miss after a successful
/// fetch is `NotFound`.
#[tokio::test]
async fn a_miss_whose_refresh_failed_is_unavailable_not_not_found() {
    let fetcher = Fetcher::new(Err(FetchError::Connect));
    let (cache, clock) = cache(&fetcher);
    assert_eq!(
        cache.resolve_or_refresh(&lookup("rotated")).await.err(),
        Some(ResolveError::Unavailable)
    );
    // Still failing, and rate-limited: still unavailable (the last refresh failed).
    assert_eq!(
        cache.resolve_or_refresh(&lookup("rotated")).await.err(),
        Some(ResolveError::Unavailable)
    );
    assert_eq!(fetcher.calls(), 1);
    // The known key is served meanwhile.
    assert!(cache.resolve_or_refresh(&lookup("good")).await.is_ok());
    // The endpoint recovers without the key: a real miss.
    fetcher.set(Ok(good_doc()));
    clock.advance(Duration::from_secs(10));
    assert_eq!(
        cache.resolve_or_refresh(&lookup("rotated")).await.err(),
        Some(ResolveError::NotFound)
    );
    assert_eq!(
        cache.resolve_or_refresh(&lookup("rotated")).await.err(),
        Some(ResolveError::NotFound),
        "rate-limited after a successful fetch"
    );
    assert_eq!(fetcher.calls(), 2);
}

/// Without a refresher task, a set that went past `max_stale` while the endpoint was down must
/// come back once the endpoint does: a lookup on the expired set refreshes (rate-limited) like
/// a miss, instead of failing closed forever.
#[tokio::test]
async fn an_expired_set_recovers_through_lookups_without_a_refresher() {
    let fetcher = Fetcher::new(Err(FetchError::Status(502)));
    let (cache, clock) = cache(&fetcher);
    clock.advance(Duration::from_secs(181));
    assert_eq!(
        cache.resolve_or_refresh(&lookup("good")).await.err(),
        Some(ResolveError::Unavailable)
    );
    assert_eq!(fetcher.calls(), 1, "the expired set triggered a refresh");
    fetcher.set(Ok(good_doc()));
    assert_eq!(
        cache.resolve_or_refresh(&lookup("good")).await.err(),
        Some(ResolveError::Unavailable),
        "rate-limited"
    );
    clock.advance(Duration::from_secs(10));
    assert!(cache.resolve_or_refresh(&lookup("good")).await.is_ok());
    assert_eq!(fetcher.calls(), 2);
}

/// A task waiting on the single flight is dropped mid-fetch (a client disconnects, a request
/// timeout fires): the others do not hang.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_the_fetching_task_does_not_hang_the_others() {
    let fetcher = Fetcher::gated(Ok(doc(&[member("good", GOOD_X), member("new", OTHER_X)])));
    let (cache, _clock) = cache(&fetcher);
    let leader = {
        let cache = Arc::clone(&cache);
        tokio::spawn(async move { cache.resolve_or_refresh(&lookup("new")).await.is_ok() })
    };
    while fetcher.calls() == 0 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let waiters: Vec<_> = (0..8)
        .map(|_| {
            let cache = Arc::clone(&cache);
            tokio::spawn(async move { cache.resolve_or_refresh(&lookup("new")).await.err() })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    leader.abort();
    assert!(leader.await.is_err_and(|e| e.is_cancelled()));
    for w in waiters {
        let r = tokio::time::timeout(Duration::from_secs(5), w)
            .await
            .expect("a waiter hung after the fetching task was cancelled")
            .expect("task");
        // Within the interval the waiters do not start a second fetch; they refuse.
        assert!(r.is_some());
    }
    assert_eq!(fetcher.calls(), 1);
    good_still_resolves(&cache);
}

/// An attacker who keeps cancelling miss-triggered fetches (unknown kid, then disconnect) just
/// before each retry is allowed must not hold off the scheduled refresh: otherwise the set
/// ages past `max_stale` and every request gets 503.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_miss_fetches_do_not_postpone_the_scheduled_refresh() {
    let fetcher = Fetcher::gated(Ok(good_doc()));
    let (cache, clock) = cache(&fetcher);
    let cancelled_miss = |cache: &Cache| {
        let cache = Arc::clone(cache);
        let before = fetcher.calls();
        let f = Arc::clone(&fetcher);
        async move {
            let t = tokio::spawn(async move {
                let _ = cache.resolve_or_refresh(&lookup("attacker")).await;
            });
            while f.calls() == before {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            t.abort();
            let _ = t.await;
        }
    };
    clock.advance(Duration::from_secs(55));
    cancelled_miss(&cache).await; // t = 55 s
    assert!(!cache.refresh_due());
    clock.advance(Duration::from_secs(5)); // t = 60 s: refresh_interval
    assert!(
        cache.refresh_due(),
        "a cancelled fetch is not a failed refresh: the schedule stands"
    );
    for _ in 0..20 {
        clock.advance(Duration::from_secs(10));
        cancelled_miss(&cache).await;
        assert!(cache.refresh_due());
    }
}

/// Extreme configurations and a clock that goes backwards: no panic, no overflow that turns
/// into "serve forever" by accident or "never serve".
#[tokio::test(start_paused = true)]
async fn extreme_durations_and_a_backwards_clock_do_not_panic() {
    let fetcher = Fetcher::new(Ok(good_doc()));
    let max = CacheConfig::default()
        .refresh_interval(Duration::MAX)
        .min_refresh_interval(Duration::MAX)
        .max_stale(Duration::MAX)
        .fetch_timeout(Duration::MAX);
    let clock = Arc::new(ManualClock::new());
    clock.advance(Duration::MAX);
    let c = JwksCache::bootstrap_with_clock(&good_doc(), Arc::clone(&fetcher), max, clock.clone())
        .expect("bootstrap");
    assert!(!c.current().expired());
    assert!(!c.refresh_due());
    assert!(c.refresh().await.is_ok());
    assert!(c.refresh_after_miss(&c.current()).await.is_none());
    assert!(c.resolve(&lookup("good")).is_ok());

    let zero = CacheConfig::default()
        .refresh_interval(Duration::ZERO)
        .min_refresh_interval(Duration::ZERO)
        .max_stale(Duration::ZERO)
        .fetch_timeout(Duration::ZERO);
    let clock = Arc::new(ManualClock::new());
    let c = JwksCache::bootstrap_with_clock(&good_doc(), Arc::clone(&fetcher), zero, clock.clone())
        .expect("bootstrap");
    assert!(c.refresh_due());
    clock.advance(Duration::from_millis(1));
    assert_eq!(
        c.resolve(&lookup("good")).err(),
        Some(ResolveError::Unavailable)
    );

    let backwards = Arc::new(Backwards(AtomicU64::new(10_000)));
    let c = JwksCache::bootstrap_with_clock(
        &good_doc(),
        Arc::clone(&fetcher),
        config(),
        backwards.clone(),
    )
    .expect("bootstrap");
    backwards.0.store(0, Ordering::SeqCst);
    let _ = c.next_refresh_in();
    let _ = c.refresh_due();
    let _ = c.resolve_or_refresh(&lookup("x")).await;
    assert!(c.resolve(&lookup("good")).is_ok());
}

#[derive(Debug)]
struct Backwards(AtomicU64);

impl Clock for Backwards {
    fn now(&self) -> Duration {
        Duration::from_secs(self.0.load(Ordering::SeqCst))
    }
}

/// A fetch that never answers is cut at `fetch_timeout`, and counts as a failure.
#[tokio::test(start_paused = true)]
async fn a_fetch_that_never_answers_times_out() {
    let fetcher = Fetcher::gated(Ok(good_doc()));
    let cfg = config().fetch_timeout(Duration::from_secs(3));
    let c = JwksCache::bootstrap(&good_doc(), Arc::clone(&fetcher), cfg).expect("bootstrap");
    let started = tokio::time::Instant::now();
    let r = c.refresh().await;
    assert_eq!(
        r.map(|_| ()).map_err(|e| e.code()),
        Err("jwks.fetch_timeout")
    );
    assert_eq!(started.elapsed(), Duration::from_secs(3));
    let e: Error = ResolveError::Unavailable.into();
    assert_eq!(e.http_status(), 503);
}
