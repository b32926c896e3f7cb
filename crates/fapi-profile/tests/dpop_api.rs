//! API-level tests for the DPoP verifier, builder and challenges that are not data vectors.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fapi_profile::dpop::{
    AuthScheme, DpopBuildError, DpopConfigError, DpopError, DpopProofBuilder, DpopRequest,
    DpopVerifier, HtuCheck, PendingProof, ProofMember, Thumbprint, replay_key,
};
use fapi_profile::jws::JwsError;
use fapi_profile::store::{ReplayStore, StoreError};
use httpsig_core::keys::{KeyError, PrivateKey};
use httpsig_core::{Algorithm, JwsAlgorithm};

const TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const HTU: &str = "https://rs.example.com/r";
const NOW: i64 = 1_700_000_000;

/// Records keys and the TTLs it was asked for (test double).
#[derive(Default)]
struct Recorder {
    seen: Mutex<HashSet<Vec<u8>>>,
    ttls: Mutex<Vec<Duration>>,
}

impl ReplayStore for Recorder {
    fn check_and_record(&self, key: &[u8], ttl: Duration) -> Result<bool, StoreError> {
        self.ttls
            .lock()
            .map_err(|_| StoreError::Unavailable)?
            .push(ttl);
        Ok(self
            .seen
            .lock()
            .map_err(|_| StoreError::Unavailable)?
            .insert(key.to_vec()))
    }
}

struct Exact;
impl HtuCheck for Exact {
    fn htu_matches(&self, claim: &str) -> bool {
        claim == HTU
    }
}

fn data(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../conformance/testdata")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn es256() -> (PrivateKey, Vec<u8>) {
    let key = PrivateKey::from_pem(
        &data("keys/test-key-ecc-p256.pem"),
        Algorithm::Jws(JwsAlgorithm::Es256),
    )
    .expect("key");
    (key, data("dpop/keys/test-key-ecc-p256.pub.jwk.json"))
}

/// Python hashlib over the RFC 7638 JSON (thumbprints.json "ours-test-key-ecc-p256").
const ES256_JKT: &str = "ydQXMtvbsOsZyFir-Y7A8t7fKEM1gbKPvyFkdpu4fvI";

fn proof(iat: i64) -> String {
    let (key, jwk) = es256();
    DpopProofBuilder::with_jwk(&key, &jwk)
        .expect("builder")
        .htm("GET")
        .htu(HTU)
        .ath(TOKEN)
        .iat(iat)
        .build()
        .expect("build")
}

fn verify_with(
    v: &DpopVerifier,
    dpop: &[&[u8]],
    auth: &[&[u8]],
    now: i64,
) -> Result<fapi_profile::dpop::VerifiedProof, DpopError> {
    let req = DpopRequest::new("GET", &Exact, now)
        .dpop_fields(dpop)
        .authorization_fields(auth)
        .token_jkt(Some(ES256_JKT));
    v.verify(&req).and_then(PendingProof::commit)
}

fn verifier() -> DpopVerifier {
    DpopVerifier::new(Arc::new(Recorder::default()))
}

#[test]
fn builder_proofs_verify_for_every_fapi_algorithm() {
    let auth = format!("DPoP {TOKEN}");
    for (pem, jwk, alg) in [
        (
            "keys/test-key-ecc-p256.pem",
            "dpop/keys/test-key-ecc-p256.pub.jwk.json",
            JwsAlgorithm::Es256,
        ),
        (
            "dpop/keys/ps256-rsa2048.pem",
            "dpop/keys/ps256-rsa2048.pub.jwk.json",
            JwsAlgorithm::Ps256,
        ),
        (
            "dpop/keys/ed25519.pem",
            "dpop/keys/ed25519.pub.jwk.json",
            JwsAlgorithm::EdDsa,
        ),
        (
            "dpop/keys/ed25519.pem",
            "dpop/keys/ed25519.pub.jwk.json",
            JwsAlgorithm::Ed25519,
        ),
    ] {
        let key = PrivateKey::from_pem(&data(pem), Algorithm::Jws(alg)).expect(pem);
        let jwk = data(jwk);
        let b = DpopProofBuilder::with_jwk(&key, &jwk)
            .expect("builder")
            .htm("GET")
            .htu(HTU)
            .ath(TOKEN)
            .iat(1_700_000_000);
        let (p1, p2) = (b.build().expect("build"), b.build().expect("build"));
        assert_ne!(p1, p2, "random jti");
        let jkt = httpsig_core::keys::Jwk::from_json(&jwk)
            .expect("jwk")
            .thumbprint_sha256()
            .expect("jkt");
        let v = verifier();
        let (d, a) = ([p1.as_bytes()], [auth.as_bytes()]);
        let req = DpopRequest::new("GET", &Exact, NOW)
            .dpop_fields(&d)
            .authorization_fields(&a)
            .token_jkt(Some(&jkt));
        let ok = v
            .verify(&req)
            .and_then(PendingProof::commit)
            .expect("verify");
        assert_eq!(ok.alg, alg);
        assert_eq!(ok.jti.len(), 22, "16 random bytes, base64url");
        assert_eq!(ok.iat, 1_700_000_000);
    }
}

#[test]
fn builder_refusals() {
    let (key, jwk) = es256();
    let rs256 = PrivateKey::from_pem(
        &data("dpop/keys/ps256-rsa2048.pem"),
        Algorithm::Jws(JwsAlgorithm::Rs256),
    )
    .expect("rs256");
    let rsa_jwk = data("dpop/keys/ps256-rsa2048.pub.jwk.json");
    assert_eq!(
        DpopProofBuilder::with_jwk(&rs256, &rsa_jwk).map(|_| ()),
        Err(DpopBuildError::Algorithm)
    );
    // A key loaded under its RFC 9421 name signs as the same JWS scheme (issue 11: the caller
    // does not pick the family twice); rsa-pss-sha512 has no FAPI JWS algorithm.
    let rfc9421_name = PrivateKey::from_pem(
        &data("keys/test-key-ecc-p256.pem"),
        Algorithm::EcdsaP256Sha256,
    )
    .expect("key");
    assert!(DpopProofBuilder::with_jwk(&rfc9421_name, &jwk).is_ok());
    let not_jws = PrivateKey::from_pem(&data("keys/test-key-rsa-pss.pem"), Algorithm::RsaPssSha512)
        .expect("key");
    assert_eq!(
        DpopProofBuilder::with_jwk(&not_jws, &rsa_jwk).map(|_| ()),
        Err(DpopBuildError::Algorithm)
    );
    assert_eq!(
        DpopProofBuilder::with_jwk(&key, &data("keys/test-key-ecc-p256.jwk.json")).map(|_| ()),
        Err(DpopBuildError::JwkPrivate)
    );
    // RFC 9449 Figure 13 key: a valid P-256 JWK that is not ours.
    let other = br#"{"kty":"EC","x":"l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs","y":"9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA","crv":"P-256"}"#;
    assert_eq!(
        DpopProofBuilder::with_jwk(&key, other).map(|_| ()),
        Err(DpopBuildError::KeyMismatch)
    );
    assert!(matches!(
        DpopProofBuilder::with_jwk(&key, &rsa_jwk),
        Err(DpopBuildError::Jwk(KeyError::AlgorithmMismatch { .. }))
    ));
    let b = DpopProofBuilder::with_jwk(&key, &jwk).expect("builder");
    assert_eq!(
        b.build(),
        Err(DpopBuildError::MissingClaim(ProofMember::Htm))
    );
    assert_eq!(
        DpopProofBuilder::with_jwk(&key, &jwk)
            .expect("b")
            .htm("GET")
            .build(),
        Err(DpopBuildError::MissingClaim(ProofMember::Htu))
    );
}

#[test]
fn rsa_below_2048_bits_cannot_sign_fapi_proofs() {
    // FAPI SP §5.4.1-2 (SP-9): httpsig-core refuses to load the key at all.
    let err = PrivateKey::from_pem(
        &data("dpop/keys/rsa1024.pem"),
        Algorithm::Jws(JwsAlgorithm::Ps256),
    )
    .expect_err("1024-bit RSA");
    assert_eq!(err, KeyError::RsaTooSmall { bits: 1024 });
}

#[test]
fn iat_window_is_configurable_and_capped() {
    let auth = format!("DPoP {TOKEN}");
    let a = [auth.as_bytes()];
    let check = |v: &DpopVerifier, offset: i64| {
        let p = proof(NOW + offset);
        verify_with(v, &[p.as_bytes()], &a, NOW).map(|_| ())
    };
    let wide = verifier()
        .iat_window(Duration::from_secs(300), Duration::from_secs(3600))
        .expect("window");
    assert_eq!(check(&wide, 60), Ok(()));
    assert_eq!(
        check(&wide, 61),
        Err(DpopError::IatInFuture { ahead: 61, max: 60 }),
        "future window capped at 60 s"
    );
    assert_eq!(check(&wide, -300), Ok(()));
    assert_eq!(
        check(&wide, -301),
        Err(DpopError::IatTooOld { age: 301, max: 300 })
    );
    let narrow = verifier()
        .iat_window(Duration::from_secs(5), Duration::ZERO)
        .expect("window");
    assert_eq!(check(&narrow, 0), Ok(()));
    assert_eq!(
        check(&narrow, 1),
        Err(DpopError::IatInFuture { ahead: 1, max: 0 })
    );
    assert_eq!(
        check(&narrow, -6),
        Err(DpopError::IatTooOld { age: 6, max: 5 })
    );
}

#[test]
fn replay_ttl_covers_the_iat_window() {
    let store = Arc::new(Recorder::default());
    let v = DpopVerifier::new(store.clone());
    let p = proof(1_700_000_000);
    let auth = format!("DPoP {TOKEN}");
    verify_with(&v, &[p.as_bytes()], &[auth.as_bytes()], NOW).expect("verify");
    assert_eq!(
        *store.ttls.lock().expect("lock"),
        vec![Duration::from_secs(60 + 10 + 1)]
    );
    // Length prefixes keep neighbouring parts apart; every part counts, the key included.
    let k = |jkt, jti, htm, htu| replay_key(jkt, jti, htm, htu);
    assert_ne!(k("k", "ab", "c", "x"), k("k", "a", "bc", "x"));
    assert_ne!(k("k", "a", "GET", "x"), k("k", "a", "POST", "x"));
    assert_ne!(k("k1", "a", "GET", "x"), k("k2", "a", "GET", "x"));
    assert_ne!(k("ka", "b", "GET", "x"), k("k", "ab", "GET", "x"));
    assert_eq!(k("k", "a", "GET", "x"), k("k", "a", "GET", "x"));
}

#[test]
fn authorization_syntax() {
    let p = proof(1_700_000_000);
    let d = [p.as_bytes()];
    for (auth, want) in [
        (format!("DPoP  {TOKEN}"), Ok(())),
        (format!("  DPoP {TOKEN}\t"), Ok(())),
        (format!("dPoP {TOKEN}"), Ok(())),
        ("DPoP".to_owned(), Err(DpopError::AuthorizationMalformed)),
        ("DPoP ".to_owned(), Err(DpopError::AuthorizationMalformed)),
        (
            format!("DPoP {TOKEN} x"),
            Err(DpopError::AuthorizationMalformed),
        ),
        (
            "DPoP a,b".to_owned(),
            Err(DpopError::AuthorizationMalformed),
        ),
        ("DPoP ==".to_owned(), Err(DpopError::AuthorizationMalformed)),
        (
            format!("Basic {TOKEN}"),
            Err(DpopError::Scheme(AuthScheme::Other)),
        ),
        (
            format!("bearer {TOKEN}"),
            Err(DpopError::Scheme(AuthScheme::Bearer)),
        ),
        // RFC 9110 §11.4: only SP separates the scheme from the token68; with a tab the
        // value is no `credentials` at all, so it is malformed (400), not another scheme.
        (
            format!("DPoP\t{TOKEN}"),
            Err(DpopError::AuthorizationMalformed),
        ),
    ] {
        let got = verify_with(&verifier(), &d, &[auth.as_bytes()], NOW).map(|_| ());
        assert_eq!(got, want, "{auth:?}");
    }
    let bad_utf8: &[u8] = b"DPoP \xff\xfe";
    assert_eq!(
        verify_with(&verifier(), &d, &[bad_utf8], NOW).map(|_| ()),
        Err(DpopError::AuthorizationMalformed)
    );
}

#[test]
fn builder_derives_the_public_jwk_and_takes_rfc9421_key_names() {
    // (key file, algorithm it is loaded under, RFC 7638 thumbprint from thumbprints.json)
    let cases = [
        (
            "keys/test-key-ecc-p256.pem",
            Algorithm::Jws(JwsAlgorithm::Es256),
            ES256_JKT,
        ),
        (
            "keys/test-key-ecc-p256.pem",
            Algorithm::EcdsaP256Sha256,
            ES256_JKT,
        ),
        (
            "keys/test-key-ed25519.pem",
            Algorithm::Ed25519,
            "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U",
        ),
        (
            "keys/test-key-ed25519.pem",
            Algorithm::Jws(JwsAlgorithm::EdDsa),
            "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U",
        ),
    ];
    let auth = format!("DPoP {TOKEN}");
    for (file, alg, jkt) in cases {
        let key = PrivateKey::from_pem(&data(file), alg).expect(file);
        let proof = DpopProofBuilder::new(&key)
            .expect("builder")
            .htm("GET")
            .htu(HTU)
            .ath(TOKEN)
            .iat(NOW)
            .build()
            .expect("build");
        let (d, a) = ([proof.as_bytes()], [auth.as_bytes()]);
        let req = DpopRequest::new("GET", &Exact, NOW)
            .dpop_fields(&d)
            .authorization_fields(&a)
            .token_jkt(Some(jkt));
        let got = verifier().verify(&req).and_then(PendingProof::commit);
        assert_eq!(got.map(|p| p.jkt), Ok(jkt.to_owned()), "{file} {alg:?}");
    }
    // RSA-PSS-SHA512 has no FAPI JWS algorithm (PS512 is not one).
    let rsa = PrivateKey::from_pem(&data("keys/test-key-rsa-pss.pem"), Algorithm::RsaPssSha512)
        .expect("rsa");
    assert_eq!(
        DpopProofBuilder::new(&rsa).map(|_| ()),
        Err(DpopBuildError::Algorithm)
    );
}

#[test]
fn from_http_request_reads_the_same_fields_as_lines() {
    let p = proof(1_700_000_000);
    let auth = format!("DPoP {TOKEN}");
    let req = http::Request::get(HTU)
        .header("authorization", &auth)
        .header("dpop", &p)
        .body(())
        .expect("request");
    let v = verifier();
    let dreq = DpopRequest::from_request(&req, &Exact, NOW).token_jkt(Some(ES256_JKT));
    assert_eq!(
        dreq.presented_token().map(|t| t.token()),
        Ok(TOKEN),
        "the token layer reads the token through the same reader"
    );
    let got = v
        .verify(&dreq)
        .and_then(PendingProof::commit)
        .expect("verifies");
    assert_eq!(got.jkt, ES256_JKT);
    // The same proof again is a replay, whichever constructor built the request.
    assert_eq!(
        verify_with(&v, &[p.as_bytes()], &[auth.as_bytes()], NOW).map(|_| ()),
        Err(DpopError::Replay)
    );

    // Two DPoP lines and two Authorization lines are counted from the header map.
    let mut two = req.map(|()| ());
    two.headers_mut().append("dpop", p.parse().expect("value"));
    let dreq = DpopRequest::from_request(&two, &Exact, NOW).token_jkt(Some(ES256_JKT));
    assert_eq!(
        verifier().verify(&dreq).map(|_| ()),
        Err(DpopError::Multiple { count: 2 })
    );
    two.headers_mut()
        .append("authorization", auth.parse().expect("value"));
    let dreq = DpopRequest::from_request(&two, &Exact, NOW).token_jkt(Some(ES256_JKT));
    assert_eq!(
        verifier().verify(&dreq).map(|_| ()),
        Err(DpopError::AuthorizationMultiple)
    );
    let none = http::Request::get(HTU).body(()).expect("request");
    let dreq = DpopRequest::from_request(&none, &Exact, NOW);
    assert_eq!(
        verifier().verify(&dreq).map(|_| ()),
        Err(DpopError::NoCredentials)
    );
}

#[test]
fn dpop_field_edge_cases() {
    let auth = format!("DPoP {TOKEN}");
    let a = [auth.as_bytes()];
    let p = proof(1_700_000_000);
    let padded = format!(" {p}\t");
    assert!(verify_with(&verifier(), &[padded.as_bytes()], &a, NOW).is_ok());
    let combined = format!("{p}, {p}");
    assert!(matches!(
        verify_with(&verifier(), &[combined.as_bytes()], &a, NOW),
        Err(DpopError::Malformed(_))
    ));
    assert_eq!(
        verify_with(&verifier(), &[b""], &a, NOW).map(|_| ()),
        Err(DpopError::Malformed(JwsError::PartCount { found: 1 }))
    );
    let small = verifier().max_proof_len(100);
    assert_eq!(
        verify_with(&small, &[p.as_bytes()], &a, NOW).map(|_| ()),
        Err(DpopError::Malformed(JwsError::TooLarge { max: 100 }))
    );
    let huge = verifier().max_proof_len(usize::MAX);
    let long = "A".repeat(9000);
    assert_eq!(
        verify_with(&huge, &[long.as_bytes()], &a, NOW).map(|_| ()),
        Err(DpopError::Malformed(JwsError::TooLarge { max: 8192 })),
        "cap cannot be raised"
    );
}

#[test]
fn token_binding_is_mandatory() {
    let p = proof(1_700_000_000);
    let auth = format!("DPoP {TOKEN}");
    let (d, a) = ([p.as_bytes()], [auth.as_bytes()]);
    let req = DpopRequest::new("GET", &Exact, NOW)
        .dpop_fields(&d)
        .authorization_fields(&a);
    assert_eq!(
        verifier().verify(&req).map(drop),
        Err(DpopError::TokenNotBound)
    );
    // Secrets stay out of Debug.
    let dbg = format!("{req:?}");
    assert!(!dbg.contains(TOKEN) && !dbg.contains(&p[..20]), "{dbg}");
}

#[test]
fn error_codes_are_unique_and_display_is_lower_case() {
    use fapi_profile::jws::JwsPart;
    let all = [
        DpopError::NoCredentials,
        DpopError::AuthorizationMultiple,
        DpopError::AuthorizationMalformed,
        DpopError::Scheme(AuthScheme::Bearer),
        DpopError::Missing,
        DpopError::Multiple { count: 2 },
        DpopError::Malformed(JwsError::EmptyPart(JwsPart::Header)),
        DpopError::MissingClaim(ProofMember::Jti),
        DpopError::InvalidClaim(ProofMember::Iat),
        DpopError::Typ,
        DpopError::AlgNotAllowed(None),
        DpopError::JwkPrivate,
        DpopError::JwkInvalid(KeyError::JwkUnsupportedKty),
        DpopError::Signature,
        DpopError::Htm,
        DpopError::Htu,
        DpopError::IatTooOld { age: 1, max: 0 },
        DpopError::IatInFuture { ahead: 1, max: 0 },
        DpopError::Replay,
        DpopError::Ath,
        DpopError::TokenNotBound,
        DpopError::JktMismatch,
        DpopError::NonceRequired {
            jkt: Thumbprint::new(ES256_JKT),
        },
        DpopError::NonceInvalid {
            jkt: Thumbprint::new(ES256_JKT),
        },
        DpopError::Store(StoreError::Unavailable),
    ];
    let codes: HashSet<&str> = all.iter().map(DpopError::code).collect();
    assert_eq!(codes.len(), all.len());
    for e in &all {
        let s = e.to_string();
        assert!(!s.ends_with('.'), "{s}");
        // Lower-case, except where the message starts with a proper name.
        let first = s.split(' ').next().unwrap_or_default();
        assert!(
            !first.starts_with(|c: char| c.is_ascii_uppercase())
                || ["DPoP", "DPoP-bound", "Authorization", "JWS"].contains(&first),
            "{s}"
        );
        let c = e.challenge(&[JwsAlgorithm::Es256], None);
        if let Some(w) = &c.www_authenticate {
            assert!(w.starts_with("DPoP"), "{w}");
            assert_eq!(w.matches('"').count() % 2, 0, "{w}");
        }
    }
}

#[test]
fn nonce_challenge_without_a_nonce_is_not_use_dpop_nonce() {
    // A client told `use_dpop_nonce` without a `DPoP-Nonce` could never recover.
    let jkt = Thumbprint::new(ES256_JKT);
    let c = DpopError::NonceRequired { jkt: jkt.clone() }.challenge(&[JwsAlgorithm::Es256], None);
    assert_eq!(c.status, 401);
    assert_eq!(c.dpop_nonce, None);
    assert_eq!(
        c.www_authenticate.as_deref(),
        Some(
            r#"DPoP error="invalid_dpop_proof", error_description="Invalid DPoP nonce", algs="ES256""#
        )
    );
    let c = DpopError::NonceInvalid { jkt }.challenge(&[], Some("n0nce".into()));
    assert_eq!(
        c.www_authenticate.as_deref(),
        Some(
            r#"DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof""#
        )
    );
    assert_eq!(c.dpop_nonce.as_deref(), Some("n0nce"));
    // RFC 9449 §7.1 Figure 16 shape.
    let c = DpopError::JktMismatch.challenge(&[JwsAlgorithm::Es256], None);
    assert_eq!(
        c.www_authenticate.as_deref(),
        Some(
            r#"DPoP error="invalid_token", error_description="Invalid DPoP key binding", algs="ES256""#
        )
    );
    // RFC 9449 §7.1 Figure 15 shape.
    let c = DpopError::NoCredentials.challenge(&[JwsAlgorithm::Es256, JwsAlgorithm::Ps256], None);
    assert_eq!(
        c.www_authenticate.as_deref(),
        Some(r#"DPoP algs="ES256 PS256""#)
    );
}

#[test]
fn allowed_algorithms_only_narrow() {
    let v = verifier().allowed_algorithms(&[JwsAlgorithm::Rs256, JwsAlgorithm::Es256]);
    assert_eq!(v.algorithms(), [JwsAlgorithm::Es256]);
    let v = verifier();
    assert_eq!(
        v.algorithms(),
        [
            JwsAlgorithm::Es256,
            JwsAlgorithm::Ps256,
            JwsAlgorithm::EdDsa,
            JwsAlgorithm::Ed25519
        ]
    );
}

#[test]
fn rsa_1024_proof_key_is_refused_with_its_size() {
    // SP-9 through the verifier: the header jwk is the 1024-bit key; the size check fires
    // before the signature is looked at (which here is made by the 2048-bit key).
    use fapi_profile::jws::sign_compact;
    let signer = PrivateKey::from_pem(
        &data("dpop/keys/ps256-rsa2048.pem"),
        Algorithm::Jws(JwsAlgorithm::Ps256),
    )
    .expect("key");
    let jwk: serde_json::Value =
        serde_json::from_slice(&data("dpop/keys/rsa1024.pub.jwk.json")).expect("jwk");
    let header = serde_json::json!({"typ": "dpop+jwt", "alg": "PS256", "jwk": jwk});
    let claims = serde_json::json!({"jti": "j", "htm": "GET", "htu": HTU, "iat": NOW,
        "ath": fapi_profile::dpop::ath_for(TOKEN)});
    let p = sign_compact(
        header.to_string().as_bytes(),
        claims.to_string().as_bytes(),
        &signer,
    )
    .expect("sign");
    let auth = format!("DPoP {TOKEN}");
    assert_eq!(
        verify_with(&verifier(), &[p.as_bytes()], &[auth.as_bytes()], NOW).map(|_| ()),
        Err(DpopError::JwkInvalid(KeyError::RsaTooSmall { bits: 1024 }))
    );
}

#[test]
fn every_single_byte_change_is_refused_without_panicking() {
    let p = proof(1_700_000_000);
    let auth = format!("DPoP {TOKEN}");
    let v = verifier();
    for i in 0..p.len() {
        for replacement in [b'A', b'.', 0xff] {
            let mut bytes = p.clone().into_bytes();
            if bytes[i] == replacement {
                continue;
            }
            bytes[i] = replacement;
            let got = verify_with(&v, &[&bytes], &[auth.as_bytes()], NOW);
            assert!(got.is_err(), "byte {i} -> {replacement:#x} accepted");
        }
    }
    // The untouched proof still verifies (nothing above was recorded as used).
    assert!(verify_with(&v, &[p.as_bytes()], &[auth.as_bytes()], NOW).is_ok());
}

#[test]
fn typ_is_the_dpop_media_type_and_nothing_else() {
    use fapi_profile::dpop::is_dpop_typ;
    // RFC 7515 §4.1.9 (short form without "application/"), RFC 6838 §4.2 (ASCII
    // case-insensitive type and subtype); no parameters, whitespace or other names.
    for (typ, ok) in [
        ("dpop+jwt", true),
        ("DPoP+JWT", true),
        ("application/dpop+jwt", true),
        ("APPLICATION/DPOP+JWT", true),
        ("application/DPoP+jwt", true),
        ("", false),
        ("dpop", false),
        ("jwt", false),
        ("JWT", false),
        ("dpop+jwt ", false),
        (" dpop+jwt", false),
        ("dpop+jwt;", false),
        ("application/dpop+jwt; charset=utf-8", false),
        ("application/dpop+jwt/", false),
        ("application//dpop+jwt", false),
        ("/dpop+jwt", false),
        ("text/dpop+jwt", false),
        ("applications/dpop+jwt", false),
        ("application/jwt", false),
        ("dpop+jwt+wrongyousee", false),
        ("dpop+json", false),
        ("dpop-jwt", false),
        ("dpop+jw\u{212a}", false), // KELVIN SIGN: only Unicode folding makes it 'k'
        ("dpop\0+jwt", false),
    ] {
        assert_eq!(is_dpop_typ(typ), ok, "{typ:?}");
    }
}

/// A proof by `key` (PEM path, algorithm, public JWK path) with a fixed `jti`, and the
/// thumbprint its token is bound to.
fn keyed_proof(pem: &str, alg: JwsAlgorithm, jwk: &str, jti: &str, nonce: Option<&str>) -> String {
    let key = PrivateKey::from_pem(&data(pem), Algorithm::Jws(alg)).expect(pem);
    let mut b = DpopProofBuilder::with_jwk(&key, &data(jwk))
        .expect("builder")
        .htm("GET")
        .htu(HTU)
        .ath(TOKEN)
        .iat(1_700_000_000)
        .jti(jti);
    if let Some(n) = nonce {
        b = b.nonce(n);
    }
    b.build().expect("build")
}

fn es256_proof(jti: &str) -> String {
    keyed_proof(
        "keys/test-key-ecc-p256.pem",
        JwsAlgorithm::Es256,
        "dpop/keys/test-key-ecc-p256.pub.jwk.json",
        jti,
        None,
    )
}

fn ed25519_proof(jti: &str) -> String {
    keyed_proof(
        "dpop/keys/ed25519.pem",
        JwsAlgorithm::Ed25519,
        "dpop/keys/ed25519.pub.jwk.json",
        jti,
        None,
    )
}

fn ed25519_jkt() -> String {
    httpsig_core::keys::Jwk::from_json(&data("dpop/keys/ed25519.pub.jwk.json"))
        .expect("jwk")
        .thumbprint_sha256()
        .expect("jkt")
}

fn pending(v: &DpopVerifier, proof: &str, jkt: &str) -> Result<PendingProof, DpopError> {
    let auth = format!("DPoP {TOKEN}");
    let (d, a) = ([proof.as_bytes()], [auth.as_bytes()]);
    v.verify(
        &DpopRequest::new("GET", &Exact, NOW)
            .dpop_fields(&d)
            .authorization_fields(&a)
            .token_jkt(Some(jkt)),
    )
}

#[test]
fn iat_window_beyond_the_store_ttl_is_refused_when_built() {
    use fapi_profile::store::{MAX_TTL, MemoryReplayStore};
    let max = MAX_TTL.as_secs();
    let secs = Duration::from_secs;
    // (max_age, max_future, accepted?): the jti is kept max_age + max_future + 1 s, which a
    // store accepts up to MAX_TTL; max_future is capped at 60 s before the sum.
    for (age, future, ok) in [
        (secs(60), secs(10), true),
        (secs(max - 11), secs(10), true),
        (secs(max - 10), secs(10), false),
        (secs(max - 61), secs(3600), true),
        (secs(max - 60), secs(3600), false),
        (secs(max), Duration::ZERO, false),
        (Duration::MAX, Duration::MAX, false),
    ] {
        let got = verifier().iat_window(age, future).map(drop);
        let want = if ok {
            Ok(())
        } else {
            Err(DpopConfigError::IatWindowTooLong { max_secs: max })
        };
        assert_eq!(got, want, "{age:?} {future:?}");
    }
    assert_eq!(
        DpopConfigError::IatWindowTooLong { max_secs: max }.code(),
        "dpop_config.iat_window"
    );
    // The longest accepted window really works with a store: before this check, a longer one
    // was accepted here and then failed every request with `store.invalid_ttl`.
    let store = Arc::new(MemoryReplayStore::new(std::num::NonZeroUsize::MIN));
    let v = DpopVerifier::new(store)
        .iat_window(secs(max - 11), secs(10))
        .expect("window");
    let p = es256_proof("longest-window");
    assert!(
        pending(&v, &p, ES256_JKT)
            .and_then(PendingProof::commit)
            .is_ok()
    );
}

#[test]
fn nothing_is_recorded_before_commit() {
    let store = Arc::new(Recorder::default());
    let v = DpopVerifier::new(store.clone());
    let p = es256_proof("pending-1");
    // Verified twice, committed never (the token check failed, say): nothing recorded.
    for _ in 0..2 {
        let pend = pending(&v, &p, ES256_JKT).expect("verify");
        assert_eq!(pend.jti(), "pending-1");
        assert_eq!(pend.jkt(), ES256_JKT);
        drop(pend);
    }
    // Forgeries are refused before the store is touched.
    let forged = {
        let (input, sig) = p.rsplit_once('.').expect("dot");
        let mut sig = sig.to_owned().into_bytes();
        sig[3] = if sig[3] == b'A' { b'B' } else { b'A' };
        format!("{input}.{}", String::from_utf8(sig).expect("ascii"))
    };
    assert_eq!(
        pending(&v, &forged, ES256_JKT).map(drop),
        Err(DpopError::Signature)
    );
    assert!(store.seen.lock().expect("lock").is_empty());
    // The first commit records; any later one is a replay.
    let first = pending(&v, &p, ES256_JKT).expect("verify");
    let second = pending(&v, &p, ES256_JKT).expect("verify");
    assert_eq!(first.commit().map(|v| v.jti), Ok("pending-1".to_owned()));
    assert_eq!(second.commit().map(drop), Err(DpopError::Replay));
    assert_eq!(store.seen.lock().expect("lock").len(), 1);
}

#[test]
fn replay_is_scoped_by_the_proof_key() {
    // A victim's jti, learned by another client, cannot be burnt with the other client's key
    // (RFC 9449 §11.1): same jti, htm, htu and iat, different keys, one store.
    let v = verifier();
    let victim = es256_proof("shared-jti");
    let other = ed25519_proof("shared-jti");
    let other_jkt = ed25519_jkt();
    assert!(
        pending(&v, &other, &other_jkt)
            .and_then(PendingProof::commit)
            .is_ok()
    );
    assert!(
        pending(&v, &victim, ES256_JKT)
            .and_then(PendingProof::commit)
            .is_ok(),
        "the victim's proof is still fresh"
    );
    for (p, jkt) in [(&victim, ES256_JKT), (&other, other_jkt.as_str())] {
        assert_eq!(
            pending(&v, p, jkt).and_then(PendingProof::commit).map(drop),
            Err(DpopError::Replay)
        );
    }
}

/// P-256 group order n (SEC 2 §2.4.2), big-endian.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

/// `n - s` for a big-endian 32-byte `s` < n.
fn negate_mod_n(s: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(P256_N[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = u8::try_from(d).expect("byte");
    }
    assert_eq!(borrow, 0, "s < n");
    out
}

#[test]
fn ecdsa_signature_malleation_is_the_same_proof_for_replay() {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let v = verifier();
    let p = es256_proof("malleable");
    let (input, sig) = p.rsplit_once('.').expect("dot");
    let raw = URL_SAFE_NO_PAD.decode(sig).expect("b64");
    let mut twin = raw[..32].to_vec();
    twin.extend(negate_mod_n(&raw[32..]));
    assert_ne!(twin, raw);
    let malleated = format!("{input}.{}", URL_SAFE_NO_PAD.encode(&twin));
    // (r, n − s) is a valid signature too (ECDSA; ring does not insist on low s) ...
    let second = pending(&v, &malleated, ES256_JKT).expect("malleated signature verifies");
    // ... but it is the same proof: the replay key has no signature bytes in it.
    assert!(
        pending(&v, &p, ES256_JKT)
            .and_then(PendingProof::commit)
            .is_ok()
    );
    assert_eq!(second.commit().map(drop), Err(DpopError::Replay));
}

#[test]
fn quotas_bound_one_key_or_client_and_answer_429() {
    use fapi_profile::store::MemoryReplayStore;
    let nz = |n| std::num::NonZeroUsize::new(n).expect("non-zero");
    let store = || Arc::new(MemoryReplayStore::new(nz(100)).with_scope_quota(nz(2)));
    let other_jkt = ed25519_jkt();

    // Per key: the ES256 key's third live jti is refused; the Ed25519 key is unaffected.
    let v = DpopVerifier::new(store());
    for jti in ["q1", "q2"] {
        assert!(
            pending(&v, &es256_proof(jti), ES256_JKT)
                .and_then(PendingProof::commit)
                .is_ok()
        );
    }
    let err = pending(&v, &es256_proof("q3"), ES256_JKT)
        .and_then(PendingProof::commit)
        .expect_err("quota");
    assert_eq!(err, DpopError::Store(StoreError::QuotaExceeded));
    assert_eq!((err.code(), err.status()), ("store.quota_exceeded", 429));
    let ch = v.challenge(&err, NOW);
    assert_eq!(
        (ch.status, ch.www_authenticate, ch.dpop_nonce),
        (429, None, None)
    );
    // A replay is still reported as a replay when the quota is used up.
    assert_eq!(
        pending(&v, &es256_proof("q1"), ES256_JKT)
            .and_then(PendingProof::commit)
            .map(drop),
        Err(DpopError::Replay)
    );
    assert!(
        pending(&v, &ed25519_proof("q3"), &other_jkt)
            .and_then(PendingProof::commit)
            .is_ok()
    );

    // Per client: two keys of one client share its quota; another client is unaffected.
    let v = DpopVerifier::new(store());
    let client = |p: PendingProof, c: &str| p.commit_for_client(c).map(drop);
    assert_eq!(
        client(
            pending(&v, &es256_proof("c1"), ES256_JKT).expect("v"),
            "client-a"
        ),
        Ok(())
    );
    assert_eq!(
        client(
            pending(&v, &ed25519_proof("c2"), &other_jkt).expect("v"),
            "client-a"
        ),
        Ok(())
    );
    assert_eq!(
        client(
            pending(&v, &es256_proof("c3"), ES256_JKT).expect("v"),
            "client-a"
        ),
        Err(DpopError::Store(StoreError::QuotaExceeded))
    );
    assert_eq!(
        client(
            pending(&v, &es256_proof("c3"), ES256_JKT).expect("v"),
            "client-b"
        ),
        Ok(())
    );
    // A client id that spells a thumbprint is still another scope than that key.
    assert_eq!(
        client(
            pending(&v, &es256_proof("c4"), ES256_JKT).expect("v"),
            ES256_JKT
        ),
        Ok(())
    );
}

#[test]
fn nonces_are_required_bound_to_the_key_and_tolerate_small_skew() {
    use fapi_profile::dpop::{HmacNonces, NonceMode, NonceValidator};
    let nonces = Arc::new(HmacNonces::new(&[9; 32], Duration::from_secs(300)).expect("key"));
    let v = verifier().nonce_mode(NonceMode::Require(nonces.clone()));
    let other_jkt = ed25519_jkt();
    let with_nonce = |jti: &str, n: Option<&str>| {
        keyed_proof(
            "keys/test-key-ecc-p256.pem",
            JwsAlgorithm::Es256,
            "dpop/keys/test-key-ecc-p256.pub.jwk.json",
            jti,
            n,
        )
    };
    let check = |p: &str| pending(&v, p, ES256_JKT).map(drop);
    let jkt = Thumbprint::new(ES256_JKT);

    // No nonce: use_dpop_nonce, and the challenge's nonce works for this key only.
    let err = check(&with_nonce("n0", None)).expect_err("nonce required");
    assert_eq!(err, DpopError::NonceRequired { jkt: jkt.clone() });
    let fresh = v.challenge(&err, NOW).dpop_nonce.expect("a nonce");
    assert!(nonces.is_valid(&fresh, ES256_JKT, NOW));
    assert!(!nonces.is_valid(&fresh, &other_jkt, NOW));
    assert_eq!(check(&with_nonce("n1", Some(&fresh))), Ok(()));

    // (stamp relative to now, nonce's key, expected)
    let skew = i64::try_from(HmacNonces::DEFAULT_MAX_SKEW.as_secs()).expect("skew");
    for (offset, key, want) in [
        (0, ES256_JKT, Ok(())),
        (1, ES256_JKT, Ok(())), // a peer one second ahead
        (skew, ES256_JKT, Ok(())),
        (
            skew + 1,
            ES256_JKT,
            Err(DpopError::NonceInvalid { jkt: jkt.clone() }),
        ),
        (-300, ES256_JKT, Ok(())),
        (
            -301,
            ES256_JKT,
            Err(DpopError::NonceInvalid { jkt: jkt.clone() }),
        ),
        (
            0,
            other_jkt.as_str(),
            Err(DpopError::NonceInvalid { jkt: jkt.clone() }),
        ),
    ] {
        let at = NOW.checked_add(offset).expect("time");
        let n = nonces.issue(key, at).expect("issue");
        assert_eq!(check(&with_nonce("nx", Some(&n))), want, "{offset} {key}");
    }
    // A fresh nonce for the success response, bound to the proof key.
    let next = v.next_nonce(ES256_JKT, NOW).expect("nonce");
    assert!(nonces.is_valid(&next, ES256_JKT, NOW));
    assert_eq!(verifier().next_nonce(ES256_JKT, NOW), None, "nonces off");
    assert_eq!(jkt.to_string(), ES256_JKT);
}
