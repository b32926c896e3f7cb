//! The *ring* provider: the default. This is the only file in the crate that names `ring`.
//!
//! It receives backend-neutral key material (parsed in [`crate::keys`]) and an
//! [`Algorithm`], builds ring's key objects once, and maps every ring error to our detail-free
//! ones. Algorithm mapping (reference §9.1): ECDSA uses the `*_FIXED` (raw `r||s`) variants,
//! never `*_ASN1`; RSA verification uses the `*_2048_8192_*` parameters; RSA-PSS salt = hash
//! length.

use std::sync::Arc;

use ::ring::{digest, hmac, rand, rsa, signature};

use super::{
    Algorithm, CryptoProvider, Hash, HashAlgorithm, HashContext, HashOutput, InvalidSignature,
    KeyProvider, Mac, PrivateKeyMaterial, PublicKeyBytes, PublicKeyMaterial, Scheme, SecureRandom,
    Signer, Verifier,
};
use crate::key_error::KeyError;

/// The *ring* provider.
pub const PROVIDER: CryptoProvider = CryptoProvider {
    name: "ring",
    key_provider: &Keys,
    hash: &Hashes,
    secure_random: &Random,
};

/// The *ring* provider (the same value as [`PROVIDER`]).
pub const fn provider() -> CryptoProvider {
    PROVIDER
}

/// ring reports why it refused a key only through `Display`; we do not look (STYLE: no error
/// classified by a backend's text). The backend-neutral pre-checks in `keys` give the reasons
/// that callers may branch on.
fn rejected<E>(_: E) -> KeyError {
    KeyError::RejectedByBackend
}

fn rsa_signing_padding(scheme: Scheme) -> Option<&'static dyn signature::RsaEncoding> {
    Some(match scheme {
        Scheme::RsaPss(HashAlgorithm::Sha256) => &signature::RSA_PSS_SHA256,
        Scheme::RsaPss(HashAlgorithm::Sha384) => &signature::RSA_PSS_SHA384,
        Scheme::RsaPss(HashAlgorithm::Sha512) => &signature::RSA_PSS_SHA512,
        Scheme::RsaPkcs1(HashAlgorithm::Sha256) => &signature::RSA_PKCS1_SHA256,
        Scheme::RsaPkcs1(HashAlgorithm::Sha384) => &signature::RSA_PKCS1_SHA384,
        Scheme::RsaPkcs1(HashAlgorithm::Sha512) => &signature::RSA_PKCS1_SHA512,
        _ => return None,
    })
}

fn rsa_verify_params(scheme: Scheme) -> Option<&'static signature::RsaParameters> {
    Some(match scheme {
        Scheme::RsaPss(HashAlgorithm::Sha256) => &signature::RSA_PSS_2048_8192_SHA256,
        Scheme::RsaPss(HashAlgorithm::Sha384) => &signature::RSA_PSS_2048_8192_SHA384,
        Scheme::RsaPss(HashAlgorithm::Sha512) => &signature::RSA_PSS_2048_8192_SHA512,
        Scheme::RsaPkcs1(HashAlgorithm::Sha256) => &signature::RSA_PKCS1_2048_8192_SHA256,
        Scheme::RsaPkcs1(HashAlgorithm::Sha384) => &signature::RSA_PKCS1_2048_8192_SHA384,
        Scheme::RsaPkcs1(HashAlgorithm::Sha512) => &signature::RSA_PKCS1_2048_8192_SHA512,
        _ => return None,
    })
}

fn ecdsa_signing_alg(scheme: Scheme) -> Option<&'static signature::EcdsaSigningAlgorithm> {
    match scheme {
        Scheme::EcdsaP256Sha256 => Some(&signature::ECDSA_P256_SHA256_FIXED_SIGNING),
        Scheme::EcdsaP384Sha384 => Some(&signature::ECDSA_P384_SHA384_FIXED_SIGNING),
        _ => None,
    }
}

fn ecdsa_verify_alg(scheme: Scheme) -> Option<&'static signature::EcdsaVerificationAlgorithm> {
    match scheme {
        Scheme::EcdsaP256Sha256 => Some(&signature::ECDSA_P256_SHA256_FIXED),
        Scheme::EcdsaP384Sha384 => Some(&signature::ECDSA_P384_SHA384_FIXED),
        _ => None,
    }
}

/// Callers pass an algorithm whose scheme matches the key kind; anything else is a bug in the
/// caller, refused rather than a panic.
fn wrong_scheme() -> KeyError {
    KeyError::RejectedByBackend
}

#[derive(Debug)]
struct Keys;

impl KeyProvider for Keys {
    fn load_private_key(
        &self,
        key: &PrivateKeyMaterial<'_>,
        alg: Algorithm,
    ) -> Result<Box<dyn Signer>, KeyError> {
        let rng = rand::SystemRandom::new();
        let scheme = alg.scheme();
        let inner = match *key {
            PrivateKeyMaterial::RsaPkcs1Der(der) => {
                let padding = rsa_signing_padding(scheme).ok_or_else(wrong_scheme)?;
                let pair = signature::RsaKeyPair::from_der(der).map_err(rejected)?;
                SignerInner::Rsa { pair, padding }
            }
            PrivateKeyMaterial::RsaComponents(c) => {
                let padding = rsa_signing_padding(scheme).ok_or_else(wrong_scheme)?;
                let components = rsa::KeyPairComponents {
                    public_key: rsa::PublicKeyComponents { n: c.n, e: c.e },
                    d: c.d,
                    p: c.p,
                    q: c.q,
                    dP: c.dp,
                    dQ: c.dq,
                    qInv: c.qi,
                };
                let pair = signature::RsaKeyPair::from_components(&components).map_err(rejected)?;
                SignerInner::Rsa { pair, padding }
            }
            PrivateKeyMaterial::EcPkcs8Der(der) => {
                let ring_alg = ecdsa_signing_alg(scheme).ok_or_else(wrong_scheme)?;
                let pair =
                    signature::EcdsaKeyPair::from_pkcs8(ring_alg, der, &rng).map_err(rejected)?;
                SignerInner::Ecdsa(pair)
            }
            PrivateKeyMaterial::EcScalarAndPoint { scalar, point } => {
                let ring_alg = ecdsa_signing_alg(scheme).ok_or_else(wrong_scheme)?;
                let pair = signature::EcdsaKeyPair::from_private_key_and_public_key(
                    ring_alg, scalar, point, &rng,
                )
                .map_err(rejected)?;
                SignerInner::Ecdsa(pair)
            }
            // `from_pkcs8_maybe_unchecked`: PKCS#8 v1 (RFC 5208) carries no public key, so
            // there is nothing to check the private key against — ring derives the public key.
            // RFC 9421's `test-key-ed25519` is such a v1 document, and `from_pkcs8` refuses it.
            // v2 documents are still checked for consistency.
            PrivateKeyMaterial::Ed25519Pkcs8Der(der) if scheme == Scheme::Ed25519 => {
                let pair =
                    signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(rejected)?;
                SignerInner::Ed25519(pair)
            }
            PrivateKeyMaterial::Ed25519SeedAndPublic { seed, public }
                if scheme == Scheme::Ed25519 =>
            {
                let pair = signature::Ed25519KeyPair::from_seed_and_public_key(seed, public)
                    .map_err(rejected)?;
                SignerInner::Ed25519(pair)
            }
            _ => return Err(wrong_scheme()),
        };
        Ok(Box::new(RingSigner { inner, alg }))
    }

    fn load_public_key(
        &self,
        key: &PublicKeyMaterial<'_>,
        alg: Algorithm,
    ) -> Result<Arc<dyn Verifier>, KeyError> {
        let scheme = alg.scheme();
        let inner = match *key {
            PublicKeyMaterial::Rsa { n, e } => VerifierInner::Rsa {
                params: rsa_verify_params(scheme).ok_or_else(wrong_scheme)?,
                key: signature::RsaPublicKeyComponents {
                    n: n.to_vec(),
                    e: e.to_vec(),
                },
            },
            // ring checks the point is on the curve when verifying; a bad point never verifies.
            PublicKeyMaterial::EcPoint(point) => {
                VerifierInner::Point(signature::UnparsedPublicKey::new(
                    ecdsa_verify_alg(scheme).ok_or_else(wrong_scheme)?,
                    point.to_vec(),
                ))
            }
            PublicKeyMaterial::Ed25519(public) if scheme == Scheme::Ed25519 => {
                VerifierInner::Point(signature::UnparsedPublicKey::new(
                    &signature::ED25519,
                    public.to_vec(),
                ))
            }
            _ => return Err(wrong_scheme()),
        };
        Ok(Arc::new(RingVerifier(inner)))
    }

    fn load_hmac_sha256(&self, secret: &[u8]) -> Result<Arc<dyn Mac>, KeyError> {
        Ok(Arc::new(RingHmac(hmac::Key::new(
            hmac::HMAC_SHA256,
            secret,
        ))))
    }
}

/// A private key held by ring, parsed once.
struct RingSigner {
    inner: SignerInner,
    alg: Algorithm,
}

enum SignerInner {
    Rsa {
        pair: signature::RsaKeyPair,
        padding: &'static dyn signature::RsaEncoding,
    },
    Ecdsa(signature::EcdsaKeyPair),
    Ed25519(signature::Ed25519KeyPair),
}

impl Signer for RingSigner {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = rand::SystemRandom::new();
        match &self.inner {
            SignerInner::Rsa { pair, padding } => {
                let mut sig = vec![0u8; pair.public().modulus_len()];
                pair.sign(*padding, &rng, msg, &mut sig)
                    .map_err(|_| KeyError::SigningFailed)?;
                Ok(sig)
            }
            SignerInner::Ecdsa(pair) => pair
                .sign(&rng, msg)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| KeyError::SigningFailed),
            SignerInner::Ed25519(pair) => Ok(pair.sign(msg).as_ref().to_vec()),
        }
    }

    fn public_key_bytes(&self) -> PublicKeyBytes {
        use signature::KeyPair as _;
        match &self.inner {
            // The RSAPublicKey DER document (RFC 8017 §A.1.1).
            SignerInner::Rsa { pair, .. } => {
                PublicKeyBytes::RsaPkcs1Der(pair.public().as_ref().to_vec())
            }
            SignerInner::Ecdsa(pair) => {
                PublicKeyBytes::EcPoint(pair.public_key().as_ref().to_vec())
            }
            SignerInner::Ed25519(pair) => {
                PublicKeyBytes::Ed25519(pair.public_key().as_ref().to_vec())
            }
        }
    }

    fn public_key(&self) -> Result<Arc<dyn Verifier>, KeyError> {
        use signature::KeyPair as _;
        match &self.inner {
            SignerInner::Rsa { pair, .. } => {
                let c: rsa::PublicKeyComponents<Vec<u8>> = pair.public().into();
                Keys.load_public_key(&PublicKeyMaterial::Rsa { n: &c.n, e: &c.e }, self.alg)
            }
            SignerInner::Ecdsa(pair) => Keys.load_public_key(
                &PublicKeyMaterial::EcPoint(pair.public_key().as_ref()),
                self.alg,
            ),
            SignerInner::Ed25519(pair) => Keys.load_public_key(
                &PublicKeyMaterial::Ed25519(pair.public_key().as_ref()),
                self.alg,
            ),
        }
    }
}

/// A public key held for ring, parsed once.
struct RingVerifier(VerifierInner);

enum VerifierInner {
    Rsa {
        key: signature::RsaPublicKeyComponents<Vec<u8>>,
        params: &'static signature::RsaParameters,
    },
    Point(signature::UnparsedPublicKey<Vec<u8>>),
}

impl Verifier for RingVerifier {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), InvalidSignature> {
        match &self.0 {
            VerifierInner::Rsa { key, params } => key.verify(params, msg, sig),
            VerifierInner::Point(key) => key.verify(msg, sig),
        }
        .map_err(|_| InvalidSignature)
    }
}

/// An HMAC-SHA256 key.
struct RingHmac(hmac::Key);

impl Mac for RingHmac {
    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        hmac::sign(&self.0, msg).as_ref().to_vec()
    }

    /// Constant-time comparison inside ring.
    fn verify(&self, msg: &[u8], tag: &[u8]) -> Result<(), InvalidSignature> {
        hmac::verify(&self.0, msg, tag).map_err(|_| InvalidSignature)
    }
}

fn digest_alg(algorithm: HashAlgorithm) -> &'static digest::Algorithm {
    match algorithm {
        HashAlgorithm::Sha256 => &digest::SHA256,
        HashAlgorithm::Sha384 => &digest::SHA384,
        HashAlgorithm::Sha512 => &digest::SHA512,
    }
}

#[derive(Debug)]
struct Hashes;

impl Hash for Hashes {
    fn hash(&self, algorithm: HashAlgorithm, data: &[u8]) -> HashOutput {
        HashOutput::new(
            algorithm,
            digest::digest(digest_alg(algorithm), data).as_ref(),
        )
    }

    fn start(&self, algorithm: HashAlgorithm) -> Box<dyn HashContext> {
        Box::new(RingHashContext(
            digest::Context::new(digest_alg(algorithm)),
            algorithm,
        ))
    }
}

struct RingHashContext(digest::Context, HashAlgorithm);

impl HashContext for RingHashContext {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    fn finish(self: Box<Self>) -> HashOutput {
        HashOutput::new(self.1, self.0.finish().as_ref())
    }
}

#[derive(Debug)]
struct Random;

impl SecureRandom for Random {
    fn fill(&self, out: &mut [u8]) -> Result<(), KeyError> {
        use rand::SecureRandom as _;
        rand::SystemRandom::new()
            .fill(out)
            .map_err(|_| KeyError::Random)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Why `keys::ed25519::check_public` exists: this backend's Ed25519 verification is
    /// cofactorless, so for the identity point as public key the keyless signature
    /// `R = identity, S = 0` verifies for any message. `keys` refuses such keys at load
    /// (its tests check that, for every provider).
    #[test]
    fn identity_public_key_accepts_a_keyless_signature() {
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let mut forged = [0u8; 64];
        forged[0] = 1; // R = the identity's encoding; S = 0
        let raw = signature::UnparsedPublicKey::new(&signature::ED25519, identity);
        for msg in [&b"any message"[..], b"", b"\"@method\": POST"] {
            assert!(raw.verify(msg, &forged).is_ok());
        }
    }
}
