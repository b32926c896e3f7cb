//! The one error type of the digest module.

use std::fmt;

use super::{AlgorithmKind, DeprecatedAlgorithm, DigestAlgorithm};

/// Why an Integrity field or Integrity preference field was rejected, or why content did not
/// verify against it.
///
/// "Member" indexes count dictionary members from 0 across the combined field lines; "index"
/// values are byte offsets into the combined field value (the lines trimmed and joined with
/// `", "`), as reported by the Structured Field parser.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigestError {
    /// The field is not a valid RFC 8941 Dictionary (`digest.parse`). This includes keys with
    /// upper-case letters, which RFC 8941 §3.2 does not allow.
    Parse {
        /// Byte offset of the error in the combined field value, when the parser reports one.
        index: Option<usize>,
    },
    /// The combined field value is longer than [`super::MAX_FIELD_LEN`] bytes
    /// (`digest.too_large_field`).
    TooLargeField {
        /// Length of the combined field value (saturating).
        len: usize,
        /// The cap.
        max: usize,
    },
    /// A member's value is not a Byte Sequence (`digest.not_byte_sequence`); RFC 9530 §2
    /// requires one for every key. `sha-256=abc` (RFC 3230 style) lands here.
    NotByteSequence {
        /// Member index.
        member: usize,
        /// What the member's key names.
        algorithm: AlgorithmKind,
    },
    /// A digest of an active algorithm has the wrong number of bytes (`digest.wrong_length`).
    WrongLength {
        /// The algorithm.
        algorithm: DigestAlgorithm,
        /// Bytes the algorithm produces.
        expected: usize,
        /// Bytes the field carried.
        actual: usize,
    },
    /// A dictionary key appears more than once (`digest.duplicate_algorithm`). RFC 8941 would
    /// keep the last value; we reject, because a signed field that says two things about one
    /// algorithm is ambiguous and other parsers may keep the first.
    DuplicateAlgorithm {
        /// Index of the repeated member.
        member: usize,
        /// What the repeated key names.
        algorithm: AlgorithmKind,
    },
    /// The field carries a deprecated algorithm (`digest.deprecated_algorithm`). RFC 9530 §5:
    /// deprecated algorithms "MUST NOT be used in a potentially adversarial setting".
    DeprecatedAlgorithm(DeprecatedAlgorithm),
    /// The field carries no algorithm the policy accepts (`digest.no_supported_algorithm`),
    /// including an absent or empty field.
    NoSupportedAlgorithm,
    /// The content is longer than the policy allows (`digest.body_too_large`); detected
    /// before the offending bytes are hashed.
    BodyTooLarge {
        /// The limit in bytes.
        max: u64,
    },
    /// The digest in the field does not match the content (`digest.mismatch`).
    Mismatch(DigestAlgorithm),
    /// The field carries an accepted algorithm that the hasher was not set up to compute
    /// (`digest.not_hashed`). Build the hasher with [`super::ContentDigestHasher::for_field`]
    /// to avoid this.
    NotHashed(DigestAlgorithm),
    /// A signature covers one member of the field (`"content-digest";key="…"`), but that member
    /// names an algorithm this policy does not accept — unknown, deprecated, or outside
    /// [`super::DigestPolicy::with_algorithms`] (`digest.covered_member_not_accepted`). The covered
    /// value could never be compared with the content, so it vouches for nothing.
    CoveredMemberNotAccepted(AlgorithmKind),
    /// A signature covers one member of the field, an accepted algorithm, and the field has no
    /// such member (`digest.covered_member_missing`).
    CoveredMemberMissing(DigestAlgorithm),
    /// A signature covers `Repr-Digest`, but the message content is not the selected
    /// representation's data — a content coding other than `identity` is applied, or the content
    /// is partial (`Content-Range`, status 206) — so the digest cannot be checked here
    /// (`digest.repr_unverifiable`, RFC 9530 §3). Check it yourself and declare so with
    /// [`crate::VerifyPolicy::digest_checked_by_caller`].
    ReprUnverifiable,
    /// More members than [`super::MAX_MEMBERS`] (`digest.too_many_members`).
    TooManyMembers {
        /// The cap.
        max: usize,
    },
    /// A `Want-Content-Digest` / `Want-Repr-Digest` field is not a valid RFC 8941 Dictionary
    /// (`digest.want_parse`).
    WantParse {
        /// Byte offset of the error in the combined field value, when the parser reports one.
        index: Option<usize>,
    },
    /// A preference member's value is not an Integer (`digest.want_not_integer`).
    WantNotInteger {
        /// Member index.
        member: usize,
    },
    /// A preference weight is outside 0..=10 (`digest.want_out_of_range`, RFC 9530 §4).
    WantOutOfRange {
        /// Member index.
        member: usize,
        /// The weight given.
        value: i64,
    },
}

impl DigestError {
    /// A stable, machine-readable code for this error, e.g. `"digest.mismatch"`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Parse { .. } => "digest.parse",
            Self::TooLargeField { .. } => "digest.too_large_field",
            Self::NotByteSequence { .. } => "digest.not_byte_sequence",
            Self::WrongLength { .. } => "digest.wrong_length",
            Self::DuplicateAlgorithm { .. } => "digest.duplicate_algorithm",
            Self::DeprecatedAlgorithm(_) => "digest.deprecated_algorithm",
            Self::NoSupportedAlgorithm => "digest.no_supported_algorithm",
            Self::BodyTooLarge { .. } => "digest.body_too_large",
            Self::Mismatch(_) => "digest.mismatch",
            Self::NotHashed(_) => "digest.not_hashed",
            Self::CoveredMemberNotAccepted(_) => "digest.covered_member_not_accepted",
            Self::CoveredMemberMissing(_) => "digest.covered_member_missing",
            Self::ReprUnverifiable => "digest.repr_unverifiable",
            Self::TooManyMembers { .. } => "digest.too_many_members",
            Self::WantParse { .. } => "digest.want_parse",
            Self::WantNotInteger { .. } => "digest.want_not_integer",
            Self::WantOutOfRange { .. } => "digest.want_out_of_range",
        }
    }
}

fn write_index(f: &mut fmt::Formatter<'_>, index: Option<usize>) -> fmt::Result {
    match index {
        Some(i) => write!(f, " at index {i}"),
        None => Ok(()),
    }
}

impl fmt::Display for DigestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse { index } => {
                f.write_str("digest field is not a valid structured-field dictionary")?;
                write_index(f, *index)
            }
            Self::TooLargeField { len, max } => {
                write!(f, "digest field is {len} bytes, over the {max}-byte limit")
            }
            Self::NotByteSequence { member, algorithm } => write!(
                f,
                "digest field member {member} ({algorithm}) is not a byte sequence"
            ),
            Self::WrongLength {
                algorithm,
                expected,
                actual,
            } => write!(
                f,
                "{algorithm} digest is {actual} bytes, expected {expected}"
            ),
            Self::DuplicateAlgorithm { member, algorithm } => write!(
                f,
                "digest field member {member} repeats the key of {algorithm}"
            ),
            Self::DeprecatedAlgorithm(alg) => {
                write!(f, "deprecated digest algorithm {alg} is not accepted")
            }
            Self::NoSupportedAlgorithm => {
                f.write_str("digest field has no digest of an accepted algorithm")
            }
            Self::BodyTooLarge { max } => {
                write!(f, "message content exceeds the {max}-byte digest limit")
            }
            Self::Mismatch(alg) => write!(f, "{alg} digest does not match the message content"),
            Self::NotHashed(alg) => write!(
                f,
                "digest field carries {alg}, which the hasher did not compute"
            ),
            Self::CoveredMemberNotAccepted(alg) => write!(
                f,
                "the signature covers the {alg} member, which is not an accepted digest algorithm"
            ),
            Self::CoveredMemberMissing(alg) => write!(
                f,
                "the signature covers the {alg} member, which the field does not have"
            ),
            Self::ReprUnverifiable => f.write_str(
                "repr-digest is covered but the content is not the representation data \
                 (content coding or partial content)",
            ),
            Self::TooManyMembers { max } => {
                write!(f, "digest field has more than {max} members")
            }
            Self::WantParse { index } => {
                f.write_str("want-digest field is not a valid structured-field dictionary")?;
                write_index(f, *index)
            }
            Self::WantNotInteger { member } => {
                write!(f, "want-digest field member {member} is not an integer")
            }
            Self::WantOutOfRange { member, value } => write!(
                f,
                "want-digest field member {member} has weight {value}, outside 0..=10"
            ),
        }
    }
}

impl std::error::Error for DigestError {}
