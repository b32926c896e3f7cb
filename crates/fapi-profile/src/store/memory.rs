//! In-process replay store: bounded, TTL-expiring, keyed by SHA-256 digests.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use httpsig_core::crypto::sha256;

use super::{AsyncReplayStore, ReplayStore, StoreError, StoreFuture, check_ttl};

/// A monotonic time source: the time elapsed since an arbitrary, fixed origin.
///
/// Injected into [`MemoryReplayStore`] so expiry can be tested without sleeping
/// (see [`ManualClock`]). It must never go backwards.
pub trait Clock: Send + Sync + fmt::Debug {
    /// Time elapsed since this clock's origin.
    fn now(&self) -> Duration;
}

/// The real clock: [`Instant`] time since the clock was created.
#[derive(Clone, Copy, Debug)]
pub struct MonotonicClock {
    origin: Instant,
}

impl MonotonicClock {
    /// A clock whose origin is now.
    pub fn new() -> Self {
        Self {
            origin: Instant::now(),
        }
    }
}

impl Default for MonotonicClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for MonotonicClock {
    fn now(&self) -> Duration {
        self.origin.elapsed()
    }
}

/// A clock that only moves when told to; for tests.
#[derive(Debug, Default)]
pub struct ManualClock {
    nanos: AtomicU64,
}

impl ManualClock {
    /// A clock standing at its origin.
    pub fn new() -> Self {
        Self::default()
    }

    /// Moves the clock forward by `by` (saturating at about 584 years).
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        // fetch_update's closure always returns Some, so this never fails; the result is ignored.
        let _ = self
            .nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_add(by))
            });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}

/// A 32-byte SHA-256 digest of a caller's key or scope.
type Digest = [u8; 32];

/// The entries, their expiry order, and the live-key count per scope. Invariants: `by_expiry`
/// holds exactly one `(deadline, digest)` pair per entry of `deadlines`, with the same
/// deadline; `per_scope` holds, for each scope, the number of entries of `deadlines` recorded
/// for it (never zero: a scope whose count drops to zero is removed).
#[derive(Default)]
struct Entries {
    deadlines: HashMap<Digest, (Duration, Option<Digest>)>,
    by_expiry: BTreeSet<(Duration, Digest)>,
    per_scope: HashMap<Digest, usize>,
}

impl Entries {
    /// Removes every entry whose deadline is at or before `now`; each entry is removed once, so
    /// the cost is amortised over the insertions.
    fn purge_expired(&mut self, now: Duration) {
        while let Some(&(deadline, digest)) = self.by_expiry.first() {
            if deadline > now {
                break;
            }
            self.by_expiry.pop_first();
            if let Some((_, Some(scope))) = self.deadlines.remove(&digest) {
                self.release(&scope);
            }
        }
    }

    fn release(&mut self, scope: &Digest) {
        if let Some(n) = self.per_scope.get_mut(scope) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.per_scope.remove(scope);
            }
        }
    }
}

/// A bounded in-memory [`ReplayStore`] for a single process.
///
/// - **Bounded:** at most `max_entries` live keys. When full, expired keys are dropped first; if
///   every slot still holds a live key, a new key gets [`StoreError::Full`]. It does *not* evict a
///   live key to make room: that key could then be replayed before its TTL ends, so an attacker able
///   to fill the store would also be able to replay. Size the store for the peak rate of accepted
///   proofs times the TTL (see the [module docs](super#capacity)); a full store means "refuse until
///   keys expire", and verifiers fail closed.
/// - **Bounded per scope:** keys recorded with [`ReplayStore::check_and_record_scoped`] count
///   against their scope (a DPoP key thumbprint or a client id); a scope holding
///   [`scope_quota`](Self::scope_quota) live keys gets [`StoreError::QuotaExceeded`] for new ones,
///   so one client cannot take the room of the others. Keys recorded without a scope count only
///   against `max_entries`.
/// - **Constant memory per key:** the store keeps the SHA-256 digest of each key (32 bytes), never
///   the key itself, so a long attacker-chosen `jti` costs no more than a short one; the same for
///   scopes.
/// - **TTL:** a key is "seen" while `now < recorded_at + ttl` on the store's [`Clock`].
/// - **Thread-safe:** one [`Mutex`] guards the table; the hashing happens outside the lock and the
///   critical section is two hash-map lookups plus one ordered-set update. The table is not
///   sharded: picking a shard from the public SHA-256 digest would let an attacker grind keys into
///   one shard and fill it with a fraction of the work, and one short critical section does not
///   need it.
///
/// Keys live in this process only; verifiers behind a load balancer need a shared store such as
/// `RedisReplayStore`.
pub struct MemoryReplayStore {
    max_entries: NonZeroUsize,
    scope_quota: NonZeroUsize,
    clock: Arc<dyn Clock>,
    entries: Mutex<Entries>,
}

impl MemoryReplayStore {
    /// The live keys one scope may hold unless [`Self::with_scope_quota`] sets another bound
    /// (clamped to the store's capacity): about 14 requests per second per client at the default
    /// DPoP window of 71 s.
    // Invariant: 1024 is not zero; being a const, a failure would stop the build, not a request.
    pub const DEFAULT_SCOPE_QUOTA: NonZeroUsize = NonZeroUsize::new(1024).unwrap();

    /// A store holding at most `max_entries` live keys, on the real monotonic clock.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::time::Duration;
    /// use fapi_profile::store::{MemoryReplayStore, ReplayStore};
    ///
    /// let store = MemoryReplayStore::new(NonZeroUsize::new(100_000).unwrap());
    /// let window = Duration::from_secs(60);
    /// assert_eq!(store.check_and_record(b"jti-e1j3V_bKic8", window), Ok(true));
    /// // The same jti again, within its window: a replay.
    /// assert_eq!(store.check_and_record(b"jti-e1j3V_bKic8", window), Ok(false));
    /// ```
    pub fn new(max_entries: NonZeroUsize) -> Self {
        Self::with_clock(max_entries, Arc::new(MonotonicClock::new()))
    }

    /// A store holding at most `max_entries` live keys, on the given clock.
    pub fn with_clock(max_entries: NonZeroUsize, clock: Arc<dyn Clock>) -> Self {
        Self {
            max_entries,
            scope_quota: Self::DEFAULT_SCOPE_QUOTA.min(max_entries),
            clock,
            entries: Mutex::new(Entries::default()),
        }
    }

    /// Bounds the live keys of one scope to `quota` (clamped to the capacity).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::num::NonZeroUsize;
    /// use std::time::Duration;
    /// use fapi_profile::store::{MemoryReplayStore, ReplayStore, StoreError};
    ///
    /// let store = MemoryReplayStore::new(NonZeroUsize::new(100).unwrap())
    ///     .with_scope_quota(NonZeroUsize::new(2).unwrap());
    /// let w = Duration::from_secs(60);
    /// assert_eq!(store.check_and_record_scoped(b"client-a", b"jti-1", w), Ok(true));
    /// assert_eq!(store.check_and_record_scoped(b"client-a", b"jti-2", w), Ok(true));
    /// assert_eq!(store.check_and_record_scoped(b"client-a", b"jti-3", w), Err(StoreError::QuotaExceeded));
    /// assert_eq!(store.check_and_record_scoped(b"client-a", b"jti-1", w), Ok(false), "still a replay");
    /// assert_eq!(store.check_and_record_scoped(b"client-b", b"jti-3", w), Ok(true), "others unaffected");
    /// ```
    #[must_use]
    pub fn with_scope_quota(mut self, quota: NonZeroUsize) -> Self {
        self.scope_quota = quota.min(self.max_entries);
        self
    }

    /// The most keys this store holds at once.
    pub fn capacity(&self) -> NonZeroUsize {
        self.max_entries
    }

    /// The most live keys one scope may hold.
    pub fn scope_quota(&self) -> NonZeroUsize {
        self.scope_quota
    }

    /// The number of keys held, counting expired keys not yet dropped.
    pub fn len(&self) -> usize {
        self.lock().deadlines.len()
    }

    /// Whether the store holds no key.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while the lock was held (only possible on allocation failure) can at worst leave
        // an entry in one index but not the other, or a scope count one too high, which costs a
        // slot but never accepts a replay; recovering keeps the store usable instead of failing
        // every later request.
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, scope: Option<Digest>, key: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        check_ttl(ttl)?;
        let digest = sha256(key);
        let mut entries = self.lock();
        // Read the clock under the lock so deadlines enter the ordered set in time order.
        let now = self.clock.now();
        entries.purge_expired(now);
        if entries.deadlines.contains_key(&digest) {
            return Ok(false);
        }
        if let Some(scope) = &scope
            && entries.per_scope.get(scope).copied().unwrap_or(0) >= self.scope_quota.get()
        {
            return Err(StoreError::QuotaExceeded);
        }
        if entries.deadlines.len() >= self.max_entries.get() {
            return Err(StoreError::Full);
        }
        let deadline = now.saturating_add(ttl);
        entries.deadlines.insert(digest, (deadline, scope));
        entries.by_expiry.insert((deadline, digest));
        if let Some(scope) = scope {
            *entries.per_scope.entry(scope).or_insert(0) += 1;
        }
        Ok(true)
    }
}

impl ReplayStore for MemoryReplayStore {
    fn check_and_record(&self, key: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        self.record(None, key, ttl)
    }

    fn check_and_record_scoped(
        &self,
        scope: &[u8],
        key: &[u8],
        ttl: Duration,
    ) -> Result<bool, StoreError> {
        self.record(Some(sha256(scope)), key, ttl)
    }
}

/// The answer is computed when the method is called (under the same short mutex as the sync
/// seam) and the future is already complete: nothing waits on I/O.
impl AsyncReplayStore for MemoryReplayStore {
    fn check_and_record_async<'a>(&'a self, key: &'a [u8], ttl: Duration) -> StoreFuture<'a> {
        Box::pin(std::future::ready(self.record(None, key, ttl)))
    }

    fn check_and_record_scoped_async<'a>(
        &'a self,
        scope: &'a [u8],
        key: &'a [u8],
        ttl: Duration,
    ) -> StoreFuture<'a> {
        Box::pin(std::future::ready(self.record(
            Some(sha256(scope)),
            key,
            ttl,
        )))
    }
}

impl fmt::Debug for MemoryReplayStore {
    // Keys (even hashed) are not printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryReplayStore")
            .field("max_entries", &self.max_entries)
            .field("scope_quota", &self.scope_quota)
            .field("len", &self.len())
            .field("clock", &self.clock)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(max: usize, clock: &Arc<ManualClock>) -> MemoryReplayStore {
        let clock: Arc<dyn Clock> = clock.clone();
        MemoryReplayStore::with_clock(NonZeroUsize::new(max).unwrap(), clock)
    }

    #[test]
    fn indexes_stay_in_step() {
        let clock = Arc::new(ManualClock::new());
        let s = store(8, &clock);
        for i in 0..8u8 {
            assert_eq!(
                s.check_and_record(&[i], Duration::from_secs(u64::from(i) + 1)),
                Ok(true)
            );
        }
        clock.advance(Duration::from_millis(4500));
        assert_eq!(s.check_and_record(b"x", Duration::from_secs(1)), Ok(true));
        let e = s.lock();
        // Keys 0..=3 (ttl 1..=4 s) expired; 4..=7 and "x" remain.
        assert_eq!(e.deadlines.len(), 5);
        assert_eq!(e.by_expiry.len(), 5);
        for (deadline, digest) in &e.by_expiry {
            assert_eq!(e.deadlines.get(digest).map(|d| d.0), Some(*deadline));
        }
    }

    #[test]
    fn scope_counts_follow_expiry() {
        let clock = Arc::new(ManualClock::new());
        let s = store(8, &clock).with_scope_quota(NonZeroUsize::new(2).unwrap());
        let sec = Duration::from_secs(1);
        // (scope, key, ttl s, expected)
        type Step = (&'static [u8], &'static [u8], u64, Result<bool, StoreError>);
        let steps: [Step; 6] = [
            (b"a", b"1", 1, Ok(true)),
            (b"a", b"2", 3, Ok(true)),
            (b"a", b"3", 3, Err(StoreError::QuotaExceeded)),
            (b"a", b"1", 1, Ok(false)),
            (b"b", b"3", 1, Ok(true)),
            (b"b", b"2", 1, Ok(false)),
        ];
        for (scope, key, ttl, want) in steps {
            let got = s.check_and_record_scoped(scope, key, sec * u32::try_from(ttl).unwrap());
            assert_eq!(got, want, "{scope:?} {key:?}");
        }
        assert_eq!(s.lock().per_scope.get(&sha256(b"a")), Some(&2));
        clock.advance(sec);
        // "1" expired: scope a has room again; scope b's only key expired and its count is gone.
        assert_eq!(s.check_and_record_scoped(b"a", b"3", sec), Ok(true));
        let e = s.lock();
        assert_eq!(e.per_scope.get(&sha256(b"a")), Some(&2));
        assert_eq!(e.per_scope.get(&sha256(b"b")), None);
        let counted: usize = e.per_scope.values().sum();
        assert_eq!(
            counted,
            e.deadlines.values().filter(|d| d.1.is_some()).count()
        );
    }

    #[test]
    fn stores_digest_not_key() {
        let clock = Arc::new(ManualClock::new());
        let s = store(2, &clock);
        let key = vec![b'j'; 1 << 20];
        assert_eq!(s.check_and_record(&key, Duration::from_secs(1)), Ok(true));
        let e = s.lock();
        assert!(e.deadlines.contains_key(&sha256(&key)));
    }
}
