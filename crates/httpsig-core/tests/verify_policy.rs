//! Verification policy: every violation reported, alg agreement, expiry, digest checks that
//! cannot silently pass, selection by label and tag, and signing twice keeping both signatures.

use std::sync::Arc;

use httpsig_core::keys::{HmacKey, PrivateKey};
use httpsig_core::{
    Algorithm, BaseOptions, Component, Derived, Error, HttpMessage, MaxAge, Message, NonceCheck,
    Selection, SignatureParams, SigningKey, VerifyInput, VerifyPolicy, Violation,
};

fn ed25519() -> PrivateKey {
    let pem = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../conformance/testdata/keys/test-key-ed25519.pem"
    ))
    .unwrap();
    PrivateKey::from_pem(&pem, Algorithm::Ed25519)
        .unwrap()
        .with_key_id("test-key-ed25519")
}

const BODY: &[u8] = b"{\"hello\": \"world\"}";
// RFC 9530 Appendix D: sha-256 of the 18-byte body without LF.
const DIGEST: &str = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";

fn request() -> Message {
    let mut m = Message::request("POST", "https://example.com/foo?a=1").unwrap();
    m.add_header("Content-Digest", DIGEST);
    m.add_header("Content-Type", "application/json");
    m.set_body(BODY);
    m
}

fn signed(mut m: Message, label: &str, params: SignatureParams, key: &dyn SigningKey) -> Message {
    let s = httpsig_core::sign(&m, None, label, params, key, &BaseOptions::default()).unwrap();
    let si = httpsig_core::append_member(
        m.header("signature-input").as_deref(),
        &s.signature_input_member(),
    );
    let sg = httpsig_core::append_member(m.header("signature").as_deref(), &s.signature_member());
    m.set_header("Signature-Input", Some(si));
    m.set_header("Signature", Some(sg));
    m
}

fn params() -> httpsig_core::SignatureParamsBuilder {
    SignatureParams::builder()
        .component(Component::derived(Derived::Method))
        .component(Component::derived(Derived::TargetUri))
        .component(Component::field("content-digest").unwrap())
        .keyid("test-key-ed25519")
}

fn policy() -> VerifyPolicy {
    VerifyPolicy::new(&[Algorithm::Ed25519], MaxAge::Seconds(60)).at(1_000_100)
}

#[test]
fn valid_signature_verifies_and_tamper_fails() {
    let key = ed25519();
    let m = signed(
        request(),
        "sig1",
        params().created(1_000_090).build().unwrap(),
        &key,
    );
    let pk = key.public_key();
    let v = policy()
        .verify(VerifyInput::new(&m).body(BODY), &pk)
        .unwrap();
    assert_eq!(v.label(), "sig1");
    assert_eq!(v.algorithm(), Algorithm::Ed25519);

    let mut t = m.clone();
    t.set_header("Content-Type", Some(b"text/plain".to_vec()));
    // content-type is not covered: still valid.
    assert!(
        policy()
            .verify(VerifyInput::new(&t).body(BODY), &pk)
            .is_ok()
    );
    let mut t = m;
    t.set_header(
        "Content-Digest",
        Some(b"sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:".to_vec()),
    );
    let e = policy()
        .verify(VerifyInput::new(&t).body(b"{\"hello\": \"world\"}\n"), &pk)
        .unwrap_err();
    assert_eq!(e, Error::InvalidSignature);
}

#[test]
fn covered_digest_is_checked_and_never_silently_passes() {
    let key = ed25519();
    let m = signed(
        request(),
        "sig1",
        params().created(1_000_090).build().unwrap(),
        &key,
    );
    let pk = key.public_key();
    let e = policy()
        .verify(VerifyInput::new(&m).body(b"{\"hello\": \"w0rld\"}"), &pk)
        .unwrap_err();
    assert_eq!(e.code(), "digest.mismatch");
    let e = policy().verify(VerifyInput::new(&m), &pk).unwrap_err();
    assert_eq!(e.code(), "verify.body_required");
    assert!(
        policy()
            .digest_checked_by_caller()
            .verify(VerifyInput::new(&m), &pk)
            .is_ok()
    );
}

#[test]
fn every_violation_is_reported_before_crypto() {
    let key = ed25519();
    let p = SignatureParams::builder()
        .component(Component::derived(Derived::Method))
        .created(1_000_000)
        .expires(1_000_050)
        .build()
        .unwrap();
    let m = signed(request(), "sig1", p, &key);
    let pol = VerifyPolicy::new(&[Algorithm::EcdsaP256Sha256], MaxAge::Seconds(60))
        .at(1_000_100)
        .require_component(Component::derived(Derived::TargetUri))
        .require_param(httpsig_core::ParamName::Nonce)
        .allow_tags(&["fapi-2-request"]);
    let e = pol
        .verify(
            VerifyInput::new(&m).select(Selection::Label("sig1")),
            &key.public_key(),
        )
        .unwrap_err();
    let Error::Policy(v) = &e else {
        panic!("{e:?}")
    };
    let codes: Vec<_> = v.as_slice().iter().map(Violation::code).collect();
    assert_eq!(
        codes,
        [
            "policy.missing_component",
            "policy.missing_parameter",
            "policy.created_too_old",
            "policy.expired",
            "policy.tag_not_allowed",
            "policy.alg_not_allowed"
        ]
    );
    assert_eq!(e.http_status(), 401);
}

#[test]
fn created_window_edges() {
    let key = ed25519();
    let pk = key.public_key();
    for (created, ok) in [
        (1_000_040, true),
        (1_000_039, false),
        (1_000_105, true),
        (1_000_106, false),
    ] {
        let m = signed(
            request(),
            "sig1",
            params().created(created).build().unwrap(),
            &key,
        );
        let r = policy().verify(VerifyInput::new(&m).body(BODY), &pk);
        assert_eq!(r.is_ok(), ok, "created={created}: {r:?}");
    }
}

#[test]
fn alg_parameter_must_agree_with_the_key() {
    let key = ed25519();
    let m = signed(
        request(),
        "sig1",
        params()
            .created(1_000_090)
            .alg(Algorithm::Ed25519)
            .build()
            .unwrap(),
        &key,
    );
    assert!(
        policy()
            .verify(VerifyInput::new(&m).body(BODY), &key.public_key())
            .is_ok()
    );
    // Rewrite the alg parameter: the bytes are fine under the key, but the claim disagrees.
    let si = String::from_utf8(m.header("signature-input").unwrap())
        .unwrap()
        .replace("alg=\"ed25519\"", "alg=\"ecdsa-p256-sha256\"");
    let mut t = m;
    t.set_header("Signature-Input", Some(si.into_bytes()));
    let e = policy()
        .verify(VerifyInput::new(&t).body(BODY), &key.public_key())
        .unwrap_err();
    assert_eq!(e.code(), "verify.alg_mismatch");
    // Signing with a disagreeing alg is refused too.
    let p = params()
        .param(
            "alg",
            httpsig_core::ParamValue::String("hmac-sha256".into()),
        )
        .build()
        .unwrap();
    let e =
        httpsig_core::sign(&request(), None, "s", p, &key, &BaseOptions::default()).unwrap_err();
    assert_eq!(e.code(), "verify.alg_mismatch");
}

#[test]
fn second_signature_keeps_the_first_and_labels_select() {
    let key = ed25519();
    let hmac = HmacKey::new(&[7u8; 32]).unwrap().with_key_id("shared");
    let m = signed(
        request(),
        "sig1",
        params().created(1_000_090).tag("a").build().unwrap(),
        &key,
    );
    let e = httpsig_core::sign(
        &m,
        None,
        "sig1",
        params().build().unwrap(),
        &key,
        &BaseOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "sign.label_exists");
    let label = httpsig_core::fresh_label(&m, "sig", &BaseOptions::default()).unwrap();
    assert_eq!(label, "sig2");
    let m = signed(
        m,
        &label,
        SignatureParams::builder()
            .component(Component::derived(Derived::Method))
            .created(1_000_095)
            .tag("b")
            .keyid("shared")
            .build()
            .unwrap(),
        &hmac,
    );
    let pk = key.public_key();
    let both = VerifyPolicy::new(
        &[Algorithm::Ed25519, Algorithm::HmacSha256],
        MaxAge::Seconds(60),
    )
    .at(1_000_100);
    assert_eq!(
        both.verify(VerifyInput::new(&m).body(BODY), &pk)
            .unwrap_err()
            .code(),
        "signature.ambiguous"
    );
    assert_eq!(
        both.verify(
            VerifyInput::new(&m).body(BODY).select(Selection::Tag("a")),
            &pk
        )
        .unwrap()
        .label(),
        "sig1"
    );
    assert_eq!(
        both.verify(VerifyInput::new(&m).select(Selection::Label("sig2")), &hmac)
            .unwrap()
            .label(),
        "sig2"
    );
    assert_eq!(
        both.verify(VerifyInput::new(&m).select(Selection::Label("sig2")), &pk)
            .unwrap_err()
            .code(),
        "verify.key_not_found"
    );
    assert_eq!(
        both.verify(VerifyInput::new(&m).select(Selection::Label("nope")), &pk)
            .unwrap_err()
            .code(),
        "signature.label_not_found"
    );
    assert_eq!(
        both.verify(VerifyInput::new(&m).select(Selection::Tag("zzz")), &pk)
            .unwrap_err()
            .code(),
        "signature.no_match"
    );
    assert!(m.header("signature").unwrap().starts_with(b"sig1=:"));
}

#[test]
fn missing_signature_fields() {
    let e = policy()
        .verify(VerifyInput::new(&request()), &ed25519().public_key())
        .unwrap_err();
    assert_eq!(e.code(), "signature.missing");
}

struct Once(std::sync::Mutex<Vec<String>>);
impl NonceCheck for Once {
    fn check(&self, nonce: Option<&str>, _: &SignatureParams) -> bool {
        let Some(n) = nonce else { return false };
        let mut seen = self.0.lock().unwrap();
        if seen.iter().any(|s| s == n) {
            return false;
        }
        seen.push(n.to_owned());
        true
    }
}

#[test]
fn nonce_hook_runs_after_crypto() {
    let key = ed25519();
    let m = signed(
        request(),
        "sig1",
        params().created(1_000_090).nonce("n-1").build().unwrap(),
        &key,
    );
    let store = Arc::new(Once(std::sync::Mutex::new(Vec::new())));
    let pol = policy().nonce_check(store.clone());
    // A forged copy must not burn the nonce.
    let forged_sig = String::from_utf8(m.header("signature").unwrap())
        .unwrap()
        .replacen(":", ":AAAA", 1);
    let mut forged = m.clone();
    forged.set_header("Signature", Some(forged_sig.into_bytes()));
    assert!(
        pol.verify(VerifyInput::new(&forged).body(BODY), &key.public_key())
            .is_err()
    );
    assert!(store.0.lock().unwrap().is_empty());
    assert!(
        pol.verify(VerifyInput::new(&m).body(BODY), &key.public_key())
            .is_ok()
    );
    let e = pol
        .verify(VerifyInput::new(&m).body(BODY), &key.public_key())
        .unwrap_err();
    assert_eq!(e.code(), "policy.nonce_rejected");
}

#[test]
fn response_with_req_components() {
    let key = ed25519();
    let req = request();
    let mut res = Message::response(200);
    res.add_header("Content-Type", "application/json");
    let p = SignatureParams::builder()
        .component(Component::derived(Derived::Status))
        .component(Component::derived(Derived::Method).with_req().unwrap())
        .component(
            Component::field("content-digest")
                .unwrap()
                .with_req()
                .unwrap(),
        )
        .created(1_000_090)
        .build()
        .unwrap();
    let s = httpsig_core::sign(
        &res,
        Some(&req),
        "res",
        p.clone(),
        &key,
        &BaseOptions::default(),
    )
    .unwrap();
    let base = String::from_utf8(s.base().to_vec()).unwrap();
    assert!(
        base.starts_with(&format!(
            "\"@status\": 200\n\"@method\";req: POST\n\"content-digest\";req: {DIGEST}\n"
        )),
        "{base}"
    );
    res.add_header("Signature-Input", s.signature_input_member());
    res.add_header("Signature", s.signature_member());
    assert!(
        policy()
            .verify(
                VerifyInput::new(&res).related(&req).related_body(BODY),
                &key.public_key()
            )
            .is_ok()
    );
    // The covered request digest is checked against the request's content (RFC 9421 §7.2.8):
    // without it verification fails closed, and another request body does not match.
    assert_eq!(
        policy()
            .verify(VerifyInput::new(&res).related(&req), &key.public_key())
            .unwrap_err()
            .code(),
        "verify.related_body_required"
    );
    assert_eq!(
        policy()
            .verify(
                VerifyInput::new(&res).related(&req).related_body(b"{}"),
                &key.public_key()
            )
            .unwrap_err()
            .code(),
        "digest.mismatch"
    );
    assert_eq!(
        policy()
            .verify(VerifyInput::new(&res), &key.public_key())
            .unwrap_err()
            .code(),
        "component.related_request_missing"
    );
    // `;req` in a request signature is refused for signer and verifier alike.
    let e =
        httpsig_core::sign(&req, Some(&req), "x", p, &key, &BaseOptions::default()).unwrap_err();
    assert_eq!(e.code(), "component.status_in_request");
    let p = SignatureParams::builder()
        .component(Component::derived(Derived::Method).with_req().unwrap())
        .build()
        .unwrap();
    let e =
        httpsig_core::sign(&req, Some(&req), "x", p, &key, &BaseOptions::default()).unwrap_err();
    assert_eq!(e.code(), "component.req_in_request");
    assert!(res.status().is_some());
}

/// Issue 10 §1 through the `http` adapter: a digest covered with `;tr` is read from the
/// trailers given to `RequestView::with_trailers`, not from the header section.
#[test]
fn trailer_digest_through_the_http_adapter() {
    let key = ed25519();
    let uri = "https://example.com/foo?a=1";
    let mut trailers = http::HeaderMap::new();
    trailers.insert("content-digest", http::HeaderValue::from_static(DIGEST));
    let mut req = http::Request::post(uri).body(BODY.to_vec()).unwrap();
    let params = SignatureParams::builder()
        .component(Component::derived(Derived::Method))
        .component(Component::derived(Derived::TargetUri))
        .component(
            Component::field("content-digest")
                .unwrap()
                .with_tr()
                .unwrap(),
        )
        .keyid("test-key-ed25519")
        .created(1_000_090)
        .build()
        .unwrap();
    let view = httpsig_core::http::RequestView::client(&req)
        .unwrap()
        .with_trailers(&trailers);
    let signed =
        httpsig_core::sign(&view, None, "sig1", params, &key, &BaseOptions::default()).unwrap();
    httpsig_core::http::attach(req.headers_mut(), &signed).unwrap();
    let pk = key.public_key();
    let verify = |req: &http::Request<Vec<u8>>, trailers: &http::HeaderMap| {
        let view = httpsig_core::http::RequestView::server(req, uri)
            .unwrap()
            .with_trailers(trailers);
        policy()
            .verify(VerifyInput::new(&view).body(req.body()), &pk)
            .map(|_| ())
            .map_err(|e| e.code())
    };
    // The legitimate message, with its digest only in the trailer section, verifies.
    assert_eq!(verify(&req, &trailers), Ok(()));
    // The forgery: another body, a header digest for it, the signed trailer untouched.
    let mut forged = req.clone();
    *forged.body_mut() = b"{\"hello\": \"attacker\"}".to_vec();
    let swapped = httpsig_core::digest::header_value(
        &[httpsig_core::digest::DigestAlgorithm::Sha256],
        forged.body(),
    );
    forged.headers_mut().insert(
        "content-digest",
        http::HeaderValue::from_str(&swapped).unwrap(),
    );
    assert_eq!(verify(&forged, &trailers), Err("digest.mismatch"));
    // Without the trailers the covered field is absent: refused.
    assert_eq!(
        verify(&req, &http::HeaderMap::new()),
        Err("component.field_absent")
    );
}

/// Signing into a message whose `Signature` field is malformed is an error, not "the label is
/// free" (issue 10 §5's sweep for `.ok()` on decisions).
#[test]
fn signing_next_to_a_malformed_signature_field_fails() {
    let key = ed25519();
    let mut m = request();
    m.add_header("Signature-Input", "other=();created=1");
    m.add_header("Signature", "other=:not base64");
    let e = httpsig_core::sign(
        &m,
        None,
        "sig1",
        params().created(1_000_090).build().unwrap(),
        &key,
        &BaseOptions::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "parse.signature");
}
