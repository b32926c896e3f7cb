//! Signature algorithms, the key traits, and the crypto provider (RFC 9421 §3.3).
//!
//! Everything above this module talks to keys through [`SigningKey`] and [`VerifyingKey`]
//! and names algorithms with [`Algorithm`]. The backend is a [`CryptoProvider`] chosen by
//! value, as in rustls 0.23: [`ring`] (the default, always built) and, with the `aws-lc-rs`
//! feature, `aws_lc_rs`. Key formats are parsed once, backend-neutrally, in [`crate::keys`],
//! which hands the provider's [`KeyProvider`] neutral [`PrivateKeyMaterial`] /
//! [`PublicKeyMaterial`]. Each backend is one file here; nothing else names a backend.
//!
//! Verification failure is the unit [`InvalidSignature`]: no reason leaks, so errors are no
//! oracle (the same rule as ring and webpki).

use core::fmt;

pub(crate) use crate::algorithm::Scheme;
pub use crate::algorithm::{Algorithm, HashAlgorithm, JwsAlgorithm};
use crate::key_error::KeyError;

#[cfg(feature = "aws-lc-rs")]
pub mod aws_lc_rs;
#[cfg(feature = "insecure-test-backend")]
pub mod insecure;
mod provider;
pub mod ring;

pub use provider::{
    CryptoProvider, Hash, HashContext, HashOutput, KeyProvider, Mac, PrivateKeyMaterial,
    PublicKeyBytes, PublicKeyMaterial, RsaPrivateComponents, SecureRandom, Signer, Verifier,
};

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

/// SHA-256 of `data`, with the *ring* provider (use [`CryptoProvider::sha256`] to choose).
pub fn sha256(data: &[u8]) -> [u8; 32] {
    ring::PROVIDER.sha256(data)
}

/// SHA-512 of `data`, with the *ring* provider (use [`CryptoProvider::sha512`] to choose).
pub fn sha512(data: &[u8]) -> [u8; 64] {
    ring::PROVIDER.sha512(data)
}

/// Fills `out` with bytes from the operating system's secure random generator (for nonces),
/// through the *ring* provider (use [`CryptoProvider::random_bytes`] to choose).
///
/// # Errors
/// [`KeyError::Random`] if the generator fails.
pub fn random_bytes(out: &mut [u8]) -> Result<(), KeyError> {
    ring::PROVIDER.random_bytes(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every provider compiled into this build.
    fn providers() -> Vec<CryptoProvider> {
        CryptoProvider::NAMES
            .iter()
            .map(|n| CryptoProvider::from_name(n).expect("listed"))
            .collect()
    }

    #[test]
    fn provider_names() {
        assert_eq!(CryptoProvider::default(), ring::provider());
        assert_eq!(CryptoProvider::default().name, "ring");
        for p in providers() {
            assert_eq!(CryptoProvider::from_name(p.name), Some(p));
            assert!(format!("{p:?}").contains(p.name));
        }
        #[cfg(feature = "aws-lc-rs")]
        assert_eq!(
            CryptoProvider::from_name("aws-lc-rs"),
            Some(aws_lc_rs::provider())
        );
        #[cfg(not(feature = "aws-lc-rs"))]
        assert_eq!(CryptoProvider::from_name("aws-lc-rs"), None);
        for bad in ["", "Ring", "aws_lc_rs", "openssl"] {
            assert_eq!(CryptoProvider::from_name(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn hashes_match_fips_180_examples() {
        // FIPS 180-2 Appendix B.1 / C.1 (SHA-256 / SHA-512 of "abc"); FIPS 180-4 examples
        // for SHA-384 ("abc": cb00753f...).
        for p in providers() {
            assert_eq!(
                p.sha256(b"abc")[..8],
                [0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea],
                "{}",
                p.name
            );
            assert_eq!(
                p.sha512(b"abc")[..8],
                [0xdd, 0xaf, 0x35, 0xa1, 0x93, 0x61, 0x7a, 0xba]
            );
            let h = p.digest(HashAlgorithm::Sha384, b"abc");
            assert_eq!(h.as_ref().len(), 48);
            assert_eq!(h.as_ref()[..4], [0xcb, 0x00, 0x75, 0x3f]);
            for alg in [
                HashAlgorithm::Sha256,
                HashAlgorithm::Sha384,
                HashAlgorithm::Sha512,
            ] {
                let mut ctx = p.hash.start(alg);
                ctx.update(b"a");
                ctx.update(b"bc");
                assert_eq!(ctx.finish(), p.digest(alg, b"abc"), "{} {alg:?}", p.name);
            }
        }
        assert_eq!(sha256(b"abc"), ring::provider().sha256(b"abc"));
        assert_eq!(sha512(b"abc"), ring::provider().sha512(b"abc"));
    }

    #[test]
    fn random_bytes_fill() {
        for p in providers() {
            let mut a = [0u8; 32];
            let mut b = [0u8; 32];
            p.random_bytes(&mut a).expect("rng");
            p.random_bytes(&mut b).expect("rng");
            assert_ne!(a, b, "{}", p.name);
        }
        let mut a = [0u8; 32];
        random_bytes(&mut a).expect("rng");
        assert_ne!(a, [0u8; 32]);
    }
}
