//! The cache: an atomically swapped snapshot, single-flight refresh, bounded staleness.

use core::fmt;
use core::time::Duration;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use httpsig_core::keys::KeyError;
use httpsig_core::{JwksKeySet, KeyLookup, KeyResolver, ResolveError, ResolvedKey, VerifyingKey};

use crate::clock::{Clock, SystemClock};
use crate::fetch::{FetchError, JwksFetcher};

/// How often the cache refreshes and how long it serves keys it could not refresh.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CacheConfig {
    refresh_interval: Duration,
    min_refresh_interval: Duration,
    max_stale: Duration,
    fetch_timeout: Duration,
}

impl Default for CacheConfig {
    /// Refresh every 5 minutes; at most one refresh per 30 s (misses and retries); serve a set
    /// up to 1 hour past its due refresh; give a fetch 10 s.
    fn default() -> Self {
        Self {
            refresh_interval: Duration::from_secs(300),
            min_refresh_interval: Duration::from_secs(30),
            max_stale: Duration::from_secs(3600),
            fetch_timeout: Duration::from_secs(10),
        }
    }
}

impl CacheConfig {
    /// How long a fetched set is fresh: a scheduled refresh is due after it.
    #[must_use]
    pub fn refresh_interval(mut self, d: Duration) -> Self {
        self.refresh_interval = d;
        self
    }

    /// The least time between two fetches caused by unknown `kid`s or by retries after a
    /// failure: an attacker sending random key ids cannot make the cache hammer the endpoint.
    #[must_use]
    pub fn min_refresh_interval(mut self, d: Duration) -> Self {
        self.min_refresh_interval = d;
        self
    }

    /// How long past its due refresh a set is still served when refreshing fails; after it,
    /// lookups fail with [`ResolveError::Unavailable`].
    #[must_use]
    pub fn max_stale(mut self, d: Duration) -> Self {
        self.max_stale = d;
        self
    }

    /// How long one fetch may take before it counts as failed ([`FetchError::Timeout`]).
    #[must_use]
    pub fn fetch_timeout(mut self, d: Duration) -> Self {
        self.fetch_timeout = d;
        self
    }
}

/// Why a refresh did not replace the key set. The old set stays (within `max_stale`).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefreshError {
    /// The fetcher failed.
    Fetch(FetchError),
    /// The document is not a JWK Set, or is over the caps (`key.jwk_json`, …).
    Document(KeyError),
    /// A refresh was tried less than `min_refresh_interval` ago (code `jwks.too_soon`).
    TooSoon,
}

impl RefreshError {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Fetch(e) => e.code(),
            Self::Document(e) => e.code(),
            Self::TooSoon => "jwks.too_soon",
        }
    }
}

impl fmt::Display for RefreshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Fetch(e) => e.fmt(f),
            Self::Document(e) => write!(f, "JWKS document: {e}"),
            Self::TooSoon => f.write_str("JWKS refreshed too recently"),
        }
    }
}

impl std::error::Error for RefreshError {}

/// One fetched key set, immutable: what every lookup between two refreshes reads. It resolves
/// keys itself ([`KeyResolver`]), and stops doing so once it is older than the configuration
/// allows (fail closed with [`ResolveError::Unavailable`]).
pub struct KeySnapshot {
    keys: JwksKeySet,
    generation: u64,
    fetched_at: Duration,
    serve_until: Duration,
    clock: Arc<dyn Clock>,
}

impl KeySnapshot {
    /// The key set (with [`JwksKeySet::skipped`], the members left out).
    pub fn keys(&self) -> &JwksKeySet {
        &self.keys
    }

    /// Counts the sets the cache has held: 0 for the bootstrap set, one more per refresh that
    /// replaced it.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// When it was fetched, on the cache's clock.
    pub fn fetched_at(&self) -> Duration {
        self.fetched_at
    }

    /// True once it is too old to serve.
    pub fn expired(&self) -> bool {
        self.clock.now() > self.serve_until
    }

    /// The key for `lookup`, shared (so it outlives this snapshot if the set is replaced).
    ///
    /// # Errors
    /// [`ResolveError::Unavailable`] once the set is too old to serve; otherwise as
    /// [`JwksKeySet::select`].
    pub fn shared(&self, lookup: &KeyLookup<'_>) -> Result<Arc<dyn VerifyingKey>, ResolveError> {
        if self.expired() {
            return Err(ResolveError::Unavailable);
        }
        let kid = lookup.keyid.ok_or(ResolveError::NotFound)?;
        self.keys.select(kid, lookup.alg).map(Arc::clone)
    }
}

impl KeyResolver for KeySnapshot {
    fn resolve<'s>(&'s self, lookup: &KeyLookup<'_>) -> Result<ResolvedKey<'s>, ResolveError> {
        if self.expired() {
            return Err(ResolveError::Unavailable);
        }
        self.keys.resolve(lookup)
    }
}

impl fmt::Debug for KeySnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySnapshot")
            .field("keys", &self.keys)
            .field("generation", &self.generation)
            .field("fetched_at", &self.fetched_at)
            .field("serve_until", &self.serve_until)
            .finish_non_exhaustive()
    }
}

/// What the cache remembers about refreshing.
#[derive(Debug, Default)]
struct RefreshState {
    /// When a fetch was last started: spaces the fetches caused by misses.
    last_attempt: Option<Duration>,
    /// When the last fetch that ran to an answer (success or failure) was started: spaces the
    /// scheduled retries. A fetch whose task was dropped mid-way does not count, so that
    /// cancelled requests (a client that sends an unknown `kid` and disconnects) cannot hold
    /// off the scheduled refresh until the set expires.
    last_answered: Option<Duration>,
    /// The last refresh's failure, cleared by a success.
    last_error: Option<RefreshError>,
}

/// A JWK Set cache for one endpoint. `Send + Sync`; share it as `Arc<JwksCache<F>>`. See the
/// crate documentation for the verify-then-refresh pattern.
pub struct JwksCache<F> {
    fetcher: F,
    config: CacheConfig,
    clock: Arc<dyn Clock>,
    current: RwLock<Arc<KeySnapshot>>,
    /// Held while fetching: the single flight the misses wait on (async, so no thread blocks).
    flight: tokio::sync::Mutex<()>,
    state: Mutex<RefreshState>,
}

impl<F: JwksFetcher> JwksCache<F> {
    /// A cache holding the set in `jwks` (e.g. shipped with the configuration, or fetched at
    /// start-up), fresh as of now on the system clock.
    ///
    /// # Errors
    /// As [`JwksKeySet::from_json`]: the document is not a JWK Set or is over the caps.
    pub fn bootstrap(jwks: &[u8], fetcher: F, config: CacheConfig) -> Result<Self, KeyError> {
        Self::bootstrap_with_clock(jwks, fetcher, config, Arc::new(SystemClock::new()))
    }

    /// As [`JwksCache::bootstrap`], on a chosen clock.
    ///
    /// # Errors
    /// As [`JwksCache::bootstrap`].
    pub fn bootstrap_with_clock(
        jwks: &[u8],
        fetcher: F,
        config: CacheConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, KeyError> {
        let keys = JwksKeySet::from_json(jwks)?;
        let snapshot = Self::snapshot(&config, &clock, keys, 0);
        Ok(Self {
            fetcher,
            config,
            clock,
            current: RwLock::new(Arc::new(snapshot)),
            flight: tokio::sync::Mutex::new(()),
            state: Mutex::new(RefreshState::default()),
        })
    }

    /// A cache whose first set is fetched now.
    ///
    /// # Errors
    /// The first fetch's [`RefreshError`].
    pub async fn fetch(
        fetcher: F,
        config: CacheConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, RefreshError> {
        let bytes = fetch_bounded(&fetcher, config.fetch_timeout)
            .await
            .map_err(RefreshError::Fetch)?;
        let keys = JwksKeySet::from_json(&bytes).map_err(RefreshError::Document)?;
        let snapshot = Self::snapshot(&config, &clock, keys, 0);
        let state = RefreshState {
            last_attempt: Some(snapshot.fetched_at),
            last_answered: Some(snapshot.fetched_at),
            last_error: None,
        };
        Ok(Self {
            fetcher,
            config,
            clock,
            current: RwLock::new(Arc::new(snapshot)),
            flight: tokio::sync::Mutex::new(()),
            state: Mutex::new(state),
        })
    }

    fn snapshot(
        config: &CacheConfig,
        clock: &Arc<dyn Clock>,
        keys: JwksKeySet,
        generation: u64,
    ) -> KeySnapshot {
        let now = clock.now();
        KeySnapshot {
            keys,
            generation,
            fetched_at: now,
            serve_until: now
                .saturating_add(config.refresh_interval)
                .saturating_add(config.max_stale),
            clock: Arc::clone(clock),
        }
    }

    /// The current key set. Verify against it, and pass it to
    /// [`JwksCache::refresh_after_miss`] when its key was not found.
    pub fn current(&self) -> Arc<KeySnapshot> {
        // The lock guards one pointer, written whole: a poisoned lock still holds a valid one.
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// The configuration.
    pub fn config(&self) -> &CacheConfig {
        &self.config
    }

    /// The last refresh's failure, if the last refresh failed.
    pub fn last_error(&self) -> Option<RefreshError> {
        self.lock_state().last_error.clone()
    }

    fn lock_state(&self) -> std::sync::MutexGuard<'_, RefreshState> {
        // Plain fields updated whole: a poisoned lock still holds consistent state.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Time until a scheduled refresh is due (zero when it is).
    pub fn next_refresh_in(&self) -> Duration {
        let now = self.clock.now();
        let fresh_until = self
            .current()
            .fetched_at
            .saturating_add(self.config.refresh_interval);
        let retry_at = self.lock_state().last_answered.map_or(Duration::ZERO, |t| {
            t.saturating_add(self.config.min_refresh_interval)
        });
        fresh_until.max(retry_at).saturating_sub(now)
    }

    /// True when a scheduled refresh is due: the set is older than the refresh interval and
    /// no fetch that got an answer was started within the minimum interval (after a failure,
    /// retries are spaced; a fetch cancelled mid-way does not postpone the schedule).
    pub fn refresh_due(&self) -> bool {
        self.next_refresh_in() == Duration::ZERO
    }

    /// Refreshes now (a scheduled or forced refresh), single-flight: if another refresh
    /// replaced the set while this one waited for it, that set is returned without a fetch.
    ///
    /// # Errors
    /// A [`RefreshError`] (fetch or document); the old set stays.
    pub async fn refresh(&self) -> Result<Arc<KeySnapshot>, RefreshError> {
        let seen = self.current().generation;
        self.refresh_from(seen, false).await
    }

    /// After a lookup on `seen` found no key, or found `seen` too old to serve: a newer set,
    /// when there is one — replaced by another task meanwhile, or fetched now unless a fetch
    /// was started within `min_refresh_interval`. Many concurrent misses cause one fetch; the
    /// others wait for it and get its result. `None` when there is no newer set (rate-limited,
    /// or the fetch failed). Then, while [`JwksCache::last_error`] is set, the key could not
    /// be looked up: answer [`ResolveError::Unavailable`] (503), not "unknown key" (401).
    pub async fn refresh_after_miss(&self, seen: &KeySnapshot) -> Option<Arc<KeySnapshot>> {
        self.refresh_from(seen.generation, true).await.ok()
    }

    /// The verify-then-refresh step in one call: after a verification on `seen` failed with
    /// `missed` (`verify.key_not_found`, or `key.unavailable` for a set too old to serve),
    /// the newer set to verify on again ([`JwksCache::refresh_after_miss`]), or the error to
    /// answer with — `key.unavailable` (503) while the last refresh failed, else `missed`.
    /// Any other error is handed back unchanged, without a refresh.
    ///
    /// # Errors
    /// `missed`, or [`httpsig_core::Error::KeyUnavailable`].
    pub async fn newer_after_miss(
        &self,
        seen: &KeySnapshot,
        missed: httpsig_core::Error,
    ) -> Result<Arc<KeySnapshot>, httpsig_core::Error> {
        let as_resolve = match missed {
            httpsig_core::Error::KeyNotFound => ResolveError::NotFound,
            httpsig_core::Error::KeyUnavailable => ResolveError::Unavailable,
            other => return Err(other),
        };
        match self.refresh_after_miss(seen).await {
            Some(newer) => Ok(newer),
            None => Err(match self.miss_error(as_resolve) {
                ResolveError::Unavailable => httpsig_core::Error::KeyUnavailable,
                _ => missed,
            }),
        }
    }

    /// What a lookup that found no key (`missed`: [`ResolveError::NotFound`] or
    /// [`ResolveError::Unavailable`]) answers when [`JwksCache::refresh_after_miss`] gave no
    /// newer set: [`ResolveError::Unavailable`] while the last refresh failed (the key may
    /// exist; it could not be looked up), otherwise `missed`.
    fn miss_error(&self, missed: ResolveError) -> ResolveError {
        if self.lock_state().last_error.is_some() {
            ResolveError::Unavailable
        } else {
            missed
        }
    }

    /// The key for `lookup`, refreshing once (as [`JwksCache::refresh_after_miss`]) when the
    /// current set lacks it or is too old to serve: for callers that know the key id before
    /// verifying.
    ///
    /// # Errors
    /// As [`KeySnapshot::shared`] on the newest set; when no newer set could be had,
    /// [`ResolveError::Unavailable`] while the last refresh failed.
    pub async fn resolve_or_refresh(
        &self,
        lookup: &KeyLookup<'_>,
    ) -> Result<Arc<dyn VerifyingKey>, ResolveError> {
        let current = self.current();
        match current.shared(lookup) {
            Err(missed @ (ResolveError::NotFound | ResolveError::Unavailable)) => {
                match self.refresh_after_miss(&current).await {
                    Some(newer) => newer.shared(lookup),
                    None => Err(self.miss_error(missed)),
                }
            }
            other => other,
        }
    }

    /// Runs scheduled refreshes forever (spawn it as a task): sleeps until a refresh is due,
    /// refreshes, and records failures in [`JwksCache::last_error`]. Needs a tokio runtime
    /// with its time driver.
    pub async fn run_refresher(self: Arc<Self>) {
        loop {
            if self.refresh_due() {
                // A failure is recorded in `last_error` and retried after the minimum interval.
                let _ = self.refresh().await;
            }
            let wait = self.next_refresh_in().max(Duration::from_millis(100));
            tokio::time::sleep(wait).await;
        }
    }

    async fn refresh_from(
        &self,
        seen: u64,
        rate_limited: bool,
    ) -> Result<Arc<KeySnapshot>, RefreshError> {
        let _flight = self.flight.lock().await;
        let current = self.current();
        if current.generation != seen {
            // Replaced while this task waited for the flight: that is the newer set.
            return Ok(current);
        }
        let now = self.clock.now();
        {
            let mut state = self.lock_state();
            if rate_limited
                && state
                    .last_attempt
                    .is_some_and(|t| now < t.saturating_add(self.config.min_refresh_interval))
            {
                return Err(RefreshError::TooSoon);
            }
            state.last_attempt = Some(now);
        }
        let result = match fetch_bounded(&self.fetcher, self.config.fetch_timeout).await {
            Ok(bytes) => JwksKeySet::from_json(&bytes).map_err(RefreshError::Document),
            Err(e) => Err(RefreshError::Fetch(e)),
        };
        // Reached only when this task was not dropped during the fetch.
        self.lock_state().last_answered = Some(now);
        match result {
            Ok(keys) => {
                let next = Arc::new(Self::snapshot(
                    &self.config,
                    &self.clock,
                    keys,
                    seen.saturating_add(1),
                ));
                *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&next);
                self.lock_state().last_error = None;
                Ok(next)
            }
            Err(e) => {
                self.lock_state().last_error = Some(e.clone());
                Err(e)
            }
        }
    }
}

/// One fetch, bounded by `timeout`.
async fn fetch_bounded<F: JwksFetcher>(
    fetcher: &F,
    timeout: Duration,
) -> Result<Vec<u8>, FetchError> {
    tokio::time::timeout(timeout, fetcher.fetch())
        .await
        .unwrap_or(Err(FetchError::Timeout))
}

/// The current snapshot resolves; keys are handed out shared (an `Arc` clone, no allocation),
/// since the snapshot may be replaced while a signature is verified.
impl<F: JwksFetcher> KeyResolver for JwksCache<F> {
    fn resolve<'s>(&'s self, lookup: &KeyLookup<'_>) -> Result<ResolvedKey<'s>, ResolveError> {
        self.current().shared(lookup).map(ResolvedKey::Shared)
    }
}

impl<F> fmt::Debug for JwksCache<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksCache")
            .field("config", &self.config)
            .field(
                "current",
                &*self.current.read().unwrap_or_else(PoisonError::into_inner),
            )
            .finish_non_exhaustive()
    }
}
