//! The benchmark groups, each a list of rows; a row is one job done by up to three
//! implementations: ours, `httpsig-hyper` 0.0.26 (where it has the operation) and raw `ring` on
//! the identical base bytes.
//!
//! 1. signature-base construction (sign side; verify side incl. parsing the signature fields);
//! 2. sign and verify of the RFC 9421 B.2.5-shaped request, four algorithms;
//! 3. the FAPI request verify path end to end (parse, policy, Content-Digest of a 1 KiB body,
//!    crypto);
//! 4. Content-Digest over 1 KiB and 1 MiB;
//! 5. Forwarded / X-Forwarded resolution of a 3-hop chain; DPoP proof verification vs raw ring;
//! 6. allocations per sign / verify (the `allocs` binary counts the rows of groups 2 and 3);
//! 7. hostile requests at the parser caps (issue 10 §3): what a verify costs before it can
//!    refuse, to compare with a normal verify ([`HOSTILE_REFERENCE`]).

use core::fmt;
use std::rc::Rc;
use std::sync::Arc;

use bytes::Bytes;
use fapi_profile::signatures::{ClientKeys, REQUEST_TAG, RequestVerifier};
use http_body_util::Full;
use httpsig_core::crypto::aws_lc_rs as aws_provider;
use httpsig_core::digest::{DigestAlgorithm, DigestPolicy, header_value, verify_content_digest};
use httpsig_core::http::RequestView;
use httpsig_core::{
    BaseOptions, KeyLookup, MaxAge, ResolveError, ResolvedKey, VerifyInput, VerifyPolicy,
    VerifyingKey, sign, signature_base,
};
use httpsig_hyper::prelude as hy;
use httpsig_hyper::prelude::message_component::{
    DerivedComponentName, HttpMessageComponent, HttpMessageComponentId, HttpMessageComponentName,
};
use httpsig_hyper::prelude::{SigningKey as _, VerifyingKey as _};
use httpsig_hyper::{
    ContentDigest as _, ContentDigestType, MessageSignatureReq as _, RequestContentDigest as _,
};

use crate::fixtures::{
    self, ALGORITHMS, Alg, B25_TARGET, CLIENT_ID, FAPI_TARGET, HyperSigner, HyperVerifier,
    KeyTriple, NOW, must,
};
use crate::harness::{BoxRoutine, batched, plain, ready};

/// One job, measured for each implementation that has it.
pub struct Row {
    /// The group number, "1" to "7".
    pub group: &'static str,
    /// A unique, stable name (the `profile` binary and the allocation merge select by it).
    pub name: String,
    /// Ours.
    pub ours: Option<BoxRoutine>,
    /// httpsig-hyper 0.0.26.
    pub hyper: Option<BoxRoutine>,
    /// Raw ring on the same bytes: the crypto floor of the job.
    pub ring: Option<BoxRoutine>,
    /// httpsig-hyper's own crypto on the same bytes (its backends are RustCrypto, not ring),
    /// to split its time into crypto and the rest.
    pub hyper_crypto: Option<BoxRoutine>,
    /// Ours on the aws-lc-rs provider (group 2's sign and verify rows).
    pub ours_aws: Option<BoxRoutine>,
    /// Raw aws-lc-rs on the same bytes: the crypto floor of `ours_aws`.
    pub aws: Option<BoxRoutine>,
    /// The job has no crypto at all: all of ours is non-crypto time.
    pub crypto_free: bool,
    /// A row whose implementation lives on another branch: printed with null figures.
    pub todo: Option<&'static str>,
}

impl fmt::Debug for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Row")
            .field("group", &self.group)
            .field("name", &self.name)
            .field("todo", &self.todo)
            .finish_non_exhaustive()
    }
}

impl Row {
    fn new(group: &'static str, name: String) -> Self {
        Self {
            group,
            name,
            ours: None,
            hyper: None,
            ring: None,
            hyper_crypto: None,
            ours_aws: None,
            aws: None,
            crypto_free: false,
            todo: None,
        }
    }

    /// The number of routines present.
    pub fn routines_mut_len(&self) -> usize {
        [
            &self.ours,
            &self.hyper,
            &self.ring,
            &self.hyper_crypto,
            &self.ours_aws,
            &self.aws,
        ]
        .iter()
        .filter(|r| r.is_some())
        .count()
    }

    /// The routines present, with their column name.
    pub fn routines_mut(&mut self) -> Vec<(&'static str, &mut BoxRoutine)> {
        let mut v = Vec::new();
        for (name, r) in [
            ("ours", &mut self.ours),
            ("httpsig-hyper", &mut self.hyper),
            ("ring", &mut self.ring),
            ("httpsig-crypto", &mut self.hyper_crypto),
            ("ours-aws-lc-rs", &mut self.ours_aws),
            ("aws-lc-rs", &mut self.aws),
        ] {
            if let Some(r) = r.as_mut() {
                v.push((name, r));
            }
        }
        v
    }
}

/// Formats any error for a failed routine (error path only).
fn fail<E: fmt::Debug>(e: E) -> String {
    format!("{e:?}")
}

/// Which rows to build: `(group, name) -> bool`.
pub type Filter<'a> = &'a dyn Fn(&str, &str) -> bool;

/// Builds every row that `filter` accepts. Fixtures are loaded once and only when needed.
pub fn rows(filter: Filter<'_>) -> Vec<Row> {
    let mut keys = Keys::default();
    let mut out = Vec::new();
    group1(filter, &mut keys, &mut out);
    group2(filter, &mut keys, &mut out);
    group3(filter, &mut keys, &mut out);
    group4(filter, &mut out);
    group5(filter, &mut out);
    group7(filter, &mut keys, &mut out);
    out
}

/// Lazily loaded keys.
#[derive(Default)]
struct Keys(Vec<Rc<KeyTriple>>);

impl Keys {
    fn get(&mut self, alg: Alg) -> Rc<KeyTriple> {
        if let Some(k) = self.0.iter().find(|k| k.alg == alg) {
            return Rc::clone(k);
        }
        let k = Rc::new(fixtures::load_key(alg));
        self.0.push(Rc::clone(&k));
        k
    }
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

/// A request signed by us, with what the baselines need: the base bytes and the signature.
struct Signed {
    req: Rc<http::Request<Bytes>>,
    base: Rc<Vec<u8>>,
    signature: Rc<Vec<u8>>,
}

fn signed_b25(key: &KeyTriple) -> Signed {
    let mut req = fixtures::b25_request();
    fixtures::sign_b25(&mut req, key.ours_signer.as_ref());
    finish_signed(req, B25_TARGET)
}

fn signed_fapi(key: &KeyTriple, body: &Bytes, dpop: &str) -> Signed {
    let mut req = fixtures::fapi_request(body, dpop);
    fixtures::sign_fapi(&mut req, key.ours_signer.as_ref());
    finish_signed(req, FAPI_TARGET)
}

/// Extracts base and signature the way a verifier does, with our public API, and checks that
/// httpsig-hyper builds the same base bytes: the baselines must sign and verify the identical
/// input.
fn finish_signed(req: http::Request<Bytes>, target: &str) -> Signed {
    let (params, signature) = must(ours_parse(&req), "parse our own signature");
    let view = must(RequestView::server(&req, target), "view");
    let base = must(
        signature_base(&view, None, &params, &BaseOptions::default()),
        "base",
    );
    let hyper_base = must(
        hyper_verify_side_base(&fixtures::with_full_body(&req)),
        "httpsig base",
    );
    assert_eq!(
        String::from_utf8_lossy(&hyper_base),
        String::from_utf8_lossy(&base),
        "httpsig-hyper and ours build different signature bases"
    );
    Signed {
        req: Rc::new(req),
        base: Rc::new(base),
        signature: Rc::new(signature),
    }
}

/// Ours, verify side, with the public API: parse `Signature-Input`, take `sig1`, parse
/// `Signature` for it (one field line each here, as our signer writes them).
fn ours_parse<B>(
    req: &http::Request<B>,
) -> Result<(httpsig_core::SignatureParams<'static>, Vec<u8>), String> {
    let opts = BaseOptions::default();
    let si = req
        .headers()
        .get("signature-input")
        .ok_or("no signature-input")?;
    let sig = req.headers().get("signature").ok_or("no signature")?;
    let mut entries =
        httpsig_core::parse_signature_input_field(si.as_bytes(), &opts).map_err(fail)?;
    let (label, params) = entries.pop().ok_or("no signature")?;
    let bytes = httpsig_core::signature_value(sig.as_bytes(), label, &opts)
        .map_err(fail)?
        .ok_or("label not in signature")?;
    Ok((params.into_owned(), bytes))
}

/// httpsig-hyper, verify side: its public `extract_signatures` (parse both fields, build every
/// base), then the base bytes its verifier signs over.
fn hyper_verify_side_base(req: &http::Request<Full<Bytes>>) -> Result<Vec<u8>, String> {
    let sigs = req.extract_signatures().map_err(fail)?;
    let (_, (base, _)) = sigs.first().ok_or("no signature")?;
    Ok(base.as_bytes())
}

/// httpsig-hyper, sign side. Its own base builder is private (it runs inside
/// `set_message_signature`), so this takes the same steps with httpsig 0.0.26's public API:
/// field values as owned strings, derived values from `http`'s request, one
/// `HttpMessageComponent` each, `HttpSignatureBase::try_new`, then the bytes.
fn hyper_sign_side_base(
    req: &http::Request<Full<Bytes>>,
    params: &hy::HttpSignatureParams,
) -> Result<Vec<u8>, String> {
    let lines = params
        .covered_components
        .iter()
        .map(|id| {
            let values: Vec<String> = match &id.name {
                HttpMessageComponentName::HttpField(name) => req
                    .headers()
                    .get_all(name.as_str())
                    .iter()
                    .map(|v| v.to_str().map(str::to_owned))
                    .collect::<Result<_, _>>()
                    .map_err(fail)?,
                HttpMessageComponentName::Derived(DerivedComponentName::Method) => {
                    vec![req.method().as_str().to_owned()]
                }
                HttpMessageComponentName::Derived(DerivedComponentName::TargetUri) => {
                    vec![req.uri().to_string()]
                }
                HttpMessageComponentName::Derived(DerivedComponentName::Authority) => {
                    vec![
                        req.uri()
                            .authority()
                            .map(|a| a.to_string())
                            .unwrap_or_default(),
                    ]
                }
                other => return Err(format!("component {other} not used here")),
            };
            HttpMessageComponent::try_from((id, values.as_slice())).map_err(fail)
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(hy::HttpSignatureBase::try_new(&lines, params)
        .map_err(fail)?
        .as_bytes())
}

fn hyper_verify(key: &HyperVerifier, base: &[u8], sig: &[u8]) -> Result<(), hy::HttpSigError> {
    match key {
        HyperVerifier::Public(k) => k.verify(base, sig),
        HyperVerifier::Shared(k) => k.verify(base, sig),
    }
}

// ---------------------------------------------------------------------------------------------
// Group 1: signature-base construction

fn group1(filter: Filter<'_>, keys: &mut Keys, out: &mut Vec<Row>) {
    const G: &str = "1";
    let names = [
        "base sign-side, B.2.5 request",
        "base verify-side (parse + base), B.2.5 request",
        "base sign-side, FAPI request",
        "base verify-side (parse + base), FAPI request",
    ];
    if !names.iter().any(|n| filter(G, n)) {
        return;
    }
    let key = keys.get(Alg::Ed25519);
    let body = fixtures::json_body(1024);
    let dpop = fixtures::dpop_proof();
    // The B.2.5 shape with the Ed25519 key id (the base does not depend on the algorithm).
    let b25 = signed_b25(&key);
    let fapi = signed_fapi(&key, &body, &dpop);
    let cases = [
        (
            names[0],
            names[1],
            Rc::new(fixtures::b25_request()),
            b25,
            B25_TARGET,
        ),
        (
            names[2],
            names[3],
            // Unsigned but with its Content-Digest, as a signer has it when building the base.
            Rc::new({
                let mut r = fixtures::fapi_request(&body, &dpop);
                let v = header_value(&[DigestAlgorithm::Sha256], &body);
                r.headers_mut().insert(
                    "content-digest",
                    must(http::HeaderValue::from_str(&v), "digest header"),
                );
                r
            }),
            fapi,
            FAPI_TARGET,
        ),
    ];
    for (sign_name, verify_name, unsigned, signed, target) in cases {
        let (params, _) = must(ours_parse(&signed.req), "params");
        if filter(G, sign_name) {
            let mut row = Row::new(G, sign_name.to_owned());
            row.crypto_free = true;
            let (req, p) = (Rc::clone(&unsigned), params.clone());
            let opts = BaseOptions::default();
            row.ours = Some(plain(move || {
                let view = RequestView::client(&req).map_err(fail)?;
                signature_base(&view, None, &p, &opts).map_err(fail)
            }));
            let hreq = fixtures::with_full_body(&unsigned);
            let hparams = must(
                hy::HttpSignatureParams::try_from(params.as_str()),
                "httpsig params",
            );
            row.hyper = Some(plain(move || hyper_sign_side_base(&hreq, &hparams)));
            out.push(row);
        }
        if filter(G, verify_name) {
            let mut row = Row::new(G, verify_name.to_owned());
            row.crypto_free = true;
            let req = Rc::clone(&signed.req);
            let opts = BaseOptions::default();
            row.ours = Some(plain(move || {
                // As a verifier does it: the parameters borrow the received field.
                let si = req
                    .headers()
                    .get("signature-input")
                    .ok_or("no signature-input")?;
                let sig = req.headers().get("signature").ok_or("no signature")?;
                let entries = httpsig_core::parse_signature_input_field(si.as_bytes(), &opts)
                    .map_err(fail)?;
                let (label, p) = entries.first().ok_or("no signature")?;
                let bytes = httpsig_core::signature_value(sig.as_bytes(), label, &opts)
                    .map_err(fail)?
                    .ok_or("label not in signature")?;
                let view = RequestView::server(&req, target).map_err(fail)?;
                let base = signature_base(&view, None, p, &opts).map_err(fail)?;
                Ok::<_, String>((base, bytes))
            }));
            let hreq = fixtures::with_full_body(&signed.req);
            row.hyper = Some(plain(move || hyper_verify_side_base(&hreq)));
            out.push(row);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Group 2: sign and verify, B.2.5-shaped request

fn group2(filter: Filter<'_>, keys: &mut Keys, out: &mut Vec<Row>) {
    const G: &str = "2";
    for alg in ALGORITHMS {
        let sign_name = format!("sign {}, B.2.5 request", alg.name());
        let verify_name = format!("verify {}, B.2.5 request", alg.name());
        let only_name = format!("sign {}, B.2.5 request: sign() only", alg.name());
        if !filter(G, &sign_name) && !filter(G, &verify_name) && !filter(G, &only_name) {
            continue;
        }
        let key = keys.get(alg);
        let signed = signed_b25(&key);
        if filter(G, &sign_name) {
            let mut row = Row::new(G, sign_name);
            let unsigned = Rc::new(fixtures::b25_request());
            let params = must(fixtures::b25_params(alg.keyid()), "params");
            let (k, u) = (Rc::clone(&key), Rc::clone(&unsigned));
            let opts = BaseOptions::default();
            // Sign and attach `Signature-Input` / `Signature`: what httpsig-hyper's
            // `set_message_signature` does.
            row.ours = Some(batched(
                move || fixtures::copy_request(&u),
                move |mut req: http::Request<Bytes>| {
                    let signed = {
                        let view = RequestView::client(&req).map_err(fail)?;
                        sign(
                            &view,
                            None,
                            "sig1",
                            params.clone(),
                            k.ours_signer.as_ref(),
                            &opts,
                        )
                        .map_err(fail)?
                    };
                    httpsig_core::http::attach(req.headers_mut(), &signed).map_err(fail)?;
                    Ok::<_, String>(req)
                },
            ));
            let hparams = fixtures::hyper_b25_params(alg.keyid());
            let (k, u) = (Rc::clone(&key), Rc::clone(&unsigned));
            row.hyper = Some(batched(
                move || fixtures::with_full_body(&u),
                move |mut req: http::Request<Full<Bytes>>| {
                    match &k.hyper_signer {
                        HyperSigner::Secret(s) => {
                            ready(req.set_message_signature(&hparams, s, Some("sig1")))
                        }
                        HyperSigner::Shared(s) => {
                            ready(req.set_message_signature(&hparams, s, Some("sig1")))
                        }
                    }
                    .map(|()| req)
                },
            ));
            let (k, base) = (Rc::clone(&key), Rc::clone(&signed.base));
            row.ring = Some(plain(move || k.ring.sign(&base)));
            let (k, base) = (Rc::clone(&key), Rc::clone(&signed.base));
            row.hyper_crypto = Some(plain(move || match &k.hyper_signer {
                HyperSigner::Secret(s) => s.sign(&base),
                HyperSigner::Shared(s) => s.sign(&base),
            }));
            out.push(row);
        }
        if filter(G, &only_name) {
            // Base and signature without attaching the fields: the job raw ring does.
            // httpsig-hyper has no public call for it (its signer always attaches).
            let mut row = Row::new(G, only_name);
            let params = must(fixtures::b25_params(alg.keyid()), "params");
            let (k, u) = (Rc::clone(&key), Rc::new(fixtures::b25_request()));
            let opts = BaseOptions::default();
            row.ours = Some(plain(move || {
                let view = RequestView::client(&u).map_err(fail)?;
                sign(
                    &view,
                    None,
                    "sig1",
                    params.clone(),
                    k.ours_signer.as_ref(),
                    &opts,
                )
                .map_err(fail)
            }));
            let (k, base) = (Rc::clone(&key), Rc::clone(&signed.base));
            row.ring = Some(plain(move || k.ring.sign(&base)));
            let params = must(fixtures::b25_params(alg.keyid()), "params");
            let (k, u) = (Rc::clone(&key), Rc::new(fixtures::b25_request()));
            let opts = BaseOptions::default();
            row.ours_aws = Some(plain(move || {
                let view = RequestView::client(&u).map_err(fail)?;
                sign(
                    &view,
                    None,
                    "sig1",
                    params.clone(),
                    k.ours_aws_signer.as_ref(),
                    &opts,
                )
                .map_err(fail)
            }));
            let (k, base) = (Rc::clone(&key), Rc::clone(&signed.base));
            row.aws = Some(plain(move || k.aws.sign(&base)));
            out.push(row);
        }
        if filter(G, &verify_name) {
            let mut row = Row::new(G, verify_name);
            let policy = VerifyPolicy::new(&[alg.algorithm()], MaxAge::Unlimited).at(NOW);
            let (k, req) = (Rc::clone(&key), Rc::clone(&signed.req));
            row.ours = Some(plain(move || {
                let view = RequestView::server(&req, B25_TARGET).map_err(fail)?;
                policy
                    .verify(VerifyInput::new(&view), &k.ours_verifier)
                    .map(|v| v.algorithm())
                    .map_err(fail)
            }));
            let k = Rc::clone(&key);
            let hreq = fixtures::with_full_body(&signed.req);
            let keyid = alg.keyid();
            row.hyper = Some(plain(move || match &k.hyper_verifier {
                HyperVerifier::Public(p) => ready(hreq.verify_message_signature(p, Some(keyid))),
                HyperVerifier::Shared(p) => ready(hreq.verify_message_signature(p, Some(keyid))),
            }));
            let (k, base, sig) = (
                Rc::clone(&key),
                Rc::clone(&signed.base),
                Rc::clone(&signed.signature),
            );
            row.ring = Some(plain(move || k.ring.verify(&base, &sig)));
            let (k, base, sig) = (
                Rc::clone(&key),
                Rc::clone(&signed.base),
                Rc::clone(&signed.signature),
            );
            row.hyper_crypto = Some(plain(move || hyper_verify(&k.hyper_verifier, &base, &sig)));
            let policy = VerifyPolicy::new(&[alg.algorithm()], MaxAge::Unlimited)
                .at(NOW)
                .with_provider(aws_provider::provider());
            let (k, req) = (Rc::clone(&key), Rc::clone(&signed.req));
            row.ours_aws = Some(plain(move || {
                let view = RequestView::server(&req, B25_TARGET).map_err(fail)?;
                policy
                    .verify(VerifyInput::new(&view), &k.ours_aws_verifier)
                    .map(|v| v.algorithm())
                    .map_err(fail)
            }));
            let (k, base, sig) = (
                Rc::clone(&key),
                Rc::clone(&signed.base),
                Rc::clone(&signed.signature),
            );
            row.aws = Some(plain(move || k.aws.verify(&base, &sig)));
            out.push(row);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Group 3: the FAPI request verify path

/// The resource server's client registry: one client, one key.
struct OneClient {
    keyid: &'static str,
    key: Arc<dyn VerifyingKey>,
}

impl ClientKeys for OneClient {
    fn client_key<'s>(
        &'s self,
        client_id: &str,
        lookup: &KeyLookup<'_>,
    ) -> Result<ResolvedKey<'s>, ResolveError> {
        // Shared, as a refreshing cache hands keys out: an Arc clone, no allocation.
        (client_id == CLIENT_ID && lookup.keyid == Some(self.keyid))
            .then(|| ResolvedKey::Shared(Arc::clone(&self.key)))
            .ok_or(ResolveError::NotFound)
    }
}

/// The FAPI rules a user of httpsig-hyper writes around it (it has no policy of its own):
/// the components that must be covered.
fn fapi_required_ids() -> Vec<HttpMessageComponentId> {
    [
        "@method",
        "@target-uri",
        "authorization",
        "dpop",
        "content-digest",
    ]
    .iter()
    .map(|c| must(HttpMessageComponentId::try_from(*c), "id"))
    .collect()
}

/// httpsig-hyper doing the FAPI verify path: Content-Digest check of the body, then
/// `extract_signatures` (one parse, every base), then for each `fapi-2-request` signature the
/// FAPI policy (created window 60 s / 10 s, covered components, key id) and the signature.
/// Returns the number verified and the request, which the digest check consumed and rebuilt.
fn hyper_fapi_verify<K: hy::VerifyingKey + Sync>(
    req: http::Request<Full<Bytes>>,
    key: &K,
    keyid: &str,
    required: &[HttpMessageComponentId],
) -> Result<(usize, HyperRequest), String> {
    let req = ready(req.verify_content_digest()).map_err(fail)?;
    let sigs = req.extract_signatures().map_err(fail)?;
    let has_dpop = req.headers().contains_key("dpop");
    let mut verified = 0;
    for (base, headers) in sigs.values() {
        let p = headers.signature_params();
        if p.tag.as_deref() != Some(REQUEST_TAG) {
            continue;
        }
        let created = p.created.ok_or("no created")?;
        let now = NOW.unsigned_abs();
        if now.saturating_sub(created) > 60 || created.saturating_sub(now) > 10 {
            return Err("created outside the window".to_owned());
        }
        for id in required {
            let conditional =
                matches!(&id.name, HttpMessageComponentName::HttpField(n) if n == "dpop");
            if (has_dpop || !conditional) && !p.covered_components.contains(id) {
                return Err(format!("{id} not covered"));
            }
        }
        if p.keyid.as_deref() != Some(keyid) {
            return Err("unknown key".to_owned());
        }
        base.verify_signature_headers(key, headers).map_err(fail)?;
        verified += 1;
    }
    if verified == 0 {
        return Err("no fapi-2-request signature".to_owned());
    }
    // The request goes back to the caller (and is dropped outside the clock), as ours is:
    // dropping it is not part of verifying.
    Ok((verified, req))
}

/// The request httpsig-hyper's `verify_content_digest` hands back.
type HyperRequest =
    http::Request<http_body_util::combinators::BoxBody<Bytes, httpsig_hyper::HyperDigestError>>;

fn group3(filter: Filter<'_>, keys: &mut Keys, out: &mut Vec<Row>) {
    const G: &str = "3";
    let mut fixtures_once: Option<(Bytes, String)> = None;
    for alg in ALGORITHMS {
        let name = format!("FAPI request verify {}, 1 KiB body", alg.name());
        if !filter(G, &name) {
            continue;
        }
        let (body, dpop) = fixtures_once
            .get_or_insert_with(|| (fixtures::json_body(1024), fixtures::dpop_proof()))
            .clone();
        let key = keys.get(alg);
        let signed = signed_fapi(&key, &body, &dpop);
        out.push(fapi_row(name, &key, &signed, &body, false));
    }
    let name = "FAPI request verify, signature check stubbed (ed25519-signed, 1 KiB body)";
    if filter(G, name) {
        let (body, dpop) = fixtures_once
            .get_or_insert_with(|| (fixtures::json_body(1024), fixtures::dpop_proof()))
            .clone();
        let key = keys.get(Alg::Ed25519);
        let signed = signed_fapi(&key, &body, &dpop);
        out.push(fapi_row(name.to_owned(), &key, &signed, &body, true));
    }
    let name = "FAPI request: sfv alone parsing Signature-Input, Signature, Content-Digest (floor)";
    if filter(G, name) {
        let (body, dpop) = fixtures_once
            .get_or_insert_with(|| (fixtures::json_body(1024), fixtures::dpop_proof()))
            .clone();
        let signed = signed_fapi(&keys.get(Alg::Ed25519), &body, &dpop);
        let field = |n: &str| {
            signed
                .req
                .headers()
                .get(n)
                .map(|v| v.as_bytes().to_vec())
                .unwrap_or_default()
        };
        let fields = [
            field("signature-input"),
            field("signature"),
            field("content-digest"),
        ];
        // The work no verifier built on sfv can skip: its syntax check of the three fields
        // (byte sequences decoded, strings and keys validated), with nothing kept.
        let mut row = Row::new(G, name.to_owned());
        row.crypto_free = true;
        row.ours = Some(plain(move || {
            fields.iter().try_for_each(|f| {
                sfv::Parser::new(f)
                    .parse_dictionary_with_visitor(sfv::visitor::Ignored)
                    .map_err(|e| e.to_string())
            })
        }));
        out.push(row);
    }
}

/// One FAPI verify row. With `stub`, both engines get a key that accepts any signature
/// (PROVIDES NO SECURITY) and the baselines are only the body digest: ours − ring is then
/// the non-crypto time measured directly.
fn fapi_row(name: String, key: &Rc<KeyTriple>, signed: &Signed, body: &Bytes, stub: bool) -> Row {
    const G: &str = "3";
    let alg = key.alg;
    let mut row = Row::new(G, name);
    // HMAC is outside FAPI's algorithm list (no non-repudiation); a deployment that allows
    // it names it explicitly.
    let verifier = if alg == Alg::HmacSha256 {
        RequestVerifier::with(
            &[httpsig_core::Algorithm::HmacSha256],
            fapi_profile::signatures::CreatedWindow::default(),
        )
    } else {
        RequestVerifier::new()
    }
    .at(NOW);
    let client = OneClient {
        keyid: alg.keyid(),
        key: if stub {
            Arc::new(fixtures::AcceptAnyKey(alg))
        } else {
            Arc::clone(&key.ours_verifier)
        },
    };
    let req = Rc::clone(&signed.req);
    row.ours = Some(plain(move || {
        let view = RequestView::server(&req, FAPI_TARGET).map_err(fail)?;
        verifier
            .verify(&view, req.body(), CLIENT_ID, &client)
            .map(|v| v.len())
            .map_err(fail)
    }));

    let (k, req) = (Rc::clone(key), Rc::clone(&signed.req));
    let required = fapi_required_ids();
    row.hyper = Some(batched(
        move || fixtures::with_full_body(&req),
        move |r| {
            let keyid = k.alg.keyid();
            match &k.hyper_verifier {
                _ if stub => {
                    hyper_fapi_verify(r, &fixtures::HyperAcceptAnyKey(k.alg), keyid, &required)
                }
                HyperVerifier::Public(p) => hyper_fapi_verify(r, p, keyid, &required),
                HyperVerifier::Shared(p) => hyper_fapi_verify(r, p, keyid, &required),
            }
        },
    ));

    // The crypto floor: SHA-256 of the body and the signature check, in ring.
    let (k, base, sig, b) = (
        Rc::clone(key),
        Rc::clone(&signed.base),
        Rc::clone(&signed.signature),
        body.clone(),
    );
    row.ring = Some(plain(move || {
        core::hint::black_box(fixtures::ring_digest(&ring::digest::SHA256, &b));
        if stub {
            return Ok(());
        }
        k.ring.verify(&base, &sig)
    }));

    // httpsig-hyper's crypto floor: its digest of the body (sha2 + base64 of 32 bytes) and
    // its backend's signature check.
    let (k, base, sig, b) = (
        Rc::clone(key),
        Rc::clone(&signed.base),
        Rc::clone(&signed.signature),
        body.clone(),
    );
    row.hyper_crypto = Some(plain(move || {
        core::hint::black_box(ready(
            Full::new(b.clone()).into_bytes_with_digest(&ContentDigestType::Sha256),
        ))
        .map_err(fail)?;
        if stub {
            return Ok(());
        }
        hyper_verify(&k.hyper_verifier, &base, &sig).map_err(fail)
    }));
    row
}

// ---------------------------------------------------------------------------------------------
// Group 4: Content-Digest

fn group4(filter: Filter<'_>, out: &mut Vec<Row>) {
    const G: &str = "4";
    for (alg, ring_alg) in [
        (DigestAlgorithm::Sha256, &ring::digest::SHA256),
        (DigestAlgorithm::Sha512, &ring::digest::SHA512),
    ] {
        for (size, size_name) in [(1024, "1 KiB"), (1024 * 1024, "1 MiB")] {
            let compute = format!("Content-Digest {} {size_name}: compute field", alg.name());
            let verify = format!("Content-Digest {} {size_name}: verify field", alg.name());
            if !filter(G, &compute) && !filter(G, &verify) {
                continue;
            }
            let body = fixtures::json_body(size);
            let hyper_type = move || match alg {
                DigestAlgorithm::Sha512 => ContentDigestType::Sha512,
                _ => ContentDigestType::Sha256,
            };
            if filter(G, &compute) {
                let mut row = Row::new(G, compute);
                let b = body.clone();
                row.ours = Some(plain(move || {
                    Ok::<_, core::convert::Infallible>(header_value(&[alg], &b))
                }));
                let b = body.clone();
                row.hyper = Some(plain(move || {
                    ready(Full::new(b.clone()).into_bytes_with_digest(&hyper_type()))
                }));
                let b = body.clone();
                row.ring = Some(plain(move || {
                    Ok::<_, core::convert::Infallible>(fixtures::ring_digest(ring_alg, &b))
                }));
                out.push(row);
            }
            if filter(G, &verify) {
                let mut row = Row::new(G, verify);
                let field = header_value(&[alg], &body);
                let policy = DigestPolicy::default();
                let (b, f) = (body.clone(), field.clone());
                row.ours = Some(plain(move || {
                    verify_content_digest(&[f.as_bytes()], &b, &policy)
                }));
                let req = must(
                    http::Request::post(FAPI_TARGET)
                        .header("content-digest", field.as_str())
                        .body(body.clone()),
                    "digest request",
                );
                row.hyper = Some(batched(
                    move || fixtures::with_full_body(&req),
                    |r: http::Request<Full<Bytes>>| ready(r.verify_content_digest()),
                ));
                let b = body.clone();
                row.ring = Some(plain(move || {
                    Ok::<_, core::convert::Infallible>(fixtures::ring_digest(ring_alg, &b))
                }));
                out.push(row);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Group 5: proxies and DPoP

/// A 3-hop chain behind trusted proxies in 10.0.0.0/8: the client 203.0.113.7 reached proxy
/// 10.0.0.1, then 10.0.0.2, then 10.0.0.3 (the socket peer); the outermost trusted element
/// carries the client-facing host and scheme.
const FORWARDED_3HOP: &str =
    "for=203.0.113.7;proto=https;host=api.example.com, for=10.0.0.1;proto=http, for=10.0.0.2";

fn forwarded_row(
    name: &str,
    config: forwarded_parser::Config,
    headers: Vec<(&'static str, &'static [u8])>,
) -> Row {
    let mut row = Row::new("5", name.to_owned());
    row.crypto_free = true;
    let conn = forwarded_parser::ConnectionFacts::new(std::net::IpAddr::from([10, 0, 0, 3]), false);
    row.ours = Some(plain(move || {
        let head = forwarded_parser::RequestHead::new(
            "POST",
            "/accounts/transactions?from=2024-01-01",
            &headers,
        )?;
        forwarded_parser::resolve(&config, &conn, &head).map(|r| r.request.authority().len())
    }));
    row
}

/// Bench-only replay store that accepts every key, so one proof can be verified repeatedly.
/// It measures the proof checks without a store; it PROVIDES NO REPLAY PROTECTION.
struct AcceptEveryJti;

impl fapi_profile::store::ReplayStore for AcceptEveryJti {
    fn check_and_record(
        &self,
        _key: &[u8],
        _ttl: std::time::Duration,
    ) -> Result<bool, fapi_profile::store::StoreError> {
        Ok(true)
    }
}

fn dpop_row() -> Row {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut row = Row::new(
        "5",
        "DPoP proof verify ES256 vs raw ring ES256 verify".to_owned(),
    );
    let proof = fixtures::dpop_proof();
    let (input, sig_b64) = proof.rsplit_once('.').unwrap_or_default();
    let sig = URL_SAFE_NO_PAD.decode(sig_b64).unwrap_or_default();
    let header = input.split('.').next().unwrap_or_default();
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap_or_default())
            .unwrap_or_default();
    let jwk_json = header["jwk"].to_string();
    let jwk = must(
        httpsig_core::keys::Jwk::from_json(jwk_json.as_bytes()),
        "dpop jwk",
    );
    let jkt = must(jwk.thumbprint_sha256(), "jkt");
    let point: Vec<u8> = [
        &[4u8][..],
        &URL_SAFE_NO_PAD
            .decode(header["jwk"]["x"].as_str().unwrap_or_default())
            .unwrap_or_default(),
        &URL_SAFE_NO_PAD
            .decode(header["jwk"]["y"].as_str().unwrap_or_default())
            .unwrap_or_default(),
    ]
    .concat();
    // The production htu check: forwarded-parser's matcher for the fixed external origin.
    let origin = must(
        forwarded_parser::Origin::parse("https://rs.example.com"),
        "origin",
    );
    let config = forwarded_parser::Config::fixed(origin);
    let headers: [(&str, &[u8]); 1] = [("host", b"rs.example.com")];
    let head = must(
        forwarded_parser::RequestHead::new(
            "POST",
            "/accounts/transactions?from=2024-01-01",
            &headers,
        ),
        "head",
    );
    let conn = forwarded_parser::ConnectionFacts::new(std::net::IpAddr::from([10, 0, 0, 3]), true);
    let htu = must(forwarded_parser::resolve(&config, &conn, &head), "resolve")
        .request
        .htu_matcher();
    let verifier = fapi_profile::dpop::DpopVerifier::new(Arc::new(AcceptEveryJti));
    let auth = format!("DPoP {}", fixtures::ACCESS_TOKEN);
    let p = proof.clone();
    row.ours = Some(plain(move || {
        let dpop = [p.as_bytes()];
        let authz = [auth.as_bytes()];
        let req = fapi_profile::dpop::DpopRequest::new("POST", &htu, NOW)
            .dpop_fields(&dpop)
            .authorization_fields(&authz)
            .token_jkt(Some(&jkt));
        // Verify and commit, as a resource server does for a granted request.
        verifier
            .verify(&req)
            .and_then(fapi_profile::dpop::PendingProof::commit)
            .map(|v| v.iat)
    }));
    let (msg, s) = (input.to_owned(), sig);
    row.ring = Some(plain(move || {
        ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, &point)
            .verify(msg.as_bytes(), &s)
    }));
    row
}

fn group5(filter: Filter<'_>, out: &mut Vec<Row>) {
    let trust = || {
        forwarded_parser::Trust::cidrs([must(
            "10.0.0.0/8".parse::<forwarded_parser::Cidr>(),
            "cidr",
        )])
    };
    let name = "Forwarded: resolve a 3-hop chain (trusted proxies)";
    if filter("5", name) {
        out.push(forwarded_row(
            name,
            forwarded_parser::Config::forwarded(trust()),
            vec![
                ("host", b"backend:8080"),
                ("forwarded", FORWARDED_3HOP.as_bytes()),
            ],
        ));
    }
    let name = "X-Forwarded-*: resolve a 3-hop chain (trusted proxies)";
    if filter("5", name) {
        out.push(forwarded_row(
            name,
            forwarded_parser::Config::x_forwarded(
                trust(),
                forwarded_parser::XfOptions::new().host(true),
            ),
            vec![
                ("host", b"backend:8080"),
                ("x-forwarded-for", b"203.0.113.7, 10.0.0.1, 10.0.0.2"),
                ("x-forwarded-proto", b"https"),
                ("x-forwarded-host", b"api.example.com"),
            ],
        ));
    }
    let name = "DPoP proof verify ES256 vs raw ring ES256 verify";
    if filter("5", name) {
        out.push(dpop_row());
    }
}

// ---------------------------------------------------------------------------------------------
// Group 7: hostile requests at the caps

/// The normal verify that group 7's hostile rows are compared with (same key, same policy).
pub const HOSTILE_REFERENCE: &str = "verify ed25519, B.2.5 request";

/// A request to `B25_TARGET` with these extra header lines and a `Signature` for `sig1` that
/// is 64 zero bytes (it never verifies: every row ends in a refusal).
fn hostile_request(target: &str, headers: Headers) -> http::Request<Bytes> {
    let mut b = http::Request::post(target)
        .header("host", "example.com")
        .header("date", "Tue, 20 Apr 2021 02:07:55 GMT")
        .header("content-type", "application/json");
    let has_sig = headers.iter().any(|(n, _)| *n == "signature");
    for (n, v) in headers {
        b = b.header(n, v);
    }
    if !has_sig {
        b = b.header("signature", format!("sig1=:{}==:", "A".repeat(86)));
    }
    must(
        b.body(Bytes::from_static(br#"{"hello": "world"}"#)),
        "hostile request",
    )
}

/// Extra header lines of a hostile request.
type Headers = Vec<(&'static str, String)>;

/// A `Content-Digest` field and a `Signature-Input` covering it.
fn covered_digest(field: String) -> Headers {
    vec![
        ("content-digest", field),
        (
            "signature-input",
            format!(r#"sig1=("content-digest"){HOSTILE_PARAMS}"#),
        ),
    ]
}

/// A field of `len` bytes for each name, and a `Signature-Input` covering them all.
fn covered_fields(names: &[&'static str], len: usize) -> Headers {
    let mut h: Headers = names.iter().map(|n| (*n, "b".repeat(len))).collect();
    let inner: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
    h.push((
        "signature-input",
        format!("sig1=({}){HOSTILE_PARAMS}", inner.join(" ")),
    ));
    h
}

/// The parameters that start every hostile `Signature-Input` member.
const HOSTILE_PARAMS: &str = r#";created=1618884473;keyid="test-key-ed25519""#;

fn hostile_row(
    name: &str,
    key: &Rc<KeyTriple>,
    req: http::Request<Bytes>,
    expect: &'static str,
    target: &str,
) -> Row {
    let mut row = Row::new("7", name.to_owned());
    row.crypto_free = true;
    let policy = VerifyPolicy::new(&[Alg::Ed25519.algorithm()], MaxAge::Unlimited).at(NOW);
    let k = Rc::clone(key);
    let target = target.to_owned();
    row.ours = Some(plain(move || {
        let view = RequestView::server(&req, &target).map_err(fail)?;
        match policy.verify(VerifyInput::new(&view).body(req.body()), &k.ours_verifier) {
            Err(e) if e.code() == expect => Ok(()),
            other => Err(format!("expected {expect}, got {:?}", other.map(|_| ()))),
        }
    }));
    row
}

fn group7(filter: Filter<'_>, keys: &mut Keys, out: &mut Vec<Row>) {
    const G: &str = "7";
    let mut rows: Vec<(&str, Headers, &'static str)> = Vec::new();
    let name = "hostile Signature-Input: 16 KiB member, thousands of parameters (refused at 33)";
    if filter(G, name) {
        let mut si = format!(r#"sig1=("@method"){HOSTILE_PARAMS}"#);
        let mut i = 0;
        while si.len() < 16 * 1024 - 8 {
            si.push_str(&format!(";p{i}"));
            i += 1;
        }
        rows.push((
            name,
            vec![("signature-input", si)],
            "limits.too_many_parameters",
        ));
    }
    let name = "hostile Signature-Input: 16 KiB, 10 signatures x 64 components, all parsed";
    if filter(G, name) {
        let comps: Vec<String> = (0..64)
            .map(|i| format!(r#""x-hostile-field-{i:02}""#))
            .collect();
        let member = format!("({}){HOSTILE_PARAMS}", comps.join(" "));
        let si: Vec<String> = (0..10).map(|l| format!("s{l}={member}")).collect();
        let si = si.join(", ");
        assert!(si.len() <= 16 * 1024, "{}", si.len());
        rows.push((name, vec![("signature-input", si)], "signature.ambiguous"));
    }
    let name = "hostile Content-Digest: 8 KiB, hundreds of members (refused at 17)";
    if filter(G, name) {
        let mut cd = String::from("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
        let mut i = 0;
        while cd.len() < 8 * 1024 - 16 {
            cd.push_str(&format!(", k{i}=:AA==:"));
            i += 1;
        }
        rows.push((name, covered_digest(cd), "digest.too_many_members"));
    }
    let name = "hostile Content-Digest: 8 KiB, 16 members, covered, checked, then crypto";
    if filter(G, name) {
        let fill = "A".repeat(8 * 1024 / 16 - 16);
        let mut cd = String::from("sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:");
        for i in 0..15 {
            cd.push_str(&format!(", k{i}=:{fill}:"));
        }
        assert!(cd.len() <= 8 * 1024, "{}", cd.len());
        rows.push((name, covered_digest(cd), "verify.invalid_signature"));
    }
    let name = "hostile base: 30 KB (three 10 KB fields), built, then crypto";
    if filter(G, name) {
        let h = covered_fields(&["x-b0", "x-b1", "x-b2"], 10_000);
        rows.push((name, h, "verify.invalid_signature"));
    }
    let name = "hostile base: over 32 KiB (four 10 KB fields), refused while built";
    if filter(G, name) {
        let h = covered_fields(&["x-b0", "x-b1", "x-b2", "x-b3"], 10_000);
        rows.push((name, h, "limits.base_too_large"));
    }
    let name = "hostile ;key: 64 members of one 8 KiB Dictionary field, then crypto";
    if filter(G, name) {
        let mut dict = String::new();
        let mut i = 0;
        while dict.len() < 8 * 1024 - 16 {
            if i > 0 {
                dict.push_str(", ");
            }
            dict.push_str(&format!("m{i}=1"));
            i += 1;
        }
        let comps: Vec<String> = (0..64).map(|i| format!(r#""x-d";key="m{i}""#)).collect();
        rows.push((
            name,
            vec![
                ("x-d", dict),
                (
                    "signature-input",
                    format!("sig1=({}){HOSTILE_PARAMS}", comps.join(" ")),
                ),
            ],
            "verify.invalid_signature",
        ));
    }
    let key = keys.get(Alg::Ed25519);
    for (name, headers, expect) in rows {
        out.push(hostile_row(
            name,
            &key,
            hostile_request(B25_TARGET, headers),
            expect,
            B25_TARGET,
        ));
    }
    let name = "hostile @query-param: 64 components over an 8 KiB query, then crypto";
    if filter(G, name) {
        let mut target = String::from(B25_TARGET);
        for i in 0..64 {
            target.push_str(&format!("&p{i}=1"));
        }
        while target.len() < 8 * 1024 {
            target.push_str("&x");
        }
        let comps: Vec<String> = (0..64)
            .map(|i| format!(r#""@query-param";name="p{i}""#))
            .collect();
        let headers = vec![(
            "signature-input",
            format!("sig1=({}){HOSTILE_PARAMS}", comps.join(" ")),
        )];
        let req = hostile_request(&target, headers);
        out.push(hostile_row(
            name,
            &key,
            req,
            "verify.invalid_signature",
            &target,
        ));
    }
}

/// Checks that every routine of every row succeeds once (a benchmark of an error path
/// measures the wrong thing).
///
/// # Errors
/// The first row and column whose routine failed, with its error.
pub fn check(rows: &mut [Row]) -> Result<(), String> {
    for row in rows.iter_mut() {
        let name = row.name.clone();
        for (col, r) in row.routines_mut() {
            r.run_once(&mut |op| op())
                .map_err(|e| format!("{name} [{col}]: {e}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_routine_succeeds_in_every_group() {
        let mut all = rows(&|_, _| true);
        check(&mut all).unwrap();
        for g in ["1", "2", "3", "4"] {
            assert!(
                all.iter().any(|r| r.group == g && r.ours.is_some()),
                "group {g}"
            );
        }
        let g5: Vec<&Row> = all.iter().filter(|r| r.group == "5").collect();
        assert_eq!(g5.len(), 3);
        // Group 7's rows each assert their refusal code, so `check` above proved every hostile
        // request is refused the way its name says; and the reference row exists.
        assert_eq!(all.iter().filter(|r| r.group == "7").count(), 8);
        assert!(all.iter().any(|r| r.name == HOSTILE_REFERENCE));
        assert!(g5.iter().all(|r| r.todo.is_none() && r.ours.is_some()));
        let mut names: Vec<&str> = all.iter().map(|r| r.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len(), "row names are unique");
    }

    #[test]
    fn the_b25_shape_signed_with_the_shared_secret_is_rfc9421_b25() {
        // Expected value: RFC 9421 Appendix B.2.5, as recorded in the conformance vectors.
        let vectors: serde_json::Value =
            serde_json::from_slice(&fixtures::key_file("signatures.json")).unwrap();
        let case = vectors["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "rfc9421-b2.5-hmac-sha256")
            .unwrap();
        let key = fixtures::load_key(Alg::HmacSha256);
        let signed = signed_b25(&key);
        assert_eq!(
            String::from_utf8_lossy(&signed.base),
            case["base"].as_str().unwrap()
        );
        assert_eq!(
            signed.req.headers()["signature"].to_str().unwrap(),
            format!("sig1=:{}:", case["signature"].as_str().unwrap())
        );
    }

    #[test]
    fn the_fapi_request_has_the_issue_shape() {
        let key = fixtures::load_key(Alg::Ed25519);
        let body = fixtures::json_body(1024);
        let dpop = fixtures::dpop_proof();
        assert_eq!(body.len(), 1024);
        assert!(
            (560..=640).contains(&dpop.len()),
            "DPoP is {} bytes",
            dpop.len()
        );
        let signed = signed_fapi(&key, &body, &dpop);
        let (params, _) = ours_parse(&signed.req).unwrap();
        assert_eq!(
            params.as_str(),
            format!(
                r#"{};created={};keyid="test-key-ed25519";tag="fapi-2-request""#,
                fixtures::FAPI_COMPONENTS,
                fixtures::CREATED
            )
        );
        assert!(
            signed.req.headers()["authorization"]
                .to_str()
                .unwrap()
                .starts_with("DPoP ")
        );
    }

    #[test]
    fn the_stubbed_row_really_skips_only_the_signature() {
        // A request whose signature is garbage verifies with the stub key but not with the
        // real one: the stub replaces the signature check and nothing else.
        let key = fixtures::load_key(Alg::Ed25519);
        let body = fixtures::json_body(1024);
        let mut req = fixtures::fapi_request(&body, &fixtures::dpop_proof());
        fixtures::sign_fapi(&mut req, key.ours_signer.as_ref());
        let garbage = format!("sig1=:{}:", "A".repeat(86) + "==");
        req.headers_mut()
            .insert("signature", http::HeaderValue::from_str(&garbage).unwrap());
        let view = RequestView::server(&req, FAPI_TARGET).unwrap();
        let verifier = RequestVerifier::new().at(NOW);
        let stub = OneClient {
            keyid: Alg::Ed25519.keyid(),
            key: Arc::new(fixtures::AcceptAnyKey(Alg::Ed25519)),
        };
        let real = OneClient {
            keyid: Alg::Ed25519.keyid(),
            key: Arc::clone(&key.ours_verifier),
        };
        assert!(verifier.verify(&view, &body, CLIENT_ID, &stub).is_ok());
        assert_eq!(
            verifier
                .verify(&view, &body, CLIENT_ID, &real)
                .unwrap_err()
                .code(),
            "verify.invalid_signature"
        );
        // The digest is still checked with the stub.
        assert!(verifier.verify(&view, b"{}", CLIENT_ID, &stub).is_err());
    }
}
