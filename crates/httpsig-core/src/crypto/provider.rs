//! The crypto provider: the backend (signing, verifying, MACs, hashing, randomness) chosen by
//! value, as rustls 0.23 does with its `CryptoProvider`.
//!
//! A [`CryptoProvider`] is a small `Copy` value of `&'static dyn` trait objects. Key formats
//! (PEM, DER, JWK) are parsed once, backend-neutrally, in [`crate::keys`]; what they yield is
//! [`PrivateKeyMaterial`] / [`PublicKeyMaterial`], which the provider's [`KeyProvider`] turns
//! into shared key objects. No type here names a backend, and backend errors reach callers only
//! as the detail-free [`KeyError::RejectedByBackend`] and [`InvalidSignature`].

use core::fmt;
use std::sync::Arc;

use crate::algorithm::{Algorithm, HashAlgorithm};
use crate::key_error::KeyError;

use super::InvalidSignature;

/// A crypto backend, chosen by value: pass it where keys are loaded
/// ([`PrivateKey::from_pem_with`](crate::keys::PrivateKey::from_pem_with) and friends) or
/// policies are built ([`VerifyPolicy::with_provider`](crate::VerifyPolicy::with_provider)).
///
/// [`CryptoProvider::default`] is *ring* ([`super::ring::provider`]); with the `aws-lc-rs`
/// feature, `super::aws_lc_rs::provider()` is the second one. A provider is cheap to copy.
///
/// # Examples
/// ```
/// use httpsig_core::crypto::{CryptoProvider, HashAlgorithm};
///
/// let ring = CryptoProvider::from_name("ring").expect("ring is always built in");
/// assert_eq!(ring.name, "ring");
/// // FIPS 180-2 Appendix B.1: SHA-256("abc") starts ba7816bf.
/// assert_eq!(ring.sha256(b"abc")[..4], [0xba, 0x78, 0x16, 0xbf]);
/// assert!(CryptoProvider::from_name("openssl").is_none());
/// ```
#[derive(Clone, Copy)]
pub struct CryptoProvider {
    /// The provider's name as the command line spells it: `"ring"`, `"aws-lc-rs"`.
    pub name: &'static str,
    /// Turns backend-neutral key material into key objects.
    pub key_provider: &'static dyn KeyProvider,
    /// SHA-2 hashing.
    pub hash: &'static dyn Hash,
    /// The operating system's secure random generator, as the backend reaches it.
    pub secure_random: &'static dyn SecureRandom,
}

impl CryptoProvider {
    /// The names [`Self::from_name`] knows in this build, default first.
    pub const NAMES: &'static [&'static str] = &[
        "ring",
        #[cfg(feature = "aws-lc-rs")]
        "aws-lc-rs",
    ];

    /// The built-in provider called `name` (`"ring"`, and `"aws-lc-rs"` with that feature).
    /// Unknown names and providers not compiled in give `None`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "ring" => Some(super::ring::provider()),
            #[cfg(feature = "aws-lc-rs")]
            "aws-lc-rs" => Some(super::aws_lc_rs::provider()),
            _ => None,
        }
    }

    /// The digest of `data` under `algorithm`.
    pub fn digest(&self, algorithm: HashAlgorithm, data: &[u8]) -> HashOutput {
        self.hash.hash(algorithm, data)
    }

    /// SHA-256 of `data`.
    pub fn sha256(&self, data: &[u8]) -> [u8; 32] {
        let mut out = [0u8; 32];
        copy_prefix(&mut out, self.digest(HashAlgorithm::Sha256, data).as_ref());
        out
    }

    /// SHA-512 of `data`.
    pub fn sha512(&self, data: &[u8]) -> [u8; 64] {
        let mut out = [0u8; 64];
        copy_prefix(&mut out, self.digest(HashAlgorithm::Sha512, data).as_ref());
        out
    }

    /// Fills `out` with secure random bytes (for nonces and `jti`s).
    ///
    /// # Errors
    /// [`KeyError::Random`] if the generator fails.
    pub fn random_bytes(&self, out: &mut [u8]) -> Result<(), KeyError> {
        self.secure_random.fill(out)
    }
}

/// Copies as much of `src` as fits; `out` is sized by the algorithm, so all of it fits.
fn copy_prefix(out: &mut [u8], src: &[u8]) {
    for (o, s) in out.iter_mut().zip(src) {
        *o = *s;
    }
}

impl Default for CryptoProvider {
    /// *ring*.
    fn default() -> Self {
        super::ring::provider()
    }
}

impl fmt::Debug for CryptoProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CryptoProvider")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl PartialEq for CryptoProvider {
    /// Providers are equal when they have the same name.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for CryptoProvider {}

/// Turns backend-neutral key material into the backend's key objects, parsed once.
///
/// Implementations refuse material they cannot use with [`KeyError::RejectedByBackend`] (no
/// detail); the backend-neutral checks (RSA sizes, Ed25519 small-order points, EC point
/// encoding, HMAC secret length) have already run in [`crate::keys`].
pub trait KeyProvider: Send + Sync + fmt::Debug {
    /// A private key for signing with `algorithm` (whose scheme fits the material's kind).
    ///
    /// # Errors
    /// [`KeyError::RejectedByBackend`] if the backend refuses the key.
    fn load_private_key(
        &self,
        key: &PrivateKeyMaterial<'_>,
        algorithm: Algorithm,
    ) -> Result<Box<dyn Signer>, KeyError>;

    /// A public key for verifying with `algorithm`.
    ///
    /// # Errors
    /// [`KeyError::RejectedByBackend`] if the backend refuses the key.
    fn load_public_key(
        &self,
        key: &PublicKeyMaterial<'_>,
        algorithm: Algorithm,
    ) -> Result<Arc<dyn Verifier>, KeyError>;

    /// An HMAC-SHA256 key.
    ///
    /// # Errors
    /// [`KeyError::RejectedByBackend`] if the backend refuses the secret.
    fn load_hmac_sha256(&self, secret: &[u8]) -> Result<Arc<dyn Mac>, KeyError>;
}

/// A backend's private key object, with its algorithm fixed at load time.
pub trait Signer: Send + Sync {
    /// Signs `message`: ECDSA as fixed-size `r||s`, RSA-PSS with a salt as long as the hash.
    ///
    /// # Errors
    /// [`KeyError::SigningFailed`] (no detail) or [`KeyError::Random`].
    fn sign(&self, message: &[u8]) -> Result<Vec<u8>, KeyError>;

    /// The verifier for this key's public half, under the algorithm it was loaded with.
    ///
    /// # Errors
    /// [`KeyError::RejectedByBackend`] if the backend cannot build it.
    fn public_key(&self) -> Result<Arc<dyn Verifier>, KeyError>;

    /// The public half as bytes, for publishing it (a JWK): backend-neutral encodings only.
    fn public_key_bytes(&self) -> PublicKeyBytes;
}

/// A private key's public half as a backend hands it out, in standard encodings.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKeyBytes {
    /// A PKCS#1 `RSAPublicKey` DER document (RFC 8017 §A.1.1).
    RsaPkcs1Der(Vec<u8>),
    /// An uncompressed EC point `04||x||y`.
    EcPoint(Vec<u8>),
    /// A 32-byte Ed25519 public key.
    Ed25519(Vec<u8>),
}

/// A backend's public key object, with its algorithm fixed at load time.
pub trait Verifier: Send + Sync {
    /// Verifies `signature` over `message`.
    ///
    /// # Errors
    /// [`InvalidSignature`] for every kind of failure, including a key (such as an EC point
    /// off the curve) that can never verify.
    fn verify(&self, message: &[u8], signature: &[u8]) -> Result<(), InvalidSignature>;
}

/// A backend's MAC key object (HMAC-SHA256).
pub trait Mac: Send + Sync {
    /// The tag over `message`.
    fn sign(&self, message: &[u8]) -> Vec<u8>;

    /// Checks `tag` over `message`, comparing in constant time (never with `==`).
    ///
    /// # Errors
    /// [`InvalidSignature`] if the tag does not match.
    fn verify(&self, message: &[u8], tag: &[u8]) -> Result<(), InvalidSignature>;
}

/// SHA-2 hashing.
pub trait Hash: Send + Sync + fmt::Debug {
    /// The digest of `data` in one call (no allocation).
    fn hash(&self, algorithm: HashAlgorithm, data: &[u8]) -> HashOutput;

    /// A running hash, for content that arrives in pieces.
    fn start(&self, algorithm: HashAlgorithm) -> Box<dyn HashContext>;
}

/// A running hash started by [`Hash::start`].
pub trait HashContext: Send + Sync {
    /// Feeds more data.
    fn update(&mut self, data: &[u8]);

    /// Finishes and returns the digest.
    fn finish(self: Box<Self>) -> HashOutput;
}

/// A secure random generator.
pub trait SecureRandom: Send + Sync + fmt::Debug {
    /// Fills `out` with random bytes.
    ///
    /// # Errors
    /// [`KeyError::Random`] if the generator fails.
    fn fill(&self, out: &mut [u8]) -> Result<(), KeyError>;
}

/// A digest: its algorithm and output (at most 64 bytes), without allocation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct HashOutput {
    algorithm: HashAlgorithm,
    bytes: [u8; 64],
}

impl HashOutput {
    /// The digest of `algorithm` whose bytes are `output` (a backend's result; only the
    /// algorithm's output length is kept).
    pub fn new(algorithm: HashAlgorithm, output: &[u8]) -> Self {
        let mut bytes = [0u8; 64];
        copy_prefix(&mut bytes, output);
        Self { algorithm, bytes }
    }

    /// The algorithm that produced this digest.
    pub fn algorithm(&self) -> HashAlgorithm {
        self.algorithm
    }
}

impl AsRef<[u8]> for HashOutput {
    fn as_ref(&self) -> &[u8] {
        self.bytes
            .get(..self.algorithm.output_len())
            .unwrap_or(&self.bytes)
    }
}

impl fmt::Debug for HashOutput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "HashOutput({:?}, ", self.algorithm)?;
        for b in self.as_ref() {
            write!(f, "{b:02x}")?;
        }
        f.write_str(")")
    }
}

/// Private key material, backend-neutral: what [`crate::keys`] found in PEM, DER or a JWK.
/// `Debug` shows the kind only, never key bytes.
#[non_exhaustive]
#[derive(Clone, Copy)]
pub enum PrivateKeyMaterial<'a> {
    /// A PKCS#1 `RSAPrivateKey` (RFC 8017 Appendix A.1.2), DER.
    RsaPkcs1Der(&'a [u8]),
    /// RSA private key components (JWK, RFC 7518 §6.3.2).
    RsaComponents(RsaPrivateComponents<'a>),
    /// A whole PKCS#8 document (RFC 5208 / RFC 5958) holding a P-256 or P-384 key, DER.
    EcPkcs8Der(&'a [u8]),
    /// An EC private scalar (fixed length) and its uncompressed public point `04||x||y`
    /// (SEC1 `ECPrivateKey`, JWK).
    EcScalarAndPoint {
        /// The private scalar, big-endian, the curve's coordinate length.
        scalar: &'a [u8],
        /// The public point `04||x||y`.
        point: &'a [u8],
    },
    /// A whole PKCS#8 document holding an Ed25519 key, v1 (no public key) or v2, DER.
    Ed25519Pkcs8Der(&'a [u8]),
    /// An Ed25519 seed and the public key it must match (JWK `d`, `x`).
    Ed25519SeedAndPublic {
        /// The 32-byte seed.
        seed: &'a [u8],
        /// The 32-byte public key.
        public: &'a [u8],
    },
}

impl fmt::Debug for PrivateKeyMaterial<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::RsaPkcs1Der(_) => "RsaPkcs1Der(<redacted>)",
            Self::RsaComponents(_) => "RsaComponents(<redacted>)",
            Self::EcPkcs8Der(_) => "EcPkcs8Der(<redacted>)",
            Self::EcScalarAndPoint { .. } => "EcScalarAndPoint(<redacted>)",
            Self::Ed25519Pkcs8Der(_) => "Ed25519Pkcs8Der(<redacted>)",
            Self::Ed25519SeedAndPublic { .. } => "Ed25519SeedAndPublic(<redacted>)",
        })
    }
}

/// Big-endian RSA private key components, borrowed (JWK members, decoded).
#[derive(Clone, Copy)]
#[expect(missing_docs, reason = "the RFC 7518 §6.3 member names say it all")]
pub struct RsaPrivateComponents<'a> {
    pub n: &'a [u8],
    pub e: &'a [u8],
    pub d: &'a [u8],
    pub p: &'a [u8],
    pub q: &'a [u8],
    pub dp: &'a [u8],
    pub dq: &'a [u8],
    pub qi: &'a [u8],
}

impl fmt::Debug for RsaPrivateComponents<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RsaPrivateComponents(<redacted>)")
    }
}

/// Public key material, backend-neutral.
#[non_exhaustive]
#[derive(Clone, Copy, Debug)]
pub enum PublicKeyMaterial<'a> {
    /// RSA modulus and exponent, big-endian without leading zeros.
    Rsa {
        /// The modulus.
        n: &'a [u8],
        /// The public exponent.
        e: &'a [u8],
    },
    /// An uncompressed EC point `04||x||y` (P-256 or P-384 by the algorithm).
    EcPoint(&'a [u8]),
    /// A 32-byte Ed25519 public key, already checked for small order and canonical encoding.
    Ed25519(&'a [u8]),
}
