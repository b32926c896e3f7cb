//! Parsing `Content-Digest` / `Repr-Digest` (RFC 9530 §2, §3).

use std::convert::Infallible;

use sfv::visitor::{
    DictionaryVisitor, EntryVisitor, Ignored, InnerListVisitor, ItemVisitor, ParameterVisitor,
};
use sfv::{BareItemFromInput, KeyRef, Parser};

use super::{AlgorithmKind, DigestAlgorithm, DigestError, combine_field};

/// Cap on the bytes of a combined Integrity (or Integrity preference) field value.
///
/// Rationale: both active digests together take under 200 bytes; 8 KiB leaves ample room for
/// unknown algorithms while bounding the parser's work on attacker-supplied fields.
pub const MAX_FIELD_LEN: usize = 8 * 1024;

/// Cap on the members of one Integrity (or Integrity preference) field.
///
/// Rationale: the hash algorithm registry (RFC 9530 §7.2) lists eight algorithms, and a sender
/// has no reason to send more than one or two; 16 keeps the duplicate check (a scan of the
/// members seen so far) bounded at 120 comparisons however a hostile field is shaped.
pub const MAX_MEMBERS: usize = 16;

type Entries = smallvec::SmallVec<[DigestEntry; 2]>;

/// One member of an Integrity field: an Algorithm Key and its decoded digest bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DigestEntry {
    name: std::borrow::Cow<'static, str>,
    algorithm: AlgorithmKind,
    value: Vec<u8>,
}

impl DigestEntry {
    /// The Algorithm Key as it appeared in the field (a valid, lower-case RFC 8941 key).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the key names: an active, deprecated or unknown algorithm.
    #[must_use]
    pub const fn algorithm(&self) -> AlgorithmKind {
        self.algorithm
    }

    /// The decoded Byte Sequence. For an active algorithm its length has been checked.
    #[must_use]
    pub fn value(&self) -> &[u8] {
        &self.value
    }
}

/// A parsed `Content-Digest` or `Repr-Digest` field (RFC 9530 §2, §3): its members in field
/// order.
///
/// Parsing is strict and purely structural; which algorithms are acceptable is decided when
/// verifying, by a [`super::DigestPolicy`]. Member parameters are ignored (RFC 9530 defines
/// none, and RFC 8941 §3.1.2 discourages treating unknown parameters as errors; a signature
/// covers the field bytes, parameters included, so ignoring them opens nothing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContentDigest {
    // Inline for the usual one or two members (sha-256 and/or sha-512): no allocation for the list.
    entries: Entries,
}

impl ContentDigest {
    /// Parses the field from its field lines, in message order (RFC 9110 §5.3: the lines are
    /// trimmed and combined with `", "` first). No lines, or only an empty line, give an empty
    /// field.
    ///
    /// Content-Digest and Repr-Digest share this syntax, so this parses both.
    ///
    /// # Errors
    /// - [`DigestError::TooLargeField`] if the combined value exceeds [`MAX_FIELD_LEN`]
    ///   (checked before parsing);
    /// - [`DigestError::Parse`] if it is not an RFC 8941 Dictionary;
    /// - [`DigestError::NotByteSequence`], [`DigestError::WrongLength`],
    ///   [`DigestError::DuplicateAlgorithm`] for the first offending member, in field order;
    /// - [`DigestError::TooManyMembers`] past [`MAX_MEMBERS`] members.
    ///
    /// Syntax errors anywhere take precedence over member errors.
    pub fn parse(lines: &[&[u8]]) -> Result<Self, DigestError> {
        // RFC 9530 §2; RFC 8941 §4.2.2 (Parsing a Dictionary)
        let combined = combine_field(lines)?;
        let outcome = Parser::new(&combined)
            .parse_dictionary_with_visitor(FieldVisitor::default())
            .map_err(|e| DigestError::Parse { index: e.index() })?;
        outcome.map(|entries| Self { entries })
    }

    /// The members in field order.
    #[must_use]
    pub fn entries(&self) -> &[DigestEntry] {
        &self.entries
    }

    /// Iterates over the members in field order.
    pub fn iter(&self) -> std::slice::Iter<'_, DigestEntry> {
        self.entries.iter()
    }

    /// The digest bytes given for an active algorithm, if present.
    #[must_use]
    pub fn get(&self, algorithm: DigestAlgorithm) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|e| e.algorithm == AlgorithmKind::Active(algorithm))
            .map(DigestEntry::value)
    }

    /// Number of members.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the field has no members (absent or empty).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a> IntoIterator for &'a ContentDigest {
    type Item = &'a DigestEntry;
    type IntoIter = std::slice::Iter<'a, DigestEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

/// Collects members; never fails inside `sfv` (a visitor error would reach us only as text),
/// but records the first member error and reports it from `finish`, after the whole field has
/// passed the syntax check.
#[derive(Default)]
struct FieldVisitor {
    entries: Entries,
    error: Option<DigestError>,
    next_member: usize,
}

impl<'de> DictionaryVisitor<'de> for FieldVisitor {
    type Out = Result<Entries, DigestError>;
    type Error = Infallible;

    fn entry(&mut self, key: &'de KeyRef) -> Result<impl EntryVisitor<'de>, Self::Error> {
        let member = self.next_member;
        self.next_member = self.next_member.saturating_add(1);
        if self.error.is_some() {
            return Ok(None);
        }
        if member >= MAX_MEMBERS {
            self.error = Some(DigestError::TooManyMembers { max: MAX_MEMBERS });
            return Ok(None);
        }
        let algorithm = AlgorithmKind::from_name(key.as_str());
        // Every member before the first error was recorded, so its names are all seen so far.
        if self.entries.iter().any(|e| e.name == key.as_str()) {
            // RFC 8941 says the last value wins; see DigestError::DuplicateAlgorithm for why
            // we refuse instead.
            self.error = Some(DigestError::DuplicateAlgorithm { member, algorithm });
            return Ok(None);
        }
        Ok(Some(MemberVisitor {
            parent: self,
            key,
            member,
            algorithm,
        }))
    }

    fn finish(self) -> Result<Self::Out, Self::Error> {
        Ok(match self.error {
            Some(e) => Err(e),
            None => Ok(self.entries),
        })
    }
}

struct MemberVisitor<'a, 'de> {
    parent: &'a mut FieldVisitor,
    key: &'de KeyRef,
    member: usize,
    algorithm: AlgorithmKind,
}

impl MemberVisitor<'_, '_> {
    fn not_byte_sequence(self) {
        self.parent.error = Some(DigestError::NotByteSequence {
            member: self.member,
            algorithm: self.algorithm,
        });
    }
}

impl<'de> EntryVisitor<'de> for MemberVisitor<'_, 'de> {
    type Error = Infallible;

    fn item(self) -> Result<impl ItemVisitor<'de>, Self::Error> {
        Ok(self)
    }

    fn inner_list(self) -> Result<impl InnerListVisitor<'de>, Self::Error> {
        self.not_byte_sequence();
        Ok(Ignored)
    }
}

impl<'de> ItemVisitor<'de> for MemberVisitor<'_, 'de> {
    type Out = ();
    type Error = Infallible;

    fn bare_item(
        self,
        bare_item: BareItemFromInput<'de>,
    ) -> Result<impl ParameterVisitor<'de, Out = Self::Out>, Self::Error> {
        let BareItemFromInput::ByteSequence(value) = bare_item else {
            self.not_byte_sequence();
            return Ok(Ignored);
        };
        if let AlgorithmKind::Active(alg) = self.algorithm
            && value.len() != alg.output_len()
        {
            self.parent.error = Some(DigestError::WrongLength {
                algorithm: alg,
                expected: alg.output_len(),
                actual: value.len(),
            });
            return Ok(Ignored);
        }
        let name = match self.algorithm {
            AlgorithmKind::Active(a) => std::borrow::Cow::Borrowed(a.name()),
            AlgorithmKind::Deprecated(d) => std::borrow::Cow::Borrowed(d.name()),
            _ => std::borrow::Cow::Owned(self.key.as_str().to_owned()),
        };
        self.parent.entries.push(DigestEntry {
            name,
            algorithm: self.algorithm,
            value,
        });
        // Parameters are ignored; see ContentDigest.
        Ok(Ignored)
    }
}
