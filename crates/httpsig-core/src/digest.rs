//! RFC 9530 Digest Fields: `Content-Digest`, `Repr-Digest` and their `Want-` preference fields.
//!
//! What this module does:
//! - parses an Integrity field ([`ContentDigest::parse`]) from its field lines, strictly:
//!   RFC 8941 syntax via `sfv`, Byte Sequence values, lengths checked against the algorithm,
//!   repeated keys rejected, a cap on field bytes;
//! - computes digests ([`content_digest`], [`header_value`]) for the active algorithms
//!   `sha-256` and `sha-512` (RFC 9530 §5);
//! - verifies a field against message content ([`verify_content_digest`]) under a
//!   [`DigestPolicy`], either in one shot or frame by frame with a [`ContentDigestHasher`], so a
//!   server never has to buffer a body to check it. Both ways share one code path;
//! - parses `Want-Content-Digest` / `Want-Repr-Digest` ([`WantContentDigest`]).
//!
//! What it does not do: decide whether the field is covered by a signature (that is the
//! signature verifier's job), undo content codings (a `Content-Digest` is over the content as
//! sent, RFC 9530 §2), or accept deprecated algorithms (`md5`, `sha`, ...): their presence
//! fails verification, because this toolkit verifies digests in signed, adversarial settings
//! where RFC 9530 §5 says they "MUST NOT be used".
//!
//! # Example
//! ```
//! use httpsig_core::digest::{DigestAlgorithm, DigestPolicy, header_value, verify_content_digest};
//!
//! let body = br#"{"hello": "world"}"#;
//! let value = header_value(&[DigestAlgorithm::Sha256], body);
//! assert_eq!(value, "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
//!
//! let verified = verify_content_digest(&[value.as_bytes()], body, &DigestPolicy::default())?;
//! assert_eq!(verified.algorithms(), &[DigestAlgorithm::Sha256]);
//! # Ok::<(), httpsig_core::digest::DigestError>(())
//! ```

use std::fmt;

use httpsig_uri::trim_ows;

mod error;
mod field;
mod hash;
mod want;

#[cfg(test)]
mod tests;

pub use error::DigestError;
pub use field::{ContentDigest, DigestEntry, MAX_FIELD_LEN, MAX_MEMBERS};
pub use hash::{
    ContentDigestHasher, DEFAULT_MAX_BODY_LEN, Digest, DigestPolicy, Digests, Verified,
    content_digest, content_digest_with, header_value, header_value_with, verify_content_digest,
    verify_content_digest_with,
};
pub use want::{WantContentDigest, WantEntry};

pub(crate) use hash::{ContentHashes, verify_covered};

/// An active hashing algorithm of the "Hash Algorithms for HTTP Digest Fields" registry
/// (RFC 9530 §5, §7.2): the only ones this module computes and accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DigestAlgorithm {
    /// SHA-256 (FIPS 180-4), Algorithm Key `sha-256`, 32-byte output.
    Sha256,
    /// SHA-512 (FIPS 180-4), Algorithm Key `sha-512`, 64-byte output.
    Sha512,
}

impl DigestAlgorithm {
    /// Every algorithm this module supports, in the order used by [`DigestPolicy::default`].
    pub const ALL: [Self; 2] = [Self::Sha256, Self::Sha512];

    /// The registry's Algorithm Key, as it appears in the field: `"sha-256"` or `"sha-512"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sha256 => "sha-256",
            Self::Sha512 => "sha-512",
        }
    }

    /// Looks up an active algorithm by its Algorithm Key.
    ///
    /// Keys are case-sensitive: Structured Field keys are lower-case (RFC 8941 §3.2), so
    /// `"SHA-256"` is not a key at all. Deprecated keys return `None`; use
    /// [`AlgorithmKind::from_name`] to tell them apart from unknown ones.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "sha-256" => Some(Self::Sha256),
            "sha-512" => Some(Self::Sha512),
            _ => None,
        }
    }

    /// The digest length in bytes: 32 for SHA-256, 64 for SHA-512.
    #[must_use]
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha512 => 64,
        }
    }
}

impl fmt::Display for DigestAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A registry entry with status "Deprecated" (RFC 9530 §7.2). Recognised only so that a
/// field carrying one can be rejected with [`DigestError::DeprecatedAlgorithm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum DeprecatedAlgorithm {
    /// `md5` (RFC 1321).
    Md5,
    /// `sha`, that is SHA-1 (FIPS 180-4).
    Sha1,
    /// `unixsum` (UNIX `sum`).
    Unixsum,
    /// `unixcksum` (UNIX `cksum`).
    Unixcksum,
    /// `adler` (Adler-32, RFC 1950).
    Adler,
    /// `crc32c` (RFC 9260 Appendix B).
    Crc32c,
}

impl DeprecatedAlgorithm {
    /// The registry's Algorithm Key, e.g. `"md5"` or `"sha"`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Md5 => "md5",
            Self::Sha1 => "sha",
            Self::Unixsum => "unixsum",
            Self::Unixcksum => "unixcksum",
            Self::Adler => "adler",
            Self::Crc32c => "crc32c",
        }
    }

    /// Looks up a deprecated algorithm by its Algorithm Key (case-sensitive).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "md5" => Self::Md5,
            "sha" => Self::Sha1,
            "unixsum" => Self::Unixsum,
            "unixcksum" => Self::Unixcksum,
            "adler" => Self::Adler,
            "crc32c" => Self::Crc32c,
            _ => return None,
        })
    }
}

impl fmt::Display for DeprecatedAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a dictionary key of an Integrity or Integrity preference field names.
///
/// Non-exhaustive: the registry also knows a "Provisional" status (RFC 9530 §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AlgorithmKind {
    /// An active algorithm this module computes.
    Active(DigestAlgorithm),
    /// A deprecated algorithm, rejected when verifying.
    Deprecated(DeprecatedAlgorithm),
    /// A key this module does not know; ignored when verifying (RFC 9530 §2: a recipient
    /// MAY ignore any digest).
    Unknown,
}

impl AlgorithmKind {
    /// Classifies an Algorithm Key (case-sensitive, see [`DigestAlgorithm::from_name`]).
    #[must_use]
    pub fn from_name(name: &str) -> Self {
        if let Some(alg) = DigestAlgorithm::from_name(name) {
            Self::Active(alg)
        } else if let Some(alg) = DeprecatedAlgorithm::from_name(name) {
            Self::Deprecated(alg)
        } else {
            Self::Unknown
        }
    }
}

impl fmt::Display for AlgorithmKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Active(alg) => f.write_str(alg.name()),
            Self::Deprecated(alg) => f.write_str(alg.name()),
            Self::Unknown => f.write_str("an unknown algorithm"),
        }
    }
}

/// The combined value of an Integrity (or Integrity preference) field, capped at
/// [`MAX_FIELD_LEN`] before anything is copied.
fn combine_field<'a>(lines: &[&'a [u8]]) -> Result<std::borrow::Cow<'a, [u8]>, DigestError> {
    combine_lines(lines, MAX_FIELD_LEN).map_err(|len| DigestError::TooLargeField {
        len,
        max: MAX_FIELD_LEN,
    })
}

/// Combines field lines into one field value as RFC 9110 §5.3 describes: each line is trimmed
/// of leading and trailing whitespace (SP, HTAB; RFC 9110 §5.5) and the lines are joined with
/// `", "`. Empty lines are kept, so a stray empty line after a member becomes a trailing comma
/// and a parse error: in a signed context the combined value must be exactly what the signer
/// saw, with no repair.
///
/// The cap is checked on the combined length before anything is copied.
fn combine_lines<'a>(lines: &[&'a [u8]], max: usize) -> Result<std::borrow::Cow<'a, [u8]>, usize> {
    let trimmed = lines.iter().map(|line| trim_ows(line));
    let mut total: usize = 0;
    for (i, line) in trimmed.clone().enumerate() {
        let sep = if i == 0 { 0 } else { 2 };
        total = total.saturating_add(sep).saturating_add(line.len());
    }
    if total > max {
        return Err(total);
    }
    // One line, the common case: no copy.
    if let [line] = lines {
        return Ok(std::borrow::Cow::Borrowed(trim_ows(line)));
    }
    let mut out = Vec::with_capacity(total);
    for (i, line) in trimmed.enumerate() {
        if i > 0 {
            out.extend_from_slice(b", ");
        }
        out.extend_from_slice(line);
    }
    Ok(std::borrow::Cow::Owned(out))
}
