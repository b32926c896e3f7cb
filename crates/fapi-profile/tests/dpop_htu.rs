//! The production `htu` check (`impl HtuCheck for forwarded_parser::HtuMatcher`) through the
//! DPoP verifier, behind a TLS-terminating proxy: the reference §8.2 resource-endpoint `htu`
//! cases (OpenID conformance suite `FAPI2SPFinalDpopNegativeTests`) and the DP-9 table.
//! Expected outcomes come from the reference (success / reject), not from our output.

use std::path::PathBuf;
use std::sync::Arc;

use fapi_profile::dpop::{DpopError, DpopProofBuilder, DpopRequest, DpopVerifier, HtuCheck};
use fapi_profile::store::MemoryReplayStore;
use forwarded_parser::{Config, ConnectionFacts, RequestHead, Trust, resolve};
use httpsig_core::keys::PrivateKey;
use httpsig_core::{Algorithm, JwsAlgorithm};

const TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const NOW: i64 = 1_700_000_000;
/// Python hashlib over the RFC 7638 JSON (thumbprints.json "ours-test-key-ecc-p256").
const ES256_JKT: &str = "ydQXMtvbsOsZyFir-Y7A8t7fKEM1gbKPvyFkdpu4fvI";

fn data(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../conformance/testdata")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The matcher for the client-facing request `GET https://rs.example.com/accounts/123?page=2`
/// (the rs-cases.json baseline), as the backend sees it behind a proxy at 10.0.0.1 that sends
/// `Forwarded: proto=https;host=rs.example.com` (RFC 7239 §5.3, §5.4).
fn matcher() -> forwarded_parser::HtuMatcher {
    let headers: &[(&str, &[u8])] = &[
        ("host", b"backend:8080"),
        (
            "forwarded",
            b"for=198.51.100.7;proto=https;host=rs.example.com",
        ),
    ];
    let head = RequestHead::new("GET", "/accounts/123?page=2", headers).expect("head");
    let cfg = Config::forwarded(Trust::cidrs(["10.0.0.0/8".parse().expect("cidr")]));
    let conn = ConnectionFacts::new("10.0.0.1".parse().expect("ip"), false);
    let resolved = resolve(&cfg, &conn, &head).expect("resolve");
    assert_eq!(
        resolved.request.target_uri(),
        "https://rs.example.com/accounts/123?page=2"
    );
    resolved.request.htu_matcher()
}

fn verify(htu_claim: &str, m: &dyn HtuCheck) -> Result<(), DpopError> {
    let key = PrivateKey::from_pem(
        &data("keys/test-key-ecc-p256.pem"),
        Algorithm::Jws(JwsAlgorithm::Es256),
    )
    .expect("key");
    let jwk = data("dpop/keys/test-key-ecc-p256.pub.jwk.json");
    let proof = DpopProofBuilder::with_jwk(&key, &jwk)
        .expect("builder")
        .htm("GET")
        .htu(htu_claim)
        .ath(TOKEN)
        .iat(NOW)
        .build()
        .expect("build");
    let dpop = [proof.as_bytes()];
    let auth_line = format!("DPoP {TOKEN}");
    let auth = [auth_line.as_bytes()];
    let req = DpopRequest::new("GET", m, NOW)
        .dpop_fields(&dpop)
        .authorization_fields(&auth)
        .token_jkt(Some(ES256_JKT));
    DpopVerifier::new(Arc::new(MemoryReplayStore::new(
        std::num::NonZeroUsize::new(16).expect("non-zero"),
    )))
    .verify(&req)
    .and_then(fapi_profile::dpop::PendingProof::commit)
    .map(|_| ())
}

#[test]
fn reference_8_2_htu_success_cases_pass_the_production_matcher() {
    let m = matcher();
    for (case, claim) in [
        (
            "htu without the request's query/fragment",
            "https://rs.example.com/accounts/123",
        ),
        (
            "htu with added ?query#fragment (FAILURE if rejected)",
            "https://rs.example.com/accounts/123?foo=bar#frag",
        ),
        (
            "upper-case scheme+host",
            "HTTPS://RS.EXAMPLE.COM/accounts/123",
        ),
        (
            "explicit default port",
            "https://rs.example.com:443/accounts/123",
        ),
        (
            "DP-9: %-encoded unreserved character",
            "https://rs.example.com/%61ccounts/123",
        ),
    ] {
        assert!(m.htu_matches(claim), "{case}: {claim}");
        assert_eq!(verify(claim, &m), Ok(()), "{case}: {claim}");
    }
}

#[test]
fn reference_htu_rejections_through_the_production_matcher() {
    let m = matcher();
    for (case, claim) in [
        (
            "§8.2 htu different URL",
            "https://rs.example.com/accounts/124",
        ),
        (
            "DP-9 path is case-sensitive",
            "https://rs.example.com/Accounts/123",
        ),
        ("DP-9 other scheme", "http://rs.example.com/accounts/123"),
        (
            "DP-9 other port",
            "https://rs.example.com:8443/accounts/123",
        ),
        ("DP-9 other host", "https://other.example.com/accounts/123"),
        // The backend's own view must not match: the proof names the client-facing URI.
        ("backend URI", "http://backend:8080/accounts/123"),
        // forwarded-parser POLICY: dot-segments never match (the reference's SHOULD to
        // resolve them is declined; see forwarded_parser::HtuMatcher).
        ("dot-segment", "https://rs.example.com/accounts/./123"),
    ] {
        assert!(!m.htu_matches(claim), "{case}: {claim}");
        assert_eq!(
            verify(claim, &m).map_err(|e| e.code()),
            Err("dpop.htu"),
            "{case}: {claim}"
        );
    }
}
