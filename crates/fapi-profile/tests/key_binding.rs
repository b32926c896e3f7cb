//! D-6 stricter mode: the HTTP-signature key must be the request's DPoP proof key.

use std::path::PathBuf;
use std::sync::Arc;

use fapi_profile::dpop::{DpopProofBuilder, DpopRequest, DpopVerifier, HtuCheck};
use fapi_profile::signatures::{RequestSigner, RequestVerifier};
use fapi_profile::store::MemoryReplayStore;
use httpsig_core::http::RequestView;
use httpsig_core::keys::PrivateKey;
use httpsig_core::{Algorithm, JwsAlgorithm};

const URI: &str = "https://rs.example.com/accounts";
const TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const NOW: i64 = 1_700_000_000;

fn data(path: &str) -> Vec<u8> {
    std::fs::read(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../conformance/testdata")
            .join(path),
    )
    .unwrap()
}

struct Exact;
impl HtuCheck for Exact {
    fn htu_matches(&self, claim: &str) -> bool {
        claim == URI
    }
}

fn signed_request(
    http_key: &PrivateKey,
) -> (http::Request<Vec<u8>>, fapi_profile::dpop::VerifiedProof) {
    let dpop_key = PrivateKey::from_pem(
        &data("keys/test-key-ecc-p256.pem"),
        Algorithm::Jws(JwsAlgorithm::Es256),
    )
    .unwrap();
    let jwk = data("dpop/keys/test-key-ecc-p256.pub.jwk.json");
    let proof = DpopProofBuilder::with_jwk(&dpop_key, &jwk)
        .unwrap()
        .htm("POST")
        .htu(URI)
        .ath(TOKEN)
        .iat(NOW)
        .build()
        .unwrap();
    let mut req = http::Request::post(URI)
        .header("authorization", format!("DPoP {TOKEN}"))
        .header("dpop", proof.as_str())
        .body(b"{}".to_vec())
        .unwrap();
    RequestSigner::new(http_key, "k")
        .sign(&mut req, NOW)
        .unwrap();
    let store = Arc::new(MemoryReplayStore::new(
        std::num::NonZeroUsize::new(16).unwrap(),
    ));
    let verifier = DpopVerifier::new(store);
    let dpop_lines = [proof.as_bytes()];
    let auth = format!("DPoP {TOKEN}");
    let auth_lines = [auth.as_bytes()];
    let verified = verifier
        .verify(
            &DpopRequest::new("POST", &Exact, NOW)
                .dpop_fields(&dpop_lines)
                .authorization_fields(&auth_lines)
                .token_jkt(Some("ydQXMtvbsOsZyFir-Y7A8t7fKEM1gbKPvyFkdpu4fvI")),
        )
        .and_then(fapi_profile::dpop::PendingProof::commit)
        .unwrap();
    (req, verified)
}

#[test]
fn signature_by_the_dpop_key_is_accepted() {
    let same = PrivateKey::from_pem(
        &data("keys/test-key-ecc-p256.pem"),
        Algorithm::EcdsaP256Sha256,
    )
    .unwrap();
    let (req, proof) = signed_request(&same);
    let view = RequestView::server(&req, URI).unwrap();
    let v = RequestVerifier::new()
        .at(NOW + 1)
        .verify_bound_to_dpop_key(&view, req.body(), &proof.jwk)
        .unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].algorithm(), Algorithm::EcdsaP256Sha256);
}

#[test]
fn signature_by_another_key_is_refused() {
    let other =
        PrivateKey::from_pem(&data("keys/test-key-ed25519.pem"), Algorithm::Ed25519).unwrap();
    let (req, proof) = signed_request(&other);
    let view = RequestView::server(&req, URI).unwrap();
    let e = RequestVerifier::new()
        .at(NOW + 1)
        .verify_bound_to_dpop_key(&view, req.body(), &proof.jwk)
        .unwrap_err();
    assert_eq!(e.code(), "verify.invalid_signature");
}
