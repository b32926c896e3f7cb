//! An outsider's attacks on the DPoP verifier, through the public API only: replays across
//! keys, nonces carried from one key to another, filling the replay store, clock-skew edges,
//! repeated JSON names spelled with escapes at every depth, and `typ` spellings.
//!
//! Expected outcomes come from RFC 9449 (§4.3, §9, §11.1), RFC 7515 §4 / RFC 7517 §4 (repeated
//! names: we reject), RFC 7515 §4.1.9 and RFC 6838 §4.2 (`typ`), not from our own output.

use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use fapi_profile::dpop::{
    DpopError, DpopProofBuilder, DpopRequest, DpopVerifier, HmacNonces, HtuCheck, NonceMode,
    NonceValidator, PendingProof, ath_for,
};
use fapi_profile::jws::sign_compact;
use fapi_profile::store::{MemoryReplayStore, StoreError};
use httpsig_core::keys::{Jwk, PrivateKey};
use httpsig_core::{Algorithm, JwsAlgorithm};

const TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const HTU: &str = "https://rs.example.com/r";
const NOW: i64 = 1_700_000_000;

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

/// A client: its signing key, public JWK text and thumbprint.
struct Client {
    key: PrivateKey,
    jwk: Vec<u8>,
    jkt: String,
}

fn client(pem: &str, alg: JwsAlgorithm, jwk: &str) -> Client {
    let jwk = data(jwk);
    Client {
        key: PrivateKey::from_pem(&data(pem), Algorithm::Jws(alg)).expect(pem),
        jkt: Jwk::from_json(&jwk)
            .expect("jwk")
            .thumbprint_sha256()
            .expect("jkt"),
        jwk,
    }
}

fn victim() -> Client {
    client(
        "keys/test-key-ecc-p256.pem",
        JwsAlgorithm::Es256,
        "dpop/keys/test-key-ecc-p256.pub.jwk.json",
    )
}

fn attacker() -> Client {
    client(
        "dpop/keys/ed25519.pem",
        JwsAlgorithm::EdDsa,
        "dpop/keys/ed25519.pub.jwk.json",
    )
}

fn proof(c: &Client, jti: &str, nonce: Option<&str>) -> String {
    let mut b = DpopProofBuilder::with_jwk(&c.key, &c.jwk)
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

/// Verify, then commit: the whole resource-server decision.
fn decide(v: &DpopVerifier, proof: &str, token_jkt: &str) -> Result<(), DpopError> {
    let auth = format!("DPoP {TOKEN}");
    let (d, a) = ([proof.as_bytes()], [auth.as_bytes()]);
    v.verify(
        &DpopRequest::new("GET", &Exact, NOW)
            .dpop_fields(&d)
            .authorization_fields(&a)
            .token_jkt(Some(token_jkt)),
    )
    .and_then(PendingProof::commit)
    .map(drop)
}

fn store(capacity: usize, quota: usize) -> Arc<MemoryReplayStore> {
    let nz = |n| NonZeroUsize::new(n).expect("non-zero");
    Arc::new(MemoryReplayStore::new(nz(capacity)).with_scope_quota(nz(quota)))
}

#[test]
fn replays_across_keys() {
    let (v_key, a_key) = (victim(), attacker());
    let v = DpopVerifier::new(store(100, 10));
    let victims = proof(&v_key, "victim-jti", None);
    // The attacker burns the victim's jti with its own key and its own token first...
    assert_eq!(
        decide(&v, &proof(&a_key, "victim-jti", None), &a_key.jkt),
        Ok(())
    );
    // ...which does not stop the victim (RFC 9449 §11.1: the jti is scoped by key here).
    assert_eq!(decide(&v, &victims, &v_key.jkt), Ok(()));
    // The victim's proof replayed with the attacker's token: wrong key binding.
    assert_eq!(
        decide(&v, &victims, &a_key.jkt),
        Err(DpopError::JktMismatch)
    );
    // Replayed as is: a replay.
    assert_eq!(decide(&v, &victims, &v_key.jkt), Err(DpopError::Replay));
    // The same jti spelled with JSON escapes is the same jti: still a replay. (Only the key
    // holder can sign it, but a client must not get two uses out of one jti either.)
    let escaped = {
        let jwk: serde_json::Value = serde_json::from_slice(&v_key.jwk).expect("jwk");
        let header = serde_json::json!({"typ": "dpop+jwt", "alg": "ES256", "jwk": jwk});
        let claims = format!(
            r#"{{"jti":"\u0076ictim-jti","htm":"GET","htu":"{HTU}","iat":{NOW},"ath":"{}"}}"#,
            ath_for(TOKEN)
        );
        sign_compact(header.to_string().as_bytes(), claims.as_bytes(), &v_key.key).expect("sign")
    };
    assert_ne!(escaped, victims);
    assert_eq!(decide(&v, &escaped, &v_key.jkt), Err(DpopError::Replay));
}

#[test]
fn nonces_do_not_travel_between_keys() {
    let (v_key, a_key) = (victim(), attacker());
    let nonces = Arc::new(HmacNonces::new(&[3; 32], Duration::from_secs(120)).expect("key"));
    let v = DpopVerifier::new(store(100, 10)).nonce_mode(NonceMode::Require(nonces.clone()));
    // The attacker collects a nonce with its own proof (use_dpop_nonce challenge)...
    let err = decide(&v, &proof(&a_key, "a-1", None), &a_key.jkt).expect_err("needs nonce");
    let stolen = v.challenge(&err, NOW).dpop_nonce.expect("nonce");
    assert_eq!(
        decide(&v, &proof(&a_key, "a-2", Some(&stolen)), &a_key.jkt),
        Ok(())
    );
    // ...and cannot hand it to a proof of another key (pre-generated proofs for a victim key
    // need a nonce the server issued to that key, RFC 9449 §11.3).
    assert_eq!(
        decide(&v, &proof(&v_key, "v-1", Some(&stolen)), &v_key.jkt).map_err(|e| e.code()),
        Err("dpop.nonce_invalid")
    );
    // A nonce from another deployment's secret, or a mangled one, is no better.
    let foreign = HmacNonces::new(&[4; 32], Duration::from_secs(120))
        .expect("key")
        .issue(&v_key.jkt, NOW)
        .expect("nonce");
    let mut mangled = nonces.issue(&v_key.jkt, NOW).expect("nonce").into_bytes();
    mangled[10] = if mangled[10] == b'A' { b'B' } else { b'A' };
    let mangled = String::from_utf8(mangled).expect("ascii");
    for (i, n) in [foreign, mangled, String::new(), "x".repeat(76)]
        .iter()
        .enumerate()
    {
        assert_eq!(
            decide(
                &v,
                &proof(&v_key, &format!("v-bad-{i}"), Some(n)),
                &v_key.jkt
            )
            .map_err(|e| e.code()),
            Err("dpop.nonce_invalid"),
            "{n:?}"
        );
    }
}

#[test]
fn clock_skew_edges() {
    let v_key = victim();
    let skew = 3i64;
    let lifetime = 100i64;
    let nonces = Arc::new(
        HmacNonces::new(&[5; 32], Duration::from_secs(lifetime.unsigned_abs()))
            .expect("key")
            .with_max_skew(Duration::from_secs(skew.unsigned_abs())),
    );
    let v = DpopVerifier::new(store(100, 100)).nonce_mode(NonceMode::Require(nonces.clone()));
    // (stamp, accepted?): [now − lifetime, now + skew] is accepted, nothing outside it.
    for (i, (stamp, ok)) in [
        (NOW + skew, true),
        (NOW + skew + 1, false),
        (NOW - lifetime, true),
        (NOW - lifetime - 1, false),
        (i64::MAX, false),
        (0, false),
        (-1, false),
    ]
    .into_iter()
    .enumerate()
    {
        let n = nonces.issue(&v_key.jkt, stamp).expect("nonce");
        let got = decide(
            &v,
            &proof(&v_key, &format!("skew-{i}"), Some(&n)),
            &v_key.jkt,
        );
        assert_eq!(got.is_ok(), ok, "stamp {stamp}: {got:?}");
    }
    // The iat window edges of FAPI SP §5.3.2.1-13 (10 s ahead, 60 s old by default).
    let plain = DpopVerifier::new(store(100, 100));
    for (offset, ok) in [(10i64, true), (11, false), (-60, true), (-61, false)] {
        let p = DpopProofBuilder::with_jwk(&v_key.key, &v_key.jwk)
            .expect("builder")
            .htm("GET")
            .htu(HTU)
            .ath(TOKEN)
            .iat(1_700_000_000 + offset)
            .build()
            .expect("build");
        assert_eq!(decide(&plain, &p, &v_key.jkt).is_ok(), ok, "iat {offset:+}");
    }
}

#[test]
fn filling_the_store() {
    let (v_key, a_key) = (victim(), attacker());
    let v = DpopVerifier::new(store(8, 3));
    // Forged proofs (bad signature) and proofs whose token check fails (never committed)
    // occupy nothing, however many.
    let good = proof(&a_key, "a-0", None);
    let (input, _) = good.rsplit_once('.').expect("dot");
    for i in 0..100 {
        let forged = format!("{input}.{}", "A".repeat(86 + i % 2));
        assert!(decide(&v, &forged, &a_key.jkt).is_err());
        let pending = {
            let auth = format!("DPoP {TOKEN}");
            let p = proof(&a_key, &format!("unvalidated-{i}"), None);
            let (d, a) = ([p.as_bytes()], [auth.as_bytes()]);
            v.verify(
                &DpopRequest::new("GET", &Exact, NOW)
                    .dpop_fields(&d)
                    .authorization_fields(&a)
                    .token_jkt(Some(&a_key.jkt)),
            )
        };
        drop(pending.expect("valid proof"));
    }
    // Committed proofs: the attacker's key gets 3, then 429; the victim is unaffected.
    for i in 0..3 {
        assert_eq!(
            decide(&v, &proof(&a_key, &format!("a-{i}"), None), &a_key.jkt),
            Ok(())
        );
    }
    assert_eq!(
        decide(&v, &proof(&a_key, "a-3", None), &a_key.jkt),
        Err(DpopError::Store(StoreError::QuotaExceeded))
    );
    assert_eq!(decide(&v, &proof(&v_key, "v-0", None), &v_key.jkt), Ok(()));
}

/// Signs exact header and claims JSON texts with the victim's key.
fn signed(header: &str, claims: &str) -> String {
    sign_compact(header.as_bytes(), claims.as_bytes(), &victim().key).expect("sign")
}

#[test]
fn repeated_names_with_escapes_at_every_depth() {
    let v_key = victim();
    let jwk = String::from_utf8(v_key.jwk.clone()).expect("utf-8");
    let jwk = jwk.trim();
    let members = &jwk[1..jwk.len() - 1];
    let claims = format!(
        r#""jti":"dup","htm":"GET","htu":"{HTU}","iat":{NOW},"ath":"{}""#,
        ath_for(TOKEN)
    );
    let header = format!(r#""typ":"dpop+jwt","alg":"ES256","jwk":{jwk}"#);
    let other_x = "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs";
    // (header members, claims members, accepted?)
    let cases: Vec<(String, String, bool)> = vec![
        (header.clone(), claims.clone(), true),
        // In the jwk, before the real members (last-wins parsers would use the real key).
        (
            format!(r#""typ":"dpop+jwt","alg":"ES256","jwk":{{"\u0078":"{other_x}",{members}}}"#),
            claims.clone(),
            false,
        ),
        (
            format!(
                r#""typ":"dpop+jwt","alg":"ES256","jwk":{{{members},"\u006b\u0074\u0079":"EC"}}"#
            ),
            claims.clone(),
            false,
        ),
        // A private member spelled with an escape is still a private member.
        (
            format!(
                r#""typ":"dpop+jwt","alg":"ES256","jwk":{{{members},"\u0064":"UpuF81l-kOxbjf7T4mNSv0r5tN67Gim7rnf6EFpcYDs"}}"#
            ),
            claims.clone(),
            false,
        ),
        // Inside an array inside the jwk.
        (
            format!(
                r#""typ":"dpop+jwt","alg":"ES256","jwk":{{{members},"x5c":[{{"a":1,"\u0061":2}}]}}"#
            ),
            claims.clone(),
            false,
        ),
        // crit spelled with an escape is still crit.
        (
            format!(r#"{header},"\u0063rit":["x"]"#),
            claims.clone(),
            false,
        ),
        // Top level of the header and of the claims.
        (
            format!(r#"{header},"\u0074\u0079\u0070":"dpop+jwt""#),
            claims.clone(),
            false,
        ),
        (
            header.clone(),
            format!(r#"{claims},"\u0068tm":"POST""#),
            false,
        ),
        // Deep inside an unknown claim.
        (
            header.clone(),
            format!(r#"{claims},"ext":{{"a":[[{{"b":{{"c":1,"\u0063":1}}}}]]}}"#),
            false,
        ),
        // Names that only look alike are different names.
        (
            header,
            format!(r#"{claims},"ext":{{"c":1,"C":1,"c ":1}}"#),
            true,
        ),
    ];
    for (i, (h, c, ok)) in cases.into_iter().enumerate() {
        let claims = c.replace(r#""jti":"dup""#, &format!(r#""jti":"dup-{i}""#));
        let p = signed(&format!("{{{h}}}"), &format!("{{{claims}}}"));
        let v = DpopVerifier::new(store(10, 10));
        let got = decide(&v, &p, &v_key.jkt);
        assert_eq!(got.is_ok(), ok, "case {i}: {h} / {claims}: {got:?}");
    }
}

#[test]
fn typ_spellings() {
    let v_key = victim();
    let jwk = String::from_utf8(v_key.jwk.clone()).expect("utf-8");
    let claims = |i: usize| {
        format!(
            r#"{{"jti":"typ-{i}","htm":"GET","htu":"{HTU}","iat":{NOW},"ath":"{}"}}"#,
            ath_for(TOKEN)
        )
    };
    // (typ as JSON text, accepted?)
    for (i, (typ, ok)) in [
        (r#""dpop+jwt""#, true),
        (r#""application/dpop+jwt""#, true),
        (r#""Application/DPoP+JWT""#, true),
        (r#""application\/dpop+jwt""#, true), // JSON escape of '/': the same string
        (r#""\u0064pop+jwt""#, true),         // JSON escape of 'd': the same string
        (r#""dpop+jwt;""#, false),
        (r#""application/dpop+jwt;q=1""#, false),
        (r#""dpop+jwt\u0000""#, false),
        (r#""jwt""#, false),
        (r#""at+jwt""#, false),
        (r#""application/at+jwt""#, false),
        (r#""x-application/dpop+jwt""#, false),
        (r#"["dpop+jwt"]"#, false),
        ("null", false),
    ]
    .into_iter()
    .enumerate()
    {
        let header = format!(r#"{{"typ":{typ},"alg":"ES256","jwk":{}}}"#, jwk.trim());
        let p = signed(&header, &claims(i));
        let v = DpopVerifier::new(store(10, 10));
        let got = decide(&v, &p, &v_key.jkt);
        assert_eq!(got.is_ok(), ok, "typ {typ}: {got:?}");
        if !ok {
            assert_eq!(got.map_err(|e| e.code()), Err("dpop.typ"), "typ {typ}");
        }
    }
}
