//! Parsing `Want-Content-Digest` / `Want-Repr-Digest` (RFC 9530 §4).

use std::collections::BTreeMap;
use std::convert::Infallible;

use sfv::visitor::{
    DictionaryVisitor, EntryVisitor, Ignored, InnerListVisitor, ItemVisitor, ParameterVisitor,
};
use sfv::{BareItemFromInput, KeyRef, Parser};

use super::{AlgorithmKind, DigestAlgorithm, DigestError, MAX_MEMBERS, combine_field};

/// One member of an Integrity preference field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WantEntry {
    name: String,
    algorithm: AlgorithmKind,
    weight: u8,
}

impl WantEntry {
    /// The Algorithm Key as it appeared in the field.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// What the key names.
    #[must_use]
    pub const fn algorithm(&self) -> AlgorithmKind {
        self.algorithm
    }

    /// The weight, 0..=10: 0 means "not acceptable", 10 is the most preferred.
    #[must_use]
    pub const fn weight(&self) -> u8 {
        self.weight
    }
}

/// A parsed `Want-Content-Digest` or `Want-Repr-Digest` field (RFC 9530 §4): algorithm
/// preferences, a hint only.
///
/// Unlike Integrity fields, a repeated key follows RFC 8941 (the last value wins, at the first
/// one's position): a preference is not integrity material, and being lenient here cannot make
/// a wrong digest verify. Member parameters are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WantContentDigest {
    entries: Vec<WantEntry>,
}

impl WantContentDigest {
    /// Parses the field from its field lines, in message order (trimmed and combined with
    /// `", "` first, RFC 9110 §5.3).
    ///
    /// # Errors
    /// [`DigestError::TooLargeField`] over [`MAX_FIELD_LEN`](super::MAX_FIELD_LEN); [`DigestError::WantParse`] if it
    /// is not an RFC 8941 Dictionary; then, for the first offending member in field order,
    /// [`DigestError::WantNotInteger`] or [`DigestError::WantOutOfRange`] (outside 0..=10);
    /// [`DigestError::TooManyMembers`] past [`MAX_MEMBERS`] members.
    pub fn parse(lines: &[&[u8]]) -> Result<Self, DigestError> {
        // RFC 9530 §4; RFC 8941 §4.2.2
        let combined = combine_field(lines)?;
        let slots = Parser::new(&combined)
            .parse_dictionary_with_visitor(WantVisitor::default())
            .map_err(|e| DigestError::WantParse { index: e.index() })??;
        let mut entries = Vec::with_capacity(slots.len());
        for slot in slots {
            entries.push(WantEntry {
                name: slot.name.to_owned(),
                algorithm: AlgorithmKind::from_name(slot.name),
                weight: slot.weight?,
            });
        }
        Ok(Self { entries })
    }

    /// The members in field order.
    #[must_use]
    pub fn entries(&self) -> &[WantEntry] {
        &self.entries
    }

    /// Iterates over the members in field order.
    pub fn iter(&self) -> std::slice::Iter<'_, WantEntry> {
        self.entries.iter()
    }

    /// The weight given to an active algorithm, if it is listed.
    #[must_use]
    pub fn weight(&self, algorithm: DigestAlgorithm) -> Option<u8> {
        self.entries
            .iter()
            .find(|e| e.algorithm == AlgorithmKind::Active(algorithm))
            .map(|e| e.weight)
    }

    /// The algorithm of `supported` with the highest non-zero weight; ties go to the one
    /// listed first in `supported` (the caller's own preference). `None` if no supported
    /// algorithm is wanted; the sender may then still pick any algorithm, since the field is
    /// only a hint (RFC 9530 §4).
    #[must_use]
    pub fn preferred(&self, supported: &[DigestAlgorithm]) -> Option<DigestAlgorithm> {
        let mut best: Option<(DigestAlgorithm, u8)> = None;
        for alg in supported {
            let Some(w) = self.weight(*alg) else {
                continue;
            };
            if w > 0 && best.is_none_or(|(_, bw)| w > bw) {
                best = Some((*alg, w));
            }
        }
        best.map(|(alg, _)| alg)
    }

    /// Number of members.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the field has no members.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'a> IntoIterator for &'a WantContentDigest {
    type Item = &'a WantEntry;
    type IntoIter = std::slice::Iter<'a, WantEntry>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

struct Slot<'de> {
    name: &'de str,
    weight: Result<u8, DigestError>,
}

/// Records each member's outcome and lets a later duplicate replace an earlier one (RFC 8941
/// §4.2.2), so an invalid value that is overridden does not fail the field.
#[derive(Default)]
struct WantVisitor<'de> {
    slots: Vec<Slot<'de>>,
    positions: BTreeMap<&'de str, usize>,
    next_member: usize,
    too_many: bool,
}

impl<'de> DictionaryVisitor<'de> for WantVisitor<'de> {
    type Out = Result<Vec<Slot<'de>>, DigestError>;
    type Error = Infallible;

    fn entry(&mut self, key: &'de KeyRef) -> Result<impl EntryVisitor<'de>, Self::Error> {
        let member = self.next_member;
        self.next_member = self.next_member.saturating_add(1);
        if member >= MAX_MEMBERS {
            self.too_many = true;
            return Ok(None);
        }
        let name = key.as_str();
        let index = *self.positions.entry(name).or_insert_with(|| {
            self.slots.push(Slot {
                name,
                weight: Err(DigestError::WantNotInteger { member }),
            });
            self.slots.len().saturating_sub(1)
        });
        Ok(self.slots.get_mut(index).map(|slot| {
            slot.weight = Err(DigestError::WantNotInteger { member });
            WantMember { slot, member }
        }))
    }

    fn finish(self) -> Result<Self::Out, Self::Error> {
        Ok(if self.too_many {
            Err(DigestError::TooManyMembers { max: MAX_MEMBERS })
        } else {
            Ok(self.slots)
        })
    }
}

struct WantMember<'a, 'de> {
    slot: &'a mut Slot<'de>,
    member: usize,
}

impl<'de> EntryVisitor<'de> for WantMember<'_, 'de> {
    type Error = Infallible;

    fn item(self) -> Result<impl ItemVisitor<'de>, Self::Error> {
        Ok(self)
    }

    fn inner_list(self) -> Result<impl InnerListVisitor<'de>, Self::Error> {
        // The slot already holds WantNotInteger.
        Ok(Ignored)
    }
}

impl<'de> ItemVisitor<'de> for WantMember<'_, 'de> {
    type Out = ();
    type Error = Infallible;

    fn bare_item(
        self,
        bare_item: BareItemFromInput<'de>,
    ) -> Result<impl ParameterVisitor<'de, Out = Self::Out>, Self::Error> {
        if let BareItemFromInput::Integer(value) = bare_item {
            let value = i64::from(value);
            self.slot.weight = match u8::try_from(value) {
                Ok(w) if w <= 10 => Ok(w),
                _ => Err(DigestError::WantOutOfRange {
                    member: self.member,
                    value,
                }),
            };
        }
        // Parameters are ignored.
        Ok(Ignored)
    }
}
