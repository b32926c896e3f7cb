//! Response signing and verification on `http::Response`, checked against the message-text
//! path (`sign_message`, which the FAPI vectors pin byte for byte) and against tampering.

use std::path::PathBuf;

use fapi_profile::signatures::{RequestSigner, ResponseSigner, ResponseVerifier};
use httpsig_core::http::RequestView;
use httpsig_core::keys::PrivateKey;
use httpsig_core::{Algorithm, Message};

fn key() -> PrivateKey {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../conformance/testdata/keys/test-key-ed25519.pem");
    let pem = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    PrivateKey::from_pem(&pem, Algorithm::Ed25519).expect("key")
}

fn signed_request(key: &PrivateKey) -> http::Request<Vec<u8>> {
    let mut req = http::Request::post("https://rs.example.com/payments?x=1")
        .header("authorization", "DPoP token")
        .header("dpop", "proof")
        .body(br#"{"amount":1}"#.to_vec())
        .expect("request");
    RequestSigner::new(key, "client-key")
        .sign(&mut req, 1_700_000_000)
        .expect("sign request");
    req
}

const BODY: &[u8] = br#"{"status":"accepted"}"#;

#[test]
fn http_response_signing_matches_the_message_path_and_verifies() {
    let key = key();
    let req = signed_request(&key);
    let view = RequestView::client(&req).expect("view");
    let signer = ResponseSigner::new(&key, "rs-key");

    let mut res = http::Response::builder()
        .status(201)
        .header("content-type", "application/json")
        .body(BODY.to_vec())
        .expect("response");
    let signed = signer
        .sign(&mut res, &view, req.body(), 1_700_000_001)
        .expect("sign");

    // What is attached: Content-Digest, one Signature-Input and one Signature member.
    let h = res.headers();
    assert_eq!(h.get_all("content-digest").iter().count(), 1);
    assert_eq!(h.get_all("signature-input").iter().count(), 1);
    assert_eq!(h.get_all("signature").iter().count(), 1);

    // The same response as message text signs to the same base and (Ed25519 is
    // deterministic) the same signature.
    let mut msg = Message::response(201).with_header("content-type", "application/json");
    msg.set_body(BODY);
    let via_message = signer
        .sign_message(&mut msg, &view, req.body(), 1_700_000_001)
        .expect("sign message");
    assert_eq!(signed.base(), via_message.base());
    assert_eq!(signed.signature(), via_message.signature());
    let base = String::from_utf8_lossy(signed.base()).into_owned();
    for line in [
        "\"@status\": 201",
        // RFC 9530 §2 over BODY: SHA-256 computed independently (Python hashlib).
        "\"content-digest\": sha-256=:C6fANWFJlGvwZC+rTvhblecJD294XQ+4QyPQxELlGQo=:",
        "\"@method\";req: POST",
        "\"@target-uri\";req: https://rs.example.com/payments?x=1",
        "tag=\"fapi-2-response\"",
    ] {
        assert!(base.contains(line), "base lacks {line:?}:\n{base}");
    }

    let verifier = ResponseVerifier::new().at(1_700_000_002);
    let pk = key.public_key();
    let ok = verifier
        .verify_response(&res, &view, req.body(), &pk)
        .expect("verifies");
    assert_eq!(ok.len(), 1);

    // A changed body is refused by the covered Content-Digest.
    let mut tampered = res.clone();
    *tampered.body_mut() = br#"{"status":"rejected"}"#.to_vec();
    let err = verifier
        .verify_response(&tampered, &view, req.body(), &pk)
        .expect_err("body swap");
    assert_eq!(err.code(), "digest.mismatch");

    // A changed status is refused by the signature.
    let mut tampered = res.clone();
    *tampered.status_mut() = http::StatusCode::OK;
    let err = verifier
        .verify_response(&tampered, &view, req.body(), &pk)
        .expect_err("status swap");
    assert_eq!(err.code(), "verify.invalid_signature");

    // Bound to this request: another request (other body) does not verify it.
    let mut other = signed_request(&key);
    *other.body_mut() = b"{}".to_vec();
    let other_view = RequestView::client(&other).expect("view");
    assert!(
        verifier
            .verify_response(&res, &other_view, other.body(), &pk)
            .is_err()
    );
}

#[test]
fn empty_response_body_gets_no_content_digest() {
    let key = key();
    let req = signed_request(&key);
    let view = RequestView::client(&req).expect("view");
    let mut res = http::Response::builder()
        .status(204)
        .body(Vec::new())
        .expect("response");
    ResponseSigner::new(&key, "rs-key")
        .sign(&mut res, &view, req.body(), 1_700_000_001)
        .expect("sign");
    assert!(res.headers().get("content-digest").is_none());
    ResponseVerifier::new()
        .at(1_700_000_002)
        .verify_response(&res, &view, req.body(), &key.public_key())
        .expect("verifies");
}
