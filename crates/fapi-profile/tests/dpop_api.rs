//! API-level tests for the DPoP verifier, builder and challenges that are not data vectors.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fapi_profile::dpop::{
    AuthScheme, DpopBuildError, DpopError, DpopProofBuilder, DpopRequest, DpopVerifier, HtuCheck,
    ProofMember, replay_key,
};
use fapi_profile::jws::JwsError;
use fapi_profile::store::{ReplayStore, StoreError};
use httpsig_core::keys::{KeyError, PrivateKey};
use httpsig_core::{Algorithm, JwsAlgorithm};

const TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const HTU: &str = "https://rs.example.com/r";
const NOW: u64 = 1_700_000_000;

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
    DpopProofBuilder::new(&key, &jwk)
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
    now: u64,
) -> Result<fapi_profile::dpop::VerifiedProof, DpopError> {
    let req = DpopRequest::new("GET", &Exact, now)
        .dpop_fields(dpop)
        .authorization_fields(auth)
        .token_jkt(Some(ES256_JKT));
    v.verify(&req)
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
        let b = DpopProofBuilder::new(&key, &jwk)
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
        let ok = v.verify(&req).expect("verify");
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
        DpopProofBuilder::new(&rs256, &rsa_jwk).map(|_| ()),
        Err(DpopBuildError::Algorithm)
    );
    let not_jws = PrivateKey::from_pem(
        &data("keys/test-key-ecc-p256.pem"),
        Algorithm::EcdsaP256Sha256,
    )
    .expect("key");
    assert_eq!(
        DpopProofBuilder::new(&not_jws, &jwk).map(|_| ()),
        Err(DpopBuildError::Algorithm)
    );
    assert_eq!(
        DpopProofBuilder::new(&key, &data("keys/test-key-ecc-p256.jwk.json")).map(|_| ()),
        Err(DpopBuildError::JwkPrivate)
    );
    // RFC 9449 Figure 13 key: a valid P-256 JWK that is not ours.
    let other = br#"{"kty":"EC","x":"l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs","y":"9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA","crv":"P-256"}"#;
    assert_eq!(
        DpopProofBuilder::new(&key, other).map(|_| ()),
        Err(DpopBuildError::KeyMismatch)
    );
    assert!(matches!(
        DpopProofBuilder::new(&key, &rsa_jwk),
        Err(DpopBuildError::Jwk(KeyError::AlgorithmMismatch { .. }))
    ));
    let b = DpopProofBuilder::new(&key, &jwk).expect("builder");
    assert_eq!(
        b.build(),
        Err(DpopBuildError::MissingClaim(ProofMember::Htm))
    );
    assert_eq!(
        DpopProofBuilder::new(&key, &jwk)
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
        let p = proof(i64::try_from(NOW).expect("now") + offset);
        verify_with(v, &[p.as_bytes()], &a, NOW).map(|_| ())
    };
    let wide = verifier().iat_window(Duration::from_secs(300), Duration::from_secs(3600));
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
    let narrow = verifier().iat_window(Duration::from_secs(5), Duration::ZERO);
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
    assert_ne!(replay_key("ab", "c", "x"), replay_key("a", "bc", "x"));
    assert_ne!(replay_key("a", "GET", "x"), replay_key("a", "POST", "x"));
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
        (
            format!("DPoP\t{TOKEN}"),
            Err(DpopError::Scheme(AuthScheme::Other)),
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
        verifier().verify(&req).map(|_| ()),
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
        DpopError::NonceRequired,
        DpopError::NonceInvalid,
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
    let c = DpopError::NonceRequired.challenge(&[JwsAlgorithm::Es256], None);
    assert_eq!(c.status, 401);
    assert_eq!(c.dpop_nonce, None);
    assert_eq!(
        c.www_authenticate.as_deref(),
        Some(
            r#"DPoP error="invalid_dpop_proof", error_description="Invalid DPoP nonce", algs="ES256""#
        )
    );
    let c = DpopError::NonceInvalid.challenge(&[], Some("n0nce".into()));
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
