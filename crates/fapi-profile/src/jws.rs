//! A small, strict JWS Compact Serialization layer (RFC 7515 §3.1, §5.2, §7.1) for the
//! algorithms FAPI 2.0 allows (Security Profile §5.4.1: PS256, ES256, EdDSA/Ed25519, plus the
//! fully specified `Ed25519` of RFC 9864).
//!
//! It splits, decodes and verifies; it does not know about JWT claims. Crypto is done by
//! `httpsig-core` keys: the JWS Signing Input is handed to [`VerifyingKey::verify`] exactly as
//! received (the ASCII of the first two parts and the dot between them).
//!
//! Strictness, all before any crypto:
//! - exactly three parts (a five-part JWE is refused with its own message), none empty;
//! - canonical unpadded base64url only (RFC 7515 §2): no padding, whitespace, or non-zero
//!   trailing bits;
//! - a header that is a JSON object without duplicate member names at any depth, compared
//!   after unescaping (RFC 7515 §5.2 step 4 allows rejecting them; we do, also inside nested
//!   objects such as a DPoP `jwk`, so that no two parsers can read different keys or claims
//!   from the same bytes), and without `crit` (we understand no extension, so RFC 7515
//!   §4.1.11 makes any `crit` fatal);
//! - the same duplicate rule for a JSON payload read with [`CompactJws::payload_json`];
//! - a length cap on the whole serialization.
//!
//! # Examples
//! ```
//! use fapi_profile::jws::CompactJws;
//! // RFC 8037 Appendix A.4.
//! let jws = CompactJws::parse(
//!     b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-\
//!       09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg",
//!     8 * 1024,
//! )?;
//! assert_eq!(jws.payload(), b"Example of Ed25519 signing");
//! assert_eq!(jws.header_str("alg"), Some("EdDSA"));
//! # Ok::<(), fapi_profile::jws::JwsError>(())
//! ```

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use httpsig_core::keys::KeyError;
use httpsig_core::{Algorithm, InvalidSignature, JwsAlgorithm, SigningKey, VerifyingKey};
use serde_json::{Map, Value};

/// The JWS algorithms FAPI 2.0 allows for JWTs (Security Profile §5.4.1; RFC 9864 `Ed25519`),
/// in the order used for the `algs` challenge parameter.
pub const FAPI_ALGORITHMS: [JwsAlgorithm; 4] = [
    JwsAlgorithm::Es256,
    JwsAlgorithm::Ps256,
    JwsAlgorithm::EdDsa,
    JwsAlgorithm::Ed25519,
];

/// Which part of a compact JWS an error is about.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum JwsPart {
    /// The protected header (first part).
    Header,
    /// The payload (second part).
    Payload,
    /// The signature (third part).
    Signature,
}

impl fmt::Display for JwsPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Header => "header",
            Self::Payload => "payload",
            Self::Signature => "signature",
        })
    }
}

/// Why a compact JWS was refused before signature verification.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JwsError {
    /// Longer than the cap (code `jws.too_large`).
    TooLarge {
        /// The cap in bytes.
        max: usize,
    },
    /// Not three dot-separated parts; five is a JWE (code `jws.part_count`).
    PartCount {
        /// How many parts were found (counting stops above five).
        found: usize,
    },
    /// A part is empty (code `jws.empty_part`).
    EmptyPart(JwsPart),
    /// A part is not canonical unpadded base64url (code `jws.base64`).
    Base64(JwsPart),
    /// The header or payload is not a JSON object, or an object in it (at any depth) repeats
    /// a member name (code `jws.json`).
    Json(JwsPart),
    /// The header has no string `alg` (code `jws.missing_alg`).
    MissingAlg,
    /// `alg` is `none`, unknown, or not in the allowed set; `None` when it names no
    /// algorithm this crate knows (code `jws.alg_not_allowed`).
    AlgNotAllowed(Option<JwsAlgorithm>),
    /// The header has `crit`; no extension is understood (code `jws.crit`).
    Crit,
}

impl JwsError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooLarge { .. } => "jws.too_large",
            Self::PartCount { .. } => "jws.part_count",
            Self::EmptyPart(_) => "jws.empty_part",
            Self::Base64(_) => "jws.base64",
            Self::Json(_) => "jws.json",
            Self::MissingAlg => "jws.missing_alg",
            Self::AlgNotAllowed(_) => "jws.alg_not_allowed",
            Self::Crit => "jws.crit",
        }
    }
}

impl fmt::Display for JwsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLarge { max } => write!(f, "compact JWS is longer than {max} bytes"),
            Self::PartCount { found: 5 } => {
                f.write_str("compact serialization has 5 parts (a JWE), expected a 3-part JWS")
            }
            Self::PartCount { found } => {
                write!(f, "compact JWS has {found} parts, expected 3")
            }
            Self::EmptyPart(p) => write!(f, "JWS {p} is empty"),
            Self::Base64(p) => write!(f, "JWS {p} is not canonical unpadded base64url"),
            Self::Json(p) => {
                write!(f, "JWS {p} is not a JSON object with unique member names")
            }
            Self::MissingAlg => f.write_str("JWS header has no string \"alg\""),
            Self::AlgNotAllowed(Some(alg)) => write!(f, "JWS algorithm {alg} is not allowed"),
            Self::AlgNotAllowed(None) => {
                f.write_str("JWS algorithm is \"none\", unknown, or not allowed")
            }
            Self::Crit => f.write_str("JWS header has \"crit\", no extension is understood"),
        }
    }
}

impl std::error::Error for JwsError {}

/// A parsed compact JWS whose signature has not been checked yet.
///
/// `Debug` does not print the signature.
#[derive(Clone)]
pub struct CompactJws {
    header: Map<String, Value>,
    payload: Vec<u8>,
    signing_input: Vec<u8>,
    signature: Vec<u8>,
}

impl fmt::Debug for CompactJws {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompactJws")
            .field("header", &self.header)
            .field("payload_len", &self.payload.len())
            .finish_non_exhaustive()
    }
}

impl CompactJws {
    /// Splits and decodes a compact JWS (RFC 7515 §7.1, §5.2 steps 1–4).
    ///
    /// # Errors
    /// `jws.too_large` above `max_len` bytes, `jws.part_count`, `jws.empty_part`,
    /// `jws.base64`, `jws.json` (header not an object or with duplicate members), `jws.crit`.
    pub fn parse(text: &[u8], max_len: usize) -> Result<Self, JwsError> {
        if text.len() > max_len {
            return Err(JwsError::TooLarge { max: max_len });
        }
        let dots = text.iter().filter(|&&b| b == b'.').count();
        if dots != 2 {
            return Err(JwsError::PartCount {
                found: (dots + 1).min(6),
            });
        }
        let mut parts = text.splitn(3, |&b| b == b'.');
        let (Some(h), Some(p), Some(s)) = (parts.next(), parts.next(), parts.next()) else {
            // Unreachable: exactly two dots give three parts; reported as a count error anyway.
            return Err(JwsError::PartCount { found: dots + 1 });
        };
        for (part, which) in [
            (h, JwsPart::Header),
            (p, JwsPart::Payload),
            (s, JwsPart::Signature),
        ] {
            if part.is_empty() {
                return Err(JwsError::EmptyPart(which));
            }
        }
        let header_bytes = decode(h, JwsPart::Header)?;
        let payload = decode(p, JwsPart::Payload)?;
        let signature = decode(s, JwsPart::Signature)?;
        let header = json_object(&header_bytes, JwsPart::Header)?;
        if header.contains_key("crit") {
            return Err(JwsError::Crit);
        }
        // `h`, the dot and `p` are the start of `text`, so this prefix exists. Were that ever
        // false, the proof is refused: falling back to another byte string (the whole text)
        // would verify the signature over something other than the JWS Signing Input.
        let signing_input = text
            .get(..h.len() + 1 + p.len())
            .ok_or(JwsError::PartCount { found: dots + 1 })?
            .to_vec();
        Ok(Self {
            header,
            payload,
            signing_input,
            signature,
        })
    }

    /// The decoded protected header.
    pub fn header(&self) -> &Map<String, Value> {
        &self.header
    }

    /// A header member that is a JSON string.
    pub fn header_str(&self, name: &str) -> Option<&str> {
        self.header.get(name).and_then(Value::as_str)
    }

    /// The decoded payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The payload as a JSON object (a JWT claims set, RFC 7519 §7.2 step 10), refusing
    /// duplicate member names at any depth.
    ///
    /// # Errors
    /// `jws.json` if the payload is not a JSON object or any object in it repeats a member
    /// name.
    pub fn payload_json(&self) -> Result<Map<String, Value>, JwsError> {
        json_object(&self.payload, JwsPart::Payload)
    }

    /// The JWS Signing Input: the first two parts and the dot, as received.
    pub fn signing_input(&self) -> &[u8] {
        &self.signing_input
    }

    /// The decoded signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The header's `alg`, if it is one of `allowed`.
    ///
    /// # Errors
    /// `jws.missing_alg`, `jws.alg_not_allowed` (including `none`, MACs and anything outside
    /// `allowed`).
    pub fn algorithm(&self, allowed: &[JwsAlgorithm]) -> Result<JwsAlgorithm, JwsError> {
        let name = self.header_str("alg").ok_or(JwsError::MissingAlg)?;
        match JwsAlgorithm::from_name(name) {
            Some(alg) if allowed.contains(&alg) => Ok(alg),
            other => Err(JwsError::AlgNotAllowed(other)),
        }
    }

    /// Verifies the signature with `key`. The key carries its algorithm; a header `alg` that
    /// names a different one fails like a bad signature (RFC 9421-style "key carries its
    /// algorithm", RFC 8725 §3.1).
    ///
    /// # Errors
    /// [`InvalidSignature`] for every kind of failure.
    pub fn verify(&self, key: &dyn VerifyingKey) -> Result<(), InvalidSignature> {
        let Algorithm::Jws(key_alg) = key.algorithm() else {
            return Err(InvalidSignature);
        };
        if self.header_str("alg") != Some(key_alg.name()) {
            return Err(InvalidSignature);
        }
        key.verify(&self.signing_input, &self.signature)
    }
}

/// Signs `payload` under the exact `header_json` bytes and returns the compact
/// serialization `b64url(header) "." b64url(payload) "." b64url(signature)`.
///
/// The caller writes the header, so byte-exact vectors (RFC 8037 A.4) can be reproduced.
///
/// # Errors
/// Whatever the key's [`SigningKey::sign`] returns.
pub fn sign_compact(
    header_json: &[u8],
    payload: &[u8],
    key: &dyn SigningKey,
) -> Result<String, KeyError> {
    let mut out = URL_SAFE_NO_PAD.encode(header_json);
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(payload, &mut out);
    let signature = key.sign(out.as_bytes())?;
    out.push('.');
    URL_SAFE_NO_PAD.encode_string(signature, &mut out);
    Ok(out)
}

/// RFC 7515 §2 base64url: the engine refuses padding, whitespace, other alphabets and
/// non-zero trailing bits.
fn decode(part: &[u8], which: JwsPart) -> Result<Vec<u8>, JwsError> {
    URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| JwsError::Base64(which))
}

/// A JSON object whose member names are unique at every depth (RFC 7515 §5.2 step 4,
/// RFC 7519 §7.2 step 10: reject rather than keep the last; RFC 8725 §3.1 on parser
/// differentials), read with `httpsig_core::json`. Names are compared after unescaping, so
/// `"\u0078"` repeats `"x"`.
///
/// # Errors
/// `jws.json` if `bytes` is not one JSON object, or any object in it repeats a member name.
pub(crate) fn json_object(bytes: &[u8], which: JwsPart) -> Result<Map<String, Value>, JwsError> {
    httpsig_core::json::unique_object(bytes).map_err(|_| JwsError::Json(which))
}

#[cfg(test)]
mod tests {
    use super::*;
    use httpsig_core::keys::{Jwk, PrivateKey, PublicKey};

    // RFC 8037 Appendix A.4 (A.1 key).
    const A4: &str = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";
    const A1_PUBLIC: &[u8] =
        br#"{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#;

    fn a1_public() -> PublicKey {
        let jwk = Jwk::from_json(A1_PUBLIC).expect("jwk");
        PublicKey::from_jwk(&jwk, Some(Algorithm::Jws(JwsAlgorithm::EdDsa))).expect("key")
    }

    #[test]
    fn rfc8037_a5_verifies_and_one_bit_flips_fail() {
        let jws = CompactJws::parse(A4.as_bytes(), 8192).expect("parse");
        let key = a1_public();
        assert_eq!(jws.verify(&key), Ok(()));
        assert_eq!(jws.algorithm(&FAPI_ALGORITHMS), Ok(JwsAlgorithm::EdDsa));
        let mut sig = jws.clone();
        if let Some(b) = sig.signature.get_mut(10) {
            *b ^= 1;
        }
        assert_eq!(sig.verify(&key), Err(InvalidSignature));
        let mut input = jws;
        if let Some(b) = input.signing_input.get_mut(40) {
            *b ^= 1;
        }
        assert_eq!(input.verify(&key), Err(InvalidSignature));
    }

    #[test]
    fn key_algorithm_must_equal_header_alg() {
        // Same Ed25519 key, loaded as RFC 9864 `Ed25519`: header says `EdDSA` → refused.
        let jwk = Jwk::from_json(A1_PUBLIC).expect("jwk");
        let key =
            PublicKey::from_jwk(&jwk, Some(Algorithm::Jws(JwsAlgorithm::Ed25519))).expect("key");
        let jws = CompactJws::parse(A4.as_bytes(), 8192).expect("parse");
        assert_eq!(jws.verify(&key), Err(InvalidSignature));
        // And a non-JWS algorithm never verifies a JWS.
        let key = PublicKey::from_jwk(&jwk, Some(Algorithm::Ed25519)).expect("key");
        assert_eq!(jws.verify(&key), Err(InvalidSignature));
    }

    #[test]
    fn rfc8037_a4_signing_is_byte_exact() {
        let jwk = Jwk::from_json(
            br#"{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}"#,
        )
        .expect("jwk");
        let key =
            PrivateKey::from_jwk(&jwk, Some(Algorithm::Jws(JwsAlgorithm::EdDsa))).expect("key");
        let out =
            sign_compact(br#"{"alg":"EdDSA"}"#, b"Example of Ed25519 signing", &key).expect("sign");
        assert_eq!(out, A4);
    }

    #[test]
    fn syntax_errors() {
        let (h, rest) = A4.split_once('.').expect("dot");
        let (p, s) = rest.split_once('.').expect("dot");
        let cases: Vec<(String, JwsError)> = vec![
            (format!("{h}.{p}"), JwsError::PartCount { found: 2 }),
            (
                format!("{h}.{p}.{s}.{s}.{s}"),
                JwsError::PartCount { found: 5 },
            ),
            (format!(".{p}.{s}"), JwsError::EmptyPart(JwsPart::Header)),
            (format!("{h}..{s}"), JwsError::EmptyPart(JwsPart::Payload)),
            (format!("{h}.{p}."), JwsError::EmptyPart(JwsPart::Signature)),
            (format!("{h}=.{p}.{s}"), JwsError::Base64(JwsPart::Header)),
            (
                format!("{h}.{p}.{s}=="),
                JwsError::Base64(JwsPart::Signature),
            ),
            (format!("{h} .{p}.{s}"), JwsError::Base64(JwsPart::Header)),
            (
                format!("{h}.{p}.\n{s}"),
                JwsError::Base64(JwsPart::Signature),
            ),
            (format!("{h}.{p}+.{s}"), JwsError::Base64(JwsPart::Payload)),
            // Non-zero trailing bits: "Kg" is canonical for "*", "Kh" is not.
            (format!("Kh.{p}.{s}"), JwsError::Base64(JwsPart::Header)),
            // Header "*" decodes but is not JSON.
            (format!("Kg.{p}.{s}"), JwsError::Json(JwsPart::Header)),
        ];
        for (text, want) in cases {
            assert_eq!(
                CompactJws::parse(text.as_bytes(), 8192).map(|_| ()),
                Err(want.clone()),
                "{text:?}"
            );
            assert!(!want.code().is_empty());
        }
        assert_eq!(
            CompactJws::parse(A4.as_bytes(), 100).map(|_| ()),
            Err(JwsError::TooLarge { max: 100 })
        );
    }

    fn with_header(header: &str) -> Result<CompactJws, JwsError> {
        let text = format!("{}.e30.AAAA", URL_SAFE_NO_PAD.encode(header));
        CompactJws::parse(text.as_bytes(), 8192)
    }

    #[test]
    fn header_rules() {
        assert_eq!(
            with_header(r#"{"alg":"ES256","alg":"none"}"#).map(|_| ()),
            Err(JwsError::Json(JwsPart::Header))
        );
        assert_eq!(
            with_header(r#"{"alg":"ES256","crit":["exp"]}"#).map(|_| ()),
            Err(JwsError::Crit)
        );
        assert_eq!(
            with_header(r#"["alg"]"#).map(|_| ()),
            Err(JwsError::Json(JwsPart::Header))
        );
        assert_eq!(
            with_header(r#"{"alg":"ES256"} x"#).map(|_| ()),
            Err(JwsError::Json(JwsPart::Header))
        );
        for (alg, want) in [
            ("none", Err(JwsError::AlgNotAllowed(None))),
            (
                "HS256",
                Err(JwsError::AlgNotAllowed(Some(JwsAlgorithm::Hs256))),
            ),
            (
                "RS256",
                Err(JwsError::AlgNotAllowed(Some(JwsAlgorithm::Rs256))),
            ),
            (
                "PS512",
                Err(JwsError::AlgNotAllowed(Some(JwsAlgorithm::Ps512))),
            ),
            ("es256", Err(JwsError::AlgNotAllowed(None))),
            ("ES256", Ok(JwsAlgorithm::Es256)),
            ("PS256", Ok(JwsAlgorithm::Ps256)),
            ("EdDSA", Ok(JwsAlgorithm::EdDsa)),
            ("Ed25519", Ok(JwsAlgorithm::Ed25519)),
        ] {
            let jws = with_header(&format!(r#"{{"alg":"{alg}"}}"#)).expect("parse");
            assert_eq!(jws.algorithm(&FAPI_ALGORITHMS), want, "{alg}");
        }
        let jws = with_header(r#"{"alg":1}"#).expect("parse");
        assert_eq!(jws.algorithm(&FAPI_ALGORITHMS), Err(JwsError::MissingAlg));
        let jws = with_header(r#"{"typ":"x"}"#).expect("parse");
        assert_eq!(jws.algorithm(&FAPI_ALGORITHMS), Err(JwsError::MissingAlg));
    }

    #[test]
    fn duplicate_names_are_refused_at_every_depth_also_when_escaped() {
        // (JSON text, accepted?) — every object of the document is checked, names compared
        // after unescaping (RFC 8259 §7: "\u0078" is "x").
        let cases = [
            (r#"{"alg":"ES256","jwk":{"kty":"EC","x":"a"}}"#, true),
            (
                r#"{"alg":"ES256","jwk":{"kty":"EC","x":"a","x":"b"}}"#,
                false,
            ),
            (
                r#"{"alg":"ES256","jwk":{"kty":"EC","x":"a","\u0078":"b"}}"#,
                false,
            ),
            (r#"{"alg":"ES256","\u006awk":{},"jwk":{}}"#, false),
            (r#"{"a":[{"k":1},{"k":2}]}"#, true),
            (r#"{"a":[{"k":1,"k":2}]}"#, false),
            (r#"{"a":{"b":{"c":{"d":1,"\u0064":2}}}}"#, false),
            (r#"{"a":[[[{"x":1,"y":{"z":[],"z":[]}}]]]}"#, false),
            // Different names that only look alike stay different.
            (r#"{"x":1,"X":2,"x ":3,"\u0078\u0078":4}"#, true),
            // Scalars of every type keep their value.
            (
                r#"{"n":null,"t":true,"i":-3,"u":18446744073709551615,"f":1.5,"s":"\n"}"#,
                true,
            ),
        ];
        for (json, ok) in cases {
            for part in [JwsPart::Header, JwsPart::Payload] {
                let got = json_object(json.as_bytes(), part);
                assert_eq!(got.is_ok(), ok, "{json} {part}");
                if !ok {
                    assert_eq!(got, Err(JwsError::Json(part)));
                }
            }
        }
        // Values are what serde_json itself gives for the same (duplicate-free) text.
        let text = r#"{"n":null,"t":true,"i":-3,"u":18446744073709551615,"f":1.5,"s":"\n","a":[1,{"b":2}]}"#;
        let plain: Value = serde_json::from_str(text).expect("json");
        assert_eq!(
            Value::Object(json_object(text.as_bytes(), JwsPart::Header).expect("unique")),
            plain
        );
        // serde_json's nesting limit still applies: deep documents fail, never overflow.
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(json_object(deep.as_bytes(), JwsPart::Header).is_err());
    }

    #[test]
    fn payload_json_refuses_duplicates() {
        let text = format!(
            "{}.{}.AAAA",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256"}"#),
            URL_SAFE_NO_PAD.encode(r#"{"jti":"a","jti":"b"}"#)
        );
        let jws = CompactJws::parse(text.as_bytes(), 8192).expect("parse");
        assert_eq!(jws.payload_json(), Err(JwsError::Json(JwsPart::Payload)));
    }
}
