//! One DPoP client (the conformance P-256 test key) and a request for it, for the store tests.

use std::path::PathBuf;

use fapi_profile::dpop::{
    DpopError, DpopProofBuilder, DpopRequest, DpopVerifier, HtuCheck, PendingProof,
};
use httpsig_core::keys::PrivateKey;
use httpsig_core::{Algorithm, JwsAlgorithm};

/// The target URI every proof here is made for.
pub(crate) const HTU: &str = "https://rs.example.com/r";
/// The access token every request presents.
pub(crate) const TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
/// RFC 7638 thumbprint of the key (conformance `thumbprints.json`, "ours-test-key-ecc-p256").
pub(crate) const JKT: &str = "ydQXMtvbsOsZyFir-Y7A8t7fKEM1gbKPvyFkdpu4fvI";

struct Exact;
impl HtuCheck for Exact {
    fn htu_matches(&self, claim: &str) -> bool {
        claim == HTU
    }
}

fn data(path: &str) -> Vec<u8> {
    let file = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../conformance/testdata")
        .join(path);
    std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

/// Now, in Unix seconds.
pub(crate) fn now() -> i64 {
    httpsig_core::unix_now()
}

/// A fresh proof (random `jti`) for `GET` [`HTU`] at `now`, with `nonce` if given.
pub(crate) fn proof(now: i64, nonce: Option<&str>) -> String {
    let key = PrivateKey::from_pem(
        &data("keys/test-key-ecc-p256.pem"),
        Algorithm::Jws(JwsAlgorithm::Es256),
    )
    .expect("test key");
    let mut builder =
        DpopProofBuilder::with_jwk(&key, &data("dpop/keys/test-key-ecc-p256.pub.jwk.json"))
            .expect("builder")
            .htm("GET")
            .htu(HTU)
            .ath(TOKEN)
            .iat(now);
    if let Some(n) = nonce {
        builder = builder.nonce(n);
    }
    builder.build().expect("proof")
}

/// `verifier.verify` on a request carrying `proof` and the token bound to [`JKT`].
pub(crate) fn verify(
    verifier: &DpopVerifier,
    proof: &str,
    now: i64,
) -> Result<PendingProof, DpopError> {
    let auth = format!("DPoP {TOKEN}");
    let dpop_lines = [proof.as_bytes()];
    let auth_lines = [auth.as_bytes()];
    let request = DpopRequest::new("GET", &Exact, now)
        .dpop_fields(&dpop_lines)
        .authorization_fields(&auth_lines)
        .token_jkt(Some(JKT));
    verifier.verify(&request)
}

/// The single-use nonce contract, on two verifier instances that share the nonce secret and the
/// replay store (`a` and `b` are built with [`fapi_profile::dpop::NonceMode::RequireSingleUse`]
/// and an async store): a nonce is accepted once, on either instance; its second use is
/// `dpop.nonce_reused`, answered with `use_dpop_nonce` and a fresh nonce that works (once).
pub(crate) async fn single_use_nonce_contract(a: &DpopVerifier, b: &DpopVerifier) {
    let now = now();
    // No nonce yet: the challenge hands one out.
    let err = verify(a, &proof(now, None), now).unwrap_err();
    assert_eq!(err.code(), "dpop.nonce_required");
    let nonce = a
        .challenge(&err, now)
        .dpop_nonce
        .expect("a nonce in the challenge");

    // First use, on A: accepted.
    let first = verify(a, &proof(now, Some(&nonce)), now).expect("valid proof");
    let verified = first.commit_async().await.expect("first use of the nonce");
    assert_eq!(verified.nonce.as_deref(), Some(nonce.as_str()));

    // Second use with a new proof (new jti), on A and on B: refused, and the HMAC check alone
    // would have accepted it (verify passes; the commit refuses).
    for (name, v) in [("same instance", a), ("other instance", b)] {
        let again = verify(v, &proof(now, Some(&nonce)), now).expect("still a valid nonce");
        let err = again.commit_async().await.unwrap_err();
        assert_eq!(err.code(), "dpop.nonce_reused", "{name}");
        let challenge = v.challenge(&err, now);
        assert_eq!(challenge.status, 401, "{name}");
        assert!(
            challenge
                .www_authenticate
                .as_deref()
                .is_some_and(|w| w.contains("error=\"use_dpop_nonce\"")),
            "{name}: {challenge:?}"
        );
        let fresh = challenge.dpop_nonce.expect("a fresh nonce");
        assert_ne!(fresh, nonce, "{name}");
        // The fresh nonce works once, by the client-scoped commit too.
        let ok = verify(v, &proof(now, Some(&fresh)), now).expect("valid proof");
        ok.commit_for_client_async("client-a")
            .await
            .expect("fresh nonce, first use");
        let reused = verify(v, &proof(now, Some(&fresh)), now).expect("valid proof");
        assert_eq!(
            reused
                .commit_for_client_async("client-a")
                .await
                .unwrap_err()
                .code(),
            "dpop.nonce_reused",
            "{name}"
        );
    }
}
