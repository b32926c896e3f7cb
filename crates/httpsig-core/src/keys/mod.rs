//! Loading keys: PEM (PKCS#8, PKCS#1, SEC1, SPKI), JWK (RFC 7517) and raw HMAC secrets.
//!
//! Every key carries exactly one [`Algorithm`] (STYLE: "a key carries its algorithm"),
//! chosen at load time and checked against the key type. The formats are parsed here, once
//! and backend-neutrally; the result ([`PrivateKeyMaterial`], [`PublicKeyMaterial`]) goes to
//! a [`CryptoProvider`]'s key provider, which builds its key objects once: signing and
//! verifying do not re-parse. The loaders without `_with` use *ring*
//! ([`CryptoProvider::default`]); the `_with` ones take the provider by value.
//!
//! | Key                   | Algorithms it accepts                                   | Default            |
//! |-----------------------|---------------------------------------------------------|--------------------|
//! | RSA (rsaEncryption, PKCS#1, JWK `RSA`) | `rsa-pss-sha512`, `rsa-v1_5-sha256`, JWS PS*/RS* | none: ambiguous |
//! | RSA with the RSASSA-PSS OID | `rsa-pss-sha512`, JWS PS*                        | `rsa-pss-sha512`   |
//! | EC P-256              | `ecdsa-p256-sha256`, JWS ES256                          | `ecdsa-p256-sha256`|
//! | EC P-384              | `ecdsa-p384-sha384`, JWS ES384                          | `ecdsa-p384-sha384`|
//! | Ed25519               | `ed25519`, JWS EdDSA / Ed25519                          | `ed25519`          |
//! | HMAC secret / `oct`   | `hmac-sha256`, JWS HS256                                | `hmac-sha256`      |
//!
//! RSA keys below 2048 bits are refused (`key.rsa_too_small`); RSA private keys must have a
//! 2048-, 3072- or 4096-bit modulus and primes of half that size (`key.rsa_private_shape`).
//! These checks, and the Ed25519 small-order and canonical-encoding checks, run before any
//! provider, so every provider accepts and refuses the same keys.
//!
//! What the RFC 9421 Appendix B.1 keys need is documented in
//! `crates/conformance/testdata/keys/README.md`; in short: `test-key-rsa`'s private key is
//! refused (its primes differ in size: `key.rsa_private_shape`) while its public key
//! verifies, the RSASSA-PSS PKCS#8 is unwrapped to its inner PKCS#1 key, and the PKCS#8 v1
//! Ed25519 key is loaded without a public key to check against (the provider derives it).
//!
//! # Examples
//!
//! ```
//! use httpsig_core::crypto::{Algorithm, SigningKey, VerifyingKey};
//! use httpsig_core::keys::{Jwk, PrivateKey};
//!
//! // RFC 9421 Appendix B.1.4 `test-key-ed25519`.
//! let jwk = Jwk::from_json(br#"{"kty":"OKP","crv":"Ed25519","kid":"test-key-ed25519",
//!     "d":"n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU",
//!     "x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}"#)?;
//! let key = PrivateKey::from_jwk(&jwk, None)?;
//! assert_eq!(key.algorithm(), Algorithm::Ed25519);
//! assert_eq!(SigningKey::key_id(&key), Some("test-key-ed25519"));
//!
//! let signature = key.sign(b"signature base")?;
//! let public = key.public_key();
//! assert!(public.verify(b"signature base", &signature).is_ok());
//! assert!(public.verify(b"signature basf", &signature).is_err());
//! # Ok::<(), httpsig_core::keys::KeyError>(())
//! ```

use core::fmt;

use std::sync::Arc;

pub use crate::algorithm::KeyType;
use crate::crypto::{
    Algorithm, CryptoProvider, InvalidSignature, Mac, PrivateKeyMaterial, PublicKeyMaterial,
    RsaPrivateComponents, Signer, SigningKey, Verifier, VerifyingKey,
};

mod der;
mod ed25519;
mod jwk;
mod pem;

pub use crate::key_error::{
    DerError, JwkJsonError, JwkMember, KeyError, PemError, PemLabel, UnsupportedKey, WeakEd25519,
};
pub use jwk::{Jwk, Jwks};

use der::KeyAlgorithm;

impl KeyType {
    fn resolve(self, requested: Option<Algorithm>) -> Result<Algorithm, KeyError> {
        match requested {
            Some(alg) if self.supports(alg) => Ok(alg),
            Some(alg) => Err(KeyError::AlgorithmMismatch {
                key: self,
                requested: alg,
            }),
            None => self
                .default_algorithm()
                .ok_or(KeyError::AmbiguousAlgorithm(self)),
        }
    }
}

impl From<KeyAlgorithm> for KeyType {
    fn from(a: KeyAlgorithm) -> Self {
        match a {
            KeyAlgorithm::Rsa => Self::Rsa,
            KeyAlgorithm::RsaPss => Self::RsaPss,
            KeyAlgorithm::EcP256 => Self::EcP256,
            KeyAlgorithm::EcP384 => Self::EcP384,
            KeyAlgorithm::Ed25519 => Self::Ed25519,
        }
    }
}

const MIN_RSA_BITS: usize = 2048;

fn check_rsa_bits(bits: usize) -> Result<(), KeyError> {
    if bits < MIN_RSA_BITS {
        Err(KeyError::RsaTooSmall { bits })
    } else {
        Ok(())
    }
}

/// The backend-neutral shape check for RSA private keys (FIPS 186-5 §A.1.1): a modulus of
/// 2048, 3072 or 4096 bits and two primes of half that size each. ring refuses every other
/// shape and AWS-LC accepts some of them; checking here makes both providers agree.
fn check_rsa_private_shape(n_bits: usize, p_bits: usize, q_bits: usize) -> Result<(), KeyError> {
    check_rsa_bits(n_bits)?;
    let half = n_bits / 2;
    if matches!(n_bits, 2048 | 3072 | 4096) && p_bits == half && q_bits == half {
        Ok(())
    } else {
        Err(KeyError::RsaPrivateShape {
            modulus_bits: n_bits,
        })
    }
}

/// The uncompressed point length for a curve (SEC1 §2.3.3: `04||x||y`).
fn point_len(key_type: KeyType) -> usize {
    match key_type {
        KeyType::EcP384 => 97,
        _ => 65,
    }
}

/// An asymmetric private key for signing, with its algorithm and optional key id.
///
/// `Debug` prints the algorithm and key id only, never key material.
pub struct PrivateKey {
    algorithm: Algorithm,
    key_type: KeyType,
    key_id: Option<String>,
    signer: Box<dyn Signer>,
    public: Arc<dyn Verifier>,
}

impl PrivateKey {
    fn new(
        provider: &CryptoProvider,
        material: &PrivateKeyMaterial<'_>,
        key_type: KeyType,
        algorithm: Algorithm,
    ) -> Result<Self, KeyError> {
        let signer = provider
            .key_provider
            .load_private_key(material, algorithm)?;
        let public = signer.public_key()?;
        Ok(Self {
            algorithm,
            key_type,
            key_id: None,
            signer,
            public,
        })
    }

    /// Loads the first private key in `pem` for use with `alg`.
    ///
    /// Accepts `PRIVATE KEY` (PKCS#8 with rsaEncryption, RSASSA-PSS without parameters — the
    /// inner PKCS#1 key is loaded —, EC P-256/P-384, Ed25519 v1 or v2), `RSA PRIVATE KEY`
    /// (PKCS#1) and `EC PRIVATE KEY` (SEC1 with curve and public key).
    ///
    /// # Errors
    /// `key.pem`, `key.unsupported_pem_label`, `key.der`, `key.unsupported_key`,
    /// `key.algorithm_mismatch` (the key type does not fit `alg`), `key.rsa_too_small`,
    /// `key.rsa_private_shape` (e.g. RFC 9421's `test-key-rsa`, see the module docs),
    /// `key.rejected_by_backend` (the provider refused the key; no reason given).
    pub fn from_pem(pem: &[u8], alg: Algorithm) -> Result<Self, KeyError> {
        Self::from_pem_with(&CryptoProvider::default(), pem, alg)
    }

    /// Like [`from_pem`](Self::from_pem), with the key held by `provider`.
    ///
    /// # Errors
    /// As [`from_pem`](Self::from_pem).
    pub fn from_pem_with(
        provider: &CryptoProvider,
        pem: &[u8],
        alg: Algorithm,
    ) -> Result<Self, KeyError> {
        Self::from_pem_inner(provider, pem, Some(alg))
    }

    /// Like [`from_pem`](Self::from_pem), with the algorithm taken from the key: the EC
    /// curve, Ed25519, or the RSASSA-PSS OID (→ `rsa-pss-sha512`).
    ///
    /// # Errors
    /// As [`from_pem`](Self::from_pem), and `key.ambiguous_algorithm` for plain RSA keys.
    pub fn from_pem_infer(pem: &[u8]) -> Result<Self, KeyError> {
        Self::from_pem_inner(&CryptoProvider::default(), pem, None)
    }

    /// Like [`from_pem_infer`](Self::from_pem_infer), with the key held by `provider`.
    ///
    /// # Errors
    /// As [`from_pem_infer`](Self::from_pem_infer).
    pub fn from_pem_infer_with(provider: &CryptoProvider, pem: &[u8]) -> Result<Self, KeyError> {
        Self::from_pem_inner(provider, pem, None)
    }

    fn from_pem_inner(
        provider: &CryptoProvider,
        pem: &[u8],
        alg: Option<Algorithm>,
    ) -> Result<Self, KeyError> {
        match pem::private_der(pem)? {
            pem::PrivateDer::Pkcs1(der) => Self::from_pkcs1(provider, &der, KeyType::Rsa, alg),
            pem::PrivateDer::Pkcs8(der) => {
                let pkcs8 = der::parse_pkcs8(&der)?;
                let key_type = KeyType::from(pkcs8.algorithm);
                match pkcs8.algorithm {
                    // ring accepts only the rsaEncryption OID in PKCS#8 (`WrongAlgorithm` for
                    // RSASSA-PSS), so both go to the provider as the inner PKCS#1 RSAPrivateKey.
                    KeyAlgorithm::Rsa | KeyAlgorithm::RsaPss => {
                        Self::from_pkcs1(provider, pkcs8.private_key, key_type, alg)
                    }
                    KeyAlgorithm::EcP256 | KeyAlgorithm::EcP384 => {
                        let alg = key_type.resolve(alg)?;
                        Self::new(
                            provider,
                            &PrivateKeyMaterial::EcPkcs8Der(&der),
                            key_type,
                            alg,
                        )
                    }
                    KeyAlgorithm::Ed25519 => {
                        let alg = key_type.resolve(alg)?;
                        let material = PrivateKeyMaterial::Ed25519Pkcs8Der(&der);
                        Self::new(provider, &material, key_type, alg)
                    }
                }
            }
            pem::PrivateDer::Sec1(der) => {
                let sec1 = der::parse_sec1(&der)?;
                let key_type = KeyType::from(sec1.curve);
                let alg = key_type.resolve(alg)?;
                let material = PrivateKeyMaterial::EcScalarAndPoint {
                    scalar: sec1.private_key,
                    point: sec1.public_key,
                };
                Self::new(provider, &material, key_type, alg)
            }
        }
    }

    fn from_pkcs1(
        provider: &CryptoProvider,
        der: &[u8],
        key_type: KeyType,
        alg: Option<Algorithm>,
    ) -> Result<Self, KeyError> {
        let alg = key_type.resolve(alg)?;
        let (n_bits, p_bits, q_bits) = der::rsa_private_sizes(der)?;
        check_rsa_private_shape(n_bits, p_bits, q_bits)?;
        Self::new(
            provider,
            &PrivateKeyMaterial::RsaPkcs1Der(der),
            key_type,
            alg,
        )
    }

    /// Loads a private key from a JWK (RSA with CRT members, EC P-256/P-384, OKP Ed25519).
    /// The key id is taken from `kid`.
    ///
    /// Algorithm: see the crate rules — a present JWK `alg` gives [`Algorithm::Jws`], unless
    /// `alg` names a compatible RFC 9421 algorithm of the same family, which wins; an
    /// incompatible `alg` argument is `key.algorithm_mismatch`. Without either, the key
    /// type's default applies (RSA: `key.ambiguous_algorithm`).
    ///
    /// # Errors
    /// `key.symmetric` for `oct` (use [`HmacKey::from_jwk`]), `key.not_private`,
    /// `key.jwk_*`, `key.algorithm_mismatch`, `key.ambiguous_algorithm`, `key.rsa_too_small`,
    /// `key.rsa_private_shape`, `key.rejected_by_backend` (e.g. a public key that does not
    /// match `d`).
    pub fn from_jwk(jwk: &Jwk, alg: Option<Algorithm>) -> Result<Self, KeyError> {
        Self::from_jwk_with(&CryptoProvider::default(), jwk, alg)
    }

    /// Like [`from_jwk`](Self::from_jwk), with the key held by `provider`.
    ///
    /// # Errors
    /// As [`from_jwk`](Self::from_jwk).
    pub fn from_jwk_with(
        provider: &CryptoProvider,
        jwk: &Jwk,
        alg: Option<Algorithm>,
    ) -> Result<Self, KeyError> {
        let key_type = jwk.key_type()?;
        if key_type == KeyType::Hmac {
            return Err(KeyError::SymmetricKey);
        }
        let alg = jwk.resolve_algorithm(key_type, alg)?;
        if !jwk.has_private_d() {
            return Err(KeyError::NotPrivate);
        }
        let mut key = match key_type {
            KeyType::Rsa | KeyType::RsaPss => {
                if jwk.has_oth() {
                    return Err(KeyError::JwkInvalidMember(JwkMember::Oth));
                }
                let n = jwk.rsa_integer(JwkMember::N)?;
                check_rsa_bits(der::bit_len(&n))?;
                let e = jwk.rsa_integer(JwkMember::E)?;
                let d = jwk.bytes(JwkMember::D)?;
                let (p_bits, q_bits) = (
                    der::bit_len(&jwk.bytes(JwkMember::P)?),
                    der::bit_len(&jwk.bytes(JwkMember::Q)?),
                );
                check_rsa_private_shape(der::bit_len(&n), p_bits, q_bits)?;
                let p = jwk.bytes(JwkMember::P)?;
                let q = jwk.bytes(JwkMember::Q)?;
                let dp = jwk.bytes(JwkMember::Dp)?;
                let dq = jwk.bytes(JwkMember::Dq)?;
                let qi = jwk.bytes(JwkMember::Qi)?;
                let c = RsaPrivateComponents {
                    n: &n,
                    e: &e,
                    d: &d,
                    p: &p,
                    q: &q,
                    dp: &dp,
                    dq: &dq,
                    qi: &qi,
                };
                let material = PrivateKeyMaterial::RsaComponents(c);
                Self::new(provider, &material, key_type, alg)?
            }
            KeyType::EcP256 | KeyType::EcP384 => {
                let len = (point_len(key_type) - 1) / 2;
                let point = jwk_point(jwk, key_type)?;
                let d = jwk.fixed_bytes(JwkMember::D, len)?;
                let material = PrivateKeyMaterial::EcScalarAndPoint {
                    scalar: &d,
                    point: &point,
                };
                Self::new(provider, &material, key_type, alg)?
            }
            KeyType::Ed25519 | KeyType::Hmac => {
                let x = jwk.fixed_bytes(JwkMember::X, 32)?;
                // `x` must equal the seed's public key (checked by the backend), which is never
                // of small order; checking it here gives the same code as the public loaders.
                ed25519::check_public(&x)?;
                let d = jwk.fixed_bytes(JwkMember::D, 32)?;
                let material = PrivateKeyMaterial::Ed25519SeedAndPublic {
                    seed: &d,
                    public: &x,
                };
                Self::new(provider, &material, key_type, alg)?
            }
        };
        key.key_id = jwk.kid().map(str::to_owned);
        Ok(key)
    }

    /// Sets the key id reported by [`SigningKey::key_id`].
    #[must_use]
    pub fn with_key_id(mut self, kid: impl Into<String>) -> Self {
        self.key_id = Some(kid.into());
        self
    }

    /// The matching public key, with the same algorithm and key id.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            algorithm: self.algorithm,
            key_type: self.key_type,
            key_id: self.key_id.clone(),
            verifier: Arc::clone(&self.public),
        }
    }

    /// What kind of key this is.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// The public half as a JWK with exactly the required members (RFC 7518 §6.2.1, §6.3.1;
    /// RFC 8037 §2): `kty`, `crv`, `x`, `y` or `kty`, `n`, `e` — no `kid`, `alg` or private
    /// member. It is what a DPoP proof announces, and its RFC 7638 thumbprint is the token's
    /// `cnf.jkt`. Derived from the key itself, so it cannot belong to another key.
    ///
    /// # Errors
    /// `key.der` if the backend's RSA public key is not a PKCS#1 document (a backend bug),
    /// `key.unsupported_key` for an EC point of an unexpected size.
    pub fn public_jwk(&self) -> Result<Jwk, KeyError> {
        Jwk::from_json(self.public_jwk_json()?.as_bytes())
    }

    /// [`public_jwk`](Self::public_jwk) as JSON text, members in RFC 7638 order.
    ///
    /// # Errors
    /// As [`public_jwk`](Self::public_jwk).
    pub fn public_jwk_json(&self) -> Result<String, KeyError> {
        use base64::Engine as _;
        let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
        let json = match self.signer.public_key_bytes() {
            crate::crypto::PublicKeyBytes::RsaPkcs1Der(der) => {
                let (n, e) = der::parse_rsa_public_key(&der)?;
                format!(r#"{{"e":"{}","kty":"RSA","n":"{}"}}"#, b64(e), b64(n))
            }
            crate::crypto::PublicKeyBytes::EcPoint(point) => {
                let (crv, len) = match self.key_type {
                    KeyType::EcP256 => ("P-256", 32),
                    KeyType::EcP384 => ("P-384", 48),
                    _ => return Err(KeyError::UnsupportedKey(UnsupportedKey::Curve)),
                };
                match (point.first(), point.get(1..=len), point.get(1 + len..)) {
                    (Some(4), Some(x), Some(y)) if y.len() == len => format!(
                        r#"{{"crv":"{crv}","kty":"EC","x":"{}","y":"{}"}}"#,
                        b64(x),
                        b64(y)
                    ),
                    _ => return Err(KeyError::UnsupportedKey(UnsupportedKey::EcPoint)),
                }
            }
            crate::crypto::PublicKeyBytes::Ed25519(x) => {
                format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{}"}}"#, b64(&x))
            }
        };
        Ok(json)
    }
}

impl SigningKey for PrivateKey {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    fn sign(&self, base: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.signer.sign(base)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// `04||x||y` from a JWK's `x` and `y`, each exactly the curve's coordinate length.
fn jwk_point(jwk: &Jwk, key_type: KeyType) -> Result<Vec<u8>, KeyError> {
    let len = (point_len(key_type) - 1) / 2;
    let x = jwk.fixed_bytes(JwkMember::X, len)?;
    let y = jwk.fixed_bytes(JwkMember::Y, len)?;
    let mut point = Vec::with_capacity(1 + 2 * len);
    point.push(0x04);
    point.extend_from_slice(&x);
    point.extend_from_slice(&y);
    Ok(point)
}

/// An asymmetric public key for verification, with its algorithm and optional key id.
#[derive(Clone)]
pub struct PublicKey {
    algorithm: Algorithm,
    key_type: KeyType,
    key_id: Option<String>,
    verifier: Arc<dyn Verifier>,
}

impl PublicKey {
    /// Loads the first public key in `pem` for use with `alg`: a `PUBLIC KEY`
    /// (SubjectPublicKeyInfo) section, or else an `RSA PUBLIC KEY` (PKCS#1) section.
    ///
    /// EC keys must be uncompressed points; whether the point is on the curve is checked by
    /// the backend at verification (a bad point never verifies).
    ///
    /// # Errors
    /// `key.pem`, `key.unsupported_pem_label`, `key.der`, `key.unsupported_key`,
    /// `key.algorithm_mismatch`, `key.rsa_too_small`.
    pub fn from_pem(pem: &[u8], alg: Algorithm) -> Result<Self, KeyError> {
        Self::from_pem_with(&CryptoProvider::default(), pem, alg)
    }

    /// Like [`from_pem`](Self::from_pem), with the key held by `provider`.
    ///
    /// # Errors
    /// As [`from_pem`](Self::from_pem).
    pub fn from_pem_with(
        provider: &CryptoProvider,
        pem: &[u8],
        alg: Algorithm,
    ) -> Result<Self, KeyError> {
        Self::from_pem_inner(provider, pem, Some(alg))
    }

    /// Like [`from_pem`](Self::from_pem), with the algorithm taken from the key.
    ///
    /// # Errors
    /// As [`from_pem`](Self::from_pem), and `key.ambiguous_algorithm` for plain RSA keys.
    pub fn from_pem_infer(pem: &[u8]) -> Result<Self, KeyError> {
        Self::from_pem_inner(&CryptoProvider::default(), pem, None)
    }

    /// Like [`from_pem_infer`](Self::from_pem_infer), with the key held by `provider`.
    ///
    /// # Errors
    /// As [`from_pem_infer`](Self::from_pem_infer).
    pub fn from_pem_infer_with(provider: &CryptoProvider, pem: &[u8]) -> Result<Self, KeyError> {
        Self::from_pem_inner(provider, pem, None)
    }

    fn from_pem_inner(
        provider: &CryptoProvider,
        pem: &[u8],
        alg: Option<Algorithm>,
    ) -> Result<Self, KeyError> {
        match pem::public_der(pem)? {
            pem::PublicDer::Pkcs1(der) => {
                let (n, e) = der::parse_rsa_public_key(&der)?;
                Self::rsa(provider, n, e, KeyType::Rsa, alg)
            }
            pem::PublicDer::Spki(der) => {
                let spki = der::parse_spki(&der)?;
                let key_type = KeyType::from(spki.algorithm);
                match spki.algorithm {
                    KeyAlgorithm::Rsa | KeyAlgorithm::RsaPss => {
                        let (n, e) = der::parse_rsa_public_key(spki.key)?;
                        Self::rsa(provider, n, e, key_type, alg)
                    }
                    KeyAlgorithm::EcP256 | KeyAlgorithm::EcP384 => {
                        let alg = key_type.resolve(alg)?;
                        if spki.key.len() != point_len(key_type) || spki.key.first() != Some(&4) {
                            return Err(KeyError::UnsupportedKey(UnsupportedKey::EcPoint));
                        }
                        let material = PublicKeyMaterial::EcPoint(spki.key);
                        Self::new(provider, &material, key_type, alg)
                    }
                    KeyAlgorithm::Ed25519 => {
                        let alg = key_type.resolve(alg)?;
                        if spki.key.len() != 32 {
                            return Err(KeyError::Der(DerError::Malformed));
                        }
                        ed25519::check_public(spki.key)?;
                        let material = PublicKeyMaterial::Ed25519(spki.key);
                        Self::new(provider, &material, key_type, alg)
                    }
                }
            }
        }
    }

    fn new(
        provider: &CryptoProvider,
        material: &PublicKeyMaterial<'_>,
        key_type: KeyType,
        algorithm: Algorithm,
    ) -> Result<Self, KeyError> {
        Ok(Self {
            algorithm,
            key_type,
            key_id: None,
            verifier: provider.key_provider.load_public_key(material, algorithm)?,
        })
    }

    fn rsa(
        provider: &CryptoProvider,
        n: &[u8],
        e: &[u8],
        key_type: KeyType,
        alg: Option<Algorithm>,
    ) -> Result<Self, KeyError> {
        let alg = key_type.resolve(alg)?;
        check_rsa_bits(der::bit_len(n))?;
        Self::new(provider, &PublicKeyMaterial::Rsa { n, e }, key_type, alg)
    }

    /// Loads a public key from a JWK (private members, if any, are ignored). The key id is
    /// taken from `kid`. Algorithm rules as in [`PrivateKey::from_jwk`].
    ///
    /// # Errors
    /// `key.symmetric` for `oct`, `key.jwk_*`, `key.algorithm_mismatch`,
    /// `key.ambiguous_algorithm`, `key.rsa_too_small`.
    pub fn from_jwk(jwk: &Jwk, alg: Option<Algorithm>) -> Result<Self, KeyError> {
        Self::from_jwk_with(&CryptoProvider::default(), jwk, alg)
    }

    /// Like [`from_jwk`](Self::from_jwk), with the key held by `provider`.
    ///
    /// # Errors
    /// As [`from_jwk`](Self::from_jwk).
    pub fn from_jwk_with(
        provider: &CryptoProvider,
        jwk: &Jwk,
        alg: Option<Algorithm>,
    ) -> Result<Self, KeyError> {
        let key_type = jwk.key_type()?;
        if key_type == KeyType::Hmac {
            return Err(KeyError::SymmetricKey);
        }
        let alg = jwk.resolve_algorithm(key_type, alg)?;
        let mut key = match key_type {
            KeyType::Rsa | KeyType::RsaPss => {
                let n = jwk.rsa_integer(JwkMember::N)?;
                check_rsa_bits(der::bit_len(&n))?;
                let e = jwk.rsa_integer(JwkMember::E)?;
                Self::rsa(provider, &n, &e, key_type, Some(alg))?
            }
            KeyType::EcP256 | KeyType::EcP384 => {
                let point = jwk_point(jwk, key_type)?;
                Self::new(provider, &PublicKeyMaterial::EcPoint(&point), key_type, alg)?
            }
            KeyType::Ed25519 | KeyType::Hmac => {
                let x = jwk.fixed_bytes(JwkMember::X, 32)?;
                ed25519::check_public(&x)?;
                Self::new(provider, &PublicKeyMaterial::Ed25519(&x), key_type, alg)?
            }
        };
        key.key_id = jwk.kid().map(str::to_owned);
        Ok(key)
    }

    /// Sets the key id reported by [`VerifyingKey::key_id`].
    #[must_use]
    pub fn with_key_id(mut self, kid: impl Into<String>) -> Self {
        self.key_id = Some(kid.into());
        self
    }

    /// What kind of key this is.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }
}

impl VerifyingKey for PublicKey {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    fn verify(&self, base: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        self.verifier.verify(base, signature)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PublicKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// A shared HMAC-SHA256 secret (`hmac-sha256`, or JWS `HS256` via a JWK): signs and verifies.
///
/// Tags are compared in constant time. `Debug` never prints the secret.
#[derive(Clone)]
pub struct HmacKey {
    algorithm: Algorithm,
    key_id: Option<String>,
    key: Arc<dyn Mac>,
}

impl HmacKey {
    /// The shortest secret accepted, in bytes: the SHA-256 output length. RFC 2104 §3 advises
    /// against keys shorter than the hash output and RFC 7518 §3.2 requires at least that
    /// for HS256. (RFC 9421's `test-shared-secret` is 64 bytes.)
    pub const MIN_SECRET_LEN: usize = 32;

    /// An `hmac-sha256` key from raw secret bytes (not base64).
    ///
    /// # Errors
    /// `key.hmac_too_short` if `secret` is shorter than [`Self::MIN_SECRET_LEN`].
    pub fn new(secret: &[u8]) -> Result<Self, KeyError> {
        Self::new_with(&CryptoProvider::default(), secret)
    }

    /// Like [`new`](Self::new), with the key held by `provider`.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn new_with(provider: &CryptoProvider, secret: &[u8]) -> Result<Self, KeyError> {
        Self::with_algorithm(provider, secret, Algorithm::HmacSha256)
    }

    fn with_algorithm(
        provider: &CryptoProvider,
        secret: &[u8],
        algorithm: Algorithm,
    ) -> Result<Self, KeyError> {
        if secret.len() < Self::MIN_SECRET_LEN {
            return Err(KeyError::HmacTooShort {
                len: secret.len(),
                min: Self::MIN_SECRET_LEN,
            });
        }
        Ok(Self {
            algorithm,
            key_id: None,
            key: provider.key_provider.load_hmac_sha256(secret)?,
        })
    }

    /// A key from an `oct` JWK (`k`); `alg` `HS256` gives JWS HS256, none gives
    /// `hmac-sha256`. The key id is taken from `kid`.
    ///
    /// # Errors
    /// `key.jwk_unsupported_kty` for other key types, `key.jwk_missing_member` /
    /// `key.jwk_bad_base64` (`k`), `key.jwk_*` and `key.algorithm_mismatch` for algorithm
    /// conflicts, `key.hmac_too_short`.
    pub fn from_jwk(jwk: &Jwk, alg: Option<Algorithm>) -> Result<Self, KeyError> {
        Self::from_jwk_with(&CryptoProvider::default(), jwk, alg)
    }

    /// Like [`from_jwk`](Self::from_jwk), with the key held by `provider`.
    ///
    /// # Errors
    /// As [`from_jwk`](Self::from_jwk).
    pub fn from_jwk_with(
        provider: &CryptoProvider,
        jwk: &Jwk,
        alg: Option<Algorithm>,
    ) -> Result<Self, KeyError> {
        if jwk.key_type()? != KeyType::Hmac {
            return Err(KeyError::JwkUnsupportedKty);
        }
        let algorithm = jwk.resolve_algorithm(KeyType::Hmac, alg)?;
        let mut key = Self::with_algorithm(provider, &jwk.bytes(JwkMember::K)?, algorithm)?;
        key.key_id = jwk.kid().map(str::to_owned);
        Ok(key)
    }

    /// Sets the key id.
    #[must_use]
    pub fn with_key_id(mut self, kid: impl Into<String>) -> Self {
        self.key_id = Some(kid.into());
        self
    }
}

impl SigningKey for HmacKey {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    fn sign(&self, base: &[u8]) -> Result<Vec<u8>, KeyError> {
        Ok(self.key.sign(base))
    }
}

impl VerifyingKey for HmacKey {
    fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    fn verify(&self, base: &[u8], signature: &[u8]) -> Result<(), InvalidSignature> {
        self.key.verify(base, signature)
    }
}

impl fmt::Debug for HmacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacKey")
            .field("algorithm", &self.algorithm)
            .field("key_id", &self.key_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::JwsAlgorithm;

    #[test]
    fn key_type_support_table() {
        use Algorithm as A;
        use JwsAlgorithm as J;
        let all = [
            A::RsaPssSha512,
            A::RsaV1_5Sha256,
            A::HmacSha256,
            A::EcdsaP256Sha256,
            A::EcdsaP384Sha384,
            A::Ed25519,
            A::Jws(J::Es256),
            A::Jws(J::Es384),
            A::Jws(J::Ps256),
            A::Jws(J::Ps384),
            A::Jws(J::Ps512),
            A::Jws(J::Rs256),
            A::Jws(J::Rs384),
            A::Jws(J::Rs512),
            A::Jws(J::EdDsa),
            A::Jws(J::Ed25519),
            A::Jws(J::Hs256),
        ];
        let expect = |kt: KeyType, alg: A| -> bool {
            match kt {
                KeyType::Rsa => matches!(
                    alg,
                    A::RsaPssSha512
                        | A::RsaV1_5Sha256
                        | A::Jws(J::Ps256 | J::Ps384 | J::Ps512 | J::Rs256 | J::Rs384 | J::Rs512)
                ),
                KeyType::RsaPss => {
                    matches!(
                        alg,
                        A::RsaPssSha512 | A::Jws(J::Ps256 | J::Ps384 | J::Ps512)
                    )
                }
                KeyType::EcP256 => matches!(alg, A::EcdsaP256Sha256 | A::Jws(J::Es256)),
                KeyType::EcP384 => matches!(alg, A::EcdsaP384Sha384 | A::Jws(J::Es384)),
                KeyType::Ed25519 => matches!(alg, A::Ed25519 | A::Jws(J::EdDsa | J::Ed25519)),
                KeyType::Hmac => matches!(alg, A::HmacSha256 | A::Jws(J::Hs256)),
            }
        };
        for kt in [
            KeyType::Rsa,
            KeyType::RsaPss,
            KeyType::EcP256,
            KeyType::EcP384,
            KeyType::Ed25519,
            KeyType::Hmac,
        ] {
            for alg in all {
                assert_eq!(kt.supports(alg), expect(kt, alg), "{kt} {alg}");
            }
            if let Some(d) = kt.default_algorithm() {
                assert!(kt.supports(d));
            }
        }
    }
}
