//! The DPoP suite: `testdata/dpop/*.json` (format: the README.md there). Unknown fields fail
//! deserialization (`deny_unknown_fields`); each file's cases are checked by the runner its
//! file name selects. Keys named by a case are read from the embedded `testdata/dpop/keys/`
//! (and `testdata/keys/` for the RFC 9421 P-256 key).
//!
//! Moved here from fapi-profile's `tests/dpop_vectors.rs` so the bundled vectors have one
//! runner. The cross-file requirement coverage ("every DP-* row has a vector") is the
//! synthetic case [`coverage`] adds.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use fapi_profile::dpop::{
    DpopError, DpopProofBuilder, DpopRequest, DpopVerifier, HmacNonces, HtuCheck, NonceMode,
    NonceValidator, PendingProof, VerifiedProof, ath_for,
};
use fapi_profile::jws::{CompactJws, sign_compact};
use fapi_profile::mtls::{ClientCertConfig, ClientCertOutcome, x5t_s256};
use fapi_profile::store::{MemoryReplayStore, ReplayStore, StoreError};
use httpsig_core::keys::{Jwk, PrivateKey, PublicKey};
use httpsig_core::{Algorithm, JwsAlgorithm};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::CaseResults;

/// The vector files of this suite (`keys/` beside them holds key material).
pub const FILES: &[&str] = &[
    "rfc9449-proofs.json",
    "rs-cases.json",
    "thumbprints.json",
    "ath.json",
    "rfc8037-jws.json",
    "mtls.json",
];

/// Runs one DPoP vector file, chosen by its file name (one of [`FILES`]).
///
/// # Errors
/// When the file name is not one of [`FILES`], or the file is not JSON of that format.
pub fn run(name: &str, bytes: &[u8]) -> Result<CaseResults, String> {
    match name {
        "rfc9449-proofs.json" => rfc9449_published_proofs(&load(bytes)?),
        "rs-cases.json" => resource_server_cases(&load(bytes)?),
        "thumbprints.json" => Ok(cases(
            &load::<ThumbprintCase>(bytes)?,
            |c| &c.id,
            thumbprint,
        )),
        "ath.json" => Ok(cases(&load::<AthCase>(bytes)?, |c| &c.id, ath_value)),
        "rfc8037-jws.json" => Ok(cases(&load::<JwsCase>(bytes)?, |c| &c.id, rfc8037_jws)),
        "mtls.json" => Ok(cases(
            &load::<MtlsCase>(bytes)?,
            |c| &c.id,
            mtls_client_cert,
        )),
        other => Err(format!("no dpop runner for file {other:?}")),
    }
}

/// Attaches context to a failure, for `?` in the case runners.
trait OrFail<T> {
    fn or_fail(self, what: &str) -> Result<T, String>;
}

impl<T, E: Debug> OrFail<T> for Result<T, E> {
    fn or_fail(self, what: &str) -> Result<T, String> {
        self.map_err(|e| format!("{what}: {e:?}"))
    }
}

impl<T> OrFail<T> for Option<T> {
    fn or_fail(self, what: &str) -> Result<T, String> {
        self.ok_or_else(|| format!("{what}: missing"))
    }
}

fn ensure(cond: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(what()) }
}

fn cases<C>(
    file: &File<C>,
    id: impl Fn(&C) -> &String,
    run: impl Fn(&C) -> Result<(), String>,
) -> CaseResults {
    file.cases.iter().map(|c| (id(c).clone(), run(c))).collect()
}

// ---------------------------------------------------------------------------------------
// Test doubles: a HashMap replay store and a reference htu matcher.

/// In-memory replay store for the vectors only (the real ones live in `fapi_profile::store`),
/// which can also be "down".
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

/// The production `htu` check: `forwarded-parser` resolves the request as a server with a fixed
/// external origin would, and its matcher applies RFC 3986 §6.2.2 / §6.2.3 normalization to the
/// proof's claim (dot-segments refused by policy, forwarded-proxies.md §7).
struct RefHtu(Result<forwarded_parser::HtuMatcher, String>);

impl RefHtu {
    fn new(target: &str) -> Self {
        Self(production_htu(target))
    }
}

impl HtuCheck for RefHtu {
    fn htu_matches(&self, claim: &str) -> bool {
        self.0.as_ref().is_ok_and(|m| m.matches(claim))
    }
}

fn production_htu(target: &str) -> Result<forwarded_parser::HtuMatcher, String> {
    use forwarded_parser::{Config, ConnectionFacts, Origin, RequestHead, resolve};
    let (scheme, rest) = target.split_once("://").ok_or("target is not absolute")?;
    let at = rest.find('/').unwrap_or(rest.len());
    let (authority, pq) = rest.split_at(at);
    let pq = if pq.is_empty() { "/" } else { pq };
    let origin = Origin::parse(&format!("{scheme}://{authority}")).map_err(|e| e.to_string())?;
    let config = Config::fixed(origin);
    let headers: [(&str, &[u8]); 1] = [("host", authority.as_bytes())];
    let head = RequestHead::new("GET", pq, &headers).map_err(|e| e.to_string())?;
    let conn = ConnectionFacts::new(std::net::IpAddr::from([127, 0, 0, 1]), true);
    let resolved = resolve(&config, &conn, &head).map_err(|e| e.to_string())?;
    Ok(resolved.request.htu_matcher())
}

/// The production matcher against the reference §4.2 htu table (request
/// `GET https://rs.example.com/a/b?x=1`): a wrong double would make every case above wrong.
fn reference_htu_matcher_table() -> Result<(), String> {
    let m = RefHtu::new("https://rs.example.com/a/b?x=1");
    for ok in [
        "https://rs.example.com/a/b",
        "https://rs.example.com/a/b?y=2#f",
        "HTTPS://RS.EXAMPLE.COM/a/b",
        "https://rs.example.com:443/a/b",
        "https://rs.example.com/a/%62",
    ] {
        ensure(m.htu_matches(ok), || format!("{ok} should match"))?;
    }
    for bad in [
        // Dot-segments are refused, never resolved (forwarded-proxies.md §7 POLICY).
        "https://rs.example.com/a/./b",
        "https://rs.example.com/A/b",
        "http://rs.example.com/a/b",
        "https://rs.example.com:8443/a/b",
        "https://other.example.com/a/b",
        "https://rs.example.com/a/c",
        "not a uri",
    ] {
        ensure(!m.htu_matches(bad), || format!("{bad} should not match"))?;
    }
    Ok(())
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

fn load<C: DeserializeOwned>(bytes: &[u8]) -> Result<File<C>, String> {
    serde_json::from_slice(bytes).map_err(|e| format!("not a dpop vector file of that name: {e}"))
}

fn embedded(path: &str) -> Result<&'static [u8], String> {
    crate::embedded::get(path).ok_or_else(|| format!("no embedded file {path}"))
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
    #[allow(dead_code, reason = "counted by the coverage case")]
    requirements: Vec<String>,
    proof: String,
    method: String,
    target: String,
    authorization: Vec<String>,
    token_jkt: Option<String>,
    now: i64,
    #[serde(default)]
    flip_bit: Option<FlipBit>,
    #[serde(default)]
    allowed_algs: Option<Vec<String>>,
    #[serde(default)]
    expect_jkt: Option<String>,
    expect: String,
}

/// `compact` with bit 0 of byte `index` of part `part` (0 header, 1 payload, 2 signature)
/// flipped.
fn flip(compact: &str, part: usize, index: usize) -> Result<String, String> {
    let mut parts: Vec<String> = compact.split('.').map(str::to_owned).collect();
    let text = parts.get_mut(part).or_fail("JWS part")?;
    let mut bytes = URL_SAFE_NO_PAD.decode(&*text).or_fail("base64url")?;
    *bytes.get_mut(index).or_fail("byte to flip")? ^= 1;
    *text = URL_SAFE_NO_PAD.encode(bytes);
    Ok(parts.join("."))
}

fn rfc9449_published_proofs(file: &File<ProofCase>) -> Result<CaseResults, String> {
    if file.baseline.is_some() {
        return Err("rfc9449-proofs.json has no baseline".into());
    }
    let mut out = cases(file, |c| &c.id, proof_case);
    // Figure 2 and Figure 13 signatures verify with their embedded jwk (JWS layer alone).
    let first = file.cases.iter().find(|c| c.flip_bit.is_none());
    let fig2 = file
        .cases
        .iter()
        .find(|c| c.id == "fig2-at-resource-server");
    for (label, case) in [
        ("first unflipped case", first),
        ("fig2-at-resource-server", fig2),
    ] {
        let r = case
            .or_fail(label)
            .and_then(|c| published_jws_layer(&c.proof));
        out.push((format!("jws layer: {label}"), r));
    }
    Ok(out)
}

fn published_jws_layer(proof: &str) -> Result<(), String> {
    let jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    let jws = CompactJws::parse(proof.as_bytes(), 8192).or_fail("parse")?;
    let jwk_json =
        serde_json::to_vec(jws.header().get("jwk").or_fail("jwk header")?).or_fail("json")?;
    let jwk = Jwk::from_json(&jwk_json).or_fail("jwk")?;
    let got = jwk
        .thumbprint_sha256_with(&crate::suites::provider())
        .or_fail("jkt")?;
    ensure(got == jkt, || format!("jkt {got}, want {jkt}"))?;
    let key = PublicKey::from_jwk_with(
        &crate::suites::provider(),
        &jwk,
        Some(Algorithm::Jws(JwsAlgorithm::Es256)),
    )
    .or_fail("key")?;
    jws.verify(&key).or_fail("verify")
}

fn proof_case(case: &ProofCase) -> Result<(), String> {
    let proof = match &case.flip_bit {
        None => case.proof.clone(),
        Some(f) => {
            let part = match f.part.as_str() {
                "header" => 0,
                "payload" => 1,
                "signature" => 2,
                other => return Err(format!("unknown part {other:?}")),
            };
            flip(&case.proof, part, f.index)?
        }
    };
    let mut verifier =
        DpopVerifier::new(Arc::new(MapStore::default())).with_provider(crate::suites::provider());
    if let Some(algs) = &case.allowed_algs {
        let algs = algs
            .iter()
            .map(|a| JwsAlgorithm::from_name(a).or_fail(a))
            .collect::<Result<Vec<_>, _>>()?;
        verifier = verifier.allowed_algorithms(&algs);
    }
    let htu = RefHtu::new(&case.target);
    let dpop = [proof.as_bytes()];
    let auth: Vec<&[u8]> = case.authorization.iter().map(|s| s.as_bytes()).collect();
    let req = DpopRequest::new(&case.method, &htu, case.now)
        .dpop_fields(&dpop)
        .authorization_fields(&auth)
        .token_jkt(case.token_jkt.as_deref());
    let got = verifier.verify(&req).and_then(PendingProof::commit);
    ensure(code(&got) == case.expect, || {
        format!("got {got:?}, want {}", case.expect)
    })?;
    if let (Some(jkt), Ok(v)) = (&case.expect_jkt, &got) {
        ensure(&v.jkt == jkt, || format!("jkt {}, want {jkt}", v.jkt))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// rs-cases.json

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Baseline {
    now: i64,
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
    #[allow(dead_code, reason = "counted by the coverage case")]
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
    token_jkt: Option<String>,
    #[serde(default)]
    raw_proof: Option<String>,
    #[serde(default)]
    header_json: Option<String>,
    #[serde(default)]
    claims_json: Option<String>,
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
    nonce_offset: Option<i64>,
    #[serde(default)]
    store_capacity: Option<usize>,
    #[serde(default)]
    store_scope_quota: Option<usize>,
    #[serde(default)]
    client: Option<String>,
    #[serde(default)]
    prior: Vec<Prior>,
    #[serde(default)]
    abandon_first: bool,
    #[serde(default)]
    expect_challenge: Option<ExpectChallenge>,
    #[serde(default)]
    expect_cause: Option<String>,
    expect: String,
}

/// A proof verified (and committed, unless `commit` is false) on the same verifier before the
/// case's own proof.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Prior {
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    jti: Option<String>,
    #[serde(default = "yes")]
    commit: bool,
    expect: String,
}

fn yes() -> bool {
    true
}

struct TestKey {
    private: PrivateKey,
    alg: JwsAlgorithm,
    jwk_json: Vec<u8>,
}

/// The named test key: its private half (PEM) and its public JWK.
fn test_key(name: &str) -> Result<TestKey, String> {
    let (pem, jwk, alg) = match name {
        "es256" => (
            "keys/test-key-ecc-p256.pem",
            "test-key-ecc-p256.pub.jwk.json",
            JwsAlgorithm::Es256,
        ),
        "ps256" => (
            "dpop/keys/ps256-rsa2048.pem",
            "ps256-rsa2048.pub.jwk.json",
            JwsAlgorithm::Ps256,
        ),
        "rs256" => (
            "dpop/keys/ps256-rsa2048.pem",
            "ps256-rsa2048.pub.jwk.json",
            JwsAlgorithm::Rs256,
        ),
        "eddsa" => (
            "dpop/keys/ed25519.pem",
            "ed25519.pub.jwk.json",
            JwsAlgorithm::EdDsa,
        ),
        "ed25519" => (
            "dpop/keys/ed25519.pem",
            "ed25519.pub.jwk.json",
            JwsAlgorithm::Ed25519,
        ),
        other => return Err(format!("unknown key {other:?}")),
    };
    Ok(TestKey {
        private: PrivateKey::from_pem_with(
            &crate::suites::provider(),
            embedded(pem)?,
            Algorithm::Jws(alg),
        )
        .or_fail(name)?,
        alg,
        jwk_json: embedded(&format!("dpop/keys/{jwk}"))?.to_vec(),
    })
}

fn jkt_of(jwk_json: &[u8]) -> Result<String, String> {
    Jwk::from_json(jwk_json)
        .or_fail("jwk")?
        .thumbprint_sha256()
        .or_fail("jkt")
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
        && case.header_json.is_none()
        && case.claims_json.is_none()
        // The builder refuses non-FAPI algorithms (checked in fapi-profile's dpop_api.rs).
        && case.key.as_deref() != Some("rs256")
        && case.claims.as_ref().is_none_or(|c| {
            c.get("iat").is_none_or(Value::is_i64)
                && ["jti", "htm", "htu"]
                    .iter()
                    .all(|k| c.get(*k).is_none_or(Value::is_string))
                && !c.contains_key("nonce")
        })
}

/// The case's proof, and whether `DpopProofBuilder` made it.
fn build_proof(
    case: &RsCase,
    base: &Baseline,
    key: &TestKey,
    nonce: Option<&str>,
) -> Result<(String, bool), String> {
    let iat = base.now + case.iat_offset.unwrap_or(0);
    if let Some(raw) = &case.raw_proof {
        return Ok((raw.clone(), false));
    }
    let claims_patch = case.claims.clone().unwrap_or_default();
    if builder_can(case) {
        let get = |name: &str| claims_patch.get(name).and_then(Value::as_str);
        let mut b = DpopProofBuilder::with_jwk(&key.private, &key.jwk_json)
            .map(|b| b.with_provider(crate::suites::provider()))
            .or_fail("builder")?
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
        return Ok((b.build().or_fail("build")?, true));
    }
    Ok((manual_proof(case, base, key, nonce, iat)?, false))
}

fn manual_proof(
    case: &RsCase,
    base: &Baseline,
    key: &TestKey,
    nonce: Option<&str>,
    iat: i64,
) -> Result<String, String> {
    let jwk_json = match &case.jwk_file {
        Some(f) => embedded(&format!("dpop/keys/{f}"))?.to_vec(),
        None => key.jwk_json.clone(),
    };
    let mut jwk: Map<String, Value> = serde_json::from_slice(&jwk_json).or_fail("jwk json")?;
    if let Some(p) = &case.jwk {
        patch(&mut jwk, p);
    }
    let mut header = Map::new();
    header.insert("typ".into(), "dpop+jwt".into());
    header.insert("alg".into(), key.alg.name().into());
    header.insert("jwk".into(), Value::Object(jwk.clone()));
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
    // Exact JSON texts (for what a JSON map cannot hold, such as repeated member names):
    // `{header}`, `{jwk}` and `{claims}` stand for the members of the objects built above
    // (without braces), `{alg}` for the key's algorithm name.
    let splice = |template: &str| -> Result<String, String> {
        let mut out = template.replace("{alg}", key.alg.name());
        for (name, object) in [
            ("{header}", &header),
            ("{jwk}", &jwk),
            ("{claims}", &claims),
        ] {
            if out.contains(name) {
                out = out.replace(name, &members(object)?);
            }
        }
        Ok(out)
    };
    let header_text = match &case.header_json {
        None => Value::Object(header.clone()).to_string(),
        Some(_) if case.header.is_some() => return Err("header_json excludes header".into()),
        Some(t) => splice(t)?,
    };
    let claims_text = match &case.claims_json {
        None => Value::Object(claims.clone()).to_string(),
        Some(_) if case.claims.is_some() => return Err("claims_json excludes claims".into()),
        Some(t) => splice(t)?,
    };
    let signer = case.sign_with.as_deref().map(test_key).transpose()?;
    let signer = signer.as_ref().map_or(&key.private, |k| &k.private);
    sign_compact(header_text.as_bytes(), claims_text.as_bytes(), signer).or_fail("sign")
}

/// The JSON text of `object`'s members, without the outer braces.
fn members(object: &Map<String, Value>) -> Result<String, String> {
    let text = Value::Object(object.clone()).to_string();
    Ok(text
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .or_fail("object text")?
        .to_owned())
}

fn resource_server_cases(file: &File<RsCase>) -> Result<CaseResults, String> {
    let base = file.baseline.as_ref().or_fail("baseline")?;
    let secret = [0x5au8; 32];
    let mut by_builder = 0;
    let mut out = CaseResults::with_capacity(file.cases.len() + 1);
    for case in &file.cases {
        let r = rs_case(case, base, &secret).map(|built| by_builder += usize::from(built));
        out.push((case.id.clone(), r));
    }
    out.push((
        "file: DpopProofBuilder made at least 20 proofs".into(),
        ensure(by_builder >= 20, || {
            format!("builder used for {by_builder} cases")
        }),
    ));
    Ok(out)
}

/// Runs one resource-server case; `Ok(true)` when the builder made its proof.
fn rs_case(case: &RsCase, base: &Baseline, secret: &[u8]) -> Result<bool, String> {
    ensure(
        ["failure", "warning"].contains(&case.severity.as_str()),
        || format!("severity {:?}", case.severity),
    )?;
    let key_name = case.key.as_deref().unwrap_or(&base.key);
    let key = test_key(key_name)?;
    let proof_jkt = jkt_of(&key.jwk_json)?;
    let token_jkt = match (&case.token_key, &case.token_jkt) {
        (Some(_), Some(_)) => return Err("token_key and token_jkt exclude each other".into()),
        (Some(k), None) => jkt_of(&test_key(k)?.jwk_json)?,
        (None, Some(jkt)) => jkt.clone(),
        (None, None) => proof_jkt.clone(),
    };
    let nonces = Arc::new(
        HmacNonces::new_with(
            &crate::suites::provider(),
            secret,
            Duration::from_secs(base.nonce_lifetime),
        )
        .or_fail("nonces")?,
    );
    let stamp =
        |offset: i64| -> Result<i64, String> { base.now.checked_add(offset).or_fail("nonce time") };
    ensure(
        case.nonce_offset.is_none()
            || matches!(case.nonce.as_deref(), Some("issued" | "other-key")),
        || "nonce_offset needs nonce issued or other-key".into(),
    )?;
    let offset = case.nonce_offset.unwrap_or(0);
    let nonce = match case.nonce.as_deref() {
        None => None,
        Some("issued") => Some(nonces.issue(&proof_jkt, stamp(offset)?).or_fail("issue")?),
        Some("other-key") => {
            let other = jkt_of(&test_key("eddsa")?.jwk_json)?;
            ensure(other != proof_jkt, || "other-key needs another key".into())?;
            Some(nonces.issue(&other, stamp(offset)?).or_fail("issue")?)
        }
        Some("expired") => Some(
            nonces
                .issue(
                    &proof_jkt,
                    base.now
                        .saturating_sub_unsigned(base.nonce_lifetime)
                        .saturating_sub(1),
                )
                .or_fail("issue")?,
        ),
        Some("forged") => Some(
            HmacNonces::new_with(
                &crate::suites::provider(),
                &[0xa5; 32],
                Duration::from_secs(300),
            )
            .or_fail("nonces")?
            .issue(&proof_jkt, base.now)
            .or_fail("issue")?,
        ),
        Some(other) => return Err(format!("unknown nonce {other:?}")),
    };
    let (mut proof, built) = build_proof(case, base, &key, nonce.as_deref())?;
    if case.strip_signature {
        let cut = proof.rfind('.').or_fail("dot")?;
        proof.truncate(cut + 1);
    }
    if let Some(i) = case.flip_signature_byte {
        proof = flip(&proof, 2, i)?;
    }
    let store: Arc<dyn ReplayStore> = match (
        case.store.as_deref(),
        case.store_capacity,
        case.store_scope_quota,
    ) {
        (None, None, None) => Arc::new(MapStore::default()),
        (Some("down"), None, None) => Arc::new(MapStore {
            down: true,
            ..MapStore::default()
        }),
        (None, Some(cap), quota) => {
            let cap = NonZeroUsize::new(cap).or_fail("store_capacity")?;
            let mut s = MemoryReplayStore::new(cap);
            if let Some(q) = quota {
                s = s.with_scope_quota(NonZeroUsize::new(q).or_fail("store_scope_quota")?);
            }
            Arc::new(s)
        }
        _ => return Err("store is \"down\", or store_capacity [+ store_scope_quota]".into()),
    };
    let mode = match case.nonce_mode.as_deref() {
        None => NonceMode::Off,
        Some("require") => NonceMode::Require(nonces.clone()),
        Some(other) => return Err(format!("unknown nonce_mode {other:?}")),
    };
    let verifier = DpopVerifier::new(store)
        .nonce_mode(mode)
        .with_provider(crate::suites::provider());
    let htu = RefHtu::new(&base.target);
    let commit = |p: PendingProof| -> Result<VerifiedProof, DpopError> {
        match &case.client {
            Some(c) => p.commit_for_client(c),
            None => p.commit(),
        }
    };

    // Earlier proofs on the same verifier and store (builder-made, each bound to its token).
    for (i, prior) in case.prior.iter().enumerate() {
        let pkey = test_key(prior.key.as_deref().unwrap_or(key_name))?;
        let pjkt = jkt_of(&pkey.jwk_json)?;
        let iat = base.now;
        let mut b = DpopProofBuilder::with_jwk(&pkey.private, &pkey.jwk_json)
            .map(|b| b.with_provider(crate::suites::provider()))
            .or_fail("builder")?
            .htm(&base.method)
            .htu(&base.htu)
            .ath(&base.token)
            .iat(iat)
            .jti(prior.jti.as_deref().unwrap_or(&case.id));
        if case.nonce_mode.is_some() {
            b = b.nonce(&nonces.issue(&pjkt, base.now).or_fail("issue")?);
        }
        let p = b.build().or_fail("build")?;
        let got = verify_one(&verifier, base, &htu, &p, &pjkt).and_then(|v| {
            if prior.commit {
                commit(v).map(drop)
            } else {
                Ok(())
            }
        });
        ensure(code(&got) == prior.expect, || {
            format!("prior {i}: got {got:?}, want {}", prior.expect)
        })?;
    }

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
    let req = DpopRequest::new(&base.method, &htu, base.now)
        .dpop_fields(&dpop)
        .authorization_fields(&auth)
        .token_jkt(Some(&token_jkt));
    if case.abandon_first {
        // Verified, then dropped as if the caller's token check had failed: nothing recorded.
        let first = verifier.verify(&req).map(drop);
        ensure(code(&first) == "ok", || format!("abandoned use: {first:?}"))?;
    }
    if case.replay {
        let first = verifier.verify(&req).and_then(commit);
        ensure(code(&first) == "ok", || format!("first use: {first:?}"))?;
    }
    let got = verifier.verify(&req).and_then(commit);
    ensure(code(&got) == case.expect, || {
        format!("got {got:?}, want {}", case.expect)
    })?;
    if let Some(want) = &case.expect_cause {
        // The key error inside `dpop.jwk_invalid`, e.g. `key.ed25519_small_order`.
        let cause = got
            .as_ref()
            .err()
            .and_then(|e| std::error::Error::source(e))
            .and_then(|c| c.downcast_ref::<httpsig_core::keys::KeyError>())
            .map(httpsig_core::keys::KeyError::code);
        ensure(cause == Some(want.as_str()), || {
            format!("cause {cause:?}, want {want}")
        })?;
    }
    if let Some(want) = &case.expect_challenge {
        let err = got.as_ref().err().or_fail("a challenge needs an error")?;
        let ch = verifier.challenge(err, base.now);
        ensure(ch.status == want.status, || {
            format!("status {}, want {}", ch.status, want.status)
        })?;
        ensure(ch.www_authenticate == want.www_authenticate, || {
            format!(
                "WWW-Authenticate {:?}, want {:?}",
                ch.www_authenticate, want.www_authenticate
            )
        })?;
        ensure(ch.dpop_nonce.is_some() == want.dpop_nonce, || {
            format!(
                "DPoP-Nonce {:?}, want one: {}",
                ch.dpop_nonce, want.dpop_nonce
            )
        })?;
        if let Some(n) = &ch.dpop_nonce {
            // The challenge's nonce is bound to this proof's key, and to no other.
            ensure(nonces.is_valid(n, &proof_jkt, base.now), || {
                "the challenge's nonce is not valid for the proof key".into()
            })?;
            let other = jkt_of(&test_key("eddsa")?.jwk_json)?;
            ensure(
                other == proof_jkt || !nonces.is_valid(n, &other, base.now),
                || "the challenge's nonce is valid for another key".into(),
            )?;
        }
    }
    Ok(built)
}

/// Verifies one `DPoP` line `proof` with `Authorization: DPoP <token>`, the token bound to
/// `jkt`, at the baseline method, target and time.
fn verify_one(
    verifier: &DpopVerifier,
    base: &Baseline,
    htu: &RefHtu,
    proof: &str,
    jkt: &str,
) -> Result<PendingProof, DpopError> {
    let auth = format!("DPoP {}", base.token);
    let (dpop, a) = ([proof.as_bytes()], [auth.as_bytes()]);
    let req = DpopRequest::new(&base.method, htu, base.now)
        .dpop_fields(&dpop)
        .authorization_fields(&a)
        .token_jkt(Some(jkt));
    verifier.verify(&req)
}

// ---------------------------------------------------------------------------------------
// thumbprints.json, ath.json, rfc8037-jws.json

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThumbprintCase {
    id: String,
    #[allow(dead_code, reason = "documentation in the data file")]
    source: String,
    #[allow(dead_code, reason = "counted by the coverage case")]
    requirements: Vec<String>,
    jwk: Value,
    #[serde(default)]
    expect: Option<String>,
    #[serde(default)]
    expect_error: Option<String>,
}

fn thumbprint(case: &ThumbprintCase) -> Result<(), String> {
    let jwk = Jwk::from_json(&serde_json::to_vec(&case.jwk).or_fail("json")?).or_fail("jwk")?;
    match (
        jwk.thumbprint_sha256_with(&crate::suites::provider()),
        &case.expect,
        &case.expect_error,
    ) {
        (Ok(t), Some(want), None) => ensure(&t == want, || format!("{t}, want {want}")),
        (Err(e), None, Some(want)) => {
            ensure(e.code() == want, || format!("{}, want {want}", e.code()))
        }
        (got, _, _) => Err(format!(
            "got {got:?}; want exactly one of expect / expect_error"
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AthCase {
    id: String,
    #[allow(dead_code, reason = "documentation in the data file")]
    source: String,
    #[allow(dead_code, reason = "counted by the coverage case")]
    requirements: Vec<String>,
    token: String,
    expect: String,
}

fn ath_value(case: &AthCase) -> Result<(), String> {
    let got = ath_for(&case.token);
    ensure(got == case.expect, || {
        format!("{got}, want {}", case.expect)
    })?;
    let mut other = case.token.clone();
    other.push('x');
    ensure(ath_for(&other) != case.expect, || {
        "another token has the same ath".into()
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JwsCase {
    id: String,
    #[allow(dead_code, reason = "documentation in the data file")]
    source: String,
    #[allow(dead_code, reason = "counted by the coverage case")]
    requirements: Vec<String>,
    private_jwk: Value,
    header: String,
    payload: String,
    expect: String,
}

fn rfc8037_jws(case: &JwsCase) -> Result<(), String> {
    let jwk =
        Jwk::from_json(&serde_json::to_vec(&case.private_jwk).or_fail("json")?).or_fail("jwk")?;
    let alg = Algorithm::Jws(JwsAlgorithm::EdDsa);
    let key =
        PrivateKey::from_jwk_with(&crate::suites::provider(), &jwk, Some(alg)).or_fail("key")?;
    let out =
        sign_compact(case.header.as_bytes(), case.payload.as_bytes(), &key).or_fail("sign")?;
    ensure(out == case.expect, || format!("not byte-exact: {out}"))?;
    let public =
        PublicKey::from_jwk_with(&crate::suites::provider(), &jwk.public_only(), Some(alg))
            .or_fail("public")?;
    let jws = CompactJws::parse(case.expect.as_bytes(), 8192).or_fail("parse")?;
    jws.verify(&public).or_fail("verify")?;
    for (part, index) in [(0, 3), (1, 5), (2, 0), (2, 63)] {
        let bad = flip(&case.expect, part, index)?;
        let jws = CompactJws::parse(bad.as_bytes(), 8192);
        ensure(
            jws.is_err() || jws.is_ok_and(|j| j.verify(&public).is_err()),
            || format!("flip {part}/{index} still verifies"),
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// mtls.json

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MtlsCase {
    id: String,
    #[allow(dead_code, reason = "documentation in the data file")]
    source: String,
    #[allow(dead_code, reason = "counted by the coverage case")]
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

fn mtls_client_cert(case: &MtlsCase) -> Result<(), String> {
    let config = ClientCertConfig::new(case.trusted_proxy);
    let certs: Vec<&[u8]> = case.client_cert.iter().map(|s| s.as_bytes()).collect();
    let chain: Vec<&[u8]> = case
        .client_cert_chain
        .iter()
        .map(|s| s.as_bytes())
        .collect();
    let read = config.read(&certs, &chain);
    if let Ok(outcome) = &read {
        match case.expect_outcome.as_deref() {
            None => {}
            Some("ignored") => ensure(*outcome == ClientCertOutcome::Ignored, || {
                format!("outcome {outcome:?}, want Ignored")
            })?,
            Some("absent") => ensure(*outcome == ClientCertOutcome::Absent, || {
                format!("outcome {outcome:?}, want Absent")
            })?,
            Some(o) => return Err(format!("unknown expect_outcome {o:?}")),
        }
    }
    let result =
        read.and_then(|outcome| outcome.require_binding(case.token_x5t.as_deref()).cloned());
    let got = match &result {
        Ok(_) => "ok",
        Err(e) => e.code(),
    };
    ensure(got == case.expect, || {
        format!("got {result:?}, want {}", case.expect)
    })?;
    if let Ok(cert) = &result {
        if let Some(x) = &case.expect_x5t {
            ensure(&cert.thumbprint() == x, || {
                format!("thumbprint {}, want {x}", cert.thumbprint())
            })?;
            ensure(&x5t_s256(cert.der()) == x, || "x5t_s256 differs".into())?;
        }
        if let Some(xs) = &case.expect_chain_x5t {
            let got: Vec<String> = cert.chain().iter().map(|d| x5t_s256(d)).collect();
            ensure(&got == xs, || format!("chain x5t {got:?}, want {xs:?}"))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Requirement coverage across all files.

/// Suite-level cases over every file of the suite (`files` as (file name, bytes)): the
/// reference htu matcher's own table, and that every DP-1..DP-17, TP-*, MT-* and the listed
/// SP-* rows of the reference have at least one vector.
pub fn coverage(files: &[(&str, &[u8])]) -> CaseResults {
    vec![
        (
            "reference htu matcher: reference §4.2 table".into(),
            reference_htu_matcher_table(),
        ),
        (
            "requirement coverage: DP-1..17, TP-1..5, MT-1..4, SP-2/3/4/8/9".into(),
            requirement_coverage(files),
        ),
    ]
}

fn requirement_coverage(files: &[(&str, &[u8])]) -> Result<(), String> {
    let mut ids: BTreeMap<String, usize> = BTreeMap::new();
    for name in FILES {
        let (_, bytes) = files
            .iter()
            .find(|(n, _)| n == name)
            .or_fail(&format!("file {name}"))?;
        let v: Value = serde_json::from_slice(bytes).or_fail(name)?;
        for case in v.get("cases").and_then(Value::as_array).or_fail("cases")? {
            let reqs = case.get("requirements").and_then(Value::as_array);
            for r in reqs.or_fail("requirements")? {
                *ids.entry(r.as_str().or_fail("requirement")?.to_owned())
                    .or_default() += 1;
            }
        }
    }
    // Every DP-1..DP-17 and every TP-*, MT-* row, and the SP rows DPoP touches, has a case.
    let mut want: Vec<String> = (1..=17).map(|i| format!("DP-{i}")).collect();
    want.extend(
        [
            "TP-1", "TP-2", "TP-3", "TP-4", "TP-5", "MT-1", "MT-2", "MT-3", "MT-4", "SP-2", "SP-3",
            "SP-4", "SP-8", "SP-9",
        ]
        .map(str::to_owned),
    );
    let missing: Vec<&String> = want.iter().filter(|id| !ids.contains_key(*id)).collect();
    ensure(missing.is_empty(), || format!("no vector for {missing:?}"))
}
