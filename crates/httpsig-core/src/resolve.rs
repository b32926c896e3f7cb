//! Finding the verification key of a signature: the resolver seam (RFC 9421 §3.2 step 4).
//!
//! A [`KeyResolver`] is `Send + Sync` and hands out shared keys ([`ResolvedKey`]: borrowed from
//! the resolver, or an `Arc` taken from a snapshot), in the shape of rustls'
//! `ResolvesServerCert`, so that a service can hold one resolver behind an `Arc` and a cache can
//! swap its whole key set atomically. Lookup stays synchronous and I/O-free: fetching and caching
//! happen outside (see the `httpsig-jwks` crate); the resolver answers from memory.
//!
//! "No such key" and "could not look up" are different answers ([`ResolveError`]): the first
//! refuses the signature (`verify.key_not_found`, 401), the second is the service's fault
//! (`key.unavailable`, 503), so an unreachable JWKS endpoint is never reported as a forgery.

use core::fmt;
use core::ops::Deref;
use std::sync::Arc;

use crate::crypto::VerifyingKey;
use crate::error::Error;
use crate::keys::KeyError;

mod jwks;

pub use self::jwks::{JwksKeySet, SkipReason, SkippedKey};

/// What a resolver is told about a signature when asked for its key.
#[derive(Clone, Copy, Debug)]
pub struct KeyLookup<'a> {
    /// The signature's label.
    pub label: &'a str,
    /// The `keyid` parameter.
    pub keyid: Option<&'a str>,
    /// The `alg` parameter.
    pub alg: Option<&'a str>,
    /// The `tag` parameter.
    pub tag: Option<&'a str>,
}

impl<'a> KeyLookup<'a> {
    /// A lookup for the signature labelled `label` carrying `keyid` (no `alg`, no `tag`).
    pub fn new(label: &'a str, keyid: Option<&'a str>) -> Self {
        Self {
            label,
            keyid,
            alg: None,
            tag: None,
        }
    }
}

/// A key handed out by a resolver: borrowed from it (a single key, a fixed [`KeySet`]: no
/// allocation, no reference count), or shared (an `Arc` taken from a snapshot that may be
/// replaced while the key is in use). Either way it dereferences to the key.
#[derive(Clone)]
pub enum ResolvedKey<'a> {
    /// A key the resolver owns for at least `'a`.
    Borrowed(&'a dyn VerifyingKey),
    /// A key shared with the resolver (cloning the `Arc` does not allocate).
    Shared(Arc<dyn VerifyingKey>),
}

impl ResolvedKey<'_> {
    /// The key as an `Arc` (a borrowed key cannot be turned into one; see
    /// [`ResolvedKey::Borrowed`]), or `None` for a borrowed key.
    pub fn shared(&self) -> Option<&Arc<dyn VerifyingKey>> {
        match self {
            Self::Borrowed(_) => None,
            Self::Shared(k) => Some(k),
        }
    }
}

impl<'a> Deref for ResolvedKey<'a> {
    type Target = dyn VerifyingKey + 'a;

    fn deref(&self) -> &Self::Target {
        match self {
            Self::Borrowed(k) => *k,
            Self::Shared(k) => k.as_ref(),
        }
    }
}

impl<'a> From<&'a dyn VerifyingKey> for ResolvedKey<'a> {
    fn from(key: &'a dyn VerifyingKey) -> Self {
        Self::Borrowed(key)
    }
}

impl From<Arc<dyn VerifyingKey>> for ResolvedKey<'_> {
    fn from(key: Arc<dyn VerifyingKey>) -> Self {
        Self::Shared(key)
    }
}

impl fmt::Debug for ResolvedKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The key's own Debug prints no secret material (crypto::VerifyingKey requires it).
        let kind = match self {
            Self::Borrowed(_) => "Borrowed",
            Self::Shared(_) => "Shared",
        };
        f.debug_tuple(kind).field(&&**self).finish()
    }
}

/// Why a resolver gave no key.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResolveError {
    /// No key is known (or trusted) for this signature: the signature is refused
    /// ([`Error::KeyNotFound`], `verify.key_not_found`, 401).
    NotFound,
    /// The keys could not be looked up now (a JWKS endpoint unreachable and the cached set too
    /// old to serve, a store down): not the signer's fault ([`Error::KeyUnavailable`],
    /// `key.unavailable`, 503). Retrying later may succeed.
    Unavailable,
    /// The keys are known but unusable for this signature, e.g. two members of a JWK Set fit it
    /// (`key.jwks_ambiguous_key`): [`Error::Key`].
    Key(KeyError),
}

impl ResolveError {
    /// A stable, machine-readable code: `verify.key_not_found`, `key.unavailable`, or the key
    /// error's code.
    pub fn code(&self) -> &'static str {
        Error::from(self.clone()).code()
    }
}

impl fmt::Display for ResolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => f.write_str("no key is known for this signature"),
            Self::Unavailable => f.write_str("the verification keys are unavailable"),
            Self::Key(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ResolveError {}

impl From<ResolveError> for Error {
    fn from(e: ResolveError) -> Self {
        match e {
            ResolveError::NotFound => Self::KeyNotFound,
            ResolveError::Unavailable => Self::KeyUnavailable,
            ResolveError::Key(k) => Self::Key(k),
        }
    }
}

impl From<KeyError> for ResolveError {
    fn from(e: KeyError) -> Self {
        Self::Key(e)
    }
}

/// Finds the verification key for a signature. Synchronous and I/O-free: fetch and cache keys
/// outside, then answer from memory. `Send + Sync`, so one resolver serves every request of a
/// service (hold it in an `Arc`).
///
/// # Examples
/// A resolver over a set that another task replaces (what a JWKS cache does):
/// ```
/// use std::sync::{Arc, RwLock};
/// use httpsig_core::{KeyLookup, KeyResolver, KeySet, ResolveError, ResolvedKey};
///
/// #[derive(Debug, Default)]
/// struct Rotating(RwLock<Arc<KeySet>>);
///
/// impl KeyResolver for Rotating {
///     fn resolve<'s>(&'s self, lookup: &KeyLookup<'_>) -> Result<ResolvedKey<'s>, ResolveError> {
///         // Take the current set, then hand the key out as an Arc: the set may be replaced
///         // while the signature is verified.
///         let set = Arc::clone(&*self.0.read().map_err(|_| ResolveError::Unavailable)?);
///         set.shared(lookup).map(ResolvedKey::Shared)
///     }
/// }
/// # let r = Rotating::default();
/// # assert_eq!(r.resolve(&KeyLookup::new("sig1", Some("k"))).err(), Some(ResolveError::NotFound));
/// ```
pub trait KeyResolver: Send + Sync {
    /// The key for this signature.
    ///
    /// # Errors
    /// [`ResolveError::NotFound`] when the key is unknown or untrusted,
    /// [`ResolveError::Unavailable`] when the keys cannot be looked up now,
    /// [`ResolveError::Key`] when the keys known cannot decide (ambiguous).
    fn resolve<'s>(&'s self, lookup: &KeyLookup<'_>) -> Result<ResolvedKey<'s>, ResolveError>;
}

/// A single key resolves a signature whose `keyid` is absent or equals the key's id; it is
/// lent, not copied (`policy.verify(input, &key.public_key())`).
impl<K: VerifyingKey> KeyResolver for K {
    fn resolve<'s>(&'s self, lookup: &KeyLookup<'_>) -> Result<ResolvedKey<'s>, ResolveError> {
        match (lookup.keyid, self.key_id()) {
            (Some(want), Some(have)) if want != have => Err(ResolveError::NotFound),
            _ => Ok(ResolvedKey::Borrowed(self)),
        }
    }
}

/// Keys by `keyid`. A signature without `keyid` resolves to nothing.
#[derive(Clone, Default)]
pub struct KeySet {
    keys: Vec<(String, Arc<dyn VerifyingKey>)>,
}

impl KeySet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a key under `keyid` (replacing one with the same id).
    pub fn insert<K: VerifyingKey + 'static>(&mut self, keyid: &str, key: K) {
        self.insert_shared(keyid, Arc::new(key));
    }

    /// Adds a shared key under `keyid` (replacing one with the same id).
    pub fn insert_shared(&mut self, keyid: &str, key: Arc<dyn VerifyingKey>) {
        self.keys.retain(|(k, _)| k != keyid);
        self.keys.push((keyid.to_owned(), key));
    }

    /// The key for `lookup` as an `Arc`, for resolvers that hand out keys of a set they may
    /// replace.
    ///
    /// # Errors
    /// [`ResolveError::NotFound`] when the lookup has no `keyid` or the set lacks it.
    pub fn shared(&self, lookup: &KeyLookup<'_>) -> Result<Arc<dyn VerifyingKey>, ResolveError> {
        let id = lookup.keyid.ok_or(ResolveError::NotFound)?;
        self.keys
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, v)| Arc::clone(v))
            .ok_or(ResolveError::NotFound)
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True if the set has no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.keys.iter().map(|(k, _)| k))
            .finish()
    }
}

impl KeyResolver for KeySet {
    fn resolve<'s>(&'s self, lookup: &KeyLookup<'_>) -> Result<ResolvedKey<'s>, ResolveError> {
        let id = lookup.keyid.ok_or(ResolveError::NotFound)?;
        self.keys
            .iter()
            .find(|(k, _)| k == id)
            .map(|(_, v)| ResolvedKey::Borrowed(v.as_ref()))
            .ok_or(ResolveError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::HmacKey;

    fn hmac(id: &str) -> HmacKey {
        HmacKey::new(&[7; 32]).expect("key").with_key_id(id)
    }

    #[test]
    fn resolve_errors_map_to_core_errors() {
        let cases = [
            (ResolveError::NotFound, "verify.key_not_found", 401),
            (ResolveError::Unavailable, "key.unavailable", 503),
            (
                ResolveError::Key(KeyError::JwksAmbiguousKey),
                "key.jwks_ambiguous_key",
                500,
            ),
        ];
        for (e, code, status) in cases {
            assert_eq!(e.code(), code);
            assert_eq!(Error::from(e).http_status(), status, "{code}");
        }
    }

    #[test]
    fn single_key_and_key_set() {
        let key = hmac("a");
        let at = |keyid| KeyLookup::new("sig1", keyid);
        assert!(matches!(
            key.resolve(&at(None)),
            Ok(ResolvedKey::Borrowed(_))
        ));
        assert!(key.resolve(&at(Some("a"))).is_ok());
        assert_eq!(
            key.resolve(&at(Some("b"))).err(),
            Some(ResolveError::NotFound)
        );
        let mut set = KeySet::new();
        set.insert("a", Box::new(hmac("a")) as Box<dyn VerifyingKey>);
        set.insert("b", hmac("b"));
        set.insert_shared("a", Arc::new(hmac("a2")));
        assert_eq!(set.len(), 2);
        assert_eq!(
            set.resolve(&at(Some("a")))
                .map(|k| k.key_id().map(str::to_owned)),
            Ok(Some("a2".to_owned()))
        );
        assert_eq!(set.resolve(&at(None)).err(), Some(ResolveError::NotFound));
        assert_eq!(
            set.resolve(&at(Some("c"))).err(),
            Some(ResolveError::NotFound)
        );
        assert!(set.shared(&at(Some("b"))).is_ok());
    }
}
