//! The FAPI suite: `testdata/fapi/*.json` (format: the README.md there). Each case signs a
//! message with the given inner list (so no expected value comes from our own output: the
//! outcome is the requirement's), optionally tampers with it, and runs the FAPI verifier.

use fapi_profile::signatures::{
    ClientKeys, CreatedWindow, DEFAULT_ALGORITHMS, RequestVerifier, ResponseVerifier,
};
use httpsig_core::digest::{DigestAlgorithm, header_value_with};
use httpsig_core::{
    BaseOptions, HttpMessage, KeyLookup, KeyResolver, KeySet, Message, ResolveError, ResolvedKey,
    SignatureParams,
};
use serde::Deserialize;

use super::CaseResults;
use super::rfc9421::{load_signing_key, load_verifying_key};
use crate::http1;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorFile {
    #[allow(dead_code)]
    suite: String,
    source: String,
    cases: Vec<Case>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct After {
    body: Option<String>,
    header: Option<(String, String)>,
    target_uri: Option<String>,
    method: Option<String>,
    request_target_uri: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    ok: Option<bool>,
    error: Option<String>,
    base: Option<String>,
    signature: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    requirement: String,
    source: String,
    kind: String,
    #[allow(dead_code)]
    note: Option<String>,
    message: String,
    request: Option<String>,
    request_sign: Option<String>,
    request_binding: Option<bool>,
    sign: Option<String>,
    #[serde(default)]
    forge: bool,
    /// With `forge`: the signature bytes (standard base64) instead of 64 zero bytes.
    forge_signature: Option<String>,
    /// The client's registered public key as a JWK, instead of `key`'s public half.
    client_jwk: Option<serde_json::Value>,
    key: String,
    key_alg: Option<String>,
    #[serde(default)]
    now: i64,
    keyid: Option<String>,
    created: Option<i64>,
    request_created: Option<i64>,
    after_sign: Option<After>,
    expect: Expect,
}

/// Runs one FAPI vector file.
///
/// # Errors
/// When the file is not valid JSON of the documented format.
pub fn run(bytes: &[u8]) -> Result<CaseResults, String> {
    let file: VectorFile =
        serde_json::from_slice(bytes).map_err(|e| format!("not a FAPI vector file: {e}"))?;
    if file.source.is_empty() {
        return Err("file lacks a source".into());
    }
    Ok(file
        .cases
        .iter()
        .map(|c| {
            let r = if c.source.is_empty() || c.requirement.is_empty() {
                Err("case lacks source or requirement".into())
            } else {
                c.run()
            };
            (c.id.clone(), r)
        })
        .collect())
}

fn sign_into(
    msg: &mut Message,
    related: Option<&Message>,
    inner: &str,
    key: &str,
    alg: Option<&str>,
) -> Result<(), String> {
    if !msg.body().is_empty() && msg.header("content-digest").is_none() {
        let v = header_value_with(
            &crate::suites::provider(),
            &[DigestAlgorithm::Sha256],
            msg.body(),
        );
        msg.add_header("Content-Digest", v.into_bytes());
    }
    let params = SignatureParams::parse(inner).map_err(|e| format!("sign: {} ({e})", e.code()))?;
    let signer = load_signing_key(key, alg)?;
    let signed = httpsig_core::sign(
        &*msg,
        related.map(|m| m as _),
        "sig1",
        params,
        signer.as_ref(),
        &BaseOptions::default(),
    )
    .map_err(|e| format!("signing failed: {} ({e})", e.code()))?;
    msg.add_header(
        "Signature-Input",
        signed.signature_input_member().into_bytes(),
    );
    msg.add_header("Signature", signed.signature_member().into_bytes());
    Ok(())
}

fn retarget(m: &Message, uri: Option<&str>, method: Option<&str>) -> Result<Message, String> {
    let t = m.target_uri().ok_or("not a request")?;
    let old = format!("{}://{}{}", t.scheme(), t.host(), t.path());
    let old = match t.query() {
        Some(q) => format!("{old}?{q}"),
        None => old,
    };
    let mut n = Message::request(method.or(m.method()).unwrap_or("GET"), uri.unwrap_or(&old))
        .map_err(|e| e.to_string())?;
    for (k, v) in m.headers() {
        n.add_header(k, v.clone());
    }
    n.set_body(m.body().to_vec());
    Ok(n)
}

fn to_http(m: &Message) -> Result<http::Request<Vec<u8>>, String> {
    let t = m.target_uri().ok_or("not a request")?;
    let mut uri = format!("{}://{}{}", t.scheme(), t.host(), t.path());
    if let Some(p) = t.port() {
        uri = format!("{}://{}:{p}{}", t.scheme(), t.host(), t.path());
    }
    if let Some(q) = t.query() {
        uri.push('?');
        uri.push_str(q);
    }
    let mut b = http::Request::builder()
        .method(m.method().unwrap_or("GET"))
        .uri(uri);
    for (n, v) in m.headers() {
        b = b.header(n.as_str(), v.as_slice());
    }
    b.body(m.body().to_vec()).map_err(|e| e.to_string())
}

struct Keys(KeySet);
impl ClientKeys for Keys {
    fn client_key<'s>(
        &'s self,
        client_id: &str,
        lookup: &KeyLookup<'_>,
    ) -> Result<ResolvedKey<'s>, ResolveError> {
        if client_id == "client-a" {
            self.0.resolve(lookup)
        } else {
            Err(ResolveError::NotFound)
        }
    }
}

impl Case {
    fn keys(&self) -> Result<KeySet, String> {
        let mut set = KeySet::new();
        for id in ["client-key", "rs-key"] {
            set.insert(id, load_verifying_key(&self.key, self.key_alg.as_deref())?);
        }
        Ok(set)
    }

    fn run(&self) -> Result<(), String> {
        if self.kind.ends_with("-sign") {
            return self.run_exact();
        }
        if self.keyid.is_some() || self.created.is_some() || self.request_created.is_some() {
            return Err("keyid/created/request_created are for *-sign cases".into());
        }
        let got = match self.kind.as_str() {
            "request" => self.run_request()?,
            "response" => self.run_response()?,
            k => return Err(format!("unknown kind {k:?}")),
        };
        if self.expect.base.is_some() || self.expect.signature.is_some() {
            return Err("expect.base/signature are for *-sign cases".into());
        }
        match (self.expect.ok, &self.expect.error, got) {
            (Some(true), None, Ok(())) => Ok(()),
            (None, Some(code), Err(e)) if e.code() == code => Ok(()),
            (None, Some(code), Err(e)) => Err(format!("expected {code}, got {} ({e})", e.code())),
            (None, Some(code), Ok(())) => Err(format!("expected {code}, got success")),
            (Some(true), None, Err(e)) => Err(format!("expected success, got {} ({e})", e.code())),
            _ => Err("expect must be {\"ok\": true} or {\"error\": code}".into()),
        }
    }

    /// Signs with the FAPI signers and compares base and (Ed25519, deterministic) signature bytes.
    fn run_exact(&self) -> Result<(), String> {
        use base64::Engine as _;
        let (Some(want_base), Some(want_sig), None, None) = (
            &self.expect.base,
            &self.expect.signature,
            &self.expect.ok,
            &self.expect.error,
        ) else {
            return Err("*-sign cases expect base and signature".into());
        };
        if self.sign.is_some()
            || self.forge
            || self.forge_signature.is_some()
            || self.client_jwk.is_some()
            || self.after_sign.is_some()
            || self.request_sign.is_some()
            || self.request_binding.is_some()
        {
            return Err("field not read by *-sign cases".into());
        }
        let keyid = self.keyid.as_deref().ok_or("keyid missing")?;
        let created = self.created.ok_or("created missing")?;
        let key = load_signing_key(&self.key, self.key_alg.as_deref())?;
        let signed = match self.kind.as_str() {
            "request-sign" => {
                let msg = http1::parse_message(self.message.as_bytes(), "https")
                    .map_err(|e| e.to_string())?;
                let mut req = to_http(&msg)?;
                fapi_profile::signatures::RequestSigner::new(key.as_ref(), keyid)
                    .sign(&mut req, created)
                    .map_err(|e| format!("{} ({e})", e.code()))?
            }
            "response-sign" => {
                let text = self.request.as_deref().ok_or("request missing")?;
                let msg =
                    http1::parse_message(text.as_bytes(), "https").map_err(|e| e.to_string())?;
                let mut req = to_http(&msg)?;
                let rc = self.request_created.ok_or("request_created missing")?;
                fapi_profile::signatures::RequestSigner::new(key.as_ref(), keyid)
                    .sign(&mut req, rc)
                    .map_err(|e| format!("{} ({e})", e.code()))?;
                let view =
                    httpsig_core::http::RequestView::client(&req).map_err(|e| e.to_string())?;
                let mut res = http1::parse_message(self.message.as_bytes(), "https")
                    .map_err(|e| e.to_string())?;
                fapi_profile::signatures::ResponseSigner::new(key.as_ref(), keyid)
                    .sign_message(&mut res, &view, req.body(), created)
                    .map_err(|e| format!("{} ({e})", e.code()))?
            }
            k => return Err(format!("unknown kind {k:?}")),
        };
        if signed.base() != want_base.as_bytes() {
            return Err(format!(
                "base differs:\n  want {want_base}\n  got  {}",
                String::from_utf8_lossy(signed.base())
            ));
        }
        let got = base64::engine::general_purpose::STANDARD.encode(signed.signature());
        if &got != want_sig {
            return Err(format!("signature differs: want {want_sig}, got {got}"));
        }
        Ok(())
    }

    fn run_request(&self) -> Result<Result<(), httpsig_core::Error>, String> {
        for unread in [
            self.request.is_some(),
            self.request_sign.is_some(),
            self.request_binding.is_some(),
        ] {
            if unread {
                return Err("request/request_sign/request_binding are for response cases".into());
            }
        }
        let mut msg =
            http1::parse_message(self.message.as_bytes(), "https").map_err(|e| e.to_string())?;
        match (&self.sign, self.forge) {
            (Some(inner), true) => {
                let v = header_value_with(
                    &crate::suites::provider(),
                    &[DigestAlgorithm::Sha256],
                    msg.body(),
                );
                msg.add_header("Content-Digest", v.into_bytes());
                msg.add_header("Signature-Input", format!("sig1={inner}").into_bytes());
                let sig = self
                    .forge_signature
                    .clone()
                    .unwrap_or_else(|| "A".repeat(86) + "==");
                msg.add_header("Signature", format!("sig1=:{sig}:").into_bytes());
            }
            (Some(inner), false) => {
                sign_into(&mut msg, None, inner, &self.key, self.key_alg.as_deref())?
            }
            (None, true) => return Err("forge needs sign".into()),
            (_, false) if self.forge_signature.is_some() => {
                return Err("forge_signature needs forge".into());
            }
            (None, false) => {}
        }
        if let Some(a) = &self.after_sign {
            if a.request_target_uri.is_some() {
                return Err("request_target_uri is for response cases".into());
            }
            if let Some(b) = &a.body {
                msg.set_body(b.as_bytes().to_vec());
            }
            if let Some((n, v)) = &a.header {
                msg.set_header(n, Some(v.as_bytes().to_vec()));
            }
            if a.target_uri.is_some() || a.method.is_some() {
                msg = retarget(&msg, a.target_uri.as_deref(), a.method.as_deref())?;
            }
        }
        let keys = match &self.client_jwk {
            // The client's registered key: a key the loader refuses is the outcome.
            Some(jwk) => {
                let jwk = httpsig_core::keys::Jwk::from_json(jwk.to_string().as_bytes())
                    .map_err(|e| format!("client_jwk: {e}"))?;
                match httpsig_core::keys::PublicKey::from_jwk_with(
                    &crate::suites::provider(),
                    &jwk,
                    None,
                ) {
                    Ok(k) => {
                        let mut set = KeySet::new();
                        set.insert("client-key", Box::new(k));
                        Keys(set)
                    }
                    Err(e) => return Ok(Err(httpsig_core::Error::Key(e))),
                }
            }
            None => Keys(self.keys()?),
        };
        let v = RequestVerifier::with(&DEFAULT_ALGORITHMS, CreatedWindow::default())
            .at(self.now)
            .with_provider(crate::suites::provider());
        Ok(v.verify(&msg, msg.body(), "client-a", &keys).map(|_| ()))
    }

    fn run_response(&self) -> Result<Result<(), httpsig_core::Error>, String> {
        if self.forge || self.forge_signature.is_some() || self.client_jwk.is_some() {
            return Err("forge, forge_signature and client_jwk are for request cases".into());
        }
        let req_text = self
            .request
            .as_deref()
            .ok_or("response case needs request")?;
        let mut req =
            http1::parse_message(req_text.as_bytes(), "https").map_err(|e| e.to_string())?;
        if let Some(inner) = &self.request_sign {
            sign_into(&mut req, None, inner, &self.key, self.key_alg.as_deref())?;
        }
        let mut res =
            http1::parse_message(self.message.as_bytes(), "https").map_err(|e| e.to_string())?;
        if let Some(inner) = &self.sign {
            sign_into(
                &mut res,
                Some(&req),
                inner,
                &self.key,
                self.key_alg.as_deref(),
            )?;
        }
        let mut client_req = req.clone();
        if let Some(a) = &self.after_sign {
            if a.header.is_some() || a.method.is_some() || a.target_uri.is_some() {
                return Err("response cases tamper with body or request_target_uri only".into());
            }
            if let Some(b) = &a.body {
                res.set_body(b.as_bytes().to_vec());
            }
            if let Some(u) = &a.request_target_uri {
                client_req = retarget(&client_req, Some(u), None)?;
            }
        }
        let keys = self.keys()?;
        let mut v = ResponseVerifier::new()
            .at(self.now)
            .with_provider(crate::suites::provider());
        if self.request_binding == Some(false) {
            v = v.without_request_binding();
        }
        Ok(
            v.verify(&res, res.body(), &client_req, client_req.body(), &keys)
                .map(|_| ()),
        )
    }
}
