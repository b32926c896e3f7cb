//! Every crypto provider compiled into this build gives the same results: the RFC 9421
//! Appendix B.1 keys load, sign and verify under each, signatures made by one verify under the
//! others, and the keys one provider refuses are refused by all, with the same code (the
//! backend-neutral pre-checks run before any provider). Run with `--all-features` (or
//! `--features aws-lc-rs`) to compare ring and aws-lc-rs; without, ring is checked alone.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use httpsig_core::crypto::{Algorithm, CryptoProvider, JwsAlgorithm, SigningKey, VerifyingKey};
use httpsig_core::keys::{HmacKey, Jwk, PrivateKey, PublicKey};

fn read(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../conformance/testdata/keys")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn jwk(text: &str) -> Jwk {
    Jwk::from_json(text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn providers() -> Vec<CryptoProvider> {
    let all: Vec<CryptoProvider> = CryptoProvider::NAMES
        .iter()
        .map(|n| CryptoProvider::from_name(n).expect("listed names load"))
        .collect();
    #[cfg(feature = "aws-lc-rs")]
    assert_eq!(all.len(), 2, "ring and aws-lc-rs");
    all
}

/// (private PEM, public PEM, algorithm) for the RFC 9421 B.1 asymmetric keys a provider can
/// sign with (B.1.1 `test-key-rsa` is refused for signing; see below).
const KEYS: &[(&str, &str, Algorithm)] = &[
    (
        "test-key-rsa-pss.pem",
        "test-key-rsa-pss.pub.pem",
        Algorithm::RsaPssSha512,
    ),
    (
        "test-key-ecc-p256.pem",
        "test-key-ecc-p256.pub.pem",
        Algorithm::EcdsaP256Sha256,
    ),
    (
        "test-key-ed25519.pem",
        "test-key-ed25519.pub.pem",
        Algorithm::Ed25519,
    ),
];

#[test]
fn signatures_cross_verify_between_providers() {
    let base = b"\"@method\": POST\n\"@signature-params\": (\"@method\")";
    for (private, public, alg) in KEYS {
        for signer in providers() {
            let key = PrivateKey::from_pem_with(&signer, &read(private), *alg)
                .unwrap_or_else(|e| panic!("{} {private}: {e}", signer.name));
            let sig = key.sign(base).expect("sign");
            for verifier in providers() {
                let what = format!(
                    "{private}: signed by {}, verified by {}",
                    signer.name, verifier.name
                );
                let pk = PublicKey::from_pem_with(&verifier, &read(public), *alg).expect(&what);
                assert_eq!(pk.verify(base, &sig), Ok(()), "{what}");
                // One-bit flips of the signature and of the base never verify.
                for i in [0, sig.len() / 2, sig.len() - 1] {
                    let mut bad = sig.clone();
                    bad[i] ^= 1;
                    assert!(pk.verify(base, &bad).is_err(), "{what}: sig bit {i}");
                }
                let mut bad_base = base.to_vec();
                bad_base[3] ^= 0x20;
                assert!(pk.verify(&bad_base, &sig).is_err(), "{what}: base");
                assert!(
                    pk.verify(base, &sig[..sig.len() - 1]).is_err(),
                    "{what}: short"
                );
            }
        }
    }
}

#[test]
fn deterministic_signatures_are_identical() {
    // Ed25519 (RFC 8032) and HMAC are deterministic: every provider gives the same bytes.
    let base = b"any signature base";
    let ed: Vec<Vec<u8>> = providers()
        .iter()
        .map(|p| {
            PrivateKey::from_pem_with(p, &read("test-key-ed25519.pem"), Algorithm::Ed25519)
                .expect("ed25519")
                .sign(base)
                .expect("sign")
        })
        .collect();
    assert!(ed.windows(2).all(|w| w[0] == w[1]));
    let secret = STANDARD
        .decode(read("test-shared-secret.txt").trim_ascii())
        .expect("base64");
    let tags: Vec<Vec<u8>> = providers()
        .iter()
        .map(|p| {
            HmacKey::new_with(p, &secret)
                .expect("hmac")
                .sign(base)
                .expect("tag")
        })
        .collect();
    assert!(tags.windows(2).all(|w| w[0] == w[1]));
    for p in providers() {
        let key = HmacKey::new_with(&p, &secret).expect("hmac");
        assert_eq!(
            VerifyingKey::verify(&key, base, &tags[0]),
            Ok(()),
            "{}",
            p.name
        );
        let mut bad = tags[0].clone();
        bad[31] ^= 0x80;
        assert!(
            VerifyingKey::verify(&key, base, &bad).is_err(),
            "{}",
            p.name
        );
        assert!(
            VerifyingKey::verify(&key, base, &tags[0][..31]).is_err(),
            "{}",
            p.name
        );
        assert!(VerifyingKey::verify(&key, base, &[]).is_err(), "{}", p.name);
    }
}

#[test]
fn jwk_keys_load_under_every_provider() {
    for p in providers() {
        for (file, alg) in [
            (
                "test-key-ecc-p256.jwk.json",
                Some(Algorithm::EcdsaP256Sha256),
            ),
            ("test-key-ed25519.jwk.json", None),
            (
                "test-key-rsa-pss.jwk.json",
                Some(Algorithm::Jws(JwsAlgorithm::Ps512)),
            ),
        ] {
            let j = Jwk::from_json(&read(file)).expect(file);
            let key = PrivateKey::from_jwk_with(&p, &j, alg)
                .unwrap_or_else(|e| panic!("{} {file}: {e}", p.name));
            let public =
                PublicKey::from_jwk_with(&p, &j.public_only(), Some(key.algorithm())).expect(file);
            let sig = key.sign(b"base").expect("sign");
            assert_eq!(public.verify(b"base", &sig), Ok(()), "{} {file}", p.name);
            assert_eq!(
                j.thumbprint_sha256_with(&p),
                j.thumbprint_sha256(),
                "{} {file}",
                p.name
            );
        }
    }
}

#[test]
fn refusals_are_the_same_under_every_provider() {
    // RFC 9421 B.1.1 `test-key-rsa`: primes of 1088 and 960 bits (ring refuses it; AWS-LC
    // would take it). The neutral shape check refuses it for everyone; its public key loads.
    let ed_x = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";
    let cases: Vec<(String, &str)> = vec![
        (
            format!(
                r#"{{"kty":"OKP","crv":"Ed25519","x":"{ed_x}","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}}"#
            ),
            "key.rejected_by_backend",
        ),
        (
            r#"{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}"#
                .to_owned(),
            "key.ed25519_small_order",
        ),
    ];
    for p in providers() {
        for alg in [Algorithm::RsaV1_5Sha256, Algorithm::RsaPssSha512] {
            assert_eq!(
                PrivateKey::from_pem_with(&p, &read("test-key-rsa.pem"), alg)
                    .map(|_| ())
                    .map_err(|e| e.code()),
                Err("key.rsa_private_shape"),
                "{}",
                p.name
            );
            assert!(PublicKey::from_pem_with(&p, &read("test-key-rsa.pub.pem"), alg).is_ok());
        }
        let rsa_jwk = Jwk::from_json(&read("test-key-rsa.jwk.json")).expect("jwk");
        assert_eq!(
            PrivateKey::from_jwk_with(&p, &rsa_jwk, Some(Algorithm::RsaV1_5Sha256))
                .map(|_| ())
                .map_err(|e| e.code()),
            Err("key.rsa_private_shape"),
            "{}",
            p.name
        );
        for (text, code) in &cases {
            assert_eq!(
                PrivateKey::from_jwk_with(&p, &jwk(text), None)
                    .map(|_| ())
                    .map_err(|e| e.code()),
                Err(*code),
                "{} {text}",
                p.name
            );
        }
        let identity = jwk(
            r#"{"kty":"OKP","crv":"Ed25519","x":"AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}"#,
        );
        assert_eq!(
            PublicKey::from_jwk_with(&p, &identity, None)
                .map(|_| ())
                .map_err(|e| e.code()),
            Err("key.ed25519_small_order"),
            "{}",
            p.name
        );
    }
}

#[test]
fn an_ec_point_off_the_curve_loads_and_never_verifies() {
    // (1, 1) is not on P-256. ring checks the point only when verifying; aws-lc-rs parses it
    // at load. Both: the key loads, and nothing verifies (a valid signature of another key
    // included).
    let one = {
        let mut b = [0u8; 32];
        b[31] = 1;
        URL_SAFE_NO_PAD.encode(b)
    };
    let off = jwk(&format!(
        r#"{{"kty":"EC","crv":"P-256","x":"{one}","y":"{one}"}}"#
    ));
    let signer = PrivateKey::from_pem(&read("test-key-ecc-p256.pem"), Algorithm::EcdsaP256Sha256)
        .expect("p256");
    let sig = signer.sign(b"base").expect("sign");
    for p in providers() {
        let key = PublicKey::from_jwk_with(&p, &off, Some(Algorithm::EcdsaP256Sha256))
            .unwrap_or_else(|e| panic!("{}: {e}", p.name));
        assert!(key.verify(b"base", &sig).is_err(), "{}", p.name);
        assert!(key.verify(b"base", &[0u8; 64]).is_err(), "{}", p.name);
    }
}

#[test]
fn verify_policy_hashes_covered_bodies_with_its_provider() {
    use httpsig_core::{
        BaseOptions, Component, Derived, MaxAge, Message, SignatureParams, VerifyInput,
        VerifyPolicy,
    };
    // RFC 9530 Appendix D: sha-256 of `{"hello": "world"}`.
    const DIGEST: &str = "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:";
    let body = b"{\"hello\": \"world\"}";
    let mut m = Message::request("POST", "https://example.com/foo").expect("uri");
    m.add_header("Content-Digest", DIGEST);
    m.set_body(body.as_slice());
    for p in providers() {
        let key = PrivateKey::from_pem_with(&p, &read("test-key-ed25519.pem"), Algorithm::Ed25519)
            .expect("key");
        let params = SignatureParams::builder()
            .component(Component::derived(Derived::Method))
            .component(Component::field("content-digest").expect("name"))
            .created(1_000_000)
            .build()
            .expect("params");
        let s = httpsig_core::sign(&m, None, "sig1", params, &key, &BaseOptions::default())
            .expect("sign");
        let mut signed = m.clone();
        signed.add_header("Signature-Input", s.signature_input_member());
        signed.add_header("Signature", s.signature_member());
        let policy = VerifyPolicy::new(&[Algorithm::Ed25519], MaxAge::Unlimited)
            .at(1_000_001)
            .with_provider(p);
        assert_eq!(policy.provider(), p);
        let pk = key.public_key();
        assert!(
            policy
                .verify(VerifyInput::new(&signed).body(body), &pk)
                .is_ok(),
            "{}",
            p.name
        );
        let e = policy
            .verify(
                VerifyInput::new(&signed).body(b"{\"hello\": \"w0rld\"}"),
                &pk,
            )
            .expect_err("tampered body");
        assert_eq!(e.code(), "digest.mismatch", "{}", p.name);
    }
}

#[test]
fn public_jwk_is_derived_from_the_private_key_under_every_provider() {
    // (private PEM, algorithm, RFC 7638 thumbprint). Thumbprints from thumbprints.json
    // (rfc9421-b1.3-ecc-p256, rfc9421-b1.4-ed25519) and, for test-key-rsa-pss, Python hashlib
    // over the RFC 7638 JSON of test-key-rsa-pss.jwk.json's `e`, `kty`, `n`.
    let cases = [
        (
            "test-key-ecc-p256.pem",
            Algorithm::EcdsaP256Sha256,
            "ydQXMtvbsOsZyFir-Y7A8t7fKEM1gbKPvyFkdpu4fvI",
        ),
        (
            "test-key-ed25519.pem",
            Algorithm::Ed25519,
            "poqkLGiymh_W0uP6PZFw-dvez3QJT5SolqXBCW38r0U",
        ),
        (
            "test-key-rsa-pss.pem",
            Algorithm::RsaPssSha512,
            "oD0HwocPBSfpNy5W3bpJeyFGY_IQ_YpqxSjQ3Yd-CLA",
        ),
    ];
    for p in providers() {
        for (pem, alg, thumbprint) in cases {
            let key = PrivateKey::from_pem_with(&p, &read(pem), alg).expect(pem);
            let public = key.public_jwk().expect(pem);
            assert!(!public.is_private(), "{pem}");
            assert_eq!(
                public.thumbprint_sha256().expect(pem),
                thumbprint,
                "{pem} {}",
                p.name
            );
            // The derived JWK verifies what the private key signs.
            let sig = key.sign(b"probe").expect("sign");
            let pk = PublicKey::from_jwk_with(&p, &public, Some(alg)).expect("load");
            pk.verify(b"probe", &sig).expect("verifies");
        }
        // RFC 8037 A.1: the private OKP JWK's public half is A.3's, thumbprint kPrK….
        let private = jwk(std::str::from_utf8(&read("rfc8037-a1-ed25519.jwk.json")).expect("utf8"));
        let key = PrivateKey::from_jwk_with(&p, &private, Some(Algorithm::Ed25519)).expect("a1");
        assert_eq!(
            key.public_jwk()
                .and_then(|j| j.thumbprint_sha256())
                .expect("a1"),
            "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
        );
    }
}
