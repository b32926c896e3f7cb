//! The *ring* backend. This is the only file in the crate that names `ring`.
//!
//! Key containers are unwrapped in [`crate::keys`]; this module receives DER or raw key bytes
//! and an [`Algorithm`], builds ring's key objects once, and maps ring's errors to ours.
//! Algorithm mapping (reference §9.1): ECDSA uses the `*_FIXED` (raw `r||s`) variants, never
//! `*_ASN1`; RSA verification uses the `*_2048_8192_*` parameters; RSA-PSS salt = hash length.

use ring::{digest, error::KeyRejected, hmac, rand, rsa, signature};

use super::{Algorithm, Hash, InvalidSignature, Scheme};
use crate::keys::{BackendRejection, KeyError};

fn rejected(e: KeyRejected) -> KeyError {
    // ring exposes the reason only through `Display`; we map the strings ring 0.17 emits to
    // a closed set and keep anything new as `Other`. (Error path only.)
    let reason = match e.to_string().as_str() {
        "InvalidEncoding" => BackendRejection::InvalidEncoding,
        "InconsistentComponents" => BackendRejection::InconsistentComponents,
        "InvalidComponent" => BackendRejection::InvalidComponent,
        "TooSmall" => BackendRejection::TooSmall,
        "TooLarge" => BackendRejection::TooLarge,
        "VersionNotSupported" => BackendRejection::VersionNotSupported,
        "WrongAlgorithm" => BackendRejection::WrongAlgorithm,
        "PublicKeyIsMissing" => BackendRejection::PublicKeyMissing,
        "PrivateModulusLenNotMultipleOf512Bits" => BackendRejection::ModulusLenNotMultipleOf512Bits,
        _ => BackendRejection::Other,
    };
    KeyError::RejectedByBackend(reason)
}

fn rsa_signing_padding(scheme: Scheme) -> Option<&'static dyn signature::RsaEncoding> {
    Some(match scheme {
        Scheme::RsaPss(Hash::Sha256) => &signature::RSA_PSS_SHA256,
        Scheme::RsaPss(Hash::Sha384) => &signature::RSA_PSS_SHA384,
        Scheme::RsaPss(Hash::Sha512) => &signature::RSA_PSS_SHA512,
        Scheme::RsaPkcs1(Hash::Sha256) => &signature::RSA_PKCS1_SHA256,
        Scheme::RsaPkcs1(Hash::Sha384) => &signature::RSA_PKCS1_SHA384,
        Scheme::RsaPkcs1(Hash::Sha512) => &signature::RSA_PKCS1_SHA512,
        _ => return None,
    })
}

fn rsa_verify_params(scheme: Scheme) -> Option<&'static signature::RsaParameters> {
    Some(match scheme {
        Scheme::RsaPss(Hash::Sha256) => &signature::RSA_PSS_2048_8192_SHA256,
        Scheme::RsaPss(Hash::Sha384) => &signature::RSA_PSS_2048_8192_SHA384,
        Scheme::RsaPss(Hash::Sha512) => &signature::RSA_PSS_2048_8192_SHA512,
        Scheme::RsaPkcs1(Hash::Sha256) => &signature::RSA_PKCS1_2048_8192_SHA256,
        Scheme::RsaPkcs1(Hash::Sha384) => &signature::RSA_PKCS1_2048_8192_SHA384,
        Scheme::RsaPkcs1(Hash::Sha512) => &signature::RSA_PKCS1_2048_8192_SHA512,
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

/// A private key held by ring, parsed once.
pub(crate) struct Signer(SignerInner);

enum SignerInner {
    Rsa {
        pair: signature::RsaKeyPair,
        padding: &'static dyn signature::RsaEncoding,
    },
    Ecdsa(signature::EcdsaKeyPair),
    Ed25519(signature::Ed25519KeyPair),
}

/// Callers pass an algorithm whose scheme matches the key kind; anything else is a bug in the
/// caller, reported as a mismatch rather than a panic.
fn wrong_scheme() -> KeyError {
    KeyError::RejectedByBackend(BackendRejection::WrongAlgorithm)
}

impl Signer {
    /// PKCS#1 RSAPrivateKey DER.
    pub(crate) fn rsa_pkcs1(der: &[u8], alg: Algorithm) -> Result<Self, KeyError> {
        let padding = rsa_signing_padding(alg.scheme()).ok_or_else(wrong_scheme)?;
        let pair = signature::RsaKeyPair::from_der(der).map_err(rejected)?;
        Ok(Self(SignerInner::Rsa { pair, padding }))
    }

    /// RSA from big-endian components (JWK).
    pub(crate) fn rsa_components(
        c: &RsaPrivateComponents<'_>,
        alg: Algorithm,
    ) -> Result<Self, KeyError> {
        let padding = rsa_signing_padding(alg.scheme()).ok_or_else(wrong_scheme)?;
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
        Ok(Self(SignerInner::Rsa { pair, padding }))
    }

    /// A whole PKCS#8 document holding an EC key.
    pub(crate) fn ecdsa_pkcs8(pkcs8: &[u8], alg: Algorithm) -> Result<Self, KeyError> {
        let ring_alg = ecdsa_signing_alg(alg.scheme()).ok_or_else(wrong_scheme)?;
        let rng = rand::SystemRandom::new();
        let pair = signature::EcdsaKeyPair::from_pkcs8(ring_alg, pkcs8, &rng).map_err(rejected)?;
        Ok(Self(SignerInner::Ecdsa(pair)))
    }

    /// EC private scalar (fixed length) and uncompressed public point (SEC1 DER, JWK).
    pub(crate) fn ecdsa_scalar_and_point(
        scalar: &[u8],
        point: &[u8],
        alg: Algorithm,
    ) -> Result<Self, KeyError> {
        let ring_alg = ecdsa_signing_alg(alg.scheme()).ok_or_else(wrong_scheme)?;
        let rng = rand::SystemRandom::new();
        let pair =
            signature::EcdsaKeyPair::from_private_key_and_public_key(ring_alg, scalar, point, &rng)
                .map_err(rejected)?;
        Ok(Self(SignerInner::Ecdsa(pair)))
    }

    /// A whole PKCS#8 document holding an Ed25519 key, v1 or v2.
    ///
    /// Uses ring's `from_pkcs8_maybe_unchecked`: PKCS#8 v1 (RFC 5208) carries no public key,
    /// so there is nothing to check the private key against — ring derives the public key.
    /// RFC 9421's `test-key-ed25519` is such a v1 document, and `from_pkcs8` refuses it
    /// (`VersionNotSupported`). v2 documents are still checked for consistency.
    pub(crate) fn ed25519_pkcs8(pkcs8: &[u8]) -> Result<Self, KeyError> {
        let pair =
            signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8).map_err(rejected)?;
        Ok(Self(SignerInner::Ed25519(pair)))
    }

    /// Ed25519 seed and public key (JWK `d`, `x`), checked for consistency.
    pub(crate) fn ed25519_seed_and_public(seed: &[u8], public: &[u8]) -> Result<Self, KeyError> {
        let pair =
            signature::Ed25519KeyPair::from_seed_and_public_key(seed, public).map_err(rejected)?;
        Ok(Self(SignerInner::Ed25519(pair)))
    }

    /// Signs with the padding/curve fixed at load time.
    pub(crate) fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, KeyError> {
        let rng = rand::SystemRandom::new();
        match &self.0 {
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

    /// The verifier for this key's public half under `alg`.
    pub(crate) fn verifier(&self, alg: Algorithm) -> Result<Verifier, KeyError> {
        use signature::KeyPair as _;
        match &self.0 {
            SignerInner::Rsa { pair, .. } => {
                let c: rsa::PublicKeyComponents<Vec<u8>> = pair.public().into();
                Verifier::rsa(&c.n, &c.e, alg)
            }
            SignerInner::Ecdsa(pair) => Verifier::ec_point(pair.public_key().as_ref(), alg),
            SignerInner::Ed25519(pair) => Verifier::ed25519(pair.public_key().as_ref(), alg),
        }
    }
}

/// Borrowed big-endian RSA private key components (JWK members, decoded).
pub(crate) struct RsaPrivateComponents<'a> {
    pub(crate) n: &'a [u8],
    pub(crate) e: &'a [u8],
    pub(crate) d: &'a [u8],
    pub(crate) p: &'a [u8],
    pub(crate) q: &'a [u8],
    pub(crate) dp: &'a [u8],
    pub(crate) dq: &'a [u8],
    pub(crate) qi: &'a [u8],
}

/// A public key held for ring, parsed once; cheap to clone.
#[derive(Clone)]
pub(crate) struct Verifier(VerifierInner);

#[derive(Clone)]
enum VerifierInner {
    Rsa {
        key: signature::RsaPublicKeyComponents<Vec<u8>>,
        params: &'static signature::RsaParameters,
    },
    Point(signature::UnparsedPublicKey<Vec<u8>>),
}

impl Verifier {
    /// RSA from big-endian `n` and `e` (no leading zeros).
    pub(crate) fn rsa(n: &[u8], e: &[u8], alg: Algorithm) -> Result<Self, KeyError> {
        let params = rsa_verify_params(alg.scheme()).ok_or_else(wrong_scheme)?;
        Ok(Self(VerifierInner::Rsa {
            key: signature::RsaPublicKeyComponents {
                n: n.to_vec(),
                e: e.to_vec(),
            },
            params,
        }))
    }

    /// ECDSA from an uncompressed point `04||x||y`. ring checks the point is on the curve
    /// when verifying; a bad point makes every verification fail.
    pub(crate) fn ec_point(point: &[u8], alg: Algorithm) -> Result<Self, KeyError> {
        let ring_alg: &'static signature::EcdsaVerificationAlgorithm = match alg.scheme() {
            Scheme::EcdsaP256Sha256 => &signature::ECDSA_P256_SHA256_FIXED,
            Scheme::EcdsaP384Sha384 => &signature::ECDSA_P384_SHA384_FIXED,
            _ => return Err(wrong_scheme()),
        };
        Ok(Self(VerifierInner::Point(
            signature::UnparsedPublicKey::new(ring_alg, point.to_vec()),
        )))
    }

    /// Ed25519 from the 32-byte public key.
    pub(crate) fn ed25519(public: &[u8], alg: Algorithm) -> Result<Self, KeyError> {
        if alg.scheme() != Scheme::Ed25519 {
            return Err(wrong_scheme());
        }
        Ok(Self(VerifierInner::Point(
            signature::UnparsedPublicKey::new(&signature::ED25519, public.to_vec()),
        )))
    }

    pub(crate) fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), InvalidSignature> {
        match &self.0 {
            VerifierInner::Rsa { key, params } => key.verify(params, msg, sig),
            VerifierInner::Point(key) => key.verify(msg, sig),
        }
        .map_err(|_| InvalidSignature)
    }
}

/// An HMAC-SHA256 key.
#[derive(Clone)]
pub(crate) struct Hmac(hmac::Key);

impl Hmac {
    pub(crate) fn sha256(secret: &[u8]) -> Self {
        Self(hmac::Key::new(hmac::HMAC_SHA256, secret))
    }

    pub(crate) fn sign(&self, msg: &[u8]) -> Vec<u8> {
        hmac::sign(&self.0, msg).as_ref().to_vec()
    }

    /// Constant-time comparison inside ring.
    pub(crate) fn verify(&self, msg: &[u8], tag: &[u8]) -> Result<(), InvalidSignature> {
        hmac::verify(&self.0, msg, tag).map_err(|_| InvalidSignature)
    }
}

/// A running SHA-256 or SHA-512.
#[derive(Clone)]
pub(crate) struct DigestContext(digest::Context);

impl DigestContext {
    pub(crate) fn sha256() -> Self {
        Self(digest::Context::new(&digest::SHA256))
    }

    pub(crate) fn sha512() -> Self {
        Self(digest::Context::new(&digest::SHA512))
    }

    pub(crate) fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// Writes the digest into `out`, whose length is the digest length (32 or 64) by
    /// construction in `Sha256Context`/`Sha512Context`; `zip` keeps this panic-free anyway.
    pub(crate) fn finish_into(self, out: &mut [u8]) {
        let d = self.0.finish();
        for (o, b) in out.iter_mut().zip(d.as_ref()) {
            *o = *b;
        }
    }
}

pub(crate) fn fill_random(out: &mut [u8]) -> Result<(), KeyError> {
    use rand::SecureRandom as _;
    rand::SystemRandom::new()
        .fill(out)
        .map_err(|_| KeyError::Random)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Why `keys::ed25519::check_public` exists: this backend's Ed25519 verification is
    /// cofactorless, so for the identity point as public key the keyless signature
    /// `R = identity, S = 0` verifies for any message. The check refuses such keys at load.
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
        assert_eq!(
            crate::keys::PublicKey::from_jwk(
                &crate::keys::Jwk::from_json(
                    br#"{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#
                )
                .unwrap(),
                None
            )
            .unwrap_err()
            .code(),
            "key.ed25519_small_order"
        );
    }
}
