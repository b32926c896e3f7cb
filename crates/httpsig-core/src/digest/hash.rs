//! Computing and verifying digests: one-shot and frame by frame, on one code path.

use std::fmt;

use sfv::{DictSerializer, KeyRef, RefBareItem};

use super::{AlgorithmKind, ContentDigest, DigestAlgorithm, DigestError};
use crate::crypto::{CryptoProvider, HashAlgorithm, HashContext};

/// The content limit used by [`DigestPolicy::default`]: 10 MiB.
pub const DEFAULT_MAX_BODY_LEN: u64 = 10 * 1024 * 1024;

/// The crypto provider's name for a digest algorithm.
fn hash_algorithm(algorithm: DigestAlgorithm) -> HashAlgorithm {
    match algorithm {
        DigestAlgorithm::Sha256 => HashAlgorithm::Sha256,
        DigestAlgorithm::Sha512 => HashAlgorithm::Sha512,
    }
}

/// A running hash held by the crypto provider.
struct HashState(Box<dyn HashContext>);

impl HashState {
    fn new(provider: &CryptoProvider, algorithm: DigestAlgorithm) -> Self {
        Self(provider.hash.start(hash_algorithm(algorithm)))
    }

    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn finish(self, algorithm: DigestAlgorithm) -> Digest {
        Digest::from_output(algorithm, self.0.finish().as_ref())
    }
}

/// A computed digest: an algorithm and its output.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Digest {
    algorithm: DigestAlgorithm,
    // Sized for the longest supported output; only the first `output_len()` bytes are used.
    bytes: [u8; 64],
}

impl Digest {
    fn from_output(algorithm: DigestAlgorithm, output: &[u8]) -> Self {
        let mut bytes = [0u8; 64];
        for (dst, src) in bytes.iter_mut().zip(output) {
            *dst = *src;
        }
        Self { algorithm, bytes }
    }

    /// The algorithm that produced this digest.
    #[must_use]
    pub const fn algorithm(&self) -> DigestAlgorithm {
        self.algorithm
    }

    /// The digest bytes (32 for SHA-256, 64 for SHA-512).
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes
            .get(..self.algorithm.output_len())
            .unwrap_or(&self.bytes)
    }
}

impl AsRef<[u8]> for Digest {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Digest({}, ", self.algorithm)?;
        for b in self.as_bytes() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// Computes the digest of `content` with one algorithm, with the *ring* provider.
///
/// For `Content-Digest` the content is the message content as sent, after any content coding
/// (RFC 9530 §2, RFC 9110 §6.4).
#[must_use]
pub fn content_digest(algorithm: DigestAlgorithm, content: &[u8]) -> Digest {
    content_digest_with(&CryptoProvider::default(), algorithm, content)
}

/// [`content_digest`], hashed by `provider` (in one call: no allocation).
#[must_use]
pub fn content_digest_with(
    provider: &CryptoProvider,
    algorithm: DigestAlgorithm,
    content: &[u8],
) -> Digest {
    let out = provider.digest(hash_algorithm(algorithm), content);
    Digest::from_output(algorithm, out.as_ref())
}

/// Computes a `Content-Digest` field value for `content`, one member per algorithm in the
/// order given (a repeated algorithm is written once), e.g.
/// `sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:`.
///
/// An empty `algorithms` slice gives an empty string: RFC 8941 §4.1 does not serialize empty
/// dictionaries, so do not send the field at all in that case.
#[must_use]
pub fn header_value(algorithms: &[DigestAlgorithm], content: &[u8]) -> String {
    header_value_with(&CryptoProvider::default(), algorithms, content)
}

/// [`header_value`], hashed by `provider`.
#[must_use]
pub fn header_value_with(
    provider: &CryptoProvider,
    algorithms: &[DigestAlgorithm],
    content: &[u8],
) -> String {
    let digests: Vec<Digest> = dedup(algorithms)
        .as_slice()
        .iter()
        .map(|alg| content_digest_with(provider, *alg, content))
        .collect();
    serialize(&digests)
}

fn serialize(digests: &[Digest]) -> String {
    const SHA256: &KeyRef = sfv::key_ref("sha-256");
    const SHA512: &KeyRef = sfv::key_ref("sha-512");
    let mut ser = DictSerializer::new();
    for d in digests {
        let key = match d.algorithm {
            DigestAlgorithm::Sha256 => SHA256,
            DigestAlgorithm::Sha512 => SHA512,
        };
        // The returned parameter serializer is dropped at once: no parameters.
        let _params = ser.bare_item(key, RefBareItem::ByteSequence(d.as_bytes()));
    }
    ser.finish().unwrap_or_default()
}

/// A set of active algorithms in order, without allocation (there are two).
#[derive(Clone, Copy, PartialEq, Eq)]
struct AlgList {
    algs: [DigestAlgorithm; 2],
    len: usize,
}

impl AlgList {
    const fn new() -> Self {
        Self {
            algs: [DigestAlgorithm::Sha256; 2],
            len: 0,
        }
    }

    fn push(&mut self, alg: DigestAlgorithm) {
        if !self.as_slice().contains(&alg)
            && let Some(slot) = self.algs.get_mut(self.len)
        {
            *slot = alg;
            self.len += 1;
        }
    }

    fn as_slice(&self) -> &[DigestAlgorithm] {
        self.algs.get(..self.len).unwrap_or(&[])
    }

    fn contains(&self, alg: &DigestAlgorithm) -> bool {
        self.as_slice().contains(alg)
    }

    const fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for AlgList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

fn dedup(algorithms: &[DigestAlgorithm]) -> AlgList {
    let mut out = AlgList::new();
    for alg in algorithms {
        out.push(*alg);
    }
    out
}

/// How Integrity fields are verified: which algorithms count, how much content may be hashed,
/// and whether a verified digest is required.
///
/// Defaults: both active algorithms accepted, [`DEFAULT_MAX_BODY_LEN`] (10 MiB), digest
/// required. Deprecated algorithms are always refused; there is no setting for them.
///
/// # Examples
/// ```
/// use httpsig_core::digest::{DigestAlgorithm, DigestPolicy};
///
/// // Accept only SHA-512 digests, of at most 1 MiB of content.
/// let policy = DigestPolicy::new(1024 * 1024).with_algorithms(&[DigestAlgorithm::Sha512]);
/// assert!(!policy.accepts(DigestAlgorithm::Sha256));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestPolicy {
    algorithms: Vec<DigestAlgorithm>,
    max_body_len: u64,
    require: bool,
}

impl DigestPolicy {
    /// A policy hashing at most `max_body_len` bytes of content, accepting both active
    /// algorithms and requiring at least one verified digest.
    #[must_use]
    pub fn new(max_body_len: u64) -> Self {
        Self {
            algorithms: DigestAlgorithm::ALL.to_vec(),
            max_body_len,
            require: true,
        }
    }

    /// Restricts the accepted algorithms (RFC 9530 §6.6: a receiver is only as strong as the
    /// weakest algorithm it accepts). Digests of active algorithms outside this set are
    /// ignored, neither checked nor counted. An empty set accepts nothing.
    #[must_use]
    pub fn with_algorithms(mut self, algorithms: &[DigestAlgorithm]) -> Self {
        self.algorithms = dedup(algorithms).as_slice().to_vec();
        self
    }

    /// Sets the content limit in bytes.
    #[must_use]
    pub const fn with_max_body_len(mut self, max_body_len: u64) -> Self {
        self.max_body_len = max_body_len;
        self
    }

    /// Whether a field without any accepted digest (or no field) fails verification
    /// (`true`, the default) or verifies with nothing matched (`false`, RFC 9530 §2's "MAY
    /// ignore"). Deprecated algorithms and wrong digests fail either way.
    #[must_use]
    pub const fn with_require(mut self, require: bool) -> Self {
        self.require = require;
        self
    }

    /// The accepted algorithms.
    #[must_use]
    pub fn algorithms(&self) -> &[DigestAlgorithm] {
        self.algorithms.as_slice()
    }

    /// Whether `algorithm` is accepted.
    #[must_use]
    pub fn accepts(&self, algorithm: DigestAlgorithm) -> bool {
        self.algorithms.contains(&algorithm)
    }

    /// The content limit in bytes.
    #[must_use]
    pub const fn max_body_len(&self) -> u64 {
        self.max_body_len
    }

    /// Whether an accepted digest is required.
    #[must_use]
    pub const fn require(&self) -> bool {
        self.require
    }

    /// The cheap checks, run before any hashing: no deprecated algorithm, and an accepted one
    /// unless not required. Returns the accepted algorithms present, in field order.
    fn plan(&self, field: &ContentDigest, require: bool) -> Result<AlgList, DigestError> {
        // RFC 9530 §5: deprecated algorithms MUST NOT be used in adversarial settings. Fail
        // closed even when an active digest is present too.
        if let Some(alg) = field.iter().find_map(|e| match e.algorithm() {
            AlgorithmKind::Deprecated(alg) => Some(alg),
            _ => None,
        }) {
            return Err(DigestError::DeprecatedAlgorithm(alg));
        }
        let mut accepted = AlgList::new();
        for e in field.iter() {
            if let AlgorithmKind::Active(alg) = e.algorithm()
                && self.accepts(alg)
            {
                accepted.push(alg);
            }
        }
        if accepted.is_empty() && require {
            return Err(DigestError::NoSupportedAlgorithm);
        }
        Ok(accepted)
    }
}

impl Default for DigestPolicy {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_BODY_LEN)
    }
}

/// Hashes content as it arrives, frame by frame, enforcing a size limit as frames arrive.
///
/// [`verify_content_digest`] is this hasher fed a single frame, so the streaming and one-shot
/// paths agree by construction.
///
/// # Examples
/// ```
/// use httpsig_core::digest::{ContentDigest, ContentDigestHasher, DigestPolicy};
///
/// let field = ContentDigest::parse(&[b"sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"])?;
/// let policy = DigestPolicy::default();
/// let mut hasher = ContentDigestHasher::for_field(&field, &policy)?;
/// for frame in [&b"{\"hello\""[..], b": \"world\"}"] {
///     hasher.update(frame)?;
/// }
/// let verified = hasher.finish()?.verify(&field, &policy)?;
/// assert_eq!(verified.algorithms().len(), 1);
/// # Ok::<(), httpsig_core::digest::DigestError>(())
/// ```
pub struct ContentDigestHasher {
    states: [Option<(DigestAlgorithm, HashState)>; 2],
    len: u64,
    max_len: u64,
    exceeded: bool,
}

impl ContentDigestHasher {
    /// A hasher computing `algorithms` (a repeated algorithm is computed once) over at most
    /// `max_len` bytes of content, with the *ring* provider.
    #[must_use]
    pub fn new(algorithms: &[DigestAlgorithm], max_len: u64) -> Self {
        Self::new_with(&CryptoProvider::default(), algorithms, max_len)
    }

    /// [`ContentDigestHasher::new`], hashing with `provider`.
    #[must_use]
    pub fn new_with(
        provider: &CryptoProvider,
        algorithms: &[DigestAlgorithm],
        max_len: u64,
    ) -> Self {
        Self {
            states: {
                let list = dedup(algorithms);
                let mut states = [None, None];
                for (slot, alg) in states.iter_mut().zip(list.as_slice()) {
                    *slot = Some((*alg, HashState::new(provider, *alg)));
                }
                states
            },
            len: 0,
            max_len,
            exceeded: false,
        }
    }

    /// A hasher for verifying `field` under `policy`: it computes exactly the accepted
    /// algorithms the field carries, with the policy's content limit.
    ///
    /// # Errors
    /// The checks that need no content, so a server can refuse before reading the body:
    /// [`DigestError::DeprecatedAlgorithm`] if the field carries a deprecated algorithm;
    /// [`DigestError::NoSupportedAlgorithm`] if it carries no accepted one and the policy
    /// requires one.
    pub fn for_field(field: &ContentDigest, policy: &DigestPolicy) -> Result<Self, DigestError> {
        Self::for_field_with(&CryptoProvider::default(), field, policy)
    }

    /// [`ContentDigestHasher::for_field`], hashing with `provider`.
    ///
    /// # Errors
    /// As [`ContentDigestHasher::for_field`].
    pub fn for_field_with(
        provider: &CryptoProvider,
        field: &ContentDigest,
        policy: &DigestPolicy,
    ) -> Result<Self, DigestError> {
        let algorithms = policy.plan(field, policy.require)?;
        Ok(Self::new_with(
            provider,
            algorithms.as_slice(),
            policy.max_body_len,
        ))
    }

    /// Feeds the next frame of content.
    ///
    /// # Errors
    /// [`DigestError::BodyTooLarge`] if the content so far would exceed the limit; the frame is
    /// not hashed, and every later call (and [`Self::finish`]) fails the same way.
    pub fn update(&mut self, frame: &[u8]) -> Result<(), DigestError> {
        let frame_len = u64::try_from(frame.len()).unwrap_or(u64::MAX);
        let new_len = self.len.saturating_add(frame_len);
        if self.exceeded || new_len > self.max_len {
            self.exceeded = true;
            return Err(DigestError::BodyTooLarge { max: self.max_len });
        }
        self.len = new_len;
        for (_, state) in self.states.iter_mut().flatten() {
            state.update(frame);
        }
        Ok(())
    }

    /// Bytes of content hashed so far.
    #[must_use]
    pub const fn len(&self) -> u64 {
        self.len
    }

    /// Whether no content has been hashed yet.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Finishes hashing.
    ///
    /// # Errors
    /// [`DigestError::BodyTooLarge`] if any [`Self::update`] exceeded the limit: the digests of
    /// a truncated body are never handed out.
    pub fn finish(self) -> Result<Digests, DigestError> {
        if self.exceeded {
            return Err(DigestError::BodyTooLarge { max: self.max_len });
        }
        let mut digests = Digests {
            list: [Digest::from_output(DigestAlgorithm::Sha256, &[]); 2],
            n: 0,
            len: self.len,
        };
        for (alg, state) in self.states.into_iter().flatten() {
            if let Some(slot) = digests.list.get_mut(digests.n) {
                *slot = state.finish(alg);
                digests.n += 1;
            }
        }
        Ok(digests)
    }
}

impl fmt::Debug for ContentDigestHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ContentDigestHasher")
            .field(
                "algorithms",
                &self
                    .states
                    .iter()
                    .flatten()
                    .map(|(alg, _)| *alg)
                    .collect::<Vec<_>>(),
            )
            .field("len", &self.len)
            .field("max_len", &self.max_len)
            .field("exceeded", &self.exceeded)
            .finish()
    }
}

/// The result of a [`ContentDigestHasher`]: one digest per algorithm, and the content length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digests {
    list: [Digest; 2],
    n: usize,
    len: u64,
}

impl Digests {
    /// The digest for `algorithm`, if it was computed.
    #[must_use]
    pub fn get(&self, algorithm: DigestAlgorithm) -> Option<&Digest> {
        self.as_slice().iter().find(|d| d.algorithm == algorithm)
    }

    fn as_slice(&self) -> &[Digest] {
        self.list.get(..self.n).unwrap_or(&[])
    }

    /// The digests, in the order the hasher was given the algorithms.
    pub fn iter(&self) -> std::slice::Iter<'_, Digest> {
        self.as_slice().iter()
    }

    /// Length of the content that was hashed.
    #[must_use]
    pub const fn content_len(&self) -> u64 {
        self.len
    }

    /// The `Content-Digest` field value for these digests, as [`header_value`] writes it.
    #[must_use]
    pub fn to_header_value(&self) -> String {
        serialize(self.as_slice())
    }

    /// Checks `field` against these digests under `policy`: every accepted digest the field
    /// carries must match.
    ///
    /// The comparison looks at every byte of equal-length values (no early exit). Digests of
    /// public content are not secret, so this is for predictability, not a security control.
    ///
    /// # Errors
    /// [`DigestError::DeprecatedAlgorithm`], [`DigestError::NoSupportedAlgorithm`] (see
    /// [`ContentDigestHasher::for_field`]); [`DigestError::BodyTooLarge`] if more content was
    /// hashed than the policy allows; [`DigestError::NotHashed`] if an accepted algorithm in
    /// the field was not computed; [`DigestError::Mismatch`] for the first digest, in field
    /// order, that does not match.
    pub fn verify(
        &self,
        field: &ContentDigest,
        policy: &DigestPolicy,
    ) -> Result<Verified, DigestError> {
        self.verify_with(field, policy, policy.require)
    }

    fn verify_with(
        &self,
        field: &ContentDigest,
        policy: &DigestPolicy,
        require: bool,
    ) -> Result<Verified, DigestError> {
        let algorithms = policy.plan(field, require)?;
        if self.len > policy.max_body_len {
            return Err(DigestError::BodyTooLarge {
                max: policy.max_body_len,
            });
        }
        for alg in algorithms.as_slice() {
            let computed = self.get(*alg).ok_or(DigestError::NotHashed(*alg))?;
            // Invariant: `plan` only returns algorithms present in the field.
            let given = field.get(*alg).ok_or(DigestError::NotHashed(*alg))?;
            if !bytes_equal(computed.as_bytes(), given) {
                return Err(DigestError::Mismatch(*alg));
            }
        }
        Ok(Verified { algorithms })
    }
}

impl<'a> IntoIterator for &'a Digests {
    type Item = &'a Digest;
    type IntoIter = std::slice::Iter<'a, Digest>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

/// Compares every byte; the lengths of digests are public and fixed by the algorithm.
fn bytes_equal(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A successful verification: the accepted algorithms whose digests matched, in field order.
/// Empty only when the policy does not require a digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    algorithms: AlgList,
}

impl Verified {
    /// The algorithms whose digests matched, in field order.
    #[must_use]
    pub fn algorithms(&self) -> &[DigestAlgorithm] {
        self.algorithms.as_slice()
    }

    /// Whether `algorithm`'s digest was present and matched.
    #[must_use]
    pub fn contains(&self, algorithm: DigestAlgorithm) -> bool {
        self.algorithms.contains(&algorithm)
    }

    /// Whether nothing was verified (possible only with [`DigestPolicy::with_require`]`(false)`).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.algorithms.is_empty()
    }
}

/// Verifies a `Content-Digest` (or `Repr-Digest`) field, given as its field lines, against
/// the complete content.
///
/// Order of checks: field size and syntax, member types and lengths, deprecated algorithms,
/// accepted algorithms, content size (before any hashing), then the digests. This is
/// [`ContentDigest::parse`], [`ContentDigestHasher::for_field`], one
/// [`ContentDigestHasher::update`] and [`Digests::verify`].
///
/// # Errors
/// Any error of those steps; see [`DigestError`].
pub fn verify_content_digest(
    lines: &[&[u8]],
    content: &[u8],
    policy: &DigestPolicy,
) -> Result<Verified, DigestError> {
    verify_content_digest_with(&CryptoProvider::default(), lines, content, policy)
}

/// [`verify_content_digest`], hashing with `provider`.
///
/// # Errors
/// As [`verify_content_digest`].
pub fn verify_content_digest_with(
    provider: &CryptoProvider,
    lines: &[&[u8]],
    content: &[u8],
    policy: &DigestPolicy,
) -> Result<Verified, DigestError> {
    let field = ContentDigest::parse(lines)?;
    let mut hasher = ContentDigestHasher::for_field_with(provider, &field, policy)?;
    hasher.update(content)?;
    hasher.finish()?.verify(&field, policy)
}

/// Content whose digests are computed at most once per algorithm, however many covered
/// Integrity fields are checked against it (a signature may cover the field several times:
/// as a header and a trailer, with `;sf`, `;bs` or several `;key`s).
pub(crate) struct ContentHashes<'b> {
    provider: CryptoProvider,
    content: &'b [u8],
    max_len: u64,
    done: [Option<Digest>; 2],
}

impl<'b> ContentHashes<'b> {
    /// `content`, to be hashed by `provider` under `policy`'s size limit.
    pub(crate) fn new(provider: CryptoProvider, content: &'b [u8], policy: &DigestPolicy) -> Self {
        Self {
            provider,
            content,
            max_len: policy.max_body_len,
            done: [None, None],
        }
    }

    fn digest(&mut self, algorithm: DigestAlgorithm) -> Result<Digest, DigestError> {
        let len = u64::try_from(self.content.len()).unwrap_or(u64::MAX);
        if len > self.max_len {
            return Err(DigestError::BodyTooLarge { max: self.max_len });
        }
        let [sha256, sha512] = &mut self.done;
        let slot = match algorithm {
            DigestAlgorithm::Sha256 => sha256,
            DigestAlgorithm::Sha512 => sha512,
        };
        Ok(*slot
            .get_or_insert_with(|| content_digest_with(&self.provider, algorithm, self.content)))
    }
}

/// Verifies an Integrity field that a signature covers (RFC 9421 §7.2.8, RFC 9530 §6.3): the
/// value the signature vouches for must be the value checked against the content.
///
/// Unlike [`verify_content_digest`], an accepted digest is always required, whatever
/// [`DigestPolicy::with_require`] says: a covered field that matched nothing would vouch for
/// nothing. When the signature covers a single member (`;key="…"`), that member must name an
/// algorithm the policy accepts and be present. Every accepted digest in the field must match
/// either way; deprecated algorithms fail as in [`verify_content_digest`].
pub(crate) fn verify_covered(
    field: &ContentDigest,
    content: &mut ContentHashes<'_>,
    policy: &DigestPolicy,
    member: Option<&str>,
) -> Result<(), DigestError> {
    if let Some(name) = member {
        match AlgorithmKind::from_name(name) {
            AlgorithmKind::Active(alg) if policy.accepts(alg) => {
                if field.get(alg).is_none() {
                    return Err(DigestError::CoveredMemberMissing(alg));
                }
            }
            kind => return Err(DigestError::CoveredMemberNotAccepted(kind)),
        }
    }
    let algorithms = policy.plan(field, true)?;
    for alg in algorithms.as_slice() {
        let computed = content.digest(*alg)?;
        // Invariant: `plan` only returns algorithms present in the field.
        let given = field.get(*alg).ok_or(DigestError::NotHashed(*alg))?;
        if !bytes_equal(computed.as_bytes(), given) {
            return Err(DigestError::Mismatch(*alg));
        }
    }
    Ok(())
}
