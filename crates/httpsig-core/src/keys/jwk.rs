//! JSON Web Keys (RFC 7517), the key types of RFC 7518 §6 and RFC 8037 §2, and
//! JWK thumbprints (RFC 7638).
//!
//! A [`Jwk`] is parsed without judging its key type, so a [`Jwks`] may hold keys this crate
//! cannot use (RFC 7517 §5: ignore what you do not understand). Key types are checked when a
//! key is built from it ([`PrivateKey::from_jwk`](super::PrivateKey::from_jwk) and friends).
//! Duplicate member names are not detected: `serde_json` keeps the last one.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value};

use super::{HmacKey, KeyType, PrivateKey, PublicKey};
use crate::crypto::{Algorithm, CryptoProvider, JwsAlgorithm, SigningKey, VerifyingKey};
use crate::key_error::{JwkJsonError, JwkMember, KeyError};

/// A single JSON Web Key.
///
/// Only the members this crate uses are kept; others are dropped. `Debug` prints public
/// members and replaces private ones (`d`, `p`, `q`, `dp`, `dq`, `qi`, `k`) with `<redacted>`.
#[derive(Clone)]
pub struct Jwk {
    kty: String,
    kid: Option<String>,
    alg: Option<String>,
    key_use: Option<String>,
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
    n: Option<String>,
    e: Option<String>,
    // Private members.
    d: Option<String>,
    p: Option<String>,
    q: Option<String>,
    dp: Option<String>,
    dq: Option<String>,
    qi: Option<String>,
    k: Option<String>,
    /// `oth` (multi-prime RSA) was present.
    oth: bool,
}

fn member(map: &Map<String, Value>, m: JwkMember) -> Result<Option<String>, KeyError> {
    match map.get(m.as_str()) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(KeyError::JwkJson(JwkJsonError::NotAString(m))),
    }
}

/// JSON text of at most `max` bytes (checked before parsing), parsed strictly: a repeated
/// member name at any depth is refused (RFC 7517 §4 allows "reject" or "last wins"; a key that
/// says two things about `x` is refused, as the JWS header that may carry it is).
fn parse_bounded(json: &[u8], max: usize) -> Result<Value, KeyError> {
    if json.len() > max {
        return Err(KeyError::JwkTooLarge { max });
    }
    crate::json::unique_value(json).map_err(|e| {
        KeyError::JwkJson(match e {
            crate::json::JsonError::DuplicateMember => JwkJsonError::DuplicateMember,
            _ => JwkJsonError::Syntax,
        })
    })
}

impl Jwk {
    /// The longest JWK JSON text accepted, in bytes (an 8192-bit RSA private JWK is ~6.5 KiB).
    pub const MAX_JSON_LEN: usize = 64 * 1024;

    /// Parses one JWK from JSON text.
    ///
    /// # Errors
    /// `key.jwk_too_large`, `key.jwk_json` (not JSON, not an object, a member that must be a
    /// string is not), `key.jwk_missing_member` (`kty`).
    pub fn from_json(json: &[u8]) -> Result<Self, KeyError> {
        Self::from_json_value(&parse_bounded(json, Self::MAX_JSON_LEN)?)
    }

    /// A JWK already parsed as part of a larger JSON document (the `jwk` header of a JWS, such
    /// as a DPoP proof), without serializing it again. The caller bounds the document's size.
    ///
    /// # Errors
    /// As [`Jwk::from_json`], except `key.jwk_too_large`.
    pub fn from_json_value(value: &Value) -> Result<Self, KeyError> {
        let map = value
            .as_object()
            .ok_or(KeyError::JwkJson(JwkJsonError::NotAnObject))?;
        let kty = member(map, JwkMember::Kty)?.ok_or(KeyError::JwkMissingMember(JwkMember::Kty))?;
        Ok(Self {
            kty,
            kid: member(map, JwkMember::Kid)?,
            alg: member(map, JwkMember::Alg)?,
            key_use: member(map, JwkMember::Use)?,
            crv: member(map, JwkMember::Crv)?,
            x: member(map, JwkMember::X)?,
            y: member(map, JwkMember::Y)?,
            n: member(map, JwkMember::N)?,
            e: member(map, JwkMember::E)?,
            d: member(map, JwkMember::D)?,
            p: member(map, JwkMember::P)?,
            q: member(map, JwkMember::Q)?,
            dp: member(map, JwkMember::Dp)?,
            dq: member(map, JwkMember::Dq)?,
            qi: member(map, JwkMember::Qi)?,
            k: member(map, JwkMember::K)?,
            oth: map.contains_key("oth"),
        })
    }

    /// `kty` (RFC 7517 §4.1).
    pub fn kty(&self) -> &str {
        &self.kty
    }

    /// `kid` (RFC 7517 §4.5).
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// `alg` (RFC 7517 §4.4), unvalidated.
    pub fn alg(&self) -> Option<&str> {
        self.alg.as_deref()
    }

    /// `crv` (RFC 7518 §6.2.1.1, RFC 8037 §2), unvalidated.
    pub fn crv(&self) -> Option<&str> {
        self.crv.as_deref()
    }

    /// `use` (RFC 7517 §4.2), unvalidated.
    pub fn key_use(&self) -> Option<&str> {
        self.key_use.as_deref()
    }

    /// True if the JWK holds private or secret material: `d` (RSA, EC, OKP), any RSA private
    /// member, or `k` (oct, always secret).
    pub fn is_private(&self) -> bool {
        [
            &self.d, &self.p, &self.q, &self.dp, &self.dq, &self.qi, &self.k,
        ]
        .iter()
        .any(|m| m.is_some())
            || self.oth
    }

    /// A copy without private members. For an `oct` key that removes `k`, leaving no key
    /// material: a symmetric key has no public part.
    pub fn public_only(&self) -> Self {
        Self {
            d: None,
            p: None,
            q: None,
            dp: None,
            dq: None,
            qi: None,
            k: None,
            oth: false,
            ..self.clone()
        }
    }

    /// The RFC 7638 JWK thumbprint with SHA-256, base64url without padding.
    ///
    /// The hash input is the JSON object of the required public members only
    /// (RSA: `e`, `kty`, `n`; EC: `crv`, `kty`, `x`, `y`; OKP (RFC 8037 §2): `crv`, `kty`,
    /// `x`; oct: `k`, `kty`), in lexicographic order, without whitespace (RFC 7638 §3.2).
    /// Values are used as they appear; base64url members must be canonical (our policy,
    /// reference TP-5), so equal keys cannot have different thumbprints.
    ///
    /// # Errors
    /// `key.jwk_unsupported_kty`, `key.jwk_missing_member`, `key.jwk_bad_base64`.
    pub fn thumbprint_sha256(&self) -> Result<String, KeyError> {
        self.thumbprint_sha256_with(&CryptoProvider::default())
    }

    /// [`Jwk::thumbprint_sha256`], hashed by `provider`.
    ///
    /// # Errors
    /// As [`Jwk::thumbprint_sha256`].
    pub fn thumbprint_sha256_with(&self, provider: &CryptoProvider) -> Result<String, KeyError> {
        let members: &[(&str, JwkMember, &Option<String>, bool)] = match self.kty.as_str() {
            "RSA" => &[
                ("e", JwkMember::E, &self.e, true),
                ("n", JwkMember::N, &self.n, true),
            ],
            "EC" => &[
                ("crv", JwkMember::Crv, &self.crv, false),
                ("x", JwkMember::X, &self.x, true),
                ("y", JwkMember::Y, &self.y, true),
            ],
            "OKP" => &[
                ("crv", JwkMember::Crv, &self.crv, false),
                ("x", JwkMember::X, &self.x, true),
            ],
            "oct" => &[("k", JwkMember::K, &self.k, true)],
            _ => return Err(KeyError::JwkUnsupportedKty),
        };
        let mut fields: Vec<(&str, &str)> = vec![("kty", self.kty.as_str())];
        for (name, m, value, is_b64) in members {
            let value = value.as_deref().ok_or(KeyError::JwkMissingMember(*m))?;
            if *is_b64 {
                decode_b64(value, *m)?;
            }
            fields.push((name, value));
        }
        // RFC 7638 §3.3: order by member name code points.
        fields.sort_by(|a, b| a.0.cmp(b.0));
        let mut json = String::with_capacity(
            16 + fields
                .iter()
                .map(|(n, v)| n.len() + v.len() + 6)
                .sum::<usize>(),
        );
        json.push('{');
        for (i, (name, value)) in fields.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push('"');
            json.push_str(name);
            json.push_str("\":");
            if value.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
                // Nothing to escape (base64url values and curve names): the value as it is.
                json.push('"');
                json.push_str(value);
                json.push('"');
            } else {
                // serde_json escapes exactly as JSON requires (RFC 7638 §3.3: no extra escaping).
                json.push_str(&Value::String((*value).to_owned()).to_string());
            }
        }
        json.push('}');
        Ok(URL_SAFE_NO_PAD.encode(provider.sha256(json.as_bytes())))
    }

    /// What key `kty`/`crv` describe.
    pub(crate) fn key_type(&self) -> Result<KeyType, KeyError> {
        let curve = || {
            self.crv
                .as_deref()
                .ok_or(KeyError::JwkMissingMember(JwkMember::Crv))
        };
        match self.kty.as_str() {
            "RSA" => Ok(KeyType::Rsa),
            "EC" => match curve()? {
                "P-256" => Ok(KeyType::EcP256),
                "P-384" => Ok(KeyType::EcP384),
                _ => Err(KeyError::JwkUnsupportedCrv),
            },
            "OKP" => match curve()? {
                "Ed25519" => Ok(KeyType::Ed25519),
                _ => Err(KeyError::JwkUnsupportedCrv),
            },
            "oct" => Ok(KeyType::Hmac),
            _ => Err(KeyError::JwkUnsupportedKty),
        }
    }

    /// Chooses the key's algorithm.
    ///
    /// - `use`, if present, must be `sig`.
    /// - The JWK's `alg`, if present, must be a supported JWS algorithm fitting the key.
    /// - An explicit `requested` algorithm must fit the key; if the JWK has an `alg`, a JWS
    ///   request must equal it and an RFC 9421 request must be of the same family (PSS,
    ///   PKCS#1 v1.5, ECDSA curve, EdDSA, HMAC). A fitting request wins.
    /// - Otherwise the JWK's `alg` gives [`Algorithm::Jws`]; without one the key type's
    ///   default applies, and RSA is ambiguous.
    pub(crate) fn resolve_algorithm(
        &self,
        key: KeyType,
        requested: Option<Algorithm>,
    ) -> Result<Algorithm, KeyError> {
        if self.key_use.as_deref().is_some_and(|u| u != "sig") {
            return Err(KeyError::JwkWrongUse);
        }
        let declared = match &self.alg {
            None => None,
            Some(name) => {
                let alg = JwsAlgorithm::from_name(name).ok_or(KeyError::JwkUnsupportedAlg)?;
                if !key.supports(Algorithm::Jws(alg)) {
                    return Err(KeyError::JwkAlgMismatch { alg, key });
                }
                Some(alg)
            }
        };
        let mismatch = |requested| KeyError::AlgorithmMismatch { key, requested };
        match (requested, declared) {
            (Some(req), _) if !key.supports(req) => Err(mismatch(req)),
            (Some(Algorithm::Jws(req)), Some(decl)) if req != decl => {
                Err(mismatch(Algorithm::Jws(req)))
            }
            (Some(req), Some(decl)) if !req.scheme().same_family(Algorithm::Jws(decl).scheme()) => {
                Err(mismatch(req))
            }
            (Some(req), _) => Ok(req),
            (None, Some(decl)) => Ok(Algorithm::Jws(decl)),
            (None, None) => key
                .default_algorithm()
                .ok_or(KeyError::AmbiguousAlgorithm(key)),
        }
    }

    /// A required base64url member, decoded.
    pub(crate) fn bytes(&self, m: JwkMember) -> Result<Vec<u8>, KeyError> {
        let value = match m {
            JwkMember::X => &self.x,
            JwkMember::Y => &self.y,
            JwkMember::N => &self.n,
            JwkMember::E => &self.e,
            JwkMember::D => &self.d,
            JwkMember::P => &self.p,
            JwkMember::Q => &self.q,
            JwkMember::Dp => &self.dp,
            JwkMember::Dq => &self.dq,
            JwkMember::Qi => &self.qi,
            JwkMember::K => &self.k,
            _ => return Err(KeyError::JwkMissingMember(m)),
        };
        let value = value.as_deref().ok_or(KeyError::JwkMissingMember(m))?;
        decode_b64(value, m)
    }

    /// A required member of exactly `len` bytes (EC/OKP coordinates and scalars).
    pub(crate) fn fixed_bytes(&self, m: JwkMember, len: usize) -> Result<Vec<u8>, KeyError> {
        let v = self.bytes(m)?;
        if v.len() == len {
            Ok(v)
        } else {
            Err(KeyError::JwkInvalidMember(m))
        }
    }

    /// A required RSA integer member (RFC 7518 §6.3: minimal big-endian, no leading zero).
    pub(crate) fn rsa_integer(&self, m: JwkMember) -> Result<Vec<u8>, KeyError> {
        let v = self.bytes(m)?;
        match v.first() {
            Some(0) | None => Err(KeyError::JwkInvalidMember(m)),
            Some(_) => Ok(v),
        }
    }

    pub(crate) fn has_private_d(&self) -> bool {
        self.d.is_some()
    }

    pub(crate) fn has_oth(&self) -> bool {
        self.oth
    }
}

/// Canonical unpadded base64url (RFC 7515 §2); the engine rejects padding and non-zero
/// trailing bits.
fn decode_b64(value: &str, m: JwkMember) -> Result<Vec<u8>, KeyError> {
    URL_SAFE_NO_PAD
        .decode(value)
        .map_err(|_| KeyError::JwkBadBase64(m))
}

impl fmt::Debug for Jwk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redact = |m: &Option<String>| m.as_ref().map(|_| "<redacted>");
        let mut s = f.debug_struct("Jwk");
        s.field("kty", &self.kty);
        for (name, value) in [
            ("kid", &self.kid),
            ("alg", &self.alg),
            ("use", &self.key_use),
            ("crv", &self.crv),
            ("x", &self.x),
            ("y", &self.y),
            ("n", &self.n),
            ("e", &self.e),
        ] {
            if let Some(v) = value {
                s.field(name, v);
            }
        }
        for (name, value) in [
            ("d", &self.d),
            ("p", &self.p),
            ("q", &self.q),
            ("dp", &self.dp),
            ("dq", &self.dq),
            ("qi", &self.qi),
            ("k", &self.k),
        ] {
            if let Some(v) = redact(value) {
                s.field(name, &v);
            }
        }
        if self.oth {
            s.field("oth", &"<redacted>");
        }
        s.finish()
    }
}

/// A JWK Set (RFC 7517 §5).
///
/// A `kid` need not be unique in a set (RFC 7517 §4.5 only asks that it tell keys apart "within
/// a JWK Set" when used to choose among them, and key rollover or an encryption key beside a
/// signing key reuses it). So there is no "find by `kid`": [`Jwks::verifying_key`] and
/// [`Jwks::signing_key`] choose by `kid` together with `use`, `key_ops`, `kty`, `crv` and `alg`
/// (FAPI 2.0 Security Profile §5.4.3), and fail when that still leaves two keys.
#[derive(Clone, Debug)]
pub struct Jwks {
    keys: Vec<Jwk>,
    /// Each key's `key_ops` (RFC 7517 §4.3), in the order of `keys`.
    ops: Vec<KeyOps>,
    /// Each key's index in the document's `keys` array, in the order of `keys`.
    index: Vec<usize>,
    /// The members left out because they are not JWKs: index, `kid` when it is a string, why.
    dropped: Vec<(usize, Option<String>, KeyError)>,
}

/// A member of a [`Jwks`] as [`crate::JwksKeySet`] sees it.
pub(crate) struct SetMember<'a> {
    /// Its index in the document's `keys` array.
    pub(crate) index: usize,
    /// The JWK.
    pub(crate) jwk: &'a Jwk,
    /// Its `key_ops` is absent or includes `verify` (RFC 7517 §4.3).
    pub(crate) may_verify: bool,
}

/// What a set member's `key_ops` (RFC 7517 §4.3) allows this crate to do with it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct KeyOps {
    sign: bool,
    verify: bool,
}

impl KeyOps {
    /// RFC 7517 §4.3: absent allows every operation; an array of distinct strings allows the
    /// ones it names; anything else is malformed and allows none (fail closed).
    fn of(key: &Value) -> Self {
        let Some(ops) = key.get("key_ops") else {
            return Self {
                sign: true,
                verify: true,
            };
        };
        let none = Self {
            sign: false,
            verify: false,
        };
        let Some(ops) = ops.as_array() else {
            return none;
        };
        let mut names: Vec<&str> = Vec::with_capacity(ops.len());
        for op in ops {
            match op.as_str() {
                // "Duplicate key operation values MUST NOT be present in the array."
                Some(name) if !names.contains(&name) => names.push(name),
                _ => return none,
            }
        }
        Self {
            sign: names.contains(&"sign"),
            verify: names.contains(&"verify"),
        }
    }
}

/// The operation a key is chosen from a set for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Operation {
    Sign,
    Verify,
}

impl Jwks {
    /// The most keys a set may hold (an attacker-reachable count when sets are fetched).
    pub const MAX_KEYS: usize = 256;
    /// The longest JWK Set JSON text accepted, in bytes.
    pub const MAX_JSON_LEN: usize = 1024 * 1024;

    /// Parses `{"keys": [...]}`. Keys of types this crate cannot use are kept (and are
    /// skipped when a key is chosen); a member that is not a JWK at all (not an object, no
    /// `kty`, a member of the wrong JSON type) is left out of the set (RFC 7517 §5: ignore
    /// it), not fatal to the others.
    ///
    /// # Errors
    /// `key.jwk_too_large`, `key.jwk_json` (the text is not a JSON object with a `keys`
    /// array), `key.jwks_too_many_keys`.
    pub fn from_json(json: &[u8]) -> Result<Self, KeyError> {
        let value = parse_bounded(json, Self::MAX_JSON_LEN)?;
        let map = value
            .as_object()
            .ok_or(KeyError::JwkJson(JwkJsonError::NotAnObject))?;
        let keys = map
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(KeyError::JwkJson(JwkJsonError::KeysNotAnArray))?;
        if keys.len() > Self::MAX_KEYS {
            return Err(KeyError::JwksTooManyKeys {
                max: Self::MAX_KEYS,
            });
        }
        // RFC 7517 §5: members that are not understood, lack required members or are out of
        // range SHOULD be ignored. Leaving one out can only take a key away (fail closed).
        let mut set = Self {
            keys: Vec::with_capacity(keys.len()),
            ops: Vec::with_capacity(keys.len()),
            index: Vec::with_capacity(keys.len()),
            dropped: Vec::new(),
        };
        for (i, v) in keys.iter().enumerate() {
            match Jwk::from_json_value(v) {
                Ok(jwk) => {
                    set.keys.push(jwk);
                    set.ops.push(KeyOps::of(v));
                    set.index.push(i);
                }
                Err(e) => {
                    let kid = v.get("kid").and_then(Value::as_str).map(str::to_owned);
                    set.dropped.push((i, kid, e));
                }
            }
        }
        Ok(set)
    }

    /// The members kept, with their index in the document and whether `key_ops` allows
    /// `verify`.
    pub(crate) fn members(&self) -> impl Iterator<Item = SetMember<'_>> {
        self.keys
            .iter()
            .zip(&self.ops)
            .zip(&self.index)
            .map(|((jwk, ops), &index)| SetMember {
                index,
                jwk,
                may_verify: ops.verify,
            })
    }

    /// The members left out of the set because they are not JWKs (index in the document,
    /// `kid` when readable, the parse error).
    pub(crate) fn dropped(&self) -> &[(usize, Option<String>, KeyError)] {
        &self.dropped
    }

    /// The keys whose `kid` equals `kid`, in set order (there may be several; see the type's
    /// documentation for choosing one).
    pub fn with_kid<'s>(&'s self, kid: &'s str) -> impl Iterator<Item = &'s Jwk> + 's {
        self.keys.iter().filter(move |k| k.kid() == Some(kid))
    }

    /// The one key of the set that can verify signatures made with key id `kid` and, when
    /// given, algorithm `alg` (FAPI 2.0 Security Profile §5.4.3: choose by `kid` together with
    /// `use`, `kty`, `alg` and `crv`; reference SP-10).
    ///
    /// The candidates are the members with that `kid` whose `use` (RFC 7517 §4.2) is absent or
    /// `sig` and whose `key_ops` (§4.3) is absent or includes `verify`: an encryption key is
    /// never used to verify. Each candidate is loaded as [`PublicKey::from_jwk`] (or
    /// [`HmacKey::from_jwk`] for `oct`) with `alg`, which also checks `kty`, `crv` and the
    /// member's own `alg` against `alg`; a candidate that does not load is skipped, not fatal
    /// to the set. The choice does not depend on the order of the set.
    ///
    /// # Errors
    /// `key.jwks_ambiguous_key` when two candidates load; when none does, the first
    /// candidate's load error in set order (e.g. `key.ambiguous_algorithm` for a plain RSA key
    /// without `alg`), or `key.jwks_no_key` when there is no candidate at all.
    pub fn verifying_key(
        &self,
        kid: &str,
        alg: Option<Algorithm>,
    ) -> Result<Box<dyn VerifyingKey>, KeyError> {
        self.verifying_key_with(&CryptoProvider::default(), kid, alg)
    }

    /// [`Jwks::verifying_key`], with the key held by `provider`.
    ///
    /// # Errors
    /// As [`Jwks::verifying_key`].
    pub fn verifying_key_with(
        &self,
        provider: &CryptoProvider,
        kid: &str,
        alg: Option<Algorithm>,
    ) -> Result<Box<dyn VerifyingKey>, KeyError> {
        self.select(
            kid,
            Operation::Verify,
            |jwk| -> Result<Box<dyn VerifyingKey>, _> {
                Ok(if jwk.kty() == "oct" {
                    Box::new(HmacKey::from_jwk_with(provider, jwk, alg)?)
                } else {
                    Box::new(PublicKey::from_jwk_with(provider, jwk, alg)?)
                })
            },
        )
    }

    /// The one key of the set that can sign with key id `kid` and, when given, algorithm `alg`:
    /// as [`Jwks::verifying_key`], with `key_ops` including `sign` and private material
    /// required ([`PrivateKey::from_jwk`], or [`HmacKey::from_jwk`] for `oct`).
    ///
    /// # Errors
    /// As [`Jwks::verifying_key`].
    pub fn signing_key(
        &self,
        kid: &str,
        alg: Option<Algorithm>,
    ) -> Result<Box<dyn SigningKey>, KeyError> {
        self.signing_key_with(&CryptoProvider::default(), kid, alg)
    }

    /// [`Jwks::signing_key`], with the key held by `provider`.
    ///
    /// # Errors
    /// As [`Jwks::verifying_key`].
    pub fn signing_key_with(
        &self,
        provider: &CryptoProvider,
        kid: &str,
        alg: Option<Algorithm>,
    ) -> Result<Box<dyn SigningKey>, KeyError> {
        self.select(
            kid,
            Operation::Sign,
            |jwk| -> Result<Box<dyn SigningKey>, _> {
                Ok(if jwk.kty() == "oct" {
                    Box::new(HmacKey::from_jwk_with(provider, jwk, alg)?)
                } else {
                    Box::new(PrivateKey::from_jwk_with(provider, jwk, alg)?)
                })
            },
        )
    }

    /// The only candidate for `kid` and `op` that `load` accepts (see [`Jwks::verifying_key`]).
    fn select<T>(
        &self,
        kid: &str,
        op: Operation,
        load: impl Fn(&Jwk) -> Result<T, KeyError>,
    ) -> Result<T, KeyError> {
        let mut chosen = None;
        let mut first_error = None;
        for (jwk, ops) in self.keys.iter().zip(&self.ops) {
            let allowed = match op {
                Operation::Sign => ops.sign,
                Operation::Verify => ops.verify,
            };
            // RFC 7517 §4.2: "sig" is the only use for signing and verifying.
            let sig_use = jwk.key_use().is_none_or(|u| u == "sig");
            if jwk.kid() != Some(kid) || !allowed || !sig_use {
                continue;
            }
            match load(jwk) {
                Ok(key) => {
                    if chosen.replace(key).is_some() {
                        return Err(KeyError::JwksAmbiguousKey);
                    }
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match (chosen, first_error) {
            (Some(key), _) => Ok(key),
            (None, Some(e)) => Err(e),
            (None, None) => Err(KeyError::JwksNoKey),
        }
    }

    /// All keys, in set order.
    pub fn iter(&self) -> core::slice::Iter<'_, Jwk> {
        self.keys.iter()
    }

    /// Number of keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True if the set has no keys.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

impl<'a> IntoIterator for &'a Jwks {
    type Item = &'a Jwk;
    type IntoIter = core::slice::Iter<'a, Jwk>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwk(json: &str) -> Jwk {
        Jwk::from_json(json.as_bytes()).expect(json)
    }

    #[test]
    fn thumbprint_escapes_members_that_need_it() {
        // RFC 7638 §3.3: members are written as JSON strings; a `"` or `\` in one is escaped.
        let key = jwk(r#"{"kty":"EC","crv":"P-\"256\\","x":"AQID","y":"BAUG"}"#);
        let text = r#"{"crv":"P-\"256\\","kty":"EC","x":"AQID","y":"BAUG"}"#;
        let want = URL_SAFE_NO_PAD.encode(crate::crypto::ring::provider().sha256(text.as_bytes()));
        assert_eq!(key.thumbprint_sha256().as_deref(), Ok(want.as_str()));
    }

    #[test]
    fn from_json_value_is_from_json() {
        let text =
            r#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;
        let value: Value = serde_json::from_str(text).expect("json");
        let (a, b) = (
            Jwk::from_json_value(&value).expect("value"),
            Jwk::from_json(text.as_bytes()).expect("text"),
        );
        assert_eq!(a.thumbprint_sha256(), b.thumbprint_sha256());
        assert_eq!((a.kty(), a.crv(), &a.x), (b.kty(), b.crv(), &b.x));
        assert_eq!(
            Jwk::from_json_value(&Value::Null)
                .map(|_| ())
                .map_err(|e| e.code()),
            Err("key.jwk_json")
        );
    }

    #[test]
    fn json_shape_errors() {
        let cases: &[(&str, &str)] = &[
            ("", "key.jwk_json"),
            ("[]", "key.jwk_json"),
            ("{}", "key.jwk_missing_member"),
            (r#"{"kty":1}"#, "key.jwk_json"),
            (r#"{"kty":"EC","x":5}"#, "key.jwk_json"),
            (r#"{"kty":"EC","kid":null}"#, "key.jwk_json"),
        ];
        for (input, code) in cases {
            let err = Jwk::from_json(input.as_bytes()).expect_err(input);
            assert_eq!(err.code(), *code, "{input}");
        }
        let big = vec![b' '; Jwk::MAX_JSON_LEN + 1];
        assert_eq!(
            Jwk::from_json(&big).map(|_| ()).unwrap_err().code(),
            "key.jwk_too_large"
        );
        // Unknown members and non-string unknown members are ignored.
        let k = jwk(r#"{"kty":"EC","key_ops":["sign"],"x5c":[],"ext":true}"#);
        assert_eq!(k.kty(), "EC");
    }

    #[test]
    fn resolve_algorithm_rules() {
        use Algorithm as A;
        use JwsAlgorithm as J;
        let ec = KeyType::EcP256;
        let plain = jwk(r#"{"kty":"EC","crv":"P-256"}"#);
        let es256 = jwk(r#"{"kty":"EC","crv":"P-256","alg":"ES256"}"#);
        type Case<'a> = (&'a Jwk, KeyType, Option<A>, Result<A, &'a str>);
        let cases: &[Case<'_>] = &[
            (&plain, ec, None, Ok(A::EcdsaP256Sha256)),
            (&es256, ec, None, Ok(A::Jws(J::Es256))),
            (&es256, ec, Some(A::EcdsaP256Sha256), Ok(A::EcdsaP256Sha256)),
            (&es256, ec, Some(A::Jws(J::Es256)), Ok(A::Jws(J::Es256))),
            (&es256, ec, Some(A::Ed25519), Err("key.algorithm_mismatch")),
            (
                &es256,
                ec,
                Some(A::Jws(J::Es384)),
                Err("key.algorithm_mismatch"),
            ),
            (
                &plain,
                ec,
                Some(A::EcdsaP384Sha384),
                Err("key.algorithm_mismatch"),
            ),
            (
                &jwk(r#"{"kty":"RSA"}"#),
                KeyType::Rsa,
                None,
                Err("key.ambiguous_algorithm"),
            ),
            (
                &jwk(r#"{"kty":"RSA","alg":"PS256"}"#),
                KeyType::Rsa,
                Some(A::RsaPssSha512),
                Ok(A::RsaPssSha512),
            ),
            (
                &jwk(r#"{"kty":"RSA","alg":"PS256"}"#),
                KeyType::Rsa,
                Some(A::RsaV1_5Sha256),
                Err("key.algorithm_mismatch"),
            ),
            (
                &jwk(r#"{"kty":"EC","crv":"P-256","alg":"none"}"#),
                ec,
                None,
                Err("key.jwk_unsupported_alg"),
            ),
            (
                &jwk(r#"{"kty":"EC","crv":"P-256","alg":"EdDSA"}"#),
                ec,
                None,
                Err("key.jwk_alg_mismatch"),
            ),
            (
                &jwk(r#"{"kty":"EC","crv":"P-256","use":"enc"}"#),
                ec,
                None,
                Err("key.jwk_wrong_use"),
            ),
            (
                &jwk(r#"{"kty":"EC","crv":"P-256","use":"sig"}"#),
                ec,
                None,
                Ok(A::EcdsaP256Sha256),
            ),
            (
                &jwk(r#"{"kty":"oct","alg":"HS256"}"#),
                KeyType::Hmac,
                None,
                Ok(A::Jws(J::Hs256)),
            ),
            (
                &jwk(r#"{"kty":"OKP","crv":"Ed25519","alg":"Ed25519"}"#),
                KeyType::Ed25519,
                Some(A::Ed25519),
                Ok(A::Ed25519),
            ),
        ];
        for (i, (k, kt, req, want)) in cases.iter().enumerate() {
            let got = k.resolve_algorithm(*kt, *req).map_err(|e| e.code());
            assert_eq!(got, *want, "case {i}");
        }
    }

    #[test]
    fn key_types() {
        let cases: &[(&str, Result<KeyType, &str>)] = &[
            (r#"{"kty":"RSA"}"#, Ok(KeyType::Rsa)),
            (r#"{"kty":"EC","crv":"P-384"}"#, Ok(KeyType::EcP384)),
            (
                r#"{"kty":"EC","crv":"P-521"}"#,
                Err("key.jwk_unsupported_crv"),
            ),
            (r#"{"kty":"EC"}"#, Err("key.jwk_missing_member")),
            (
                r#"{"kty":"OKP","crv":"X25519"}"#,
                Err("key.jwk_unsupported_crv"),
            ),
            (
                r#"{"kty":"OKP","crv":"Ed448"}"#,
                Err("key.jwk_unsupported_crv"),
            ),
            (r#"{"kty":"oct"}"#, Ok(KeyType::Hmac)),
            (r#"{"kty":"rsa"}"#, Err("key.jwk_unsupported_kty")),
        ];
        for (input, want) in cases {
            assert_eq!(
                jwk(input).key_type().map_err(|e| e.code()),
                *want,
                "{input}"
            );
        }
    }

    #[test]
    fn base64url_must_be_canonical() {
        // "AQAB" is canonical; padding, standard alphabet and non-zero trailing bits are not.
        for (e, ok) in [
            ("AQAB", true),
            ("AQAB=", false),
            ("AQ+B", false),
            ("AR", false),
            ("AQ", true),
        ] {
            let k = jwk(&format!(r#"{{"kty":"RSA","e":"{e}"}}"#));
            assert_eq!(k.bytes(JwkMember::E).is_ok(), ok, "{e}");
        }
    }

    #[test]
    fn public_only_and_is_private() {
        let k = jwk(r#"{"kty":"OKP","crv":"Ed25519","x":"AA","d":"AA"}"#);
        assert!(k.is_private());
        assert!(!k.public_only().is_private());
        assert_eq!(k.public_only().crv(), Some("Ed25519"));
        let oct = jwk(r#"{"kty":"oct","k":"AA"}"#);
        assert!(oct.is_private());
        assert!(!oct.public_only().is_private());
    }

    #[test]
    fn jwks_shape() {
        let set = Jwks::from_json(
            br#"{"keys":[{"kty":"EC","kid":"a"},{"kty":"X","kid":"b"},{"kty":"oct","kid":"a"}]}"#,
        )
        .expect("set");
        assert_eq!(set.len(), 3);
        assert_eq!(set.with_kid("b").map(Jwk::kty).collect::<Vec<_>>(), ["X"]);
        assert_eq!(
            set.with_kid("a").map(Jwk::kty).collect::<Vec<_>>(),
            ["EC", "oct"]
        );
        assert_eq!(set.with_kid("c").count(), 0);
        assert_eq!((&set).into_iter().count(), 3);
        for (input, code) in [
            (&br#"{"keys":{}}"#[..], "key.jwk_json"),
            (br#"{}"#, "key.jwk_json"),
            (br#"[]"#, "key.jwk_json"),
        ] {
            assert_eq!(Jwks::from_json(input).unwrap_err().code(), code);
        }
        // Members that are not JWKs are left out; the rest of the set stays usable.
        let set =
            Jwks::from_json(br#"{"keys":[1,{},{"kty":"EC","kid":5},{"kty":"EC","kid":"a"},"x"]}"#)
                .expect("set");
        assert_eq!(set.len(), 1);
        assert_eq!(set.with_kid("a").count(), 1);
        let many = format!(
            r#"{{"keys":[{}]}}"#,
            vec![r#"{"kty":"EC"}"#; Jwks::MAX_KEYS + 1].join(",")
        );
        assert_eq!(
            Jwks::from_json(many.as_bytes()).unwrap_err(),
            KeyError::JwksTooManyKeys {
                max: Jwks::MAX_KEYS
            }
        );
        assert!(
            Jwks::from_json(br#"{"keys":[]}"#)
                .expect("empty")
                .is_empty()
        );
    }
}
