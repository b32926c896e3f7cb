//! Cross-implementation interop matrix (RFC 9421).
//!
//! For every algorithm × component set in `testdata/interop/cases.json` and every peer —
//! the Python package `http-message-signatures`, the npm package `http-message-signatures`
//! (both installed locally by `scripts/setup-interop.sh`) and the Rust crate `httpsig-hyper` —
//! it signs with ours and verifies with the peer, and signs with the peer and verifies with ours.
//!
//! Each cell is `pass`, an expected deviation listed in `testdata/interop/exceptions.json` (with
//! the RFC section and the observed difference, and — where the peer exposes its signature
//! base — the first differing line, which must still be the one recorded), `n/a` (the peer lacks
//! the feature entirely; listed with the reason in the same file), or `FAIL`. An exception that no
//! longer reproduces is a FAIL. The matrix is printed (use `-- --nocapture`) and written to
//! `$CARGO_TARGET_TMPDIR/interop-matrix.txt`.
//!
//! Ours runs once per crypto provider (`interop_matrix_ring`, `interop_matrix_aws_lc_rs`): keys
//! are loaded and bodies hashed through the provider under test; the peers are the same.
//!
//! Run: `scripts/setup-interop.sh && cargo test -p conformance --test interop -- --nocapture`

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use httpsig_core::crypto::CryptoProvider;
use httpsig_core::keys::{HmacKey, PrivateKey, PublicKey};
use httpsig_core::{
    Algorithm, BaseOptions, Component, KeySet, MaxAge, Message, SignatureParams, SigningKey,
    VerifyInput, VerifyPolicy, VerifyingKey, sign, signature_base,
};
use serde::{Deserialize, Serialize};

const LABEL: &str = "sig1";
/// The `=` pin of the `httpsig-hyper` dev-dependency in Cargo.toml.
const HYPER_VERSION: &str = "0.0.26";
const ALGS: [&str; 6] = [
    "ed25519",
    "ecdsa-p256-sha256",
    "ecdsa-p384-sha384",
    "rsa-pss-sha512",
    "rsa-v1_5-sha256",
    "hmac-sha256",
];
const PEERS: [&str; 3] = ["python", "node", "hyper"];
const DIRECTIONS: [&str; 2] = ["ours->peer", "peer->ours"];

// ---------------------------------------------------------------- data files

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CasesFile {
    #[expect(dead_code, reason = "documentation field of the data file")]
    source: String,
    created: i64,
    keys: BTreeMap<String, KeySpec>,
    sets: Vec<SetSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeySpec {
    keyid: String,
    private: Option<String>,
    public: Option<String>,
    secret_base64_file: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SetSpec {
    id: String,
    #[expect(dead_code, reason = "documentation field of the data file")]
    about: String,
    message: MsgSpec,
    request: Option<MsgSpec>,
    components: Vec<String>,
    params: Vec<ParamSpec>,
}

#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct MsgSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    target_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    headers: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
}

/// `"created"`, `"keyid"`, `"alg"` (values from the case) or `[name, value]`.
#[derive(Clone, Deserialize, Serialize)]
#[serde(untagged)]
enum ParamSpec {
    Named(String),
    Valued(String, String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExceptionsFile {
    #[expect(dead_code, reason = "documentation field of the data file")]
    source: String,
    exceptions: Vec<Exception>,
    not_applicable: Vec<NotApplicable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Exception {
    id: String,
    peer: String,
    /// Component-set ids the deviation applies to; `["*"]` for all.
    sets: Vec<String>,
    /// `ours->peer` and/or `peer->ours`.
    directions: Vec<String>,
    /// Algorithms the deviation applies to; `["*"]` for all.
    algs: Vec<String>,
    rfc: String,
    /// Identifier of the first signature-base line where the peer's base differs from ours;
    /// `null` when the bases agree (the difference is in the cryptography) or the peer exposes
    /// no base in this direction.
    differing_line: Option<String>,
    observed: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NotApplicable {
    peer: String,
    set: Option<String>,
    alg: Option<String>,
    reason: String,
}

// ---------------------------------------------------------------- peer protocol

#[derive(Clone, Serialize)]
struct KeyJob {
    #[serde(skip_serializing_if = "Option::is_none")]
    private: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    public: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_base64: Option<String>,
}

#[derive(Clone, Serialize)]
struct Job {
    id: String,
    op: &'static str,
    alg: String,
    keyid: String,
    key: KeyJob,
    message: MsgSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    request: Option<MsgSpec>,
    components: Vec<String>,
    params: Vec<ParamSpec>,
    created: i64,
    label: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    signature_input: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    signature: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PeerResult {
    #[serde(default)]
    id: String,
    ok: bool,
    error: Option<String>,
    signature_input: Option<String>,
    signature: Option<String>,
    base: Option<String>,
    base_error: Option<String>,
}

// ---------------------------------------------------------------- paths and environment

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn workspace_dir() -> PathBuf {
    let dir = crate_dir().join("../..");
    dir.canonicalize().unwrap_or(dir)
}

fn testdata(rel: &str) -> PathBuf {
    crate_dir().join("testdata").join(rel)
}

struct Env {
    python: PathBuf,
    node_modules: PathBuf,
    python_version: String,
    node_version: String,
}

/// The pinned version of `package` in a requirements file (`name==version` lines).
fn pinned(requirements: &str, package: &str) -> Option<String> {
    requirements
        .lines()
        .find_map(|l| l.trim().strip_prefix(&format!("{package}==")))
        .map(str::to_owned)
}

/// The installed peers; a missing install is a failure, not a skip.
fn peer_env() -> Env {
    let root = workspace_dir().join(".interop");
    let python = root.join("venv/bin/python");
    let node_modules = root.join("node/node_modules");
    let missing: Vec<String> = [
        (python.clone(), "Python venv"),
        (
            node_modules.join("http-message-signatures/package.json"),
            "npm node_modules",
        ),
    ]
    .into_iter()
    .filter(|(p, _)| !p.exists())
    .map(|(p, what)| format!("{what} ({})", p.display()))
    .collect();
    assert!(
        missing.is_empty(),
        "interop peers are not installed: missing {}; run scripts/setup-interop.sh first",
        missing.join(", ")
    );
    // The installs must be the pinned ones the exceptions were recorded against.
    let wanted = std::fs::read_to_string(crate_dir().join("interop/python/requirements.txt"))
        .expect("read requirements.txt");
    let installed =
        std::fs::read_to_string(root.join("venv/interop-requirements.txt")).unwrap_or_default();
    assert_eq!(
        installed, wanted,
        "the Python venv is not the pinned one; run scripts/setup-interop.sh"
    );
    let python_version =
        pinned(&wanted, "http-message-signatures").expect("pinned in requirements");
    let pkg: serde_json::Value = serde_json::from_slice(
        &std::fs::read(node_modules.join("http-message-signatures/package.json"))
            .expect("read the npm package's package.json"),
    )
    .expect("package.json parses");
    let node_version = pkg["version"].as_str().unwrap_or_default().to_owned();
    let lock: serde_json::Value = serde_json::from_slice(
        &std::fs::read(crate_dir().join("interop/node/package-lock.json"))
            .expect("read package-lock.json"),
    )
    .expect("package-lock.json parses");
    assert_eq!(
        lock["packages"]["node_modules/http-message-signatures"]["version"].as_str(),
        Some(node_version.as_str()),
        "the npm install is not the pinned one; run scripts/setup-interop.sh"
    );
    Env {
        python,
        node_modules,
        python_version,
        node_version,
    }
}

fn run_batch(mut cmd: Command, jobs: &[Job], who: &str) -> BTreeMap<String, PeerResult> {
    let input = serde_json::to_vec(jobs).expect("jobs serialize");
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start the {who} peer: {e}"));
    // Written from a thread so that a peer writing before it has read everything cannot
    // deadlock against a full pipe.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("peer runs");
    writer
        .join()
        .expect("writer thread")
        .unwrap_or_else(|e| panic!("writing jobs to the {who} peer: {e}"));
    assert!(
        out.status.success(),
        "{who} peer exited with {}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let results: Vec<PeerResult> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{who} peer printed no JSON result array ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    assert_eq!(results.len(), jobs.len(), "{who} peer answered every job");
    results.into_iter().map(|r| (r.id.clone(), r)).collect()
}

// ---------------------------------------------------------------- ours

struct OurKeys {
    signing: Box<dyn SigningKey>,
    verifying: KeySet,
}

fn algorithm(name: &str) -> Algorithm {
    Algorithm::from_name(name).unwrap_or_else(|| panic!("unknown algorithm {name}"))
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testdata(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

fn secret_b64(spec: &KeySpec) -> Option<String> {
    spec.secret_base64_file.as_deref().map(|f| {
        String::from_utf8(read(f))
            .expect("secret is text")
            .trim()
            .to_owned()
    })
}

fn our_keys(p: &CryptoProvider, alg: &str, spec: &KeySpec) -> OurKeys {
    let a = algorithm(alg);
    if let Some(b64) = secret_b64(spec) {
        let secret = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("shared secret is base64");
        return OurKeys {
            signing: Box::new(
                HmacKey::new_with(p, &secret)
                    .expect("hmac key")
                    .with_key_id(&spec.keyid),
            ),
            verifying: key_set(
                &spec.keyid,
                Box::new(HmacKey::new_with(p, &secret).expect("hmac key")),
            ),
        };
    }
    let private = spec.private.as_deref().expect("private key path");
    let public = spec.public.as_deref().expect("public key path");
    OurKeys {
        signing: Box::new(
            PrivateKey::from_pem_with(p, &read(private), a)
                .unwrap_or_else(|e| panic!("our loader refused {private}: {e}"))
                .with_key_id(&spec.keyid),
        ),
        verifying: key_set(
            &spec.keyid,
            Box::new(
                PublicKey::from_pem_with(p, &read(public), a)
                    .unwrap_or_else(|e| panic!("our loader refused {public}: {e}")),
            ),
        ),
    }
}

fn key_set(keyid: &str, key: Box<dyn VerifyingKey>) -> KeySet {
    let mut set = KeySet::new();
    set.insert(keyid, key);
    set
}

fn our_message(m: &MsgSpec) -> Message {
    let mut msg = match (&m.method, &m.target_uri, m.status) {
        (Some(method), Some(uri), None) => Message::request(method, uri).expect("target URI"),
        (None, None, Some(status)) => Message::response(status),
        _ => panic!("a message is a request (method, target_uri) or a response (status)"),
    };
    for (n, v) in &m.headers {
        msg.add_header(n, v.as_bytes().to_vec());
    }
    if let Some(body) = &m.body {
        msg.set_body(body.as_bytes().to_vec());
    }
    msg
}

fn our_params(set: &SetSpec, alg: &str, keyid: &str, created: i64) -> SignatureParams<'static> {
    let mut b = SignatureParams::builder().components(
        set.components
            .iter()
            .map(|c| Component::parse(c).unwrap_or_else(|e| panic!("component {c}: {e}"))),
    );
    for p in &set.params {
        b = match p {
            ParamSpec::Named(n) if n == "created" => b.created(created),
            ParamSpec::Named(n) if n == "keyid" => b.keyid(keyid),
            ParamSpec::Named(n) if n == "alg" => b.alg(algorithm(alg)),
            ParamSpec::Valued(n, v) if n == "tag" => b.tag(v),
            ParamSpec::Valued(n, v) if n == "nonce" => b.nonce(v),
            ParamSpec::Named(n) | ParamSpec::Valued(n, _) => panic!("unsupported parameter {n}"),
        };
    }
    b.build().expect("signature parameters")
}

/// What ours produced for one case: the field values and the signature base.
struct OurSignature {
    signature_input: String,
    signature: String,
    base: String,
}

/// Ours signs one case.
fn our_sign(
    set: &SetSpec,
    alg: &str,
    spec: &KeySpec,
    keys: &OurKeys,
    created: i64,
) -> Result<OurSignature, String> {
    let msg = our_message(&set.message);
    let req = set.request.as_ref().map(our_message);
    let params = our_params(set, alg, &spec.keyid, created);
    let signed = sign(
        &msg,
        req.as_ref().map(|r| r as &dyn httpsig_core::HttpMessage),
        LABEL,
        params,
        keys.signing.as_ref(),
        &BaseOptions::default(),
    )
    .map_err(|e| format!("ours failed to sign: {e}"))?;
    Ok(OurSignature {
        signature_input: signed.signature_input_member(),
        signature: signed.signature_member(),
        base: String::from_utf8(signed.base().to_vec()).expect("base is ASCII"),
    })
}

/// Ours verifies a peer's signature; on failure also returns our base for its parameters.
fn our_verify(
    p: &CryptoProvider,
    set: &SetSpec,
    alg: &str,
    keys: &OurKeys,
    created: i64,
    sig_input: &str,
    signature: &str,
) -> Result<(), (String, Option<String>)> {
    let mut msg = our_message(&set.message);
    msg.add_header("Signature-Input", sig_input.as_bytes().to_vec());
    msg.add_header("Signature", signature.as_bytes().to_vec());
    let req = set.request.as_ref().map(our_message);
    let policy = VerifyPolicy::new(&[algorithm(alg)], MaxAge::Unlimited)
        .at(created + 60)
        .with_provider(*p);
    let mut input = VerifyInput::new(&msg);
    if let Some(r) = &req {
        input = input.related(r).related_body(r.body());
    }
    if let Some(body) = &set.message.body {
        input = input.body(body.as_bytes());
    }
    match policy.verify(input, &keys.verifying) {
        Ok(_) => Ok(()),
        Err(e) => {
            let base = sig_input
                .strip_prefix(&format!("{LABEL}="))
                .and_then(|p| SignatureParams::parse(p).ok())
                .and_then(|p| {
                    signature_base(
                        &msg,
                        req.as_ref().map(|r| r as &dyn httpsig_core::HttpMessage),
                        &p,
                        &BaseOptions::default(),
                    )
                    .ok()
                })
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            Err((format!("ours: {e} ({})", e.code()), base))
        }
    }
}

// ---------------------------------------------------------------- httpsig-hyper

mod hyper_peer {
    use super::{Job, MsgSpec, ParamSpec, PeerResult};
    use httpsig_hyper::prelude::message_component::HttpMessageComponentId;
    use httpsig_hyper::prelude::{
        AlgorithmName, HttpSignatureParams, PublicKey, SecretKey, SharedKey,
    };
    use httpsig_hyper::{
        MessageSignatureReq, MessageSignatureReqSync, MessageSignatureRes, MessageSignatureResSync,
    };
    use std::str::FromStr as _;

    fn request(m: &MsgSpec, extra: &[(&str, &str)]) -> Result<http::Request<String>, String> {
        let mut b = http::Request::builder()
            .method(m.method.as_deref().ok_or("no method")?)
            .uri(m.target_uri.as_deref().ok_or("no target URI")?);
        for (n, v) in m
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .chain(extra.iter().copied())
        {
            b = b.header(n, v);
        }
        b.body(m.body.clone().unwrap_or_default())
            .map_err(|e| format!("http::Request: {e}"))
    }

    fn response(m: &MsgSpec, extra: &[(&str, &str)]) -> Result<http::Response<String>, String> {
        let mut b = http::Response::builder().status(m.status.ok_or("no status")?);
        for (n, v) in m
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .chain(extra.iter().copied())
        {
            b = b.header(n, v);
        }
        b.body(m.body.clone().unwrap_or_default())
            .map_err(|e| format!("http::Response: {e}"))
    }

    fn params(job: &Job) -> Result<HttpSignatureParams, String> {
        let ids = job
            .components
            .iter()
            .map(|c| HttpMessageComponentId::try_from(c.as_str()).map_err(|e| e.to_string()))
            .collect::<Result<Vec<_>, _>>()?;
        let mut p = HttpSignatureParams::try_new(&ids).map_err(|e| e.to_string())?;
        for spec in &job.params {
            match spec {
                ParamSpec::Named(n) if n == "created" => {
                    p.set_created(u64::try_from(job.created).map_err(|e| e.to_string())?);
                }
                ParamSpec::Named(n) if n == "keyid" => {
                    p.set_keyid(&job.keyid);
                }
                ParamSpec::Named(n) if n == "alg" => {
                    p.set_alg(&alg(&job.alg)?);
                }
                ParamSpec::Valued(n, v) if n == "tag" => {
                    p.set_tag(v);
                }
                ParamSpec::Valued(n, v) if n == "nonce" => {
                    p.set_nonce(v);
                }
                ParamSpec::Named(n) | ParamSpec::Valued(n, _) => {
                    return Err(format!("unsupported parameter {n}"));
                }
            }
        }
        if !job
            .params
            .iter()
            .any(|p| matches!(p, ParamSpec::Named(n) if n == "created"))
        {
            p.created = None;
        }
        Ok(p)
    }

    fn alg(name: &str) -> Result<AlgorithmName, String> {
        AlgorithmName::from_str(name).map_err(|e| e.to_string())
    }

    fn read(path: &str) -> Result<String, String> {
        std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))
    }

    enum Signer {
        Asym(SecretKey),
        Mac(SharedKey),
    }
    enum Verifier {
        Asym(PublicKey),
        Mac(SharedKey),
    }

    fn signer(job: &Job) -> Result<Signer, String> {
        let a = alg(&job.alg)?;
        if let Some(s) = &job.key.secret_base64 {
            return SharedKey::from_base64(&a, s)
                .map(Signer::Mac)
                .map_err(|e| e.to_string());
        }
        let pem = read(job.key.private.as_deref().ok_or("no private key")?)?;
        SecretKey::from_pem(&a, &pem)
            .map(Signer::Asym)
            .map_err(|e| e.to_string())
    }

    fn verifier(job: &Job) -> Result<Verifier, String> {
        let a = alg(&job.alg)?;
        if let Some(s) = &job.key.secret_base64 {
            return SharedKey::from_base64(&a, s)
                .map(Verifier::Mac)
                .map_err(|e| e.to_string());
        }
        let pem = read(job.key.public.as_deref().ok_or("no public key")?)?;
        PublicKey::from_pem(&a, &pem)
            .map(Verifier::Asym)
            .map_err(|e| e.to_string())
    }

    fn header(h: &http::HeaderMap, name: &str) -> Option<String> {
        let v: Vec<&str> = h
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        (!v.is_empty()).then(|| v.join(", "))
    }

    fn sign_inner(job: &Job) -> Result<PeerResult, String> {
        let p = params(job)?;
        let key = signer(job)?;
        let label = Some(job.label);
        let (headers, base) = if let Some(req_spec) = &job.request {
            let req = request(req_spec, &[])?;
            let mut res = response(&job.message, &[])?;
            match &key {
                Signer::Asym(k) => res.set_message_signature_sync(&p, k, label, Some(&req)),
                Signer::Mac(k) => res.set_message_signature_sync(&p, k, label, Some(&req)),
            }
            .map_err(|e| e.to_string())?;
            let base = res
                .extract_signatures(Some(&req))
                .ok()
                .and_then(|m| m.get(job.label).map(|(b, _)| b.to_string()));
            (res.headers().clone(), base)
        } else {
            let mut req = request(&job.message, &[])?;
            match &key {
                Signer::Asym(k) => req.set_message_signature_sync(&p, k, label),
                Signer::Mac(k) => req.set_message_signature_sync(&p, k, label),
            }
            .map_err(|e| e.to_string())?;
            let base = req
                .extract_signatures()
                .ok()
                .and_then(|m| m.get(job.label).map(|(b, _)| b.to_string()));
            (req.headers().clone(), base)
        };
        Ok(PeerResult {
            id: job.id.clone(),
            ok: true,
            signature_input: header(&headers, "signature-input"),
            signature: header(&headers, "signature"),
            base,
            ..PeerResult::default()
        })
    }

    fn verify_inner(job: &Job) -> Result<(Option<String>, Result<(), String>), String> {
        let key = verifier(job)?;
        let si = job.signature_input.as_deref().ok_or("no Signature-Input")?;
        let sig = job.signature.as_deref().ok_or("no Signature")?;
        let extra = [("Signature-Input", si), ("Signature", sig)];
        if let Some(req_spec) = &job.request {
            let req = request(req_spec, &[])?;
            let res = response(&job.message, &extra)?;
            let base = res
                .extract_signatures(Some(&req))
                .ok()
                .and_then(|m| m.get(job.label).map(|(b, _)| b.to_string()));
            let verdict = match &key {
                Verifier::Asym(k) => res.verify_message_signature_sync(k, None, Some(&req)),
                Verifier::Mac(k) => res.verify_message_signature_sync(k, None, Some(&req)),
            };
            Ok((base, verdict.map(|_| ()).map_err(|e| e.to_string())))
        } else {
            let req = request(&job.message, &extra)?;
            let base = req
                .extract_signatures()
                .ok()
                .and_then(|m| m.get(job.label).map(|(b, _)| b.to_string()));
            let verdict = match &key {
                Verifier::Asym(k) => req.verify_message_signature_sync(k, None),
                Verifier::Mac(k) => req.verify_message_signature_sync(k, None),
            };
            Ok((base, verdict.map(|_| ()).map_err(|e| e.to_string())))
        }
    }

    pub(super) fn run(job: &Job) -> PeerResult {
        if job.op == "sign" {
            return sign_inner(job).unwrap_or_else(|e| PeerResult {
                id: job.id.clone(),
                error: Some(e),
                ..PeerResult::default()
            });
        }
        match verify_inner(job) {
            Ok((base, Ok(()))) => PeerResult {
                id: job.id.clone(),
                ok: true,
                base,
                ..PeerResult::default()
            },
            Ok((base, Err(e))) => PeerResult {
                id: job.id.clone(),
                error: Some(e),
                base,
                ..PeerResult::default()
            },
            Err(e) => PeerResult {
                id: job.id.clone(),
                error: Some(e),
                ..PeerResult::default()
            },
        }
    }
}

// ---------------------------------------------------------------- comparison

/// The first line where two signature bases differ: (identifier, ours, peer).
/// `components_only` ignores the `@signature-params` line (a peer that rebuilt it itself).
fn first_difference(
    ours: &str,
    peer: &str,
    components_only: bool,
) -> Option<(String, String, String)> {
    let keep = |l: &&str| !(components_only && l.starts_with("\"@signature-params\""));
    let a: Vec<&str> = ours.split('\n').filter(keep).collect();
    let b: Vec<&str> = peer.split('\n').filter(keep).collect();
    for i in 0..a.len().max(b.len()) {
        let (x, y) = (a.get(i).copied(), b.get(i).copied());
        if x != y {
            let line = x.or(y).unwrap_or_default();
            let id = line.split_once(": ").map_or(line, |(id, _)| id).to_owned();
            return Some((
                id,
                x.unwrap_or("<none>").to_owned(),
                y.unwrap_or("<none>").to_owned(),
            ));
        }
    }
    None
}

#[derive(Clone, Debug)]
enum Cell {
    Pass,
    Deviation(String),
    NotApplicable(String),
    Fail(String),
}

impl Cell {
    fn short(&self) -> String {
        match self {
            Self::Pass => "pass".into(),
            Self::Deviation(id) => format!("dev {id}"),
            Self::NotApplicable(_) => "n/a".into(),
            Self::Fail(_) => "FAIL".into(),
        }
    }
}

struct Outcome {
    ok: bool,
    error: Option<String>,
    /// (ours, peer) signature bases when both are known.
    bases: Option<(String, String)>,
}

fn any_or(list: &[String], v: &str) -> bool {
    list.iter().any(|x| x == "*" || x == v)
}

/// One cell's verdict. Several exceptions may cover a cell (e.g. a salt-length deviation and a
/// base deviation); it is an expected deviation when the observation agrees with at least one.
fn judge(peer: &str, set: &str, alg: &str, dir: &str, o: &Outcome, exc: &[Exception]) -> Cell {
    let found: Vec<&Exception> = exc
        .iter()
        .filter(|e| {
            e.peer == peer
                && any_or(&e.sets, set)
                && e.directions.iter().any(|d| d == dir)
                && any_or(&e.algs, alg)
        })
        .collect();
    let diff = o
        .bases
        .as_ref()
        .and_then(|(ours, theirs)| first_difference(ours, theirs, peer == "python"));
    let diff_text = diff
        .as_ref()
        .map(|(id, a, b)| format!("; first differing base line {id}: ours `{a}` / peer `{b}`"))
        .unwrap_or_default();
    let error = o.error.as_deref().unwrap_or("failed");
    if o.ok {
        return match found.first() {
            None => Cell::Pass,
            Some(e) => Cell::Fail(format!(
                "unexpected pass: exception {} ({}) no longer reproduces",
                e.id, e.rfc
            )),
        };
    }
    if found.is_empty() {
        return Cell::Fail(format!("{error}{diff_text}"));
    }
    let agrees = |e: &&Exception| match (&e.differing_line, &diff) {
        (Some(want), Some((got, _, _))) => want == got,
        (Some(_), None) => false,
        (None, Some(_)) => false,
        (None, None) => true,
    };
    match found.iter().copied().find(agrees) {
        Some(e) => Cell::Deviation(e.id.clone()),
        None => Cell::Fail(format!(
            "deviates, but not as exception(s) {} record (expected first differing line {}){diff_text} ({error})",
            found
                .iter()
                .map(|e| e.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            found
                .iter()
                .map(|e| e.differing_line.as_deref().unwrap_or("none: equal bases"))
                .collect::<Vec<_>>()
                .join(" or "),
        )),
    }
}

/// `label=:b64:` with the lowest bit of the first signature byte flipped.
fn flip_bit(member: &str) -> String {
    let b64 = member
        .strip_prefix(&format!("{LABEL}=:"))
        .and_then(|r| r.strip_suffix(':'))
        .unwrap_or_else(|| panic!("a one-member Signature field: {member}"));
    let engine = base64::engine::general_purpose::STANDARD;
    let mut sig = engine.decode(b64).expect("signature is base64");
    let first = sig.first_mut().expect("non-empty signature");
    *first ^= 1;
    format!("{LABEL}=:{}:", engine.encode(sig))
}

/// A passing cell also needs its one-bit-flipped control to have been rejected.
fn with_control(cell: Cell, tampered_accepted: Option<bool>) -> Cell {
    match (cell, tampered_accepted) {
        (Cell::Pass, Some(true)) => {
            Cell::Fail("the verifier also accepted the signature with one bit flipped".into())
        }
        (Cell::Pass, None) => Cell::Fail("no tampered-signature control ran".into()),
        (c, _) => c,
    }
}

// ---------------------------------------------------------------- the test

#[test]
fn interop_matrix_ring() {
    interop_matrix(httpsig_core::crypto::ring::provider());
}

#[test]
fn interop_matrix_aws_lc_rs() {
    interop_matrix(httpsig_core::crypto::aws_lc_rs::provider());
}

/// The matrix with ours on `provider`.
fn interop_matrix(provider: CryptoProvider) {
    let env = peer_env();
    let cases: CasesFile =
        serde_json::from_slice(&read("interop/cases.json")).expect("cases.json parses");
    let exc: ExceptionsFile =
        serde_json::from_slice(&read("interop/exceptions.json")).expect("exceptions.json parses");
    let created = cases.created;

    let na = |peer: &str, set: &str, alg: &str| -> Option<String> {
        exc.not_applicable
            .iter()
            .find(|n| {
                n.peer == peer
                    && n.set.as_deref().is_none_or(|s| s == set)
                    && n.alg.as_deref().is_none_or(|a| a == alg)
            })
            .map(|n| n.reason.clone())
    };

    // Our keys and signatures, and the peers' sign jobs.
    let mut ours_signed: BTreeMap<(String, String), Result<OurSignature, String>> = BTreeMap::new();
    let mut keys: BTreeMap<String, OurKeys> = BTreeMap::new();
    let mut sign_jobs: Vec<Job> = Vec::new();
    let key_job = |spec: &KeySpec| KeyJob {
        private: spec
            .private
            .as_deref()
            .map(|p| testdata(p).display().to_string()),
        public: spec
            .public
            .as_deref()
            .map(|p| testdata(p).display().to_string()),
        secret_base64: secret_b64(spec),
    };
    for alg in ALGS {
        let spec = cases
            .keys
            .get(alg)
            .unwrap_or_else(|| panic!("no key for {alg}"));
        keys.insert(alg.to_owned(), our_keys(&provider, alg, spec));
    }
    for set in &cases.sets {
        for alg in ALGS {
            let spec = &cases.keys[alg];
            ours_signed.insert(
                (set.id.clone(), alg.to_owned()),
                our_sign(set, alg, spec, &keys[alg], created),
            );
            sign_jobs.push(Job {
                id: format!("sign/{}/{alg}", set.id),
                op: "sign",
                alg: alg.to_owned(),
                keyid: spec.keyid.clone(),
                key: key_job(spec),
                message: set.message.clone(),
                request: set.request.clone(),
                components: set.components.clone(),
                params: set.params.clone(),
                created,
                label: LABEL,
                signature_input: None,
                signature: None,
            });
        }
    }
    // ours -> peer verify jobs (only where ours signed).
    let verify_jobs: Vec<Job> = sign_jobs
        .iter()
        .filter_map(|j| {
            let set = j.id.split('/').nth(1)?;
            let ours = ours_signed[&(set.to_owned(), j.alg.clone())]
                .as_ref()
                .ok()?;
            let mut v = j.clone();
            v.id = format!("verify/{set}/{}", j.alg);
            v.op = "verify";
            v.signature_input = Some(ours.signature_input.clone());
            v.signature = Some(ours.signature.clone());
            Some(v)
        })
        .collect();
    // Controls: the same signatures with one bit flipped must be rejected, so that a peer (or a
    // driver) that accepts anything cannot produce a pass.
    let tampered_jobs: Vec<Job> = verify_jobs
        .iter()
        .map(|j| {
            let mut t = j.clone();
            t.id = j.id.replacen("verify/", "tampered/", 1);
            t.signature = j.signature.as_deref().map(flip_bit);
            t
        })
        .collect();
    let all_jobs: Vec<Job> = sign_jobs
        .iter()
        .chain(verify_jobs.iter())
        .chain(tampered_jobs.iter())
        .cloned()
        .collect();

    let mut py = Command::new(&env.python);
    py.arg(crate_dir().join("interop/py_peer.py")).arg("batch");
    let mut node = Command::new("node");
    node.arg(crate_dir().join("interop/node_peer.mjs"))
        .arg("batch")
        .env("NODE_PATH", &env.node_modules);
    let mut results: BTreeMap<&str, BTreeMap<String, PeerResult>> = BTreeMap::new();
    results.insert("python", run_batch(py, &all_jobs, "python"));
    results.insert("node", run_batch(node, &all_jobs, "node"));
    results.insert(
        "hyper",
        all_jobs
            .iter()
            .map(|j| (j.id.clone(), hyper_peer::run(j)))
            .collect(),
    );

    // Judge every cell.
    let mut cells: BTreeMap<(String, String, &str, &str), Cell> = BTreeMap::new();
    for set in &cases.sets {
        for alg in ALGS {
            for peer in PEERS {
                if let Some(reason) = na(peer, &set.id, alg) {
                    for dir in DIRECTIONS {
                        cells.insert(
                            (set.id.clone(), alg.to_owned(), peer, dir),
                            Cell::NotApplicable(reason.clone()),
                        );
                    }
                    continue;
                }
                let r = &results[peer];
                // ours -> peer
                let cell = match &ours_signed[&(set.id.clone(), alg.to_owned())] {
                    Err(e) => Cell::Fail(e.clone()),
                    Ok(ours) => {
                        let pr = &r[&format!("verify/{}/{alg}", set.id)];
                        let o = Outcome {
                            ok: pr.ok,
                            error: pr.error.clone().map(|e| match &pr.base_error {
                                Some(b) => format!("{e} (peer base unavailable: {b})"),
                                None => e,
                            }),
                            bases: pr.base.clone().map(|b| (ours.base.clone(), b)),
                        };
                        let control = r.get(&format!("tampered/{}/{alg}", set.id)).map(|t| t.ok);
                        with_control(
                            judge(peer, &set.id, alg, DIRECTIONS[0], &o, &exc.exceptions),
                            control,
                        )
                    }
                };
                cells.insert((set.id.clone(), alg.to_owned(), peer, DIRECTIONS[0]), cell);
                // peer -> ours
                let pr = &r[&format!("sign/{}/{alg}", set.id)];
                let control = match (&pr.signature_input, &pr.signature) {
                    (Some(si), Some(sig)) if pr.ok => Some(
                        our_verify(&provider, set, alg, &keys[alg], created, si, &flip_bit(sig))
                            .is_ok(),
                    ),
                    _ => None,
                };
                let o = match (&pr.signature_input, &pr.signature) {
                    (Some(si), Some(sig)) if pr.ok => {
                        match our_verify(&provider, set, alg, &keys[alg], created, si, sig) {
                            Ok(()) => Outcome {
                                ok: true,
                                error: None,
                                bases: None,
                            },
                            Err((e, our_base)) => Outcome {
                                ok: false,
                                error: Some(e),
                                bases: our_base.zip(pr.base.clone()),
                            },
                        }
                    }
                    _ => Outcome {
                        ok: false,
                        error: Some(format!(
                            "peer failed to sign: {}",
                            pr.error.as_deref().unwrap_or("no signature returned")
                        )),
                        bases: None,
                    },
                };
                let cell = with_control(
                    judge(peer, &set.id, alg, DIRECTIONS[1], &o, &exc.exceptions),
                    control,
                );
                cells.insert((set.id.clone(), alg.to_owned(), peer, DIRECTIONS[1]), cell);
            }
        }
    }

    // Exceptions that matched no cell are stale.
    let used: std::collections::BTreeSet<&str> = cells
        .values()
        .filter_map(|c| match c {
            Cell::Deviation(id) => Some(id.as_str()),
            _ => None,
        })
        .collect();

    // Render.
    let mut out = String::new();
    let _ = writeln!(
        out,
        "RFC 9421 interop matrix: o>p = signed by ours, verified by the peer; p>o = signed by the peer, verified by ours"
    );
    let _ = writeln!(
        out,
        "peers: python http-message-signatures {} (PyPI) | node http-message-signatures {} (npm) | rust httpsig-hyper {HYPER_VERSION} (crates.io)",
        env.python_version, env.node_version
    );
    let mut header = format!("{:<13} {:<18}", "set", "alg");
    for peer in PEERS {
        for d in ["o>p", "p>o"] {
            let _ = write!(header, " {:<12}", format!("{peer} {d}"));
        }
    }
    let _ = writeln!(out, "{header}");
    let _ = writeln!(out, "{}", "-".repeat(header.len()));
    let mut fails = Vec::new();
    let mut nas = BTreeMap::new();
    for set in &cases.sets {
        for alg in ALGS {
            let mut row = format!("{:<13} {:<18}", set.id, alg);
            for peer in PEERS {
                for dir in DIRECTIONS {
                    let c = &cells[&(set.id.clone(), alg.to_owned(), peer, dir)];
                    let _ = write!(row, " {:<12}", c.short());
                    match c {
                        Cell::Fail(why) => {
                            fails.push(format!("{}/{alg} {peer} {dir}: {why}", set.id));
                        }
                        Cell::NotApplicable(why) => {
                            nas.insert(format!("{peer} {}", set.id), why.clone());
                        }
                        _ => {}
                    }
                }
            }
            let _ = writeln!(out, "{row}");
        }
    }
    let _ = writeln!(
        out,
        "\nexpected deviations (testdata/interop/exceptions.json):"
    );
    for e in &exc.exceptions {
        let _ = writeln!(
            out,
            "  {} [{}; sets {}; {}; algs {}] {}: {}{}",
            e.id,
            e.peer,
            e.sets.join(","),
            e.directions.join(" and "),
            e.algs.join(","),
            e.rfc,
            e.observed,
            e.differing_line
                .as_deref()
                .map(|l| format!(" (first differing line: {l})"))
                .unwrap_or_default()
        );
        if !used.contains(e.id.as_str()) {
            fails.push(format!("exception {} matched no cell (stale entry)", e.id));
        }
    }
    if !nas.is_empty() {
        let _ = writeln!(out, "\nnot applicable:");
        for (k, why) in &nas {
            let _ = writeln!(out, "  {k}: {why}");
        }
    }
    if !fails.is_empty() {
        let _ = writeln!(out, "\nFAIL ({}):", fails.len());
        for f in &fails {
            let _ = writeln!(out, "  {f}");
        }
    }
    let out = format!("provider: {}\n{out}", provider.name);
    println!("{out}");
    let report = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("interop-matrix-{}.txt", provider.name));
    let _ = std::fs::write(&report, &out);
    assert!(
        fails.is_empty(),
        "interop matrix has {} failure(s):\n{out}",
        fails.len()
    );
}

// ---------------------------------------------------------------- the runner's own checks

mod runner {
    use super::*;

    fn exception(differing_line: Option<&str>) -> Exception {
        Exception {
            id: "X1".into(),
            peer: "node".into(),
            sets: vec!["s".into()],
            directions: vec!["ours->peer".into()],
            algs: vec!["*".into()],
            rfc: "RFC 9421 §0".into(),
            differing_line: differing_line.map(Into::into),
            observed: String::new(),
        }
    }

    fn outcome(ok: bool, ours: &str, peer: &str) -> Outcome {
        Outcome {
            ok,
            error: (!ok).then(|| "rejected".into()),
            bases: Some((ours.into(), peer.into())),
        }
    }

    const OURS: &str = "\"a\": 1\n\"b\": 2\n\"@signature-params\": (\"a\" \"b\")";
    const PEER_B: &str = "\"a\": 1\n\"b\": 3\n\"@signature-params\": (\"a\" \"b\")";

    #[test]
    fn first_difference_names_the_line() {
        let d = first_difference(OURS, PEER_B, false).expect("differs");
        assert_eq!(d, ("\"b\"".into(), "\"b\": 2".into(), "\"b\": 3".into()));
        assert_eq!(first_difference(OURS, OURS, false), None);
        // Only the parameters line differs: ignored when comparing components only.
        let reordered = OURS.replace("(\"a\" \"b\")", "(\"a\" \"b\");x=1");
        assert!(first_difference(OURS, &reordered, false).is_some());
        assert_eq!(first_difference(OURS, &reordered, true), None);
    }

    #[test]
    fn unlisted_failure_fails() {
        let c = judge(
            "node",
            "s",
            "ed25519",
            "ours->peer",
            &outcome(false, OURS, PEER_B),
            &[],
        );
        assert!(matches!(c, Cell::Fail(_)), "{c:?}");
    }

    #[test]
    fn listed_deviation_with_the_recorded_line_is_expected() {
        let exc = [exception(Some("\"b\""))];
        let c = judge(
            "node",
            "s",
            "ed25519",
            "ours->peer",
            &outcome(false, OURS, PEER_B),
            &exc,
        );
        assert!(matches!(c, Cell::Deviation(ref id) if id == "X1"), "{c:?}");
    }

    #[test]
    fn deviation_at_another_line_fails() {
        let exc = [exception(Some("\"a\""))];
        let c = judge(
            "node",
            "s",
            "ed25519",
            "ours->peer",
            &outcome(false, OURS, PEER_B),
            &exc,
        );
        assert!(matches!(c, Cell::Fail(_)), "{c:?}");
        // An exception for equal bases (a cryptographic difference) does not cover a base difference.
        let exc = [exception(None)];
        let c = judge(
            "node",
            "s",
            "ed25519",
            "ours->peer",
            &outcome(false, OURS, PEER_B),
            &exc,
        );
        assert!(matches!(c, Cell::Fail(_)), "{c:?}");
    }

    #[test]
    fn unexpected_pass_fails() {
        let exc = [exception(Some("\"b\""))];
        let c = judge(
            "node",
            "s",
            "ed25519",
            "ours->peer",
            &outcome(true, OURS, OURS),
            &exc,
        );
        assert!(
            matches!(c, Cell::Fail(ref why) if why.contains("unexpected pass")),
            "{c:?}"
        );
    }

    #[test]
    fn exception_scope_is_respected() {
        let exc = [exception(Some("\"b\""))];
        // Other peer, other direction: not covered.
        let c = judge(
            "python",
            "s",
            "ed25519",
            "ours->peer",
            &outcome(false, OURS, PEER_B),
            &exc,
        );
        assert!(matches!(c, Cell::Fail(_)), "{c:?}");
        let c = judge(
            "node",
            "s",
            "ed25519",
            "peer->ours",
            &outcome(false, OURS, PEER_B),
            &exc,
        );
        assert!(matches!(c, Cell::Fail(_)), "{c:?}");
    }

    #[test]
    fn accepting_a_tampered_signature_fails_a_pass() {
        assert!(matches!(
            with_control(Cell::Pass, Some(true)),
            Cell::Fail(_)
        ));
        assert!(matches!(with_control(Cell::Pass, None), Cell::Fail(_)));
        assert!(matches!(with_control(Cell::Pass, Some(false)), Cell::Pass));
    }

    #[test]
    fn flip_bit_changes_one_bit() {
        // 0x00 0x01 -> 0x01 0x01
        assert_eq!(flip_bit("sig1=:AAE=:"), "sig1=:AQE=:");
    }
}
