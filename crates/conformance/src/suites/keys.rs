//! The key/crypto suite: `testdata/keys/signatures.json`, `thumbprints.json`,
//! `jwks-selection.json` and `weak-ed25519.json` (format: the
//! description in each file and `testdata/keys/README.md`). Key files named by a case are read
//! from the embedded `testdata/keys/` tree. Every field of a case must be read; an unknown
//! field or a missing required one fails the case.
//!
//! Moved here from httpsig-core's `tests/keys.rs` so the bundled vectors have one runner; the
//! key-loading API tests stay there.

use std::collections::BTreeSet;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use httpsig_core::crypto::{Algorithm, InvalidSignature, JwsAlgorithm, SigningKey, VerifyingKey};
use httpsig_core::keys::{HmacKey, Jwk, Jwks, PrivateKey, PublicKey};
use serde_json::{Map, Value};

use super::CaseResults;

/// The vector files of this suite; the other files under `keys/` are key material.
pub const FILES: &[&str] = &[
    "signatures.json",
    "thumbprints.json",
    "jwks-selection.json",
    "weak-ed25519.json",
];

/// Runs one key-suite vector file, chosen by its file name (one of [`FILES`]).
///
/// # Errors
/// When the file name is not one of [`FILES`], or the file is not JSON of that format.
pub fn run(name: &str, bytes: &[u8]) -> Result<CaseResults, String> {
    let doc: Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not a keys vector file: {e}"))?;
    let top = fields(&doc, &["description", "cases"], &[])?;
    let cases = top
        .get("cases")
        .and_then(Value::as_array)
        .ok_or("cases is not an array")?;
    match name {
        "signatures.json" => Ok(signature_cases(cases)),
        "thumbprints.json" => Ok(thumbprint_cases(cases)),
        "jwks-selection.json" => Ok(selection_cases(cases)),
        "weak-ed25519.json" => Ok(weak_ed25519_cases(cases)),
        other => Err(format!("no keys runner for file {other:?}")),
    }
}

fn read(name: &str) -> Result<&'static [u8], String> {
    crate::embedded::get(&format!("keys/{name}")).ok_or_else(|| format!("no key file {name}"))
}

fn jwk(name: &str) -> Result<Jwk, String> {
    Jwk::from_json(read(name)?).map_err(|e| format!("{name}: {e}"))
}

fn secret() -> Result<Vec<u8>, String> {
    STANDARD
        .decode(read("test-shared-secret.txt")?.trim_ascii())
        .map_err(|e| format!("RFC 9421 B.1.5 secret: {e}"))
}

/// The object's fields, failing on any field not listed (a vector field nobody reads is a
/// bug) and on any required field missing.
fn fields<'a>(
    v: &'a Value,
    required: &[&str],
    optional: &[&str],
) -> Result<&'a Map<String, Value>, String> {
    let obj = v.as_object().ok_or("not an object")?;
    let known: BTreeSet<&str> = required.iter().chain(optional).copied().collect();
    if let Some(k) = obj.keys().find(|k| !known.contains(k.as_str())) {
        return Err(format!("unread field {k:?}"));
    }
    if let Some(r) = required.iter().find(|r| !obj.contains_key(**r)) {
        return Err(format!("missing field {r:?}"));
    }
    Ok(obj)
}

fn str_field<'a>(obj: &'a Map<String, Value>, name: &str) -> Result<&'a str, String> {
    obj.get(name)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{name} is not a string"))
}

fn algorithm(name: &str) -> Result<Algorithm, String> {
    match name.strip_prefix("jws:") {
        Some(jws) => JwsAlgorithm::from_name(jws).map(Algorithm::Jws),
        None => Algorithm::from_name(name),
    }
    .ok_or_else(|| format!("unknown algorithm {name:?}"))
}

fn verifier(file: &str, alg: Algorithm) -> Result<Box<dyn VerifyingKey>, String> {
    let key: Box<dyn VerifyingKey> = if file.ends_with(".txt") {
        Box::new(
            HmacKey::new_with(&crate::suites::provider(), &secret()?)
                .map_err(|e| format!("{file}: {e}"))?,
        )
    } else if file.ends_with(".jwk.json") {
        Box::new(
            PublicKey::from_jwk_with(&crate::suites::provider(), &jwk(file)?, Some(alg))
                .map_err(|e| format!("{file}: {e}"))?,
        )
    } else {
        Box::new(
            PublicKey::from_pem_with(&crate::suites::provider(), read(file)?, alg)
                .map_err(|e| format!("{file}: {e}"))?,
        )
    };
    Ok(key)
}

fn signer(file: &str, alg: Algorithm) -> Result<Box<dyn SigningKey>, String> {
    let key: Box<dyn SigningKey> = if file.ends_with(".txt") {
        Box::new(
            HmacKey::new_with(&crate::suites::provider(), &secret()?)
                .map_err(|e| format!("{file}: {e}"))?,
        )
    } else if file.ends_with(".jwk.json") {
        Box::new(
            PrivateKey::from_jwk_with(&crate::suites::provider(), &jwk(file)?, Some(alg))
                .map_err(|e| format!("{file}: {e}"))?,
        )
    } else {
        Box::new(
            PrivateKey::from_pem_with(&crate::suites::provider(), read(file)?, alg)
                .map_err(|e| format!("{file}: {e}"))?,
        )
    };
    Ok(key)
}

/// Positions to flip: every byte for short inputs, otherwise 64 spread over the input
/// including both ends. One bit per position, rotating through the bit index.
fn flip_positions(len: usize) -> Vec<usize> {
    if len <= 64 {
        (0..len).collect()
    } else {
        let mut v: Vec<usize> = (0..63).map(|i| i * len / 63).collect();
        v.push(len - 1);
        v
    }
}

fn flipped(bytes: &[u8], i: usize) -> Vec<u8> {
    let mut bad = bytes.to_vec();
    if let Some(b) = bad.get_mut(i) {
        *b ^= 1 << (i % 8);
    }
    bad
}

/// Every one-bit flip of signature or base, and a truncated, extended or empty signature,
/// fails verification.
fn bit_flips_fail(key: &dyn VerifyingKey, base: &[u8], sig: &[u8]) -> Result<(), String> {
    for i in flip_positions(sig.len()) {
        if key.verify(base, &flipped(sig, i)) != Err(InvalidSignature) {
            return Err(format!("signature with byte {i} flipped verifies"));
        }
    }
    for i in flip_positions(base.len()) {
        if key.verify(&flipped(base, i), sig) != Err(InvalidSignature) {
            return Err(format!("base with byte {i} flipped verifies"));
        }
    }
    let truncated = sig.get(..sig.len().saturating_sub(1)).unwrap_or_default();
    let mut longer = sig.to_vec();
    longer.push(0);
    for (what, bad) in [
        ("truncated", truncated),
        ("extended", &longer),
        ("empty", &[]),
    ] {
        if key.verify(base, bad) != Err(InvalidSignature) {
            return Err(format!("{what} signature verifies"));
        }
    }
    Ok(())
}

/// What a signature case exercised, for the file-level count check.
#[derive(Default)]
struct SignatureCounts {
    valid: usize,
    invalid: usize,
    reproduced: usize,
}

/// Each case's `name` (or its position) with the outcome `run` gives it, in file order.
fn named_cases(cases: &[Value], mut run: impl FnMut(&Value) -> Result<(), String>) -> CaseResults {
    cases
        .iter()
        .enumerate()
        .map(|(n, case)| {
            let id = case
                .get("name")
                .and_then(Value::as_str)
                .map_or_else(|| format!("case #{n}"), str::to_owned);
            (id, run(case))
        })
        .collect()
}

fn signature_cases(cases: &[Value]) -> CaseResults {
    let mut counts = SignatureCounts::default();
    let mut out = named_cases(cases, |case| signature_case(case, &mut counts));
    // The file's shape as published: a lost or re-graded case fails here.
    let want = (18, 14, 4, 3);
    let got = (cases.len(), counts.valid, counts.invalid, counts.reproduced);
    out.push((
        "file: 18 cases, 14 valid, 4 invalid, 3 reproduced byte-for-byte".into(),
        if got == want {
            Ok(())
        } else {
            Err(format!(
                "(cases, valid, invalid, reproduced) = {got:?}, want {want:?}"
            ))
        },
    ));
    out
}

fn signature_case(case: &Value, counts: &mut SignatureCounts) -> Result<(), String> {
    let c = fields(
        case,
        &[
            "name",
            "source",
            "algorithm",
            "verify_key",
            "base",
            "signature",
            "signature_encoding",
            "expect",
            "deterministic",
        ],
        &["sign_key"],
    )?;
    if str_field(c, "source")?.is_empty() {
        return Err("case has no source".into());
    }
    let alg = algorithm(str_field(c, "algorithm")?)?;
    let base = str_field(c, "base")?.as_bytes();
    let sig_text = str_field(c, "signature")?;
    let sig = match str_field(c, "signature_encoding")? {
        "base64" => STANDARD.decode(sig_text),
        "base64url" => URL_SAFE_NO_PAD.decode(sig_text),
        other => return Err(format!("unknown signature_encoding {other:?}")),
    }
    .map_err(|e| format!("signature: {e}"))?;
    let key = verifier(str_field(c, "verify_key")?, alg)?;
    if key.algorithm() != alg {
        return Err(format!("key algorithm {} is not {alg}", key.algorithm()));
    }
    match str_field(c, "expect")? {
        "valid" => {
            key.verify(base, &sig)
                .map_err(|_| "published signature does not verify".to_owned())?;
            bit_flips_fail(key.as_ref(), base, &sig)?;
            counts.valid += 1;
        }
        "invalid" => {
            if key.verify(base, &sig) != Err(InvalidSignature) {
                return Err("invalid signature verifies".into());
            }
            counts.invalid += 1;
        }
        other => return Err(format!("unknown expect {other:?}")),
    }
    let deterministic = c
        .get("deterministic")
        .and_then(Value::as_bool)
        .ok_or("deterministic is not a boolean")?;
    match c.get("sign_key") {
        Some(file) => {
            let file = file.as_str().ok_or("sign_key is not a string")?;
            let ours = signer(file, alg)?
                .sign(base)
                .map_err(|e| format!("signing: {e}"))?;
            if deterministic {
                if ours != sig {
                    return Err("deterministic signature not reproduced".into());
                }
                counts.reproduced += 1;
            }
            key.verify(base, &ours)
                .map_err(|_| "our own signature does not verify".to_owned())?;
        }
        None if deterministic => return Err("deterministic without sign_key".into()),
        None => {}
    }
    Ok(())
}

fn thumbprint_cases(cases: &[Value]) -> CaseResults {
    let mut out = named_cases(cases, thumbprint_case);
    out.push((
        "file: 8 cases".into(),
        if cases.len() == 8 {
            Ok(())
        } else {
            Err(format!("{} cases, want 8", cases.len()))
        },
    ));
    out
}

fn thumbprint_case(case: &Value) -> Result<(), String> {
    let c = fields(case, &["name", "source", "jwk", "thumbprint"], &[])?;
    if str_field(c, "source")?.is_empty() {
        return Err("case has no source".into());
    }
    let body = c.get("jwk").map(Value::to_string).unwrap_or_default();
    let key = Jwk::from_json(body.as_bytes()).map_err(|e| format!("jwk: {e}"))?;
    let want = str_field(c, "thumbprint")?;
    let got = key
        .thumbprint_sha256()
        .map_err(|e| format!("thumbprint: {e}"))?;
    if got != want {
        return Err(format!("thumbprint {got}, want {want}"));
    }
    // Private members never change the thumbprint (an oct key is all secret: skip it).
    if key.kty() != "oct" && key.public_only().thumbprint_sha256().as_deref() != Ok(want) {
        return Err("public-only thumbprint differs".into());
    }
    Ok(())
}

/// The private and secret JWK members (RFC 7518 §6.2.2, §6.3.2, §6.4.1).
const PRIVATE_MEMBERS: [&str; 7] = ["d", "p", "q", "dp", "dq", "qi", "k"];

/// One set member of a `jwks-selection.json` case: the JWK as it goes into the set, and the
/// key file it came from (its private half proves which member was chosen).
struct Member {
    jwk: Value,
    file: Option<Jwk>,
}

fn member(v: &Value) -> Result<Member, String> {
    let m = fields(v, &[], &["file", "public", "set", "jwk"])?;
    match (m.get("file"), m.get("jwk")) {
        (Some(file), None) => {
            let file = file.as_str().ok_or("file is not a string")?;
            let text = read(file)?;
            let mut jwk: Value =
                serde_json::from_slice(text).map_err(|e| format!("{file}: {e}"))?;
            let obj = jwk.as_object_mut().ok_or("key file is not an object")?;
            if m.get("public").and_then(Value::as_bool) == Some(true) {
                for name in PRIVATE_MEMBERS {
                    obj.remove(name);
                }
            }
            if let Some(set) = m.get("set") {
                for (k, v) in set.as_object().ok_or("set is not an object")? {
                    obj.insert(k.clone(), v.clone());
                }
            }
            Ok(Member {
                jwk,
                file: Some(Jwk::from_json(text).map_err(|e| format!("{file}: {e}"))?),
            })
        }
        (None, Some(jwk)) => {
            if m.contains_key("public") || m.contains_key("set") {
                return Err("public and set only with file".into());
            }
            Ok(Member {
                jwk: jwk.clone(),
                file: None,
            })
        }
        _ => Err("exactly one of file / jwk".into()),
    }
}

fn selection_cases(cases: &[Value]) -> CaseResults {
    let mut out = named_cases(cases, selection_case);
    out.push((
        "file: at least 20 cases".into(),
        if cases.len() >= 20 {
            Ok(())
        } else {
            Err(format!("{} cases", cases.len()))
        },
    ));
    out
}

/// `Jwks::verifying_key` / `Jwks::signing_key` on a set built from key files: the chosen
/// member is identified by signatures, not by trusting what the selection reports.
fn selection_case(case: &Value) -> Result<(), String> {
    let c = fields(
        case,
        &["name", "source", "members", "operation", "kid"],
        &["alg", "expect", "error"],
    )?;
    if str_field(c, "source")?.is_empty() {
        return Err("case has no source".into());
    }
    let members = c
        .get("members")
        .and_then(Value::as_array)
        .ok_or("members is not an array")?
        .iter()
        .map(member)
        .collect::<Result<Vec<_>, _>>()?;
    let set_json =
        serde_json::json!({ "keys": members.iter().map(|m| &m.jwk).collect::<Vec<_>>() });
    let set = Jwks::from_json(set_json.to_string().as_bytes()).map_err(|e| format!("set: {e}"))?;
    let kid = str_field(c, "kid")?;
    let alg = c
        .get("alg")
        .map(|a| a.as_str().ok_or("alg is not a string").map(algorithm))
        .transpose()?
        .transpose()?;
    const MESSAGE: &[u8] = b"jwks-selection";
    // Which member can produce (sign) or accept (verify) what the chosen key does.
    let (got, fits): (Result<Algorithm, _>, Vec<bool>) = match str_field(c, "operation")? {
        "verify" => match set.verifying_key_with(&crate::suites::provider(), kid, alg) {
            Ok(key) => {
                let fits = members
                    .iter()
                    .map(|m| {
                        let signer = m.file.as_ref().and_then(|j| match j.kty() {
                            "oct" => HmacKey::from_jwk_with(
                                &crate::suites::provider(),
                                j,
                                Some(key.algorithm()),
                            )
                            .ok()
                            .map(|k| Box::new(k) as Box<dyn SigningKey>),
                            _ => PrivateKey::from_jwk_with(
                                &crate::suites::provider(),
                                j,
                                Some(key.algorithm()),
                            )
                            .ok()
                            .map(|k| Box::new(k) as Box<dyn SigningKey>),
                        });
                        signer
                            .and_then(|s| s.sign(MESSAGE).ok())
                            .is_some_and(|sig| key.verify(MESSAGE, &sig).is_ok())
                    })
                    .collect();
                (Ok(key.algorithm()), fits)
            }
            Err(e) => (Err(e), Vec::new()),
        },
        "sign" => match set.signing_key_with(&crate::suites::provider(), kid, alg) {
            Ok(key) => {
                let sig = key.sign(MESSAGE).map_err(|e| format!("signing: {e}"))?;
                let fits = members
                    .iter()
                    .map(|m| {
                        m.file.as_ref().is_some_and(|j| {
                            let verifier: Option<Box<dyn VerifyingKey>> = match j.kty() {
                                "oct" => HmacKey::from_jwk_with(
                                    &crate::suites::provider(),
                                    j,
                                    Some(key.algorithm()),
                                )
                                .ok()
                                .map(|k| Box::new(k) as Box<dyn VerifyingKey>),
                                _ => PublicKey::from_jwk_with(
                                    &crate::suites::provider(),
                                    j,
                                    Some(key.algorithm()),
                                )
                                .ok()
                                .map(|k| Box::new(k) as Box<dyn VerifyingKey>),
                            };
                            verifier.is_some_and(|v| v.verify(MESSAGE, &sig).is_ok())
                        })
                    })
                    .collect();
                (Ok(key.algorithm()), fits)
            }
            Err(e) => (Err(e), Vec::new()),
        },
        other => return Err(format!("unknown operation {other:?}")),
    };
    match (c.get("expect"), c.get("error")) {
        (Some(expect), None) => {
            let e = fields(expect, &["member", "algorithm"], &[])?;
            let want_member = e
                .get("member")
                .and_then(Value::as_u64)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or("member is not an index")?;
            let want_alg = algorithm(str_field(e, "algorithm")?)?;
            let alg = got.map_err(|e| format!("unexpected error {}: {e}", e.code()))?;
            if alg != want_alg {
                return Err(format!("chose a {alg} key, want {want_alg}"));
            }
            let chosen: Vec<usize> = fits
                .iter()
                .enumerate()
                .filter(|(_, f)| **f)
                .map(|(i, _)| i)
                .collect();
            if chosen != [want_member] {
                return Err(format!(
                    "the chosen key matches member(s) {chosen:?}, want [{want_member}]"
                ));
            }
            Ok(())
        }
        (None, Some(code)) => {
            let code = code.as_str().ok_or("error is not a string")?;
            match got {
                Ok(alg) => Err(format!("expected {code}, chose a {alg} key")),
                Err(e) if e.code() == code => Ok(()),
                Err(e) => Err(format!("got {}: {e}", e.code())),
            }
        }
        _ => Err("exactly one of expect / error".into()),
    }
}

/// `weak-ed25519.json`: each `x` loaded as an OKP JWK and as an SPKI PEM must give `expect`
/// (`"ok"` or a `key.*` code) both ways.
fn weak_ed25519_cases(cases: &[Value]) -> CaseResults {
    named_cases(cases, weak_ed25519_case)
}

fn weak_ed25519_case(case: &Value) -> Result<(), String> {
    let c = fields(case, &["name", "source", "x", "expect"], &["note"])?;
    let x = str_field(c, "x")?;
    let expect = str_field(c, "expect")?;
    let raw = URL_SAFE_NO_PAD
        .decode(x)
        .map_err(|e| format!("x is not base64url: {e}"))?;
    let outcome = |r: Result<PublicKey, httpsig_core::keys::KeyError>| match r {
        Ok(_) => "ok".to_owned(),
        Err(e) => e.code().to_owned(),
    };
    let jwk_text = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}"#);
    let jwk = Jwk::from_json(jwk_text.as_bytes()).map_err(|e| format!("jwk: {e}"))?;
    let from_jwk = outcome(PublicKey::from_jwk_with(
        &crate::suites::provider(),
        &jwk,
        Some(Algorithm::Ed25519),
    ));
    // RFC 8410 §4: SubjectPublicKeyInfo { id-Ed25519 (1.3.101.112), BIT STRING (the 32 bytes) }.
    let mut der = vec![
        0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
    ];
    der.extend_from_slice(&raw);
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(&der)
    );
    let from_pem = outcome(PublicKey::from_pem_with(
        &crate::suites::provider(),
        pem.as_bytes(),
        Algorithm::Ed25519,
    ));
    if from_jwk != expect || from_pem != expect {
        return Err(format!(
            "want {expect}, got {from_jwk} from the JWK and {from_pem} from the SPKI PEM"
        ));
    }
    Ok(())
}
