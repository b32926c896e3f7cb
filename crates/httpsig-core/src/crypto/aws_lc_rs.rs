//! The *aws-lc-rs* provider (feature `aws-lc-rs`; with `fips`, AWS-LC's FIPS 140-3 module).
//! This is the only file in the crate that names `aws_lc_rs`.
//!
//! Same algorithm mapping as the *ring* provider (ECDSA `*_FIXED`, RSA `*_2048_8192_*`,
//! PSS salt = hash length). Public keys are parsed once at load (`ParsedPublicKey`); where
//! AWS-LC refuses a public key that *ring* would accept and then never verify with (an EC
//! point off the curve, an RSA modulus beyond 8192 bits), the key loads and never verifies,
//! so both providers give the same results.

use std::sync::Arc;

use ::aws_lc_rs::{digest, hmac, rand, rsa, signature};

use super::{
    Algorithm, CryptoProvider, Hash, HashAlgorithm, HashContext, HashOutput, InvalidSignature,
    KeyProvider, Mac, PrivateKeyMaterial, PublicKeyBytes, PublicKeyMaterial, Scheme, SecureRandom,
    Signer, Verifier,
};
use crate::key_error::KeyError;

/// The *aws-lc-rs* provider. Its name is `"aws-lc-rs"` with or without the `fips` feature.
pub const PROVIDER: CryptoProvider = CryptoProvider {
    name: "aws-lc-rs",
    key_provider: &Keys,
    hash: &Hashes,
    secure_random: &Random,
};

/// The *aws-lc-rs* provider (the same value as [`PROVIDER`]).
pub const fn provider() -> CryptoProvider {
    PROVIDER
}

/// Whether AWS-LC runs as its FIPS 140-3 module: asked of the library at run time (its
/// power-on self tests passed), not inferred from the `fips` feature. Without that feature it
/// is always `false`.
pub fn is_fips() -> bool {
    ::aws_lc_rs::try_fips_mode().is_ok()
}

/// AWS-LC's reasons are not looked at: callers get the detail-free refusal.
fn rejected<E>(_: E) -> KeyError {
    KeyError::RejectedByBackend
}

fn wrong_scheme() -> KeyError {
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

#[derive(Debug)]
struct Keys;

impl KeyProvider for Keys {
    fn load_private_key(
        &self,
        key: &PrivateKeyMaterial<'_>,
        alg: Algorithm,
    ) -> Result<Box<dyn Signer>, KeyError> {
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
                let lc_alg = ecdsa_signing_alg(scheme).ok_or_else(wrong_scheme)?;
                SignerInner::Ecdsa(
                    signature::EcdsaKeyPair::from_pkcs8(lc_alg, der).map_err(rejected)?,
                )
            }
            PrivateKeyMaterial::EcScalarAndPoint { scalar, point } => {
                let lc_alg = ecdsa_signing_alg(scheme).ok_or_else(wrong_scheme)?;
                SignerInner::Ecdsa(
                    signature::EcdsaKeyPair::from_private_key_and_public_key(lc_alg, scalar, point)
                        .map_err(rejected)?,
                )
            }
            // v1 documents carry no public key; v2 ones are checked against the private key.
            PrivateKeyMaterial::Ed25519Pkcs8Der(der) if scheme == Scheme::Ed25519 => {
                SignerInner::Ed25519(
                    signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der).map_err(rejected)?,
                )
            }
            PrivateKeyMaterial::Ed25519SeedAndPublic { seed, public }
                if scheme == Scheme::Ed25519 =>
            {
                SignerInner::Ed25519(
                    signature::Ed25519KeyPair::from_seed_and_public_key(seed, public)
                        .map_err(rejected)?,
                )
            }
            _ => return Err(wrong_scheme()),
        };
        Ok(Box::new(LcSigner { inner, alg }))
    }

    fn load_public_key(
        &self,
        key: &PublicKeyMaterial<'_>,
        alg: Algorithm,
    ) -> Result<Arc<dyn Verifier>, KeyError> {
        let scheme = alg.scheme();
        let parsed = match *key {
            PublicKeyMaterial::Rsa { n, e } => {
                let params = rsa_verify_params(scheme).ok_or_else(wrong_scheme)?;
                signature::RsaPublicKeyComponents { n, e }.to_parsed_public_key(params)
            }
            PublicKeyMaterial::EcPoint(point) => signature::ParsedPublicKey::new(
                ecdsa_verify_alg(scheme).ok_or_else(wrong_scheme)?,
                point,
            ),
            PublicKeyMaterial::Ed25519(public) if scheme == Scheme::Ed25519 => {
                signature::ParsedPublicKey::new(&signature::ED25519, public)
            }
            _ => return Err(wrong_scheme()),
        };
        // A key AWS-LC cannot parse is one ring accepts at load and never verifies with.
        Ok(Arc::new(LcVerifier(parsed.ok())))
    }

    fn load_hmac_sha256(&self, secret: &[u8]) -> Result<Arc<dyn Mac>, KeyError> {
        Ok(Arc::new(LcHmac(hmac::Key::new(hmac::HMAC_SHA256, secret))))
    }
}

struct LcSigner {
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

impl Signer for LcSigner {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = rand::SystemRandom::new();
        match &self.inner {
            SignerInner::Rsa { pair, padding } => {
                let mut sig = vec![0u8; pair.public_modulus_len()];
                pair.sign(*padding, &rng, msg, &mut sig)
                    .map_err(|_| KeyError::SigningFailed)?;
                Ok(sig)
            }
            SignerInner::Ecdsa(pair) => pair
                .sign(&rng, msg)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| KeyError::SigningFailed),
            SignerInner::Ed25519(pair) => pair
                .try_sign(msg)
                .map(|s| s.as_ref().to_vec())
                .map_err(|_| KeyError::SigningFailed),
        }
    }

    fn public_key_bytes(&self) -> PublicKeyBytes {
        use signature::KeyPair as _;
        match &self.inner {
            // The RSAPublicKey DER document (RFC 8017 §A.1.1).
            SignerInner::Rsa { pair, .. } => {
                PublicKeyBytes::RsaPkcs1Der(pair.public_key().as_ref().to_vec())
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
                // The public key's bytes are a PKCS#1 RSAPublicKey, which the RSA
                // verification algorithms take as they are.
                let params = rsa_verify_params(self.alg.scheme()).ok_or_else(wrong_scheme)?;
                let parsed = signature::ParsedPublicKey::new(params, pair.public_key().as_ref());
                Ok(Arc::new(LcVerifier(parsed.ok())))
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

/// `None`: a key AWS-LC could not parse, which never verifies.
struct LcVerifier(Option<signature::ParsedPublicKey>);

impl Verifier for LcVerifier {
    fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), InvalidSignature> {
        match &self.0 {
            Some(key) => key.verify_sig(msg, sig).map_err(|_| InvalidSignature),
            None => Err(InvalidSignature),
        }
    }
}

struct LcHmac(hmac::Key);

impl Mac for LcHmac {
    fn sign(&self, msg: &[u8]) -> Vec<u8> {
        hmac::sign(&self.0, msg).as_ref().to_vec()
    }

    /// Constant-time comparison inside AWS-LC (`CRYPTO_memcmp`).
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
        Box::new(LcHashContext(
            digest::Context::new(digest_alg(algorithm)),
            algorithm,
        ))
    }
}

struct LcHashContext(digest::Context, HashAlgorithm);

impl HashContext for LcHashContext {
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
        rand::fill(out).map_err(|_| KeyError::Random)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn fips_mode_follows_the_feature() {
        assert_eq!(super::is_fips(), cfg!(feature = "fips"));
    }
}
