//! The RFC 9421 suite: vector files in `testdata/rfc9421/` (format: the README.md there).
//!
//! Kinds: `component`, `base`, `verify`, `sign`, and the parse kinds `parse-signature-input`,
//! `parse-signature`, `parse-accept-signature`. Unknown fields fail the file; a field the case's
//! kind does not read fails the case. Every valid `verify` case also runs a one-bit-flip of its
//! signature, which must fail.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use httpsig_core::digest::{DigestAlgorithm, DigestPolicy};
use httpsig_core::keys::{HmacKey, PrivateKey, PublicKey};
use httpsig_core::{
    Algorithm, BaseOptions, Component, Error, MaxAge, Message, Selection, SfType, SfTypes,
    SignatureParams, SigningKey, VerifyInput, VerifyPolicy, VerifyingKey,
};
use serde::Deserialize;

use crate::http1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorFile {
    #[allow(dead_code)]
    suite: Option<String>,
    source: String,
    #[serde(default)]
    #[allow(dead_code)]
    description: Option<String>,
    cases: Vec<Case>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
enum Kind {
    Component,
    Base,
    Verify,
    Sign,
    ParseSignatureInput,
    ParseSignature,
    ParseAcceptSignature,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FieldText {
    One(String),
    Lines(Vec<String>),
    Generated {
        prefix: String,
        repeat: String,
        times: usize,
        suffix: String,
    },
}

impl FieldText {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Self::One(s) => s.clone().into_bytes(),
            Self::Lines(l) => l.join(", ").into_bytes(),
            Self::Generated {
                prefix,
                repeat,
                times,
                suffix,
            } => {
                let mut s = prefix.clone();
                for _ in 0..(*times).min(1 << 20) {
                    s.push_str(repeat);
                }
                s.push_str(suffix);
                s.into_bytes()
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Expect {
    line: Option<String>,
    base: Option<String>,
    error: Option<String>,
    valid: Option<bool>,
    #[serde(default, deserialize_with = "present")]
    signature: Option<Option<String>>,
    deterministic: Option<bool>,
    labels: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    source: String,
    kind: Kind,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
    message: Option<String>,
    request: Option<String>,
    target_uri: Option<String>,
    scheme: Option<String>,
    sf_types: Option<BTreeMap<String, String>>,
    trailers: Option<String>,
    component: Option<String>,
    signature_input: Option<String>,
    label: Option<String>,
    key: Option<String>,
    key_alg: Option<String>,
    field: Option<FieldText>,
    now: Option<i64>,
    /// `verify` only: the accepted digest algorithms (default: both active ones).
    digest_algorithms: Option<Vec<String>>,
    expect: Expect,
}

type Outcome = Result<(), String>;

/// Distinguishes a present `null` (`Some(None)`) from an absent field (`None`).
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// Runs one RFC 9421 vector file.
///
/// # Errors
/// When the file is not valid JSON of the documented format.
pub fn run(bytes: &[u8]) -> Result<super::CaseResults, String> {
    let file: VectorFile =
        serde_json::from_slice(bytes).map_err(|e| format!("not an RFC 9421 vector file: {e}"))?;
    if file.source.is_empty() {
        return Err("file lacks a source".into());
    }
    let mut out = Vec::new();
    let mut ids = std::collections::BTreeSet::new();
    for case in &file.cases {
        if !ids.insert(case.id.clone()) {
            out.push((case.id.clone(), Err("duplicate id".into())));
            continue;
        }
        if case.source.is_empty() {
            out.push((case.id.clone(), Err("case has no source".into())));
            continue;
        }
        let r = case.shape().and_then(|()| case.run(&mut out));
        out.push((case.id.clone(), r));
    }
    Ok(out)
}

fn unread(name: &str, present: bool) -> Outcome {
    if present {
        Err(format!("field {name} is not read by this kind"))
    } else {
        Ok(())
    }
}

impl Case {
    /// Every field the kind does not read must be absent.
    fn shape(&self) -> Outcome {
        let msg_kinds = matches!(
            self.kind,
            Kind::Component | Kind::Base | Kind::Verify | Kind::Sign
        );
        unread("message", !msg_kinds && self.message.is_some())?;
        unread("request", !msg_kinds && self.request.is_some())?;
        unread("target_uri", !msg_kinds && self.target_uri.is_some())?;
        unread("scheme", !msg_kinds && self.scheme.is_some())?;
        unread("trailers", !msg_kinds && self.trailers.is_some())?;
        unread("sf_types", !msg_kinds && self.sf_types.is_some())?;
        unread(
            "component",
            self.kind != Kind::Component && self.component.is_some(),
        )?;
        unread(
            "signature_input",
            !matches!(self.kind, Kind::Base | Kind::Sign) && self.signature_input.is_some(),
        )?;
        unread(
            "label",
            !matches!(
                self.kind,
                Kind::Base | Kind::Sign | Kind::Verify | Kind::ParseSignature
            ) && self.label.is_some(),
        )?;
        unread(
            "key",
            !matches!(self.kind, Kind::Sign | Kind::Verify) && self.key.is_some(),
        )?;
        unread(
            "key_alg",
            !matches!(self.kind, Kind::Sign | Kind::Verify) && self.key_alg.is_some(),
        )?;
        unread("field", msg_kinds && self.field.is_some())?;
        unread("now", self.kind != Kind::Verify && self.now.is_some())?;
        unread(
            "digest_algorithms",
            self.kind != Kind::Verify && self.digest_algorithms.is_some(),
        )?;
        let e = &self.expect;
        let has_error = e.error.is_some();
        unread(
            "expect.line",
            self.kind != Kind::Component && e.line.is_some(),
        )?;
        unread(
            "expect.base",
            !matches!(self.kind, Kind::Base | Kind::Verify | Kind::Sign) && e.base.is_some(),
        )?;
        unread(
            "expect.valid",
            self.kind != Kind::Verify && e.valid.is_some(),
        )?;
        unread(
            "expect.signature",
            !matches!(self.kind, Kind::Sign | Kind::ParseSignature) && e.signature.is_some(),
        )?;
        unread(
            "expect.deterministic",
            self.kind != Kind::Sign && e.deterministic.is_some(),
        )?;
        unread(
            "expect.labels",
            !matches!(
                self.kind,
                Kind::ParseSignatureInput | Kind::ParseAcceptSignature
            ) && e.labels.is_some(),
        )?;
        let outcomes = [
            has_error,
            e.line.is_some(),
            e.valid == Some(true),
            e.labels.is_some(),
            e.signature.is_some() && self.kind == Kind::ParseSignature,
            self.kind == Kind::Base && e.base.is_some(),
            self.kind == Kind::Sign && e.base.is_some(),
        ];
        if outcomes.iter().filter(|x| **x).count() != 1 {
            return Err("expect must give exactly one outcome".into());
        }
        if e.valid == Some(false) {
            return Err(
                "expect.valid=false is not an outcome; give expect.error with the code".into(),
            );
        }
        Ok(())
    }

    fn options(&self) -> Result<BaseOptions, String> {
        let mut types = SfTypes::default();
        for (name, t) in self.sf_types.iter().flatten() {
            let ty = SfType::from_name(t).ok_or_else(|| format!("unknown sf type {t:?}"))?;
            types.insert(name, ty);
        }
        Ok(BaseOptions::default().with_sf_types(types))
    }

    fn messages(&self) -> Result<(Message, Option<Message>), String> {
        let scheme = self.scheme.as_deref().unwrap_or("https");
        let text = self.message.as_deref().ok_or("message missing")?;
        let mut msg =
            http1::parse_message(text.as_bytes(), scheme).map_err(|e| format!("message: {e}"))?;
        if let Some(t) = &self.trailers {
            http1::parse_trailers(t, &mut msg).map_err(|e| format!("trailers: {e}"))?;
        }
        if let Some(uri) = &self.target_uri {
            msg = retarget(&msg, uri)?;
        }
        let related = match &self.request {
            Some(r) => Some(
                http1::parse_message(r.as_bytes(), scheme).map_err(|e| format!("request: {e}"))?,
            ),
            None => None,
        };
        Ok((msg, related))
    }

    fn run(&self, extra: &mut Vec<(String, Outcome)>) -> Outcome {
        if let Some(refused) = self.refused_text() {
            return refused;
        }
        match self.kind {
            Kind::Component => self.run_component(),
            Kind::Base => self.run_base(),
            Kind::Verify => self.run_verify(extra),
            Kind::Sign => self.run_sign(),
            Kind::ParseSignatureInput => self.run_parse_input(),
            Kind::ParseSignature => self.run_parse_signature(),
            Kind::ParseAcceptSignature => self.run_parse_accept(),
        }
    }

    /// When the message or request text is refused by the HTTP/1 parser (a spoofed or
    /// duplicated `Host`, a malformed request line: RFC 9112 §3, §3.2), the outcome: the case
    /// passes only if it expects exactly that code (`forwarded.*` or `http1.*`).
    fn refused_text(&self) -> Option<Outcome> {
        let scheme = self.scheme.as_deref().unwrap_or("https");
        let texts = [self.message.as_deref(), self.request.as_deref()];
        let e = texts
            .into_iter()
            .flatten()
            .find_map(|t| http1::parse_message(t.as_bytes(), scheme).err())?;
        Some(match &self.expect.error {
            Some(code) if code == e.code() => Ok(()),
            Some(code) => Err(format!("expected error {code}, got {} ({e})", e.code())),
            None => Err(format!("message: {e} ({})", e.code())),
        })
    }

    fn expect_error(&self, r: Result<(), Error>) -> Outcome {
        match (&self.expect.error, r) {
            (Some(code), Err(e)) if e.code() == code => Ok(()),
            (Some(code), Err(e)) => Err(format!("expected error {code}, got {} ({e})", e.code())),
            (Some(code), Ok(())) => Err(format!("expected error {code}, got success")),
            (None, Err(e)) => Err(format!("unexpected error {} ({e})", e.code())),
            (None, Ok(())) => Ok(()),
        }
    }

    fn run_component(&self) -> Outcome {
        let (msg, related) = self.messages()?;
        let opts = self.options()?;
        let text = self.component.as_deref().ok_or("component missing")?;
        let mut got = None;
        let r = Component::parse(text).and_then(|c| {
            got = Some(httpsig_core::component_line(
                &msg,
                related.as_ref().map(|m| m as _),
                &c,
                &opts,
            )?);
            Ok(())
        });
        self.expect_error(r)?;
        if let (Some(want), Some(got)) = (&self.expect.line, got) {
            compare("line", want.as_bytes(), &got)?;
        }
        Ok(())
    }

    fn params(&self, opts: &BaseOptions) -> Result<(&str, SignatureParams<'_>), Error> {
        let si = self.signature_input.as_deref().unwrap_or("");
        let label = self.label.as_deref().unwrap_or("");
        let all = httpsig_core::parse_signature_input_field(si.as_bytes(), opts)?;
        all.into_iter()
            .find(|(l, _)| *l == label)
            .ok_or(Error::LabelNotFound {
                field: httpsig_core::SignatureField::SignatureInput,
            })
    }

    fn run_base(&self) -> Outcome {
        let (msg, related) = self.messages()?;
        let opts = self.options()?;
        let mut got = None;
        let r = self.params(&opts).and_then(|(_, p)| {
            got = Some(httpsig_core::signature_base(
                &msg,
                related.as_ref().map(|m| m as _),
                &p,
                &opts,
            )?);
            Ok(())
        });
        self.expect_error(r)?;
        if let (Some(want), Some(got)) = (&self.expect.base, got) {
            compare("base", want.as_bytes(), &got)?;
        }
        Ok(())
    }

    fn run_verify(&self, extra: &mut Vec<(String, Outcome)>) -> Outcome {
        let (msg, related) = self.messages()?;
        let opts = self.options()?;
        let key = load_verifying_key(
            self.key.as_deref().ok_or("key missing")?,
            self.key_alg.as_deref(),
        )?;
        // The RFC's signatures are checked as of when they were made: `now` if the case gives it,
        // else the selected signature's `created` (an `expires` is then still enforced).
        let now = match self.now {
            Some(n) => n,
            None => created_of(&msg, self.label.as_deref(), &opts).unwrap_or(0),
        };
        let mut policy = VerifyPolicy::new(&ALL_ALGORITHMS, MaxAge::Unlimited)
            .with_provider(crate::suites::provider())
            .base_options(opts.clone())
            .at(now);
        if let Some(names) = &self.digest_algorithms {
            let algs = names
                .iter()
                .map(|n| {
                    DigestAlgorithm::from_name(n).ok_or_else(|| format!("unknown digest {n:?}"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            policy = policy.digest_policy(DigestPolicy::default().with_algorithms(&algs));
        }
        // A refusal that gives a base: the signature is cryptographically valid over it, so
        // the refusal is the verifier's decision (a forgery), not a broken signature.
        if let (Some(_), Some(want)) = (&self.expect.error, &self.expect.base) {
            let label = self.label.as_deref().unwrap_or("");
            let sig = msg.header("signature").unwrap_or_default();
            let bytes = httpsig_core::signature_value(&sig, label, &opts)
                .map_err(|e| e.to_string())?
                .ok_or("label not in Signature")?;
            key.verify(want.as_bytes(), &bytes).map_err(|_| {
                "expect.base given with expect.error, but the signature does not verify over it"
                    .to_owned()
            })?;
        }
        let mut input = VerifyInput::new(&msg).body(msg.body());
        if let Some(r) = &related {
            input = input.related(r).related_body(r.body());
        }
        if let Some(l) = &self.label {
            input = input.select(Selection::Label(l));
        }
        let r = policy.verify(input, &key).map(|_| ());
        self.expect_error(r)?;
        if self.expect.valid == Some(true) {
            let label = self.label.as_deref().unwrap_or("");
            let si = msg.header("signature-input").unwrap_or_default();
            let all =
                httpsig_core::parse_signature_input_field(&si, &opts).map_err(|e| e.to_string())?;
            let (_, params) = all
                .into_iter()
                .find(|(l, _)| *l == label)
                .ok_or("label not in Signature-Input")?;
            let base = httpsig_core::signature_base(
                &msg,
                related.as_ref().map(|m| m as _),
                &params,
                &opts,
            )
            .map_err(|e| e.to_string())?;
            if let Some(want) = &self.expect.base {
                compare("base", want.as_bytes(), &base)?;
            }
            let sig = msg.header("signature").unwrap_or_default();
            let bytes = httpsig_core::signature_value(&sig, label, &opts)
                .map_err(|e| e.to_string())?
                .ok_or("label not in Signature")?;
            for bit in [0, bytes.len() * 8 / 2, bytes.len() * 8 - 1] {
                let mut flipped = bytes.clone();
                if let Some(b) = flipped.get_mut(bit / 8) {
                    *b ^= 1 << (bit % 8);
                }
                let r = if key.verify(&base, &flipped).is_ok() {
                    Err(format!("signature with bit {bit} flipped verified"))
                } else {
                    Ok(())
                };
                extra.push((format!("{}/bitflip-{bit}", self.id), r));
            }
        }
        Ok(())
    }

    fn run_sign(&self) -> Outcome {
        let (msg, related) = self.messages()?;
        let opts = self.options()?;
        let (label, params) = self
            .params(&opts)
            .map_err(|e| format!("signature_input: {e}"))?;
        let name = self.key.as_deref().ok_or("key missing")?;
        let signer = load_signing_key(name, self.key_alg.as_deref())?;
        let signed = httpsig_core::sign(
            &msg,
            related.as_ref().map(|m| m as _),
            label,
            params,
            signer.as_ref(),
            &opts,
        );
        let signed = match (&self.expect.error, signed) {
            (Some(code), Err(e)) if e.code() == code => return Ok(()),
            (Some(code), r) => {
                return Err(format!(
                    "expected error {code}, got {:?}",
                    r.map(|_| ()).map_err(|e| e.code())
                ));
            }
            (None, Err(e)) => return Err(format!("signing failed: {} ({e})", e.code())),
            (None, Ok(s)) => s,
        };
        if let Some(want) = &self.expect.base {
            compare("base", want.as_bytes(), signed.base())?;
        }
        if self.expect.deterministic == Some(true) {
            let want = self
                .expect
                .signature
                .clone()
                .flatten()
                .ok_or("deterministic sign needs expect.signature")?;
            let got = STANDARD.encode(signed.signature());
            if got != want {
                return Err(format!("signature differs:\n  want {want}\n  got  {got}"));
            }
        }
        let verifier = load_verifying_key(name, self.key_alg.as_deref())?;
        verifier
            .verify(signed.base(), signed.signature())
            .map_err(|_| "our own signature does not verify".to_owned())?;
        if let Some(Some(published)) = &self.expect.signature {
            let bytes = STANDARD
                .decode(published)
                .map_err(|e| format!("expect.signature: {e}"))?;
            verifier
                .verify(signed.base(), &bytes)
                .map_err(|_| "the published signature does not verify over our base".to_owned())?;
        }
        Ok(())
    }

    fn field(&self) -> Result<Vec<u8>, String> {
        Ok(self.field.as_ref().ok_or("field missing")?.bytes())
    }

    fn run_parse_input(&self) -> Outcome {
        let f = self.field()?;
        let mut got = None;
        let r = httpsig_core::parse_signature_input_field(&f, &BaseOptions::default()).map(|v| {
            got = Some(v.into_iter().map(|(l, _)| l).collect::<Vec<_>>());
        });
        self.expect_error(r)?;
        if let (Some(want), Some(got)) = (&self.expect.labels, got)
            && *want != got
        {
            return Err(format!("labels differ: want {want:?}, got {got:?}"));
        }
        Ok(())
    }

    fn run_parse_signature(&self) -> Outcome {
        let f = self.field()?;
        let label = self.label.as_deref().ok_or("label missing")?;
        let mut got = None;
        let r = httpsig_core::signature_value(&f, label, &BaseOptions::default())
            .map(|v| got = Some(v));
        self.expect_error(r)?;
        if let (Some(want), Some(got)) = (&self.expect.signature, got) {
            let got = got.map(|b| STANDARD.encode(b));
            if *want != got {
                return Err(format!("signature differs: want {want:?}, got {got:?}"));
            }
        }
        Ok(())
    }

    fn run_parse_accept(&self) -> Outcome {
        let f = self.field()?;
        let mut got = None;
        let r = httpsig_core::accept::parse_accept_signature(&f).map(|v| {
            got = Some(v.iter().map(|r| r.label().to_owned()).collect::<Vec<_>>());
        });
        self.expect_error(r)?;
        if let (Some(want), Some(got)) = (&self.expect.labels, got)
            && *want != got
        {
            return Err(format!("labels differ: want {want:?}, got {got:?}"));
        }
        Ok(())
    }
}

fn created_of(msg: &Message, label: Option<&str>, opts: &BaseOptions) -> Option<i64> {
    let si = msg.header("signature-input")?;
    let all = httpsig_core::parse_signature_input_field(&si, opts).ok()?;
    let (_, p) = match label {
        Some(l) => all.into_iter().find(|(x, _)| *x == l)?,
        None => all.into_iter().next()?,
    };
    p.created()
}

const ALL_ALGORITHMS: [Algorithm; 6] = [
    Algorithm::RsaPssSha512,
    Algorithm::RsaV1_5Sha256,
    Algorithm::HmacSha256,
    Algorithm::EcdsaP256Sha256,
    Algorithm::EcdsaP384Sha384,
    Algorithm::Ed25519,
];

fn retarget(msg: &Message, uri: &str) -> Result<Message, String> {
    use httpsig_core::HttpMessage;
    let mut m = Message::request(msg.method().unwrap_or("GET"), uri)
        .map_err(|e| format!("target_uri: {e}"))?;
    if let Some(rt) = msg.request_target() {
        m.set_request_target(rt);
    }
    for (n, v) in msg.headers() {
        m.add_header(n, v.clone());
    }
    for (n, v) in msg.trailers() {
        m.add_trailer(n, v.clone());
    }
    m.set_body(msg.body().to_vec());
    Ok(m)
}

fn key_file(name: &str) -> Result<&'static [u8], String> {
    crate::embedded::get(&format!("keys/{name}"))
        .ok_or_else(|| format!("no embedded key file keys/{name}"))
}

fn alg(name: Option<&str>) -> Result<Option<Algorithm>, String> {
    name.map(|n| Algorithm::from_name(n).ok_or_else(|| format!("unknown algorithm {n:?}")))
        .transpose()
}

fn hmac(name: &str) -> Result<HmacKey, String> {
    let text = key_file(&format!("{name}.txt"))?;
    let secret = STANDARD
        .decode(String::from_utf8_lossy(text).trim())
        .map_err(|e| format!("{name}: {e}"))?;
    HmacKey::new_with(&crate::suites::provider(), &secret).map_err(|e| e.to_string())
}

/// Loads a verification key by vector name (`keys/<name>.pub.pem`, or the HMAC secret).
pub(crate) fn load_verifying_key(
    name: &str,
    key_alg: Option<&str>,
) -> Result<Box<dyn VerifyingKey>, String> {
    if name == "test-shared-secret" {
        return Ok(Box::new(hmac(name)?));
    }
    let pem = key_file(&format!("{name}.pub.pem"))?;
    let key = match alg(key_alg)? {
        Some(a) => PublicKey::from_pem_with(&crate::suites::provider(), pem, a),
        None => PublicKey::from_pem_infer_with(&crate::suites::provider(), pem),
    }
    .map_err(|e| format!("{name}: {} ({e})", e.code()))?;
    Ok(Box::new(key.with_key_id(name)))
}

/// Loads a signing key by vector name (`keys/<name>.pem`, or the HMAC secret).
pub(crate) fn load_signing_key(
    name: &str,
    key_alg: Option<&str>,
) -> Result<Box<dyn SigningKey>, String> {
    if name == "test-shared-secret" {
        return Ok(Box::new(hmac(name)?));
    }
    let pem = key_file(&format!("{name}.pem"))?;
    let key = match alg(key_alg)? {
        Some(a) => PrivateKey::from_pem_with(&crate::suites::provider(), pem, a),
        None => PrivateKey::from_pem_infer_with(&crate::suites::provider(), pem),
    }
    .map_err(|e| format!("{name}: {} ({e})", e.code()))?;
    Ok(Box::new(key.with_key_id(name)))
}

/// Compares expected and computed text; on a difference, says which line differs.
fn compare(what: &str, want: &[u8], got: &[u8]) -> Outcome {
    if want == got {
        return Ok(());
    }
    let w = String::from_utf8_lossy(want);
    let g = String::from_utf8_lossy(got);
    for (i, (a, b)) in w.split('\n').zip(g.split('\n')).enumerate() {
        if a != b {
            return Err(format!(
                "{what} differs at line {}:\n  want {a}\n  got  {b}",
                i + 1
            ));
        }
    }
    Err(format!(
        "{what} differs in line count: want {} lines, got {}",
        w.split('\n').count(),
        g.split('\n').count()
    ))
}
