//! Signature algorithms and the seam to the crypto backend (RFC 9421 §3.3).
//!
//! Everything above this module talks to keys through [`SigningKey`] and [`VerifyingKey`]
//! and names algorithms with [`Algorithm`]. The only backend is *ring*, kept in one private
//! module; the key types that use it live in [`crate::keys`].
//!
//! Verification failure is the unit [`InvalidSignature`]: no reason leaks, so errors are no
//! oracle (the same rule as ring and webpki).

use core::fmt;

use crate::keys::KeyError;

#[cfg(feature = "insecure-test-backend")]
pub mod insecure;
mod ring;

// The backend's key objects, for `crate::keys`; nothing outside `crypto` names the backend.
pub(crate) use self::ring::{Hmac, RsaPrivateComponents, Signer, Verifier};

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
            Self::RsaPssSha512 | Self::Jws(JwsAlgorithm::Ps512) => Scheme::RsaPss(Hash::Sha512),
            Self::RsaV1_5Sha256 | Self::Jws(JwsAlgorithm::Rs256) => Scheme::RsaPkcs1(Hash::Sha256),
            Self::HmacSha256 | Self::Jws(JwsAlgorithm::Hs256) => Scheme::HmacSha256,
            Self::EcdsaP256Sha256 | Self::Jws(JwsAlgorithm::Es256) => Scheme::EcdsaP256Sha256,
            Self::EcdsaP384Sha384 | Self::Jws(JwsAlgorithm::Es384) => Scheme::EcdsaP384Sha384,
            Self::Ed25519 | Self::Jws(JwsAlgorithm::EdDsa | JwsAlgorithm::Ed25519) => {
                Scheme::Ed25519
            }
            Self::Jws(JwsAlgorithm::Ps256) => Scheme::RsaPss(Hash::Sha256),
            Self::Jws(JwsAlgorithm::Ps384) => Scheme::RsaPss(Hash::Sha384),
            Self::Jws(JwsAlgorithm::Rs384) => Scheme::RsaPkcs1(Hash::Sha384),
            Self::Jws(JwsAlgorithm::Rs512) => Scheme::RsaPkcs1(Hash::Sha512),
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

/// Hash function inside a signature scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

/// The cryptographic primitive behind an [`Algorithm`], independent of naming.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// RSASSA-PSS with MGF1 over the same hash and salt length = hash length.
    RsaPss(Hash),
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1(Hash),
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

/// Verification failed. Deliberately carries no reason: wrong key, wrong algorithm, malformed
/// and forged signatures all look the same to the caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidSignature;

impl fmt::Display for InvalidSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid signature")
    }
}

impl std::error::Error for InvalidSignature {}

/// A key that can sign a signature base (RFC 9421 §3.1 `HTTP_SIGN`).
pub trait SigningKey: fmt::Debug + Send + Sync {
    /// The one algorithm this key signs with.
    fn algorithm(&self) -> Algorithm;

    /// The key identifier to put in the `keyid` parameter, if any.
    fn key_id(&self) -> Option<&str>;

    /// Signs `base` and returns the raw signature bytes: ECDSA as fixed-size `r||s`,
    /// RSA-PSS with a salt as long as the hash (64 bytes for `rsa-pss-sha512`).
    ///
    /// # Errors
    /// [`KeyError::SigningFailed`] if the backend fails (it reports no detail), or
    /// [`KeyError::Random`] if no randomness is available.
    fn sign(&self, base: &[u8]) -> Result<Vec<u8>, KeyError>;
}

/// A key that can verify a signature over a signature base (RFC 9421 §3.2 `HTTP_VERIFY`).
pub trait VerifyingKey: fmt::Debug + Send + Sync {
    /// The one algorithm this key verifies.
    fn algorithm(&self) -> Algorithm;

    /// The key identifier, if any.
    fn key_id(&self) -> Option<&str>;

    /// Verifies `signature` over `base`. MACs are compared in constant time.
    ///
    /// # Errors
    /// [`InvalidSignature`] for every kind of failure.
    fn verify(&self, base: &[u8], signature: &[u8]) -> Result<(), InvalidSignature>;
}

macro_rules! forward_key_traits {
    ($($ptr:ty),*) => {$(
        impl<T: SigningKey + ?Sized> SigningKey for $ptr {
            fn algorithm(&self) -> Algorithm {
                (**self).algorithm()
            }
            fn key_id(&self) -> Option<&str> {
                (**self).key_id()
            }
            fn sign(&self, base: &[u8]) -> Result<Vec<u8>, KeyError> {
                (**self).sign(base)
            }
        }
        impl<T: VerifyingKey + ?Sized> VerifyingKey for $ptr {
            fn algorithm(&self) -> Algorithm {
                (**self).algorithm()
            }
            fn key_id(&self) -> Option<&str> {
                (**self).key_id()
            }
            fn verify(&self, base: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
                (**self).verify(base, signature)
            }
        }
    )*};
}
forward_key_traits!(&T, Box<T>, std::sync::Arc<T>);

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    let mut ctx = Sha256Context::new();
    ctx.update(data);
    ctx.finish()
}

/// SHA-512 of `data`.
pub fn sha512(data: &[u8]) -> [u8; 64] {
    let mut ctx = Sha512Context::new();
    ctx.update(data);
    ctx.finish()
}

/// Incremental SHA-256 (for digests of bodies that arrive in pieces).
#[derive(Clone)]
pub struct Sha256Context(ring::DigestContext);

impl Sha256Context {
    /// Starts a new hash.
    pub fn new() -> Self {
        Self(ring::DigestContext::sha256())
    }
    /// Feeds more data.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    /// Finishes and returns the 32-byte hash.
    pub fn finish(self) -> [u8; 32] {
        let mut out = [0u8; 32];
        self.0.finish_into(&mut out);
        out
    }
}

impl Default for Sha256Context {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Sha256Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha256Context")
    }
}

/// Incremental SHA-512.
#[derive(Clone)]
pub struct Sha512Context(ring::DigestContext);

impl Sha512Context {
    /// Starts a new hash.
    pub fn new() -> Self {
        Self(ring::DigestContext::sha512())
    }
    /// Feeds more data.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    /// Finishes and returns the 64-byte hash.
    pub fn finish(self) -> [u8; 64] {
        let mut out = [0u8; 64];
        self.0.finish_into(&mut out);
        out
    }
}

impl Default for Sha512Context {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for Sha512Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sha512Context")
    }
}

/// Fills `out` with bytes from the operating system's secure random generator (for nonces).
///
/// # Errors
/// [`KeyError::Random`] if the generator fails.
pub fn random_bytes(out: &mut [u8]) -> Result<(), KeyError> {
    ring::fill_random(out)
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

    #[test]
    fn hashes_match_fips_180_examples() {
        // FIPS 180-2 Appendix B.1 / C.1: "abc".
        let h = sha256(b"abc");
        assert_eq!(
            h[..8],
            [0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea],
            "SHA-256(abc)"
        );
        let h = sha512(b"abc");
        assert_eq!(h[..8], [0xdd, 0xaf, 0x35, 0xa1, 0x93, 0x61, 0x7a, 0xba]);
        let mut ctx = Sha512Context::new();
        ctx.update(b"a");
        ctx.update(b"bc");
        assert_eq!(ctx.finish(), sha512(b"abc"));
        let mut ctx = Sha256Context::default();
        ctx.update(b"ab");
        ctx.update(b"c");
        assert_eq!(ctx.finish(), sha256(b"abc"));
    }

    #[test]
    fn random_bytes_fill() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        random_bytes(&mut a).expect("rng");
        random_bytes(&mut b).expect("rng");
        assert_ne!(a, b);
    }
}
