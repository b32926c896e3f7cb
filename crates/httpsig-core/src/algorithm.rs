//! The vocabulary shared by every layer: signature algorithms (RFC 9421 §3.3, §6.2; JWS),
//! the hash functions inside them, and the kinds of key material.
//!
//! This module depends on nothing else in the crate, so `crypto`, `keys` and the error types
//! can all use it without a cycle.

use core::fmt;

/// A signature algorithm: one of the RFC 9421 §6.2 registry entries, or a JWS algorithm used
/// through RFC 9421 §3.3.7.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Algorithm {
    /// `rsa-pss-sha512` (RFC 9421 §3.3.1): RSASSA-PSS, SHA-512, MGF1-SHA-512, salt length 64.
    RsaPssSha512,
    /// `rsa-v1_5-sha256` (RFC 9421 §3.3.2): RSASSA-PKCS1-v1_5 with SHA-256.
    RsaV1_5Sha256,
    /// `hmac-sha256` (RFC 9421 §3.3.3).
    HmacSha256,
    /// `ecdsa-p256-sha256` (RFC 9421 §3.3.4): signature is raw `r||s`, 64 bytes.
    EcdsaP256Sha256,
    /// `ecdsa-p384-sha384` (RFC 9421 §3.3.5): signature is raw `r||s`, 96 bytes.
    EcdsaP384Sha384,
    /// `ed25519` (RFC 9421 §3.3.6, RFC 8032 pure Ed25519).
    Ed25519,
    /// A JWS algorithm (RFC 9421 §3.3.7): the base is signed as the JWS Signing Input would be,
    /// and the RFC 9421 `alg` parameter is not used.
    Jws(JwsAlgorithm),
}

impl Algorithm {
    /// Looks up an RFC 9421 §6.2 registry name such as `"rsa-pss-sha512"`.
    ///
    /// Names are case-sensitive. JWS names are not accepted here (use
    /// [`JwsAlgorithm::from_name`]): the `alg` signature parameter never carries them.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "rsa-pss-sha512" => Self::RsaPssSha512,
            "rsa-v1_5-sha256" => Self::RsaV1_5Sha256,
            "hmac-sha256" => Self::HmacSha256,
            "ecdsa-p256-sha256" => Self::EcdsaP256Sha256,
            "ecdsa-p384-sha384" => Self::EcdsaP384Sha384,
            "ed25519" => Self::Ed25519,
            _ => return None,
        })
    }

    /// The RFC 9421 §6.2 registry name; `None` for [`Algorithm::Jws`], which has none.
    pub fn name(&self) -> Option<&'static str> {
        Some(match self {
            Self::RsaPssSha512 => "rsa-pss-sha512",
            Self::RsaV1_5Sha256 => "rsa-v1_5-sha256",
            Self::HmacSha256 => "hmac-sha256",
            Self::EcdsaP256Sha256 => "ecdsa-p256-sha256",
            Self::EcdsaP384Sha384 => "ecdsa-p384-sha384",
            Self::Ed25519 => "ed25519",
            Self::Jws(_) => return None,
        })
    }

    /// True for MAC algorithms (`hmac-sha256`, JWS `HS256`), whose key is a shared secret.
    pub fn is_symmetric(&self) -> bool {
        matches!(self.scheme(), Scheme::HmacSha256)
    }

    /// The primitive behind the algorithm; two algorithms with the same scheme produce and
    /// accept the same bytes (e.g. `rsa-v1_5-sha256` and JWS `RS256`).
    pub(crate) fn scheme(&self) -> Scheme {
        match self {
            Self::RsaPssSha512 | Self::Jws(JwsAlgorithm::Ps512) => {
                Scheme::RsaPss(HashAlgorithm::Sha512)
            }
            Self::RsaV1_5Sha256 | Self::Jws(JwsAlgorithm::Rs256) => {
                Scheme::RsaPkcs1(HashAlgorithm::Sha256)
            }
            Self::HmacSha256 | Self::Jws(JwsAlgorithm::Hs256) => Scheme::HmacSha256,
            Self::EcdsaP256Sha256 | Self::Jws(JwsAlgorithm::Es256) => Scheme::EcdsaP256Sha256,
            Self::EcdsaP384Sha384 | Self::Jws(JwsAlgorithm::Es384) => Scheme::EcdsaP384Sha384,
            Self::Ed25519 | Self::Jws(JwsAlgorithm::EdDsa | JwsAlgorithm::Ed25519) => {
                Scheme::Ed25519
            }
            Self::Jws(JwsAlgorithm::Ps256) => Scheme::RsaPss(HashAlgorithm::Sha256),
            Self::Jws(JwsAlgorithm::Ps384) => Scheme::RsaPss(HashAlgorithm::Sha384),
            Self::Jws(JwsAlgorithm::Rs384) => Scheme::RsaPkcs1(HashAlgorithm::Sha384),
            Self::Jws(JwsAlgorithm::Rs512) => Scheme::RsaPkcs1(HashAlgorithm::Sha512),
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Jws(jws) => write!(f, "jws {}", jws.name()),
            other => f.write_str(other.name().unwrap_or("unknown")),
        }
    }
}

/// A JWS algorithm (RFC 7518 §3.1, RFC 8037 §3.1, RFC 9864) usable with RFC 9421 §3.3.7.
///
/// `none` does not exist here and is never accepted.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JwsAlgorithm {
    /// `ES256`: ECDSA P-256 SHA-256, raw `r||s`.
    Es256,
    /// `ES384`: ECDSA P-384 SHA-384, raw `r||s`.
    Es384,
    /// `PS256`: RSASSA-PSS SHA-256, salt 32.
    Ps256,
    /// `PS384`: RSASSA-PSS SHA-384, salt 48.
    Ps384,
    /// `PS512`: RSASSA-PSS SHA-512, salt 64.
    Ps512,
    /// `RS256`: RSASSA-PKCS1-v1_5 SHA-256.
    Rs256,
    /// `RS384`: RSASSA-PKCS1-v1_5 SHA-384.
    Rs384,
    /// `RS512`: RSASSA-PKCS1-v1_5 SHA-512.
    Rs512,
    /// `EdDSA` (RFC 8037) with an Ed25519 key; deprecated by RFC 9864 but still common.
    EdDsa,
    /// `Ed25519` (RFC 9864, fully specified).
    Ed25519,
    /// `HS256`: HMAC SHA-256.
    Hs256,
}

impl JwsAlgorithm {
    /// Looks up a JWS `alg` value (case-sensitive). `"none"` and unknown names give `None`.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "ES256" => Self::Es256,
            "ES384" => Self::Es384,
            "PS256" => Self::Ps256,
            "PS384" => Self::Ps384,
            "PS512" => Self::Ps512,
            "RS256" => Self::Rs256,
            "RS384" => Self::Rs384,
            "RS512" => Self::Rs512,
            "EdDSA" => Self::EdDsa,
            "Ed25519" => Self::Ed25519,
            "HS256" => Self::Hs256,
            _ => return None,
        })
    }

    /// The JWS `alg` value.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Es256 => "ES256",
            Self::Es384 => "ES384",
            Self::Ps256 => "PS256",
            Self::Ps384 => "PS384",
            Self::Ps512 => "PS512",
            Self::Rs256 => "RS256",
            Self::Rs384 => "RS384",
            Self::Rs512 => "RS512",
            Self::EdDsa => "EdDSA",
            Self::Ed25519 => "Ed25519",
            Self::Hs256 => "HS256",
        }
    }
}

impl fmt::Display for JwsAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A hash function of the SHA-2 family (FIPS 180-4), as used inside signature schemes and for
/// Content-Digest, JWK thumbprints and DPoP `ath`.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// SHA-256: 32-byte output.
    Sha256,
    /// SHA-384: 48-byte output.
    Sha384,
    /// SHA-512: 64-byte output.
    Sha512,
}

impl HashAlgorithm {
    /// The output length in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            Self::Sha256 => 32,
            Self::Sha384 => 48,
            Self::Sha512 => 64,
        }
    }
}

/// The cryptographic primitive behind an [`Algorithm`], independent of naming.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// RSASSA-PSS with MGF1 over the same hash and salt length = hash length.
    RsaPss(HashAlgorithm),
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1(HashAlgorithm),
    EcdsaP256Sha256,
    EcdsaP384Sha384,
    Ed25519,
    HmacSha256,
}

impl Scheme {
    /// Schemes of one family share a key type and differ only in parameters (the hash).
    pub(crate) fn same_family(self, other: Self) -> bool {
        match (self, other) {
            (Self::RsaPss(_), Self::RsaPss(_)) | (Self::RsaPkcs1(_), Self::RsaPkcs1(_)) => true,
            (a, b) => a == b,
        }
    }
}

/// What kind of key material a key is.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyType {
    /// RSA usable with PSS and PKCS#1 v1.5.
    Rsa,
    /// RSA restricted to PSS by the RSASSA-PSS algorithm identifier (RFC 4055 §1.2).
    RsaPss,
    /// ECDSA on P-256.
    EcP256,
    /// ECDSA on P-384.
    EcP384,
    /// Ed25519.
    Ed25519,
    /// A shared HMAC secret.
    Hmac,
}

impl KeyType {
    /// True if this kind of key can be used with `alg`.
    pub fn supports(&self, alg: Algorithm) -> bool {
        matches!(
            (self, alg.scheme()),
            (Self::Rsa, Scheme::RsaPss(_) | Scheme::RsaPkcs1(_))
                | (Self::RsaPss, Scheme::RsaPss(_))
                | (Self::EcP256, Scheme::EcdsaP256Sha256)
                | (Self::EcP384, Scheme::EcdsaP384Sha384)
                | (Self::Ed25519, Scheme::Ed25519)
                | (Self::Hmac, Scheme::HmacSha256)
        )
    }

    /// The RFC 9421 algorithm implied by the key alone; `None` for plain RSA, which fits two.
    pub fn default_algorithm(&self) -> Option<Algorithm> {
        match self {
            Self::Rsa => None,
            Self::RsaPss => Some(Algorithm::RsaPssSha512),
            Self::EcP256 => Some(Algorithm::EcdsaP256Sha256),
            Self::EcP384 => Some(Algorithm::EcdsaP384Sha384),
            Self::Ed25519 => Some(Algorithm::Ed25519),
            Self::Hmac => Some(Algorithm::HmacSha256),
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Rsa => "RSA",
            Self::RsaPss => "RSASSA-PSS",
            Self::EcP256 => "EC P-256",
            Self::EcP384 => "EC P-384",
            Self::Ed25519 => "Ed25519",
            Self::Hmac => "HMAC",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_names_round_trip() {
        let all = [
            Algorithm::RsaPssSha512,
            Algorithm::RsaV1_5Sha256,
            Algorithm::HmacSha256,
            Algorithm::EcdsaP256Sha256,
            Algorithm::EcdsaP384Sha384,
            Algorithm::Ed25519,
        ];
        for alg in all {
            let name = alg.name().expect("registry algorithms have names");
            assert_eq!(Algorithm::from_name(name), Some(alg));
        }
        // RFC 9421 §6.2 names, written out.
        assert_eq!(
            Algorithm::from_name("rsa-pss-sha512"),
            Some(Algorithm::RsaPssSha512)
        );
        assert_eq!(
            Algorithm::from_name("rsa-v1_5-sha256"),
            Some(Algorithm::RsaV1_5Sha256)
        );
        assert_eq!(
            Algorithm::from_name("ecdsa-p384-sha384"),
            Some(Algorithm::EcdsaP384Sha384)
        );
        for bad in [
            "RSA-PSS-SHA512",
            "ES256",
            "ed25519 ",
            "",
            "none",
            "hmac-sha512",
        ] {
            assert_eq!(Algorithm::from_name(bad), None, "{bad:?}");
        }
        assert_eq!(Algorithm::Jws(JwsAlgorithm::Es256).name(), None);
    }

    #[test]
    fn jws_names_round_trip_and_none_is_refused() {
        for name in [
            "ES256", "ES384", "PS256", "PS384", "PS512", "RS256", "RS384", "RS512", "EdDSA",
            "Ed25519", "HS256",
        ] {
            let alg = JwsAlgorithm::from_name(name).expect(name);
            assert_eq!(alg.name(), name);
        }
        for bad in ["none", "None", "NONE", "es256", "HS512", "ES512", ""] {
            assert_eq!(JwsAlgorithm::from_name(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn symmetric_algorithms() {
        assert!(Algorithm::HmacSha256.is_symmetric());
        assert!(Algorithm::Jws(JwsAlgorithm::Hs256).is_symmetric());
        assert!(!Algorithm::Ed25519.is_symmetric());
        assert!(!Algorithm::Jws(JwsAlgorithm::Ps256).is_symmetric());
    }
}
