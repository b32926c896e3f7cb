//! A FAKE crypto backend for tests and fuzzing.
//!
//! # THIS PROVIDES NO SECURITY
//!
//! [`InsecureTestKey`] "signs" by hashing the key bytes together with the base. ANYONE WHO
//! KNOWS OR GUESSES THE KEY BYTES CAN FORGE SIGNATURES, AND THE KEY IS THE SAME FOR SIGNING
//! AND VERIFYING. IT EXISTS SO THAT TESTS AND FUZZ TARGETS CAN EXERCISE SIGN/VERIFY PATHS
//! CHEAPLY AND DETERMINISTICALLY. NEVER USE IT WITH REAL TRAFFIC. It is only compiled with the
//! `insecure-test-backend` cargo feature.

use core::fmt;

use super::{Algorithm, InvalidSignature, SigningKey, VerifyingKey};
use crate::key_error::KeyError;

/// A fake key whose "signature" is the first 32 bytes of SHA-256(key || base).
///
/// PROVIDES NO SECURITY: FOR TESTS AND FUZZING ONLY.
#[derive(Clone)]
pub struct InsecureTestKey {
    key: Vec<u8>,
    algorithm: Algorithm,
    key_id: Option<String>,
}

impl InsecureTestKey {
    /// A fake key that claims to be `algorithm`. PROVIDES NO SECURITY.
    pub fn new(key: &[u8], algorithm: Algorithm) -> Self {
        Self {
            key: key.to_vec(),
            algorithm,
            key_id: None,
        }
    }

    /// Sets the key id.
    #[must_use]
    pub fn with_key_id(mut self, kid: impl Into<String>) -> Self {
        self.key_id = Some(kid.into());
        self
    }

    fn tag(&self, base: &[u8]) -> [u8; 32] {
        let mut ctx = super::ring::PROVIDER
            .hash
            .start(super::HashAlgorithm::Sha256);
        ctx.update(&self.key);
        ctx.update(base);
        let mut out = [0u8; 32];
        for (o, b) in out.iter_mut().zip(ctx.finish().as_ref()) {
            *o = *b;
        }
        out
    }
}

impl SigningKey for InsecureTestKey {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    fn sign(&self, base: &[u8]) -> Result<Vec<u8>, KeyError> {
        Ok(self.tag(base).to_vec())
    }
}

impl VerifyingKey for InsecureTestKey {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    fn verify(&self, base: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        let tag = self.tag(base);
        // Length first, then an OR-fold so the comparison time does not depend on where the
        // first difference is (not that this key has any secrets worth protecting).
        if signature.len() != tag.len() {
            return Err(InvalidSignature);
        }
        let diff = tag
            .iter()
            .zip(signature)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        if diff == 0 {
            Ok(())
        } else {
            Err(InvalidSignature)
        }
    }
}

impl fmt::Debug for InsecureTestKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InsecureTestKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::sha256;

    #[test]
    fn fake_signature_is_truncated_sha256_of_key_and_base() {
        let k = InsecureTestKey::new(b"k", Algorithm::Ed25519).with_key_id("t");
        let sig = k.sign(b"base").expect("sign");
        // The documented construction: SHA-256 of "k" || "base".
        assert_eq!(sig, sha256(b"kbase").to_vec());
        assert!(k.verify(b"base", &sig).is_ok());
        let mut bad = sig.clone();
        if let Some(b) = bad.first_mut() {
            *b ^= 1;
        }
        assert_eq!(k.verify(b"base", &bad), Err(InvalidSignature));
        assert_eq!(k.verify(b"base", &sig[..31]), Err(InvalidSignature));
        assert_eq!(k.verify(b"basf", &sig), Err(InvalidSignature));
        let debug = format!("{:?}", InsecureTestKey::new(b"secret!", Algorithm::Ed25519));
        assert!(
            !debug.contains("secret") && !debug.contains("115, 101"),
            "{debug}"
        );
    }
}
