//! Key loading and the crypto backend against published material: the RFC 9421 Appendix B.1
//! keys and OpenSSL-made keys (see testdata/keys/README.md). Expected values come from those
//! sources, never from this crate's output. The data-file vectors beside them
//! (`signatures.json`, `thumbprints.json`) are run by the conformance crate's `keys` suite.

use std::path::PathBuf;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use httpsig_core::crypto::insecure::InsecureTestKey;
use httpsig_core::crypto::{Algorithm, InvalidSignature, JwsAlgorithm, SigningKey, VerifyingKey};
use httpsig_core::keys::{
    HmacKey, Jwk, JwkMember, Jwks, KeyError, KeyType, PemLabel, PrivateKey, PublicKey,
    UnsupportedKey,
};
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/testdata/keys")
}

fn read(name: &str) -> Vec<u8> {
    let path = dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(name: &str) -> Value {
    serde_json::from_slice(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn jwk(name: &str) -> Jwk {
    Jwk::from_json(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn secret() -> Vec<u8> {
    let text = read("test-shared-secret.txt");
    STANDARD
        .decode(text.trim_ascii())
        .expect("RFC 9421 B.1.5 secret is base64")
}

fn signer(file: &str, alg: Algorithm) -> Box<dyn SigningKey> {
    if file.ends_with(".txt") {
        Box::new(HmacKey::new(&secret()).expect("secret"))
    } else if file.ends_with(".jwk.json") {
        Box::new(PrivateKey::from_jwk(&jwk(file), Some(alg)).expect(file))
    } else {
        Box::new(PrivateKey::from_pem(&read(file), alg).expect(file))
    }
}

/// Positions to flip: every byte for short inputs, otherwise 64 spread over the input
/// including both ends. One bit per position, rotating through the bit index.
fn flip_positions(len: usize) -> Vec<usize> {
    if len <= 64 {
        (0..len).collect()
    } else {
        let mut v: Vec<usize> = (0..63).map(|i| i * len / 63).collect();
        v.push(len - 1);
        v
    }
}

fn assert_bit_flips_fail(key: &dyn VerifyingKey, base: &[u8], sig: &[u8], name: &str) {
    for i in flip_positions(sig.len()) {
        let mut bad = sig.to_vec();
        if let Some(b) = bad.get_mut(i) {
            *b ^= 1 << (i % 8);
        }
        assert_eq!(
            key.verify(base, &bad),
            Err(InvalidSignature),
            "{name}: signature byte {i}"
        );
    }
    for i in flip_positions(base.len()) {
        let mut bad = base.to_vec();
        if let Some(b) = bad.get_mut(i) {
            *b ^= 1 << (i % 8);
        }
        assert_eq!(
            key.verify(&bad, sig),
            Err(InvalidSignature),
            "{name}: base byte {i}"
        );
    }
    // Truncated and extended signatures.
    assert_eq!(
        key.verify(base, &sig[..sig.len() - 1]),
        Err(InvalidSignature),
        "{name}"
    );
    let mut longer = sig.to_vec();
    longer.push(0);
    assert_eq!(key.verify(base, &longer), Err(InvalidSignature), "{name}");
    assert_eq!(key.verify(base, &[]), Err(InvalidSignature), "{name}");
}

#[test]
fn thumbprint_errors() {
    let cases: &[(&str, &str)] = &[
        (
            r#"{"kty":"EC","crv":"P-256","x":"AA"}"#,
            "key.jwk_missing_member",
        ),
        (r#"{"kty":"RSA","n":"AA"}"#, "key.jwk_missing_member"),
        (
            r#"{"kty":"RSA","n":"AA==","e":"AQAB"}"#,
            "key.jwk_bad_base64",
        ),
        (r#"{"kty":"oct"}"#, "key.jwk_missing_member"),
        (r#"{"kty":"foo","k":"AA"}"#, "key.jwk_unsupported_kty"),
    ];
    for (input, code) in cases {
        let k = Jwk::from_json(input.as_bytes()).expect(input);
        assert_eq!(k.thumbprint_sha256().unwrap_err().code(), *code, "{input}");
    }
}

#[test]
fn rfc9421_b1_keys_load_or_are_refused_as_documented() {
    use Algorithm as A;
    // test-key-rsa (B.1.1): ring refuses the private key (its primes differ in size) ...
    for alg in [A::RsaV1_5Sha256, A::RsaPssSha512] {
        assert_eq!(
            PrivateKey::from_pem(&read("test-key-rsa.pem"), alg).map(|_| ()),
            Err(KeyError::RsaPrivateShape { modulus_bits: 2048 })
        );
    }
    let err =
        PrivateKey::from_jwk(&jwk("test-key-rsa.jwk.json"), Some(A::RsaV1_5Sha256)).unwrap_err();
    assert_eq!(err.code(), "key.rsa_private_shape");
    assert_eq!(
        PrivateKey::from_pem_infer(&read("test-key-rsa.pem")).map(|_| ()),
        Err(KeyError::AmbiguousAlgorithm(KeyType::Rsa))
    );
    // ... while its public key (PKCS#1 "RSA PUBLIC KEY") loads for both RSA algorithms.
    for alg in [
        A::RsaV1_5Sha256,
        A::RsaPssSha512,
        A::Jws(JwsAlgorithm::Rs256),
    ] {
        let k = PublicKey::from_pem(&read("test-key-rsa.pub.pem"), alg).expect("test-key-rsa.pub");
        assert_eq!((k.algorithm(), k.key_type()), (alg, KeyType::Rsa));
    }
    assert_eq!(
        PublicKey::from_pem_infer(&read("test-key-rsa.pub.pem")).map(|_| ()),
        Err(KeyError::AmbiguousAlgorithm(KeyType::Rsa))
    );
    let from_jwk = PublicKey::from_jwk(&jwk("test-key-rsa.jwk.json"), Some(A::RsaV1_5Sha256))
        .expect("public half of the test-key-rsa JWK");
    assert_eq!(from_jwk.key_id(), Some("test-key-rsa"));

    // test-key-rsa-pss (B.1.2): PKCS#8 with the RSASSA-PSS OID → PSS only.
    let pss = PrivateKey::from_pem_infer(&read("test-key-rsa-pss.pem")).expect("pss infer");
    assert_eq!(
        (pss.algorithm(), pss.key_type()),
        (A::RsaPssSha512, KeyType::RsaPss)
    );
    assert_eq!(
        PrivateKey::from_pem(&read("test-key-rsa-pss.pem"), A::RsaV1_5Sha256).map(|_| ()),
        Err(KeyError::AlgorithmMismatch {
            key: KeyType::RsaPss,
            requested: A::RsaV1_5Sha256
        })
    );
    assert!(
        PrivateKey::from_pem(&read("test-key-rsa-pss.pem"), A::Jws(JwsAlgorithm::Ps256)).is_ok()
    );
    // Its published public key uses the plain rsaEncryption OID.
    assert_eq!(
        PublicKey::from_pem_infer(&read("test-key-rsa-pss.pub.pem")).map(|_| ()),
        Err(KeyError::AmbiguousAlgorithm(KeyType::Rsa))
    );
    assert!(PublicKey::from_pem(&read("test-key-rsa-pss.pub.pem"), A::RsaPssSha512).is_ok());
    let pss_jwk = PrivateKey::from_jwk(&jwk("test-key-rsa-pss.jwk.json"), Some(A::RsaPssSha512))
        .expect("pss jwk");
    assert_eq!(pss_jwk.key_id(), Some("test-key-rsa-pss"));

    // test-key-ecc-p256 (B.1.3): SEC1 private key, SPKI public key, JWK.
    for k in [
        PrivateKey::from_pem_infer(&read("test-key-ecc-p256.pem")).expect("sec1"),
        PrivateKey::from_pem_infer(&read("generated/test-key-ecc-p256.pkcs8.pem")).expect("pkcs8"),
        PrivateKey::from_jwk(&jwk("test-key-ecc-p256.jwk.json"), None).expect("jwk"),
    ] {
        assert_eq!(
            (k.algorithm(), k.key_type()),
            (A::EcdsaP256Sha256, KeyType::EcP256)
        );
    }
    assert_eq!(
        PublicKey::from_pem_infer(&read("test-key-ecc-p256.pub.pem")).map(|k| k.algorithm()),
        Ok(A::EcdsaP256Sha256)
    );
    assert_eq!(
        PrivateKey::from_pem(&read("test-key-ecc-p256.pem"), A::EcdsaP384Sha384).map(|_| ()),
        Err(KeyError::AlgorithmMismatch {
            key: KeyType::EcP256,
            requested: A::EcdsaP384Sha384
        })
    );

    // test-key-ed25519 (B.1.4): PKCS#8 v1 without the public key.
    let ed = PrivateKey::from_pem_infer(&read("test-key-ed25519.pem")).expect("ed25519 v1");
    assert_eq!(ed.algorithm(), A::Ed25519);
    assert_eq!(
        PublicKey::from_pem_infer(&read("test-key-ed25519.pub.pem")).map(|k| k.algorithm()),
        Ok(A::Ed25519)
    );
    let ed_jwk = PrivateKey::from_jwk(&jwk("test-key-ed25519.jwk.json"), None).expect("ed jwk");
    assert_eq!(
        (ed_jwk.algorithm(), ed_jwk.key_id()),
        (A::Ed25519, Some("test-key-ed25519"))
    );

    // test-shared-secret (B.1.5): 64 bytes.
    assert_eq!(secret().len(), 64);
    assert!(HmacKey::new(&secret()).is_ok());
}

/// Why the loaders above do what they do: ring itself refuses two B.1 keys as published.
#[test]
fn ring_refuses_the_published_pss_pkcs8_and_ed25519_v1() {
    use rustls_pki_types::PrivatePkcs8KeyDer;
    use rustls_pki_types::pem::PemObject as _;
    let pss = PrivatePkcs8KeyDer::from_pem_slice(&read("test-key-rsa-pss.pem")).expect("pem");
    assert!(ring::signature::RsaKeyPair::from_pkcs8(pss.secret_pkcs8_der()).is_err());
    let ed = PrivatePkcs8KeyDer::from_pem_slice(&read("test-key-ed25519.pem")).expect("pem");
    assert!(ring::signature::Ed25519KeyPair::from_pkcs8(ed.secret_pkcs8_der()).is_err());
    assert!(
        ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(ed.secret_pkcs8_der()).is_ok()
    );
}

#[test]
fn private_and_public_loaders_agree() {
    // A signature made with each private key verifies with the separately loaded public key
    // (PEM and JWK), and with the private key's own public_key().
    let pairs: &[(&str, &str, Option<&str>, Algorithm)] = &[
        (
            "test-key-rsa-pss.pem",
            "test-key-rsa-pss.pub.pem",
            None,
            Algorithm::RsaPssSha512,
        ),
        (
            "test-key-ecc-p256.pem",
            "test-key-ecc-p256.pub.pem",
            Some("test-key-ecc-p256.jwk.json"),
            Algorithm::EcdsaP256Sha256,
        ),
        (
            "test-key-ed25519.pem",
            "test-key-ed25519.pub.pem",
            Some("test-key-ed25519.jwk.json"),
            Algorithm::Ed25519,
        ),
        (
            "generated/ecc-p384.sec1.pem",
            "generated/ecc-p384.pub.pem",
            None,
            Algorithm::EcdsaP384Sha384,
        ),
        (
            "generated/rsa-2048.jwk.json",
            "generated/rsa-2048.pub.pem",
            None,
            Algorithm::RsaV1_5Sha256,
        ),
    ];
    let base = b"\"@signature-params\": ();created=1618884473";
    for (private, public, public_jwk, alg) in pairs {
        let sk = signer(private, *alg);
        let sig = sk.sign(base).expect(private);
        let pk = PublicKey::from_pem(&read(public), *alg).expect(public);
        assert_eq!(pk.verify(base, &sig), Ok(()), "{private}");
        if let Some(j) = public_jwk {
            let pk = PublicKey::from_jwk(&jwk(j).public_only(), Some(*alg)).expect(j);
            assert_eq!(pk.verify(base, &sig), Ok(()), "{j}");
        }
    }
    let k = PrivateKey::from_pem_infer(&read("test-key-ed25519.pem"))
        .expect("ed")
        .with_key_id("test-key-ed25519");
    let pk = k.public_key();
    assert_eq!(
        (pk.algorithm(), pk.key_id()),
        (Algorithm::Ed25519, Some("test-key-ed25519"))
    );
    assert_eq!(pk.verify(b"x", &k.sign(b"x").expect("sign")), Ok(()));
}

fn pem_of(label: &str, der: &[u8]) -> Vec<u8> {
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        STANDARD.encode(der)
    )
    .into_bytes()
}

#[test]
fn sign_then_verify_every_algorithm() {
    use Algorithm as A;
    use JwsAlgorithm as J;
    let rng = ring::rand::SystemRandom::new();
    // Throwaway keys from ring (PKCS#8 v2) besides the committed ones.
    let ed_v2 = pem_of(
        "PRIVATE KEY",
        ring::signature::Ed25519KeyPair::generate_pkcs8(&rng)
            .expect("rng")
            .as_ref(),
    );
    let p256 = pem_of(
        "PRIVATE KEY",
        ring::signature::EcdsaKeyPair::generate_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &rng,
        )
        .expect("rng")
        .as_ref(),
    );
    let p384 = pem_of(
        "PRIVATE KEY",
        ring::signature::EcdsaKeyPair::generate_pkcs8(
            &ring::signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            &rng,
        )
        .expect("rng")
        .as_ref(),
    );
    let rsa = read("generated/rsa-2048.pem");
    let pss = read("test-key-rsa-pss.pem");
    let ed_v1 = read("test-key-ed25519.pem");
    let sec1 = read("test-key-ecc-p256.pem");
    // (pem, algorithm, expected signature length)
    let cases: &[(&[u8], Algorithm, usize)] = &[
        (&pss, A::RsaPssSha512, 256),
        (&rsa, A::RsaPssSha512, 256),
        (&rsa, A::RsaV1_5Sha256, 256),
        (&sec1, A::EcdsaP256Sha256, 64),
        (&p256, A::EcdsaP256Sha256, 64),
        (&p384, A::EcdsaP384Sha384, 96),
        (&ed_v1, A::Ed25519, 64),
        (&ed_v2, A::Ed25519, 64),
        (&pss, A::Jws(J::Ps256), 256),
        (&rsa, A::Jws(J::Ps256), 256),
        (&rsa, A::Jws(J::Ps384), 256),
        (&rsa, A::Jws(J::Ps512), 256),
        (&rsa, A::Jws(J::Rs256), 256),
        (&rsa, A::Jws(J::Rs384), 256),
        (&rsa, A::Jws(J::Rs512), 256),
        (&p256, A::Jws(J::Es256), 64),
        (&p384, A::Jws(J::Es384), 96),
        (&ed_v2, A::Jws(J::EdDsa), 64),
        (&ed_v1, A::Jws(J::Ed25519), 64),
    ];
    let base = b"\"@method\": POST\n\"@signature-params\": (\"@method\");created=1618884473";
    for (pem, alg, len) in cases {
        let k = PrivateKey::from_pem(pem, *alg).unwrap_or_else(|e| panic!("{alg}: {e}"));
        assert_eq!(k.algorithm(), *alg);
        let sig = k.sign(base).expect("sign");
        assert_eq!(sig.len(), *len, "{alg}");
        let pk = k.public_key();
        assert_eq!(pk.verify(base, &sig), Ok(()), "{alg}");
        assert_bit_flips_fail(&pk, base, &sig, &alg.to_string());
    }
    // RSA-PSS and PKCS#1 v1.5 signatures of one key do not cross over, nor do hashes.
    let k = PrivateKey::from_pem(&rsa, A::RsaPssSha512).expect("rsa");
    let sig = k.sign(base).expect("sign");
    for other in [A::RsaV1_5Sha256, A::Jws(J::Ps256), A::Jws(J::Rs512)] {
        let pk = PublicKey::from_pem(&read("generated/rsa-2048.pub.pem"), other).expect("pub");
        assert_eq!(pk.verify(base, &sig), Err(InvalidSignature), "{other}");
    }
    // HMAC, both names.
    let secret = secret();
    let h = HmacKey::new(&secret).expect("hmac");
    let tag = h.sign(base).expect("hmac");
    assert_eq!(tag.len(), 32);
    assert_eq!(h.verify(base, &tag), Ok(()));
    assert_bit_flips_fail(&h, base, &tag, "hmac-sha256");
    let hs = HmacKey::from_jwk(
        &Jwk::from_json(
            format!(
                r#"{{"kty":"oct","alg":"HS256","kid":"s","k":"{}"}}"#,
                URL_SAFE_NO_PAD.encode(&secret)
            )
            .as_bytes(),
        )
        .expect("oct"),
        None,
    )
    .expect("hs256");
    assert_eq!(
        (VerifyingKey::algorithm(&hs), VerifyingKey::key_id(&hs)),
        (A::Jws(J::Hs256), Some("s"))
    );
    assert_eq!(
        hs.sign(base).expect("hs256"),
        tag,
        "HS256 and hmac-sha256 are the same MAC"
    );
    assert_eq!(hs.verify(base, &tag), Ok(()));
}

#[test]
fn jwk_algorithm_rules() {
    use Algorithm as A;
    use JwsAlgorithm as J;
    let p256 = String::from_utf8(read("test-key-ecc-p256.jwk.json")).expect("utf8");
    let with_alg = |alg: &str| {
        Jwk::from_json(
            p256.replacen('{', &format!(r#"{{"alg":"{alg}","#), 1)
                .as_bytes(),
        )
        .expect(alg)
    };
    // JWK alg present → JWS algorithm; a compatible RFC 9421 request wins; others mismatch.
    let es256 = with_alg("ES256");
    assert_eq!(
        PrivateKey::from_jwk(&es256, None).map(|k| k.algorithm()),
        Ok(A::Jws(J::Es256))
    );
    assert_eq!(
        PublicKey::from_jwk(&es256, None).map(|k| k.algorithm()),
        Ok(A::Jws(J::Es256))
    );
    assert_eq!(
        PrivateKey::from_jwk(&es256, Some(A::EcdsaP256Sha256)).map(|k| k.algorithm()),
        Ok(A::EcdsaP256Sha256)
    );
    assert_eq!(
        PrivateKey::from_jwk(&es256, Some(A::Ed25519)).map(|_| ()),
        Err(KeyError::AlgorithmMismatch {
            key: KeyType::EcP256,
            requested: A::Ed25519
        })
    );
    assert_eq!(
        PublicKey::from_jwk(&es256, Some(A::Jws(J::Es384)))
            .map(|_| ())
            .unwrap_err()
            .code(),
        "key.algorithm_mismatch"
    );
    // The JWK's own alg must fit its key, and "none" is never accepted.
    assert_eq!(
        PrivateKey::from_jwk(&with_alg("PS256"), None).map(|_| ()),
        Err(KeyError::JwkAlgMismatch {
            alg: J::Ps256,
            key: KeyType::EcP256
        })
    );
    for alg in ["none", "ES512", "es256"] {
        assert_eq!(
            PublicKey::from_jwk(&with_alg(alg), None).map(|_| ()),
            Err(KeyError::JwkUnsupportedAlg),
            "{alg}"
        );
    }
    // RSA JWK without alg is ambiguous; with a request it loads.
    let rsa = jwk("generated/rsa-2048.jwk.json");
    assert_eq!(
        PrivateKey::from_jwk(&rsa, None).map(|_| ()),
        Err(KeyError::AmbiguousAlgorithm(KeyType::Rsa))
    );
    let k = PrivateKey::from_jwk(&rsa, Some(A::Jws(J::Ps256))).expect("rsa jwk");
    let pk =
        PublicKey::from_pem(&read("generated/rsa-2048.pub.pem"), A::Jws(J::Ps256)).expect("pub");
    assert_eq!(pk.verify(b"m", &k.sign(b"m").expect("sign")), Ok(()));
}

#[test]
fn jwk_member_errors() {
    let ed = r#""kty":"OKP","crv":"Ed25519","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs""#;
    let p256 = r#""kty":"EC","crv":"P-256","x":"qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA","y":"Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0""#;
    // (jwk body, private loader?, expected error)
    let cases: Vec<(String, bool, KeyError)> = vec![
        (format!("{{{ed}}}"), true, KeyError::NotPrivate),
        (
            format!(r#"{{{ed},"d":"AA"}}"#),
            true,
            KeyError::JwkInvalidMember(JwkMember::D),
        ),
        (
            format!(r#"{{{ed},"d":"n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU="}}"#),
            true,
            KeyError::JwkBadBase64(JwkMember::D),
        ),
        // d of another key: ring's consistency check.
        (
            format!(r#"{{{ed},"d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}}"#),
            true,
            KeyError::RejectedByBackend,
        ),
        (
            r#"{"kty":"OKP","crv":"Ed25519","x":"AAAA"}"#.into(),
            false,
            KeyError::JwkInvalidMember(JwkMember::X),
        ),
        (
            r#"{"kty":"OKP","crv":"X25519","x":"AA"}"#.into(),
            false,
            KeyError::JwkUnsupportedCrv,
        ),
        (
            r#"{"kty":"EC","crv":"P-256","x":"qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA"}"#
                .into(),
            false,
            KeyError::JwkMissingMember(JwkMember::Y),
        ),
        (
            r#"{"kty":"EC","crv":"P-256","x":"qIVY","y":"Mc4n"}"#.into(),
            false,
            KeyError::JwkInvalidMember(JwkMember::X),
        ),
        (
            format!(r#"{{{p256},"d":"UpuF"}}"#),
            true,
            KeyError::JwkInvalidMember(JwkMember::D),
        ),
        (
            r#"{"kty":"EC","crv":"P-521","x":"AA","y":"AA"}"#.into(),
            false,
            KeyError::JwkUnsupportedCrv,
        ),
        (
            r#"{"kty":"oct","k":"AAAA"}"#.into(),
            true,
            KeyError::SymmetricKey,
        ),
        (
            r#"{"kty":"oct","k":"AAAA"}"#.into(),
            false,
            KeyError::SymmetricKey,
        ),
        (
            r#"{"kty":"RSA","e":"AQAB","n":"AQAB"}"#.into(),
            false,
            KeyError::RsaTooSmall { bits: 17 },
        ),
        (
            r#"{"kty":"RSA","e":"AQAB","n":"AAEC"}"#.into(),
            false,
            KeyError::JwkInvalidMember(JwkMember::N),
        ),
        (
            r#"{"kty":"EC","crv":"P-256","use":"enc"}"#.into(),
            false,
            KeyError::JwkWrongUse,
        ),
    ];
    for (body, private, want) in cases {
        let k = Jwk::from_json(body.as_bytes()).expect(&body);
        let alg = if body.contains(r#""kty":"RSA""#) {
            Some(Algorithm::RsaPssSha512)
        } else {
            None
        };
        let got = if private {
            PrivateKey::from_jwk(&k, alg).map(|_| ())
        } else {
            PublicKey::from_jwk(&k, alg).map(|_| ())
        };
        assert_eq!(got, Err(want), "{body}");
    }
    // Multi-prime RSA is refused.
    let mut rsa: Value = json("generated/rsa-2048.jwk.json");
    rsa["oth"] = serde_json::json!([]);
    let k = Jwk::from_json(rsa.to_string().as_bytes()).expect("oth");
    assert_eq!(
        PrivateKey::from_jwk(&k, Some(Algorithm::RsaPssSha512)).map(|_| ()),
        Err(KeyError::JwkInvalidMember(JwkMember::Oth))
    );
    // HmacKey takes only oct.
    let ec = jwk("test-key-ecc-p256.jwk.json");
    assert_eq!(
        HmacKey::from_jwk(&ec, None).map(|_| ()),
        Err(KeyError::JwkUnsupportedKty)
    );
    let short = Jwk::from_json(br#"{"kty":"oct","k":"AAAA"}"#).expect("oct");
    assert_eq!(
        HmacKey::from_jwk(&short, None).map(|_| ()),
        Err(KeyError::HmacTooShort { len: 3, min: 32 })
    );
}

#[test]
fn jwks_lookup() {
    let set = format!(
        r#"{{"keys":[{},{},{{"kty":"OKP","crv":"X25519","kid":"enc","x":"AA"}}]}}"#,
        String::from_utf8(read("test-key-ecc-p256.jwk.json")).expect("utf8"),
        String::from_utf8(read("test-key-ed25519.jwk.json")).expect("utf8"),
    );
    let set = Jwks::from_json(set.as_bytes()).expect("set");
    assert_eq!(set.iter().count(), 3);
    let ed = set.with_kid("test-key-ed25519").next().expect("found");
    assert_eq!(
        (ed.kty(), ed.crv(), ed.alg()),
        ("OKP", Some("Ed25519"), None)
    );
    assert!(PublicKey::from_jwk(ed, None).is_ok());
    assert_eq!(
        set.verifying_key("test-key-ed25519", None)
            .map(|k| k.algorithm()),
        Ok(Algorithm::Ed25519)
    );
    // The only member with kid "enc" does not load: its error, not "no key".
    assert_eq!(
        set.verifying_key("enc", None).map(|_| ()),
        Err(KeyError::JwkUnsupportedCrv)
    );
    assert_eq!(
        set.verifying_key("nope", None).map(|_| ()),
        Err(KeyError::JwksNoKey)
    );
}

#[test]
fn key_size_and_type_refusals() {
    assert_eq!(
        HmacKey::new(&[7; 31]).map(|_| ()),
        Err(KeyError::HmacTooShort { len: 31, min: 32 })
    );
    assert!(HmacKey::new(&[7; 32]).is_ok());
    assert_eq!(
        PrivateKey::from_pem(&read("generated/rsa-1024.pem"), Algorithm::RsaPssSha512).map(|_| ()),
        Err(KeyError::RsaTooSmall { bits: 1024 })
    );
    assert_eq!(
        PublicKey::from_pem(
            &read("generated/rsa-1024.pub.pem"),
            Algorithm::RsaV1_5Sha256
        )
        .map(|_| ()),
        Err(KeyError::RsaTooSmall { bits: 1024 })
    );
    assert_eq!(
        PrivateKey::from_pem_infer(&read("generated/ecc-p521.pem")).map(|_| ()),
        Err(KeyError::UnsupportedKey(UnsupportedKey::Curve))
    );
    // Wrong section kinds.
    assert_eq!(
        PrivateKey::from_pem_infer(&read("test-key-ed25519.pub.pem")).map(|_| ()),
        Err(KeyError::UnsupportedPemLabel(PemLabel::PublicKey))
    );
    assert_eq!(
        PrivateKey::from_pem_infer(&read("test-key-rsa.pub.pem")).map(|_| ()),
        Err(KeyError::UnsupportedPemLabel(PemLabel::PublicKey))
    );
    assert_eq!(
        PublicKey::from_pem_infer(&read("test-key-ecc-p256.pem")).map(|_| ()),
        Err(KeyError::UnsupportedPemLabel(PemLabel::PrivateKey))
    );
    // A PKCS#8 with a byte appended inside the PEM.
    let der = STANDARD
        .decode("MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF")
        .expect("B.1.4 body");
    let mut longer = der.clone();
    longer.push(0);
    assert_eq!(
        PrivateKey::from_pem_infer(&pem_of("PRIVATE KEY", &longer))
            .unwrap_err()
            .code(),
        "key.der"
    );
    // Every truncation of a real key fails cleanly.
    for cut in 0..der.len() {
        let r = PrivateKey::from_pem_infer(&pem_of("PRIVATE KEY", &der[..cut]));
        assert!(r.is_err(), "cut {cut}");
    }
    // A compressed EC point is refused at load.
    let spki = STANDARD
        .decode("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEqIVYZVLCrPZHGHjP17CTW0/+D9Lfw0EkjqF7xB4FivAxzic30tMM4GF+hR6Dxh71Z50VGGdldkkDXZCnTNnoXQ==")
        .expect("B.1.3 public");
    let mut compressed = spki;
    if let Some(b) = compressed.get_mut(26) {
        assert_eq!(*b, 4, "point prefix");
        *b = 2;
    }
    assert_eq!(
        PublicKey::from_pem_infer(&pem_of("PUBLIC KEY", &compressed)).map(|_| ()),
        Err(KeyError::UnsupportedKey(UnsupportedKey::EcPoint))
    );
}

#[test]
fn rsassa_pss_oid_keys_from_openssl() {
    // OpenSSL 3 "RSA-PSS" keys: the RSASSA-PSS OID in both PKCS#8 and SPKI.
    let k = PrivateKey::from_pem_infer(&read("generated/rsa-pss-2048.pem")).expect("pss pkcs8");
    assert_eq!(
        (k.algorithm(), k.key_type()),
        (Algorithm::RsaPssSha512, KeyType::RsaPss)
    );
    let pk = PublicKey::from_pem_infer(&read("generated/rsa-pss-2048.pub.pem")).expect("pss spki");
    assert_eq!(
        (pk.algorithm(), pk.key_type()),
        (Algorithm::RsaPssSha512, KeyType::RsaPss)
    );
    assert_eq!(pk.verify(b"m", &k.sign(b"m").expect("sign")), Ok(()));
    assert_eq!(
        PublicKey::from_pem(
            &read("generated/rsa-pss-2048.pub.pem"),
            Algorithm::RsaV1_5Sha256
        )
        .map(|_| ()),
        Err(KeyError::AlgorithmMismatch {
            key: KeyType::RsaPss,
            requested: Algorithm::RsaV1_5Sha256
        })
    );
    // PSS parameters (here SHA-256, salt 32) restrict the key; we refuse rather than ignore.
    assert_eq!(
        PrivateKey::from_pem_infer(&read("generated/rsa-pss-2048-sha256-params.pem")).map(|_| ()),
        Err(KeyError::UnsupportedKey(UnsupportedKey::PssParameters))
    );
}

/// Corrupting any byte of a real key's DER gives a Result, never a panic.
#[test]
fn corrupted_der_never_panics() {
    use rustls_pki_types::pem::{PemObject as _, SectionKind};
    for (file, private) in [
        ("test-key-ed25519.pem", true),
        ("test-key-ecc-p256.pem", true),
        ("generated/ecc-p384.pem", true),
        ("test-key-ed25519.pub.pem", false),
        ("test-key-ecc-p256.pub.pem", false),
        ("test-key-rsa-pss.pub.pem", false),
        ("generated/rsa-pss-2048.pub.pem", false),
    ] {
        let (kind, der) = <(SectionKind, Vec<u8>)>::from_pem_slice(&read(file)).expect(file);
        let label = match kind {
            SectionKind::PrivateKey => "PRIVATE KEY",
            SectionKind::EcPrivateKey => "EC PRIVATE KEY",
            SectionKind::PublicKey => "PUBLIC KEY",
            other => panic!("{other:?}"),
        };
        for i in 0..der.len() {
            for mask in [0x01, 0x80, 0xff] {
                let mut bad = der.clone();
                if let Some(b) = bad.get_mut(i) {
                    *b ^= mask;
                }
                let pem = pem_of(label, &bad);
                if private {
                    let _ = PrivateKey::from_pem_infer(&pem);
                } else {
                    let _ = PublicKey::from_pem_infer(&pem);
                }
            }
        }
    }
}

#[test]
fn debug_output_has_no_key_material() {
    let ed_jwk = jwk("test-key-ed25519.jwk.json");
    let p256_jwk = jwk("test-key-ecc-p256.jwk.json");
    let rsa_jwk = jwk("test-key-rsa-pss.jwk.json");
    let secret = secret();
    // Fragments of private material in every encoding the Debug output might use.
    let hex = |b: &[u8]| {
        b.iter()
            .take(8)
            .map(|x| format!("{x:02x}"))
            .collect::<String>()
    };
    let ed_d = URL_SAFE_NO_PAD
        .decode("n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU")
        .expect("d");
    let p256_d = URL_SAFE_NO_PAD
        .decode("UpuF81l-kOxbjf7T4mNSv0r5tN67Gim7rnf6EFpcYDs")
        .expect("d");
    let forbidden: Vec<String> = vec![
        "n4Ni-HpISpVO".into(),
        "UpuF81l-kOxb".into(),
        "lAfIqfpCYomV".into(), // test-key-rsa-pss d
        "5V-6ISI5yEaC".into(), // p
        "uzvJfB4u3N0J".into(), // the shared secret, base64
        hex(&ed_d),
        hex(&p256_d),
        hex(&secret),
        format!("{:?}", &ed_d[..4]).trim_end_matches(']').to_owned(),
        format!("{:?}", &secret[..4])
            .trim_end_matches(']')
            .to_owned(),
        "MC4CAQAw".into(),
        "MHcCAQEE".into(),
    ];
    let keys: Vec<String> = vec![
        format!("{:?}", PrivateKey::from_jwk(&ed_jwk, None).expect("ed")),
        format!(
            "{:?}",
            PrivateKey::from_pem_infer(&read("test-key-ed25519.pem")).expect("ed")
        ),
        format!("{:?}", PrivateKey::from_jwk(&p256_jwk, None).expect("p256")),
        format!(
            "{:?}",
            PrivateKey::from_pem_infer(&read("test-key-ecc-p256.pem")).expect("p256")
        ),
        format!(
            "{:?}",
            PrivateKey::from_pem_infer(&read("test-key-rsa-pss.pem")).expect("pss")
        ),
        format!(
            "{:?}",
            PrivateKey::from_jwk(&rsa_jwk, Some(Algorithm::RsaPssSha512)).expect("pss")
        ),
        format!("{:?}", PublicKey::from_jwk(&ed_jwk, None).expect("ed")),
        format!(
            "{:?}",
            HmacKey::new(&secret)
                .expect("hmac")
                .with_key_id("test-shared-secret")
        ),
        format!("{:?}", ed_jwk),
        format!("{:?}", p256_jwk),
        format!("{:?}", rsa_jwk),
        format!(
            "{:?}",
            Jwks::from_json(
                format!(
                    r#"{{"keys":[{}]}}"#,
                    String::from_utf8(read("test-key-ed25519.jwk.json")).expect("utf8")
                )
                .as_bytes()
            )
            .expect("set")
        ),
        format!("{:?}", InsecureTestKey::new(&secret, Algorithm::HmacSha256)),
        format!("{:?}", KeyError::RejectedByBackend),
    ];
    for debug in &keys {
        for f in &forbidden {
            assert!(!debug.contains(f.as_str()), "{debug} contains {f}");
        }
    }
    // The redacted forms still say what the key is.
    assert_eq!(
        format!("{:?}", PrivateKey::from_jwk(&ed_jwk, None).expect("ed")),
        r#"PrivateKey { algorithm: Ed25519, key_id: Some("test-key-ed25519"), .. }"#
    );
    assert!(
        keys[8].contains(r#"d: "<redacted>""#) && keys[8].contains("JrQLj5P_"),
        "{}",
        keys[8]
    );
    assert!(keys[7].contains("<redacted>"), "{}", keys[7]);
}

#[test]
fn error_codes_are_stable() {
    let cases: &[(KeyError, &str)] = &[
        (KeyError::RejectedByBackend, "key.rejected_by_backend"),
        (
            KeyError::AmbiguousAlgorithm(KeyType::Rsa),
            "key.ambiguous_algorithm",
        ),
        (KeyError::NotPrivate, "key.not_private"),
        (
            KeyError::HmacTooShort { len: 1, min: 32 },
            "key.hmac_too_short",
        ),
        (KeyError::RsaTooSmall { bits: 1024 }, "key.rsa_too_small"),
        (KeyError::SigningFailed, "key.signing_failed"),
        (KeyError::Random, "key.random"),
        (KeyError::JwkUnsupportedKty, "key.jwk_unsupported_kty"),
    ];
    for (e, code) in cases {
        assert_eq!(e.code(), *code);
        let text = e.to_string();
        assert!(!text.is_empty() && !text.ends_with('.'), "{text}");
    }
    assert_eq!(
        KeyError::RsaTooSmall { bits: 1024 }.to_string(),
        "RSA modulus is 1024 bits, at least 2048 are required"
    );
}

/// A JWK or JWK Set that repeats a member name, at any depth and also through an escaped
/// name, is refused rather than read "last wins" (RFC 7517 §4 allows either; the JWS header
/// that carries a DPoP key refuses it, so the key files and fetched sets do too).
#[test]
fn repeated_member_names_are_refused() {
    use httpsig_core::keys::{JwkJsonError, KeyError};
    let x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    let dup = KeyError::JwkJson(JwkJsonError::DuplicateMember);
    for text in [
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","x":"{x}"}}"#),
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}","\u0078":"AA"}}"#),
        format!(r#"{{"kty":"OKP","kty":"OKP","crv":"Ed25519","x":"{x}"}}"#),
    ] {
        assert_eq!(Jwk::from_json(text.as_bytes()).unwrap_err(), dup, "{text}");
        let set = format!(r#"{{"keys":[{text}]}}"#);
        assert_eq!(Jwks::from_json(set.as_bytes()).unwrap_err(), dup, "{set}");
    }
    let twice = format!(r#"{{"keys":[],"keys":[{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}]}}"#);
    assert_eq!(Jwks::from_json(twice.as_bytes()).unwrap_err(), dup);
    // The same key without the repetition loads.
    let ok = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{x}"}}"#);
    assert!(Jwk::from_json(ok.as_bytes()).is_ok());
    assert_eq!(dup.code(), "key.jwk_json");
}
