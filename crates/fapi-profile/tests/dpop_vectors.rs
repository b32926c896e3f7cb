//! Runs the vector files in `crates/conformance/testdata/dpop/` (format: README.md there).
//! Unknown fields fail deserialization.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fapi_profile::dpop::{
    DpopError, DpopProofBuilder, DpopRequest, DpopVerifier, HmacNonces, HtuCheck, NonceMode,
    NonceValidator, ath_for,
};
use fapi_profile::jws::{CompactJws, sign_compact};
use fapi_profile::mtls::{ClientCertConfig, ClientCertOutcome, x5t_s256};
use fapi_profile::store::{ReplayStore, StoreError};
use httpsig_core::keys::{Jwk, PrivateKey, PublicKey};
use httpsig_core::{Algorithm, JwsAlgorithm};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

// ---------------------------------------------------------------------------------------
// Test doubles: a HashMap replay store and a reference htu matcher.

/// In-memory replay store for tests only (the real ones live in the store module).
#[derive(Default)]
struct MapStore {
    seen: Mutex<HashMap<Vec<u8>, Duration>>,
    down: bool,
}

impl ReplayStore for MapStore {
    fn check_and_record(&self, key: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        if self.down {
            return Err(StoreError::Unavailable);
        }
        let mut seen = self.seen.lock().map_err(|_| StoreError::Unavailable)?;
        Ok(seen.insert(key.to_vec(), ttl).is_none())
    }
}

/// Reference `htu` matcher for the tests: RFC 3986 §6.2.2 (scheme/host case, %-encoded
/// unreserved decoded, other %-escapes upper-cased, dot-segments) and §6.2.3 (default port,
/// empty path) normalization of both sides, query and fragment dropped. The production
/// implementation comes from `forwarded-parser`.
struct RefHtu(String);

impl HtuCheck for RefHtu {
    fn htu_matches(&self, claim: &str) -> bool {
        match (normalize(claim), normalize(&self.0)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }
}

fn normalize(uri: &str) -> Option<String> {
    let uri = uri.split(['?', '#']).next()?;
    let (scheme, rest) = uri.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    let mut authority = authority.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => return None,
    };
    if let Some(host) = authority.strip_suffix(default_port) {
        authority = host.to_owned();
    }
    let mut decoded = String::new();
    let bytes = path.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = path.get(i + 1..i + 3)?;
            let v = u8::from_str_radix(hex, 16).ok()?;
            if v.is_ascii_alphanumeric() || b"-._~".contains(&v) {
                decoded.push(char::from(v));
            } else {
                decoded.push('%');
                decoded.push_str(&hex.to_ascii_uppercase());
            }
            i += 3;
        } else {
            decoded.push(char::from(bytes[i]));
            i += 1;
        }
    }
    // RFC 3986 §5.2.4, simplified for absolute paths.
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = decoded.split('/').skip(1).collect();
    let last = segments.len().saturating_sub(1);
    for (n, seg) in segments.iter().enumerate() {
        match *seg {
            "." => {
                if n == last {
                    out.push("");
                }
            }
            ".." => {
                out.pop();
                if n == last {
                    out.push("");
                }
            }
            s => out.push(s),
        }
    }
    Some(format!("{scheme}://{authority}/{}", out.join("/")))
}

#[test]
fn reference_htu_matcher_table() {
    // Reference §4.2 htu table, request GET https://rs.example.com/a/b?x=1.
    let m = RefHtu("https://rs.example.com/a/b?x=1".into());
    for ok in [
        "https://rs.example.com/a/b",
        "https://rs.example.com/a/b?y=2#f",
        "HTTPS://RS.EXAMPLE.COM/a/b",
        "https://rs.example.com:443/a/b",
        "https://rs.example.com/a/./b",
        "https://rs.example.com/a/%62",
    ] {
        assert!(m.htu_matches(ok), "{ok}");
    }
    for bad in [
        "https://rs.example.com/A/b",
        "http://rs.example.com/a/b",
        "https://rs.example.com:8443/a/b",
        "https://other.example.com/a/b",
        "https://rs.example.com/a/c",
        "not a uri",
    ] {
        assert!(!m.htu_matches(bad), "{bad}");
    }
}

// ---------------------------------------------------------------------------------------
// Files.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File<C> {
    #[allow(dead_code, reason = "documentation in the data file")]
    description: String,
    #[allow(dead_code, reason = "documentation in the data file")]
    source: String,
    #[serde(default)]
    baseline: Option<Baseline>,
    cases: Vec<C>,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/testdata/dpop")
}

fn load<C: DeserializeOwned>(name: &str) -> File<C> {
    let text = std::fs::read(dir().join(name)).expect(name);
    serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn code<T>(r: &Result<T, DpopError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

// ---------------------------------------------------------------------------------------
// rfc9449-proofs.json

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FlipBit {
    part: String,
    index: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProofCase {
    id: String,
    #[allow(dead_code, reason = "documentation in the data file")]
    source: String,
    #[allow(dead_code, reason = "counted by requirement_coverage")]
    requirements: Vec<String>,
    proof: String,
    method: String,
    target: String,
    authorization: Vec<String>,
    token_jkt: Option<String>,
    now: u64,
    #[serde(default)]
    flip_bit: Option<FlipBit>,
    #[serde(default)]
    allowed_algs: Option<Vec<String>>,
    #[serde(default)]
    expect_jkt: Option<String>,
    expect: String,
}

fn flip(compact: &str, part: usize, index: usize) -> String {
    let mut parts: Vec<String> = compact.split('.').map(str::to_owned).collect();
    let mut bytes = URL_SAFE_NO_PAD.decode(&parts[part]).expect("b64");
    bytes[index] ^= 1;
    parts[part] = URL_SAFE_NO_PAD.encode(bytes);
    parts.join(".")
}

#[test]
fn rfc9449_published_proofs() {
    let file: File<ProofCase> = load("rfc9449-proofs.json");
    assert!(file.baseline.is_none());
    for case in &file.cases {
        let proof = match &case.flip_bit {
            None => case.proof.clone(),
            Some(f) => {
                let part = match f.part.as_str() {
                    "header" => 0,
                    "payload" => 1,
                    "signature" => 2,
                    other => panic!("{}: part {other}", case.id),
                };
                flip(&case.proof, part, f.index)
            }
        };
        let mut verifier = DpopVerifier::new(Arc::new(MapStore::default()));
        if let Some(algs) = &case.allowed_algs {
            let algs: Vec<JwsAlgorithm> = algs
                .iter()
                .map(|a| JwsAlgorithm::from_name(a).expect("alg"))
                .collect();
            verifier = verifier.allowed_algorithms(&algs);
        }
        let htu = RefHtu(case.target.clone());
        let dpop = [proof.as_bytes()];
        let auth: Vec<&[u8]> = case.authorization.iter().map(|s| s.as_bytes()).collect();
        let req = DpopRequest::new(&case.method, &htu, case.now)
            .dpop_fields(&dpop)
            .authorization_fields(&auth)
            .token_jkt(case.token_jkt.as_deref());
        let got = verifier.verify(&req);
        assert_eq!(code(&got), case.expect, "{}: {got:?}", case.id);
        if let (Some(jkt), Ok(v)) = (&case.expect_jkt, &got) {
            assert_eq!(&v.jkt, jkt, "{}", case.id);
        }
    }
    // Figure 2 and Figure 13 signatures verify with their embedded jwk (JWS layer alone).
    let jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    for case in file
        .cases
        .iter()
        .filter(|c| c.flip_bit.is_none())
        .take(1)
        .chain(
            file.cases
                .iter()
                .filter(|c| c.id == "fig2-at-resource-server"),
        )
    {
        let jws = CompactJws::parse(case.proof.as_bytes(), 8192).expect("parse");
        let jwk =
            Jwk::from_json(&serde_json::to_vec(&jws.header()["jwk"]).expect("json")).expect("jwk");
        assert_eq!(jwk.thumbprint_sha256().expect("jkt"), jkt);
        let key =
            PublicKey::from_jwk(&jwk, Some(Algorithm::Jws(JwsAlgorithm::Es256))).expect("key");
        assert_eq!(jws.verify(&key), Ok(()), "{}", case.id);
    }
}

// ---------------------------------------------------------------------------------------
// rs-cases.json

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Baseline {
    now: u64,
    method: String,
    target: String,
    htu: String,
    token: String,
    key: String,
    nonce_lifetime: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectChallenge {
    status: u16,
    www_authenticate: Option<String>,
    dpop_nonce: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RsCase {
    id: String,
    #[allow(dead_code, reason = "documentation in the data file")]
    source: String,
    #[allow(dead_code, reason = "counted by requirement_coverage")]
    requirements: Vec<String>,
    severity: String,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    jwk_file: Option<String>,
    #[serde(default)]
    jwk: Option<Map<String, Value>>,
    #[serde(default)]
    header: Option<Map<String, Value>>,
    #[serde(default)]
    claims: Option<Map<String, Value>>,
    #[serde(default)]
    iat_offset: Option<i64>,
    #[serde(default)]
    sign_with: Option<String>,
    #[serde(default)]
    token_key: Option<String>,
    #[serde(default)]
    raw_proof: Option<String>,
    #[serde(default)]
    strip_signature: bool,
    #[serde(default)]
    flip_signature_byte: Option<usize>,
    #[serde(default)]
    dpop_lines: Option<usize>,
    #[serde(default)]
    header_name: Option<String>,
    #[serde(default)]
    authorization: Option<Vec<String>>,
    #[serde(default)]
    replay: bool,
    #[serde(default)]
    store: Option<String>,
    #[serde(default)]
    nonce_mode: Option<String>,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    expect_challenge: Option<ExpectChallenge>,
    expect: String,
}

struct TestKey {
    private: PrivateKey,
    jwk_json: Vec<u8>,
}

fn test_key(name: &str) -> TestKey {
    let keys = dir().join("keys");
    let (pem, jwk, alg) = match name {
        "es256" => (
            dir().join("../keys/test-key-ecc-p256.pem"),
            "test-key-ecc-p256.pub.jwk.json",
            JwsAlgorithm::Es256,
        ),
        "ps256" => (
            keys.join("ps256-rsa2048.pem"),
            "ps256-rsa2048.pub.jwk.json",
            JwsAlgorithm::Ps256,
        ),
        "rs256" => (
            keys.join("ps256-rsa2048.pem"),
            "ps256-rsa2048.pub.jwk.json",
            JwsAlgorithm::Rs256,
        ),
        "eddsa" => (
            keys.join("ed25519.pem"),
            "ed25519.pub.jwk.json",
            JwsAlgorithm::EdDsa,
        ),
        "ed25519" => (
            keys.join("ed25519.pem"),
            "ed25519.pub.jwk.json",
            JwsAlgorithm::Ed25519,
        ),
        other => panic!("unknown key {other}"),
    };
    let pem = std::fs::read(pem).expect("pem");
    TestKey {
        private: PrivateKey::from_pem(&pem, Algorithm::Jws(alg)).expect(name),
        jwk_json: std::fs::read(keys.join(jwk)).expect(jwk),
    }
}

fn jkt_of(jwk_json: &[u8]) -> String {
    Jwk::from_json(jwk_json)
        .expect("jwk")
        .thumbprint_sha256()
        .expect("jkt")
}

fn patch(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (k, v) in patch {
        if v.is_null() {
            target.remove(k);
        } else {
            target.insert(k.clone(), v.clone());
        }
    }
}

const STANDARD_CLAIMS: [&str; 6] = ["jti", "htm", "htu", "iat", "ath", "nonce"];

/// True if the builder can express the case (no removals, no typ/alg/jwk overrides, no
/// foreign keys or raw text).
fn builder_can(case: &RsCase) -> bool {
    let no_nulls = |m: &Option<Map<String, Value>>| {
        m.as_ref().is_none_or(|m| m.values().all(|v| !v.is_null()))
    };
    no_nulls(&case.header)
        && no_nulls(&case.claims)
        && case
            .header
            .as_ref()
            .is_none_or(|h| !h.keys().any(|k| ["typ", "alg", "jwk"].contains(&k.as_str())))
        && case.jwk.is_none()
        && case.jwk_file.is_none()
        && case.sign_with.is_none()
        && case.raw_proof.is_none()
        // The builder refuses non-FAPI algorithms (checked in dpop_builder.rs).
        && case.key.as_deref() != Some("rs256")
        && case.claims.as_ref().is_none_or(|c| {
            c.get("iat").is_none_or(Value::is_i64)
                && ["jti", "htm", "htu"]
                    .iter()
                    .all(|k| c.get(*k).is_none_or(Value::is_string))
                && !c.contains_key("nonce")
        })
}

fn build_proof(
    case: &RsCase,
    base: &Baseline,
    key: &TestKey,
    nonce: Option<&str>,
) -> (String, bool) {
    let iat = i64::try_from(base.now).expect("now") + case.iat_offset.unwrap_or(0);
    if let Some(raw) = &case.raw_proof {
        return (raw.clone(), false);
    }
    let claims_patch = case.claims.clone().unwrap_or_default();
    if builder_can(case) {
        let get = |name: &str| claims_patch.get(name).and_then(Value::as_str);
        let mut b = DpopProofBuilder::new(&key.private, &key.jwk_json)
            .expect("builder")
            .htm(get("htm").unwrap_or(&base.method))
            .htu(get("htu").unwrap_or(&base.htu))
            .jti(get("jti").unwrap_or(&case.id))
            .iat(
                claims_patch
                    .get("iat")
                    .and_then(Value::as_i64)
                    .unwrap_or(iat),
            );
        b = match claims_patch.get("ath") {
            Some(v) => b.claim("ath", v.clone()),
            None => b.ath(&base.token),
        };
        if let Some(n) = nonce {
            b = b.nonce(n);
        }
        for (k, v) in &claims_patch {
            if !STANDARD_CLAIMS.contains(&k.as_str()) {
                b = b.claim(k, v.clone());
            }
        }
        for (k, v) in case.header.iter().flatten() {
            b = b.header_param(k, v.clone());
        }
        return (b.build().expect("build"), true);
    }
    (manual_proof(case, base, key, nonce, iat), false)
}

fn manual_proof(
    case: &RsCase,
    base: &Baseline,
    key: &TestKey,
    nonce: Option<&str>,
    iat: i64,
) -> String {
    let jwk_json = match &case.jwk_file {
        Some(f) => std::fs::read(dir().join("keys").join(f)).expect("jwk file"),
        None => key.jwk_json.clone(),
    };
    let mut jwk: Map<String, Value> = serde_json::from_slice(&jwk_json).expect("jwk json");
    if let Some(p) = &case.jwk {
        patch(&mut jwk, p);
    }
    let alg = match key.private_alg() {
        Algorithm::Jws(a) => a.name(),
        other => panic!("{other}"),
    };
    let mut header = Map::new();
    header.insert("typ".into(), "dpop+jwt".into());
    header.insert("alg".into(), alg.into());
    header.insert("jwk".into(), Value::Object(jwk));
    if let Some(p) = &case.header {
        patch(&mut header, p);
    }
    let mut claims = Map::new();
    claims.insert("jti".into(), case.id.clone().into());
    claims.insert("htm".into(), base.method.clone().into());
    claims.insert("htu".into(), base.htu.clone().into());
    claims.insert("iat".into(), iat.into());
    claims.insert("ath".into(), ath_for(&base.token).into());
    if let Some(n) = nonce {
        claims.insert("nonce".into(), n.into());
    }
    if let Some(p) = &case.claims {
        patch(&mut claims, p);
    }
    let signer = case.sign_with.as_deref().map(test_key);
    let signer = signer.as_ref().map_or(&key.private, |k| &k.private);
    sign_compact(
        Value::Object(header).to_string().as_bytes(),
        Value::Object(claims).to_string().as_bytes(),
        signer,
    )
    .expect("sign")
}

trait PrivateAlg {
    fn private_alg(&self) -> Algorithm;
}

impl PrivateAlg for TestKey {
    fn private_alg(&self) -> Algorithm {
        httpsig_core::SigningKey::algorithm(&self.private)
    }
}

#[test]
fn resource_server_cases() {
    let file: File<RsCase> = load("rs-cases.json");
    let base = file.baseline.as_ref().expect("baseline");
    let secret = [0x5au8; 32];
    let mut by_builder = 0;
    let mut warnings = 0;
    for case in &file.cases {
        assert!(
            ["failure", "warning"].contains(&case.severity.as_str()),
            "{}",
            case.id
        );
        warnings += usize::from(case.severity == "warning");
        let key_name = case.key.as_deref().unwrap_or(&base.key);
        let key = test_key(key_name);
        let token_jkt = match &case.token_key {
            Some(k) => jkt_of(&test_key(k).jwk_json),
            None => jkt_of(&key.jwk_json),
        };
        let nonces = Arc::new(
            HmacNonces::new(&secret, Duration::from_secs(base.nonce_lifetime)).expect("nonces"),
        );
        let nonce = match case.nonce.as_deref() {
            None => None,
            Some("issued") => Some(nonces.issue(base.now).expect("issue")),
            Some("expired") => Some(
                nonces
                    .issue(base.now - base.nonce_lifetime - 1)
                    .expect("issue"),
            ),
            Some("forged") => Some(
                HmacNonces::new(&[0xa5; 32], Duration::from_secs(300))
                    .expect("nonces")
                    .issue(base.now)
                    .expect("issue"),
            ),
            Some(other) => panic!("{}: nonce {other}", case.id),
        };
        let (mut proof, built) = build_proof(case, base, &key, nonce.as_deref());
        by_builder += usize::from(built);
        if case.strip_signature {
            let cut = proof.rfind('.').expect("dot");
            proof.truncate(cut + 1);
        }
        if let Some(i) = case.flip_signature_byte {
            proof = flip(&proof, 2, i);
        }
        let store = Arc::new(MapStore {
            down: case.store.as_deref() == Some("down"),
            ..MapStore::default()
        });
        let mode = match case.nonce_mode.as_deref() {
            None => NonceMode::Off,
            Some("require") => NonceMode::Require(nonces.clone()),
            Some("validate") => NonceMode::Validate(nonces.clone()),
            Some(other) => panic!("{}: nonce_mode {other}", case.id),
        };
        let verifier = DpopVerifier::new(store).nonce_mode(mode);

        // A tiny request view: field names compared case-insensitively (RFC 9110 §5.1).
        let header_name = case.header_name.as_deref().unwrap_or("DPoP");
        let mut fields: Vec<(String, String)> = Vec::new();
        for _ in 0..case.dpop_lines.unwrap_or(1) {
            fields.push((header_name.to_owned(), proof.clone()));
        }
        let auth_templates = case
            .authorization
            .clone()
            .unwrap_or_else(|| vec!["DPoP {token}".to_owned()]);
        for a in auth_templates {
            fields.push(("Authorization".into(), a.replace("{token}", &base.token)));
        }
        let lines = |name: &str| -> Vec<&[u8]> {
            fields
                .iter()
                .filter(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_bytes())
                .collect()
        };
        let dpop = lines("dpop");
        let auth = lines("authorization");
        let htu = RefHtu(base.target.clone());
        let req = DpopRequest::new(&base.method, &htu, base.now)
            .dpop_fields(&dpop)
            .authorization_fields(&auth)
            .token_jkt(Some(&token_jkt));
        if case.replay {
            let first = verifier.verify(&req);
            assert_eq!(code(&first), "ok", "{}: first use {first:?}", case.id);
        }
        let got = verifier.verify(&req);
        assert_eq!(code(&got), case.expect, "{}: {got:?}", case.id);
        if let Some(want) = &case.expect_challenge {
            let err = got.as_ref().expect_err("challenge needs an error");
            let ch = verifier.challenge(err, base.now);
            assert_eq!(ch.status, want.status, "{}", case.id);
            assert_eq!(ch.www_authenticate, want.www_authenticate, "{}", case.id);
            assert_eq!(ch.dpop_nonce.is_some(), want.dpop_nonce, "{}", case.id);
            if let Some(n) = &ch.dpop_nonce {
                assert!(nonces.is_valid(n, base.now), "{}: issued nonce", case.id);
            }
        }
    }
    assert!(by_builder >= 20, "builder used for {by_builder} cases");
    eprintln!(
        "rs-cases: {} cases ({} graded WARNING by the suite), {by_builder} built with DpopProofBuilder",
        file.cases.len(),
        warnings
    );
}

// ---------------------------------------------------------------------------------------
// thumbprints.json, ath.json, rfc8037-jws.json

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThumbprintCase {
    id: String,
    #[allow(dead_code, reason = "documentation in the data file")]
    source: String,
    #[allow(dead_code, reason = "counted by requirement_coverage")]
    requirements: Vec<String>,
    jwk: Value,
    #[serde(default)]
    expect: Option<String>,
    #[serde(default)]
    expect_error: Option<String>,
}

#[test]
fn thumbprints() {
    let file: File<ThumbprintCase> = load("thumbprints.json");
    for case in &file.cases {
        let jwk = Jwk::from_json(&serde_json::to_vec(&case.jwk).expect("json")).expect("jwk");
        match (jwk.thumbprint_sha256(), &case.expect, &case.expect_error) {
            (Ok(t), Some(want), None) => assert_eq!(&t, want, "{}", case.id),
            (Err(e), None, Some(want)) => assert_eq!(e.code(), want, "{}", case.id),
            (got, _, _) => panic!("{}: {got:?}", case.id),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AthCase {
    id: String,
    #[allow(dead_code, reason = "documentation in the data file")]
    source: String,
    #[allow(dead_code, reason = "counted by requirement_coverage")]
    requirements: Vec<String>,
    token: String,
    expect: String,
}

#[test]
fn ath_values() {
    let file: File<AthCase> = load("ath.json");
    for case in &file.cases {
        assert_eq!(ath_for(&case.token), case.expect, "{}", case.id);
        let mut other = case.token.clone();
        other.push('x');
        assert_ne!(ath_for(&other), case.expect);
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JwsCase {
    id: String,
    #[allow(dead_code, reason = "documentation in the data file")]
    source: String,
    #[allow(dead_code, reason = "counted by requirement_coverage")]
    requirements: Vec<String>,
    private_jwk: Value,
    header: String,
    payload: String,
    expect: String,
}

#[test]
fn rfc8037_ed25519_jws() {
    let file: File<JwsCase> = load("rfc8037-jws.json");
    for case in &file.cases {
        let jwk =
            Jwk::from_json(&serde_json::to_vec(&case.private_jwk).expect("json")).expect("jwk");
        let alg = Algorithm::Jws(JwsAlgorithm::EdDsa);
        let key = PrivateKey::from_jwk(&jwk, Some(alg)).expect("key");
        let out =
            sign_compact(case.header.as_bytes(), case.payload.as_bytes(), &key).expect("sign");
        assert_eq!(out, case.expect, "{}: byte-exact", case.id);
        let public = PublicKey::from_jwk(&jwk.public_only(), Some(alg)).expect("public");
        let jws = CompactJws::parse(case.expect.as_bytes(), 8192).expect("parse");
        assert_eq!(jws.verify(&public), Ok(()), "{}", case.id);
        for (part, index) in [(0, 3), (1, 5), (2, 0), (2, 63)] {
            let bad = flip(&case.expect, part, index);
            let jws = CompactJws::parse(bad.as_bytes(), 8192);
            assert!(
                jws.is_err() || jws.is_ok_and(|j| j.verify(&public).is_err()),
                "{}: flip {part}/{index}",
                case.id
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// mtls.json

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MtlsCase {
    id: String,
    #[allow(dead_code, reason = "documentation in the data file")]
    source: String,
    #[allow(dead_code, reason = "counted by requirement_coverage")]
    requirements: Vec<String>,
    trusted_proxy: bool,
    client_cert: Vec<String>,
    client_cert_chain: Vec<String>,
    token_x5t: Option<String>,
    #[serde(default)]
    expect_x5t: Option<String>,
    #[serde(default)]
    expect_chain_x5t: Option<Vec<String>>,
    #[serde(default)]
    expect_outcome: Option<String>,
    expect: String,
}

#[test]
fn mtls_client_cert() {
    let file: File<MtlsCase> = load("mtls.json");
    for case in &file.cases {
        let config = ClientCertConfig::new(case.trusted_proxy);
        let certs: Vec<&[u8]> = case.client_cert.iter().map(|s| s.as_bytes()).collect();
        let chain: Vec<&[u8]> = case
            .client_cert_chain
            .iter()
            .map(|s| s.as_bytes())
            .collect();
        let result = config.read(&certs, &chain).and_then(|outcome| {
            match case.expect_outcome.as_deref() {
                None => {}
                Some("ignored") => assert_eq!(outcome, ClientCertOutcome::Ignored),
                Some("absent") => assert_eq!(outcome, ClientCertOutcome::Absent),
                Some(o) => panic!("{}: outcome {o}", case.id),
            }
            let cert = outcome.require_binding(case.token_x5t.as_deref())?.clone();
            Ok(cert)
        });
        let got = match &result {
            Ok(_) => "ok",
            Err(e) => e.code(),
        };
        assert_eq!(got, case.expect, "{}: {result:?}", case.id);
        if let Ok(cert) = &result {
            if let Some(x) = &case.expect_x5t {
                assert_eq!(&cert.thumbprint(), x, "{}", case.id);
                assert_eq!(&x5t_s256(cert.der()), x, "{}", case.id);
            }
            if let Some(xs) = &case.expect_chain_x5t {
                let got: Vec<String> = cert.chain().iter().map(|d| x5t_s256(d)).collect();
                assert_eq!(&got, xs, "{}", case.id);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Requirement coverage across all files.

#[test]
fn requirement_coverage() {
    let mut groups: BTreeMap<String, usize> = BTreeMap::new();
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    for name in [
        "rfc9449-proofs.json",
        "rs-cases.json",
        "thumbprints.json",
        "ath.json",
        "rfc8037-jws.json",
        "mtls.json",
    ] {
        let v: Value =
            serde_json::from_slice(&std::fs::read(dir().join(name)).expect(name)).expect(name);
        for case in v["cases"].as_array().expect("cases") {
            total += 1;
            for r in case["requirements"].as_array().expect("requirements") {
                let r = r.as_str().expect("string");
                let group = r.split('-').next().expect("group");
                *groups.entry(format!("{group}-*")).or_default() += 1;
                *ids.entry(r.to_owned()).or_default() += 1;
            }
        }
    }
    eprintln!("{total} vector cases; by group: {groups:?}");
    eprintln!("by requirement: {ids:?}");
    // Every DP-1..DP-17 except DP-17 (a meta rule covered by the full positive cases) and
    // every TP-*, MT-* row has at least one case.
    for i in 1..=17 {
        assert!(ids.contains_key(&format!("DP-{i}")), "DP-{i} has no vector");
    }
    for id in [
        "TP-1", "TP-2", "TP-3", "TP-4", "TP-5", "MT-1", "MT-2", "MT-3", "MT-4",
    ] {
        assert!(ids.contains_key(id), "{id} has no vector");
    }
    for id in ["SP-2", "SP-3", "SP-4", "SP-8", "SP-9"] {
        assert!(ids.contains_key(id), "{id} has no vector");
    }
}
