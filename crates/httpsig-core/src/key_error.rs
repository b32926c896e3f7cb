//! The error type of key loading and of the crypto layer's signing side.

use core::fmt;

use crate::algorithm::{Algorithm, JwsAlgorithm, KeyType};

/// Why a key could not be loaded or used for signing.
///
/// Verification never returns this type: it fails with the detail-free
/// [`InvalidSignature`](crate::crypto::InvalidSignature).
/// No variant carries key material or a free-form string.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// The PEM text could not be read (code `key.pem`).
    Pem(PemError),
    /// The PEM holds no section of a kind this loader takes, e.g. a certificate, or a
    /// private key given to a public-key loader (code `key.unsupported_pem_label`).
    UnsupportedPemLabel(PemLabel),
    /// The DER inside the PEM is malformed (code `key.der`).
    Der(DerError),
    /// The DER is well formed but describes a key this crate does not support
    /// (code `key.unsupported_key`).
    UnsupportedKey(UnsupportedKey),
    /// The crypto provider refused the key (code `key.rejected_by_backend`), e.g. an RSA
    /// private key whose components do not fit together, or a public key that does not match
    /// its private key. Deliberately without a reason: backends report theirs differently (ring
    /// only as text), and the reasons callers may branch on are checked before the backend, with
    /// their own variants (`RsaTooSmall`, `RsaPrivateShape`, `WeakEd25519`, ...).
    RejectedByBackend,
    /// The requested algorithm does not fit the key (code `key.algorithm_mismatch`).
    AlgorithmMismatch {
        /// What the key is.
        key: KeyType,
        /// What was asked for.
        requested: Algorithm,
    },
    /// The key fits several algorithms and none was named; plain RSA keys need an explicit
    /// algorithm (code `key.ambiguous_algorithm`).
    AmbiguousAlgorithm(KeyType),
    /// The JWK or JWK Set is not the JSON it must be (code `key.jwk_json`).
    JwkJson(JwkJsonError),
    /// A member the key type requires is absent (code `key.jwk_missing_member`).
    JwkMissingMember(JwkMember),
    /// A member is not canonical unpadded base64url (RFC 7515 §2) (code `key.jwk_bad_base64`).
    JwkBadBase64(JwkMember),
    /// A member decodes to a value of the wrong size or form, e.g. an EC coordinate of the
    /// wrong length or an RSA integer with a leading zero (code `key.jwk_invalid_member`).
    JwkInvalidMember(JwkMember),
    /// `kty` is not `RSA`, `EC`, `OKP` or `oct` (code `key.jwk_unsupported_kty`).
    JwkUnsupportedKty,
    /// `crv` is not `P-256`, `P-384` (EC) or `Ed25519` (OKP) (code `key.jwk_unsupported_crv`).
    JwkUnsupportedCrv,
    /// `alg` is `none` or not a supported JWS algorithm (code `key.jwk_unsupported_alg`).
    JwkUnsupportedAlg,
    /// The JWK's own `alg` does not fit its `kty`/`crv` (code `key.jwk_alg_mismatch`).
    JwkAlgMismatch {
        /// The JWK's `alg`.
        alg: JwsAlgorithm,
        /// The key described by `kty`/`crv`.
        key: KeyType,
    },
    /// The JWK's `use` is present and is not `sig` (code `key.jwk_wrong_use`).
    JwkWrongUse,
    /// The JWK Set holds more keys than [`Jwks::MAX_KEYS`](crate::keys::Jwks::MAX_KEYS)
    /// (code `key.jwks_too_many_keys`).
    JwksTooManyKeys {
        /// The limit.
        max: usize,
    },
    /// No member of the JWK Set has the requested `kid` with a `use` and `key_ops` that allow
    /// the operation (code `key.jwks_no_key`).
    JwksNoKey,
    /// Two members of the JWK Set with the requested `kid` can both do the operation with the
    /// requested algorithm; the set does not say which to use (code `key.jwks_ambiguous_key`).
    JwksAmbiguousKey,
    /// The JSON text is longer than the loader accepts (code `key.jwk_too_large`).
    JwkTooLarge {
        /// The limit in bytes.
        max: usize,
    },
    /// A symmetric (`oct`) JWK was given to an asymmetric key loader; use
    /// [`HmacKey::from_jwk`](crate::keys::HmacKey::from_jwk) (code `key.symmetric`).
    SymmetricKey,
    /// A private key was required but the JWK has no private members (code `key.not_private`).
    NotPrivate,
    /// The HMAC secret is shorter than [`HmacKey::MIN_SECRET_LEN`](crate::keys::HmacKey::MIN_SECRET_LEN)
    /// (code `key.hmac_too_short`).
    HmacTooShort {
        /// Length given, in bytes.
        len: usize,
        /// Minimum, in bytes.
        min: usize,
    },
    /// The RSA modulus is shorter than 2048 bits (code `key.rsa_too_small`).
    RsaTooSmall {
        /// Modulus size in bits.
        bits: usize,
    },
    /// An RSA private key whose modulus is not 2048, 3072 or 4096 bits, or whose primes are
    /// not each half the modulus size (FIPS 186-5 §A.1.1, Table A.1; code
    /// `key.rsa_private_shape`). Checked before any provider, so that every provider refuses
    /// the same keys (RFC 9421 B.1.1 `test-key-rsa` has 1088- and 960-bit primes).
    RsaPrivateShape {
        /// Modulus size in bits.
        modulus_bits: usize,
    },
    /// An Ed25519 public key that would let anyone forge signatures, or that has a second
    /// spelling (codes `key.ed25519_small_order`, `key.ed25519_non_canonical`); see
    /// [`WeakEd25519`].
    WeakEd25519(WeakEd25519),
    /// The backend failed to sign (code `key.signing_failed`).
    SigningFailed,
    /// The secure random generator failed (code `key.random`).
    Random,
}

impl KeyError {
    /// A stable machine-readable code such as `"key.rejected_by_backend"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Pem(_) => "key.pem",
            Self::UnsupportedPemLabel(_) => "key.unsupported_pem_label",
            Self::Der(_) => "key.der",
            Self::UnsupportedKey(_) => "key.unsupported_key",
            Self::RejectedByBackend => "key.rejected_by_backend",
            Self::AlgorithmMismatch { .. } => "key.algorithm_mismatch",
            Self::AmbiguousAlgorithm(_) => "key.ambiguous_algorithm",
            Self::JwkJson(_) => "key.jwk_json",
            Self::JwkMissingMember(_) => "key.jwk_missing_member",
            Self::JwkBadBase64(_) => "key.jwk_bad_base64",
            Self::JwkInvalidMember(_) => "key.jwk_invalid_member",
            Self::JwkUnsupportedKty => "key.jwk_unsupported_kty",
            Self::JwkUnsupportedCrv => "key.jwk_unsupported_crv",
            Self::JwkUnsupportedAlg => "key.jwk_unsupported_alg",
            Self::JwkAlgMismatch { .. } => "key.jwk_alg_mismatch",
            Self::JwkWrongUse => "key.jwk_wrong_use",
            Self::JwksTooManyKeys { .. } => "key.jwks_too_many_keys",
            Self::JwksNoKey => "key.jwks_no_key",
            Self::JwksAmbiguousKey => "key.jwks_ambiguous_key",
            Self::JwkTooLarge { .. } => "key.jwk_too_large",
            Self::SymmetricKey => "key.symmetric",
            Self::NotPrivate => "key.not_private",
            Self::HmacTooShort { .. } => "key.hmac_too_short",
            Self::RsaTooSmall { .. } => "key.rsa_too_small",
            Self::RsaPrivateShape { .. } => "key.rsa_private_shape",
            Self::WeakEd25519(WeakEd25519::SmallOrder) => "key.ed25519_small_order",
            Self::WeakEd25519(WeakEd25519::NonCanonical) => "key.ed25519_non_canonical",
            Self::SigningFailed => "key.signing_failed",
            Self::Random => "key.random",
        }
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Pem(e) => write!(f, "invalid PEM: {e}"),
            Self::UnsupportedPemLabel(label) => {
                write!(f, "PEM holds no usable key section (found {label})")
            }
            Self::Der(e) => write!(f, "invalid DER key encoding: {e}"),
            Self::UnsupportedKey(e) => write!(f, "unsupported key: {e}"),
            Self::RejectedByBackend => f.write_str("the crypto provider rejected the key"),
            Self::AlgorithmMismatch { key, requested } => {
                write!(f, "algorithm {requested} cannot be used with a {key} key")
            }
            Self::AmbiguousAlgorithm(key) => {
                write!(f, "a {key} key needs an explicit algorithm")
            }
            Self::JwkJson(e) => write!(f, "invalid JWK JSON: {e}"),
            Self::JwkMissingMember(m) => write!(f, "JWK member \"{m}\" is missing"),
            Self::JwkBadBase64(m) => {
                write!(f, "JWK member \"{m}\" is not unpadded canonical base64url")
            }
            Self::JwkInvalidMember(m) => write!(f, "JWK member \"{m}\" has an invalid value"),
            Self::JwkUnsupportedKty => f.write_str("JWK \"kty\" is not supported"),
            Self::JwkUnsupportedCrv => f.write_str("JWK \"crv\" is not supported"),
            Self::JwkUnsupportedAlg => f.write_str("JWK \"alg\" is \"none\" or not supported"),
            Self::JwkAlgMismatch { alg, key } => {
                write!(f, "JWK \"alg\" {alg} does not fit its {key} key")
            }
            Self::JwkWrongUse => f.write_str("JWK \"use\" is not \"sig\""),
            Self::JwksTooManyKeys { max } => write!(f, "JWK Set holds more than {max} keys"),
            Self::JwksNoKey => f.write_str(
                "JWK Set has no key with this kid whose \"use\" and \"key_ops\" allow the operation",
            ),
            Self::JwksAmbiguousKey => f.write_str(
                "JWK Set has several keys with this kid usable for the operation and algorithm",
            ),
            Self::JwkTooLarge { max } => write!(f, "JWK JSON is longer than {max} bytes"),
            Self::SymmetricKey => {
                f.write_str("symmetric \"oct\" key given where an asymmetric key is required")
            }
            Self::NotPrivate => f.write_str("JWK holds no private key"),
            Self::HmacTooShort { len, min } => {
                write!(f, "HMAC secret is {len} bytes, at least {min} are required")
            }
            Self::RsaTooSmall { bits } => {
                write!(f, "RSA modulus is {bits} bits, at least 2048 are required")
            }
            Self::RsaPrivateShape { modulus_bits } => write!(
                f,
                "RSA private key of {modulus_bits} bits: need 2048, 3072 or 4096 bits, primes of half that"
            ),
            Self::WeakEd25519(w) => w.fmt(f),
            Self::SigningFailed => f.write_str("signing failed"),
            Self::Random => f.write_str("secure random generator failed"),
        }
    }
}

impl std::error::Error for KeyError {}

/// Why PEM text could not be read.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PemError {
    /// No PEM section at all.
    NoSection,
    /// A BEGIN line without its END line, or a malformed BEGIN line.
    Syntax,
    /// The section body is not valid base64.
    Base64,
    /// The section is unreasonably large.
    TooLarge,
}

impl fmt::Display for PemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoSection => "no PEM section found",
            Self::Syntax => "malformed BEGIN/END lines",
            Self::Base64 => "section body is not valid base64",
            Self::TooLarge => "section too large",
        })
    }
}

/// The label of a PEM section that a loader found but cannot use.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PemLabel {
    /// `CERTIFICATE`.
    Certificate,
    /// `PUBLIC KEY` or `RSA PUBLIC KEY` (given to a private-key loader).
    PublicKey,
    /// `PRIVATE KEY`, `RSA PRIVATE KEY` or `EC PRIVATE KEY` (given to a public-key loader).
    PrivateKey,
    /// Any other label, e.g. `ENCRYPTED PRIVATE KEY` or `X509 CRL`.
    Other,
}

impl fmt::Display for PemLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Certificate => "a certificate",
            Self::PublicKey => "a public key",
            Self::PrivateKey => "a private key",
            Self::Other => "an unsupported label",
        })
    }
}

/// Why the DER inside a PEM section is malformed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DerError {
    /// Truncated input, a wrong tag, or a non-minimal or indefinite length.
    Malformed,
    /// Bytes follow the outer structure.
    TrailingData,
    /// An unexpected version number.
    Version,
}

impl fmt::Display for DerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Malformed => "malformed structure",
            Self::TrailingData => "trailing data after the key",
            Self::Version => "unexpected version",
        })
    }
}

/// A well-formed key this crate does not support.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnsupportedKey {
    /// The algorithm identifier is not RSA, RSASSA-PSS, EC or Ed25519.
    AlgorithmOid,
    /// The EC curve is not P-256 or P-384 (or is given by explicit parameters).
    Curve,
    /// An RSASSA-PSS key whose parameters restrict hash or salt; only the parameterless
    /// form (as in RFC 9421 B.1.2) is supported.
    PssParameters,
    /// A SEC1 EC private key without the public key or the curve.
    EcIncomplete,
    /// An EC public key that is not an uncompressed point of the curve's size.
    EcPoint,
}

impl fmt::Display for UnsupportedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::AlgorithmOid => "key algorithm is not RSA, RSASSA-PSS, EC or Ed25519",
            Self::Curve => "EC curve is not P-256 or P-384",
            Self::PssParameters => "RSASSA-PSS key parameters are not supported",
            Self::EcIncomplete => "EC private key lacks its public key or curve",
            Self::EcPoint => "EC public key is not an uncompressed point of the curve's size",
        })
    }
}

/// Why an Ed25519 public key was refused before it could be used.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WeakEd25519 {
    /// A point of order 1, 2, 4 or 8 (any spelling): with cofactorless verification the
    /// signature `R = identity, S = 0` verifies for every message (identity) or for a fraction
    /// of messages, so anyone could sign for it.
    SmallOrder,
    /// The encoding is not canonical: y is not reduced modulo p (RFC 8032 §5.1.3).
    NonCanonical,
}

impl fmt::Display for WeakEd25519 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SmallOrder => {
                "Ed25519 public key is a small-order point, for which signatures can be forged"
            }
            Self::NonCanonical => "Ed25519 public key is not canonically encoded",
        })
    }
}

/// What is wrong with the JSON of a JWK or JWK Set.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JwkJsonError {
    /// Not valid JSON.
    Syntax,
    /// The JWK (or the set) is not a JSON object.
    NotAnObject,
    /// A member that must be a string is not.
    NotAString(JwkMember),
    /// The set's `keys` member is missing or not an array.
    KeysNotAnArray,
    /// An object repeats a member name (at any depth, compared after unescaping).
    DuplicateMember,
}

impl fmt::Display for JwkJsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax => f.write_str("not valid JSON"),
            Self::NotAnObject => f.write_str("not a JSON object"),
            Self::NotAString(m) => write!(f, "member \"{m}\" is not a string"),
            Self::KeysNotAnArray => f.write_str("member \"keys\" is missing or not an array"),
            Self::DuplicateMember => f.write_str("an object repeats a member name"),
        }
    }
}

/// A JWK member name (RFC 7517 §4, RFC 7518 §6).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JwkMember {
    /// `kty`
    Kty,
    /// `kid`
    Kid,
    /// `alg`
    Alg,
    /// `use`
    Use,
    /// `crv`
    Crv,
    /// `x`
    X,
    /// `y`
    Y,
    /// `d`
    D,
    /// `n`
    N,
    /// `e`
    E,
    /// `p`
    P,
    /// `q`
    Q,
    /// `dp`
    Dp,
    /// `dq`
    Dq,
    /// `qi`
    Qi,
    /// `oth` (multi-prime RSA, unsupported)
    Oth,
    /// `k`
    K,
}

impl JwkMember {
    /// The member name as it appears in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Kty => "kty",
            Self::Kid => "kid",
            Self::Alg => "alg",
            Self::Use => "use",
            Self::Crv => "crv",
            Self::X => "x",
            Self::Y => "y",
            Self::D => "d",
            Self::N => "n",
            Self::E => "e",
            Self::P => "p",
            Self::Q => "q",
            Self::Dp => "dp",
            Self::Dq => "dq",
            Self::Qi => "qi",
            Self::Oth => "oth",
            Self::K => "k",
        }
    }
}

impl fmt::Display for JwkMember {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
