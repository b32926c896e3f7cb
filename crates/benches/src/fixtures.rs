//! Keys, requests and bodies shared by every group, loaded once for the implementations:
//! ours (`httpsig-core` / `fapi-profile`, on the ring and on the aws-lc-rs provider),
//! `httpsig-hyper` 0.0.26, raw `ring` and raw `aws-lc-rs`.
//!
//! Keys are the RFC 9421 Appendix B.1 test keys in `crates/conformance/testdata/keys/`.
//! Everything here panics on a broken fixture: a benchmark of a failing setup measures nothing.

use std::path::PathBuf;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use bytes::Bytes;
use http_body_util::Full;
use httpsig_core::Algorithm;
use httpsig_core::crypto::aws_lc_rs as aws_provider;
use httpsig_core::keys::{HmacKey, PrivateKey, PublicKey};
use httpsig_hyper::prelude as hy;
use ring::signature::{self, KeyPair as _};

/// The algorithms of groups 2 and 3.
pub const ALGORITHMS: [Alg; 4] = [
    Alg::Ed25519,
    Alg::EcdsaP256,
    Alg::HmacSha256,
    Alg::RsaPssSha512,
];

/// An algorithm measured in groups 2 and 3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    /// `ed25519`.
    Ed25519,
    /// `ecdsa-p256-sha256`.
    EcdsaP256,
    /// `hmac-sha256`.
    HmacSha256,
    /// `rsa-pss-sha512`.
    RsaPssSha512,
}

impl Alg {
    /// The RFC 9421 registry name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ed25519 => "ed25519",
            Self::EcdsaP256 => "ecdsa-p256-sha256",
            Self::HmacSha256 => "hmac-sha256",
            Self::RsaPssSha512 => "rsa-pss-sha512",
        }
    }

    /// The RFC 9421 B.1 key id.
    pub fn keyid(self) -> &'static str {
        match self {
            Self::Ed25519 => "test-key-ed25519",
            Self::EcdsaP256 => "test-key-ecc-p256",
            Self::HmacSha256 => "test-shared-secret",
            Self::RsaPssSha512 => "test-key-rsa-pss",
        }
    }

    /// Ours.
    pub fn algorithm(self) -> Algorithm {
        match self {
            Self::Ed25519 => Algorithm::Ed25519,
            Self::EcdsaP256 => Algorithm::EcdsaP256Sha256,
            Self::HmacSha256 => Algorithm::HmacSha256,
            Self::RsaPssSha512 => Algorithm::RsaPssSha512,
        }
    }
}

/// Panics with the fixture that failed.
#[track_caller]
pub fn must<T, E: core::fmt::Debug>(r: Result<T, E>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("benchmark fixture {what}: {e:?}"),
    }
}

fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/testdata/keys")
}

/// Reads a file of the key test data.
pub fn key_file(name: &str) -> Vec<u8> {
    must(std::fs::read(keys_dir().join(name)), name)
}

/// The DER inside a one-block PEM file.
pub fn pem_der(pem: &[u8]) -> Vec<u8> {
    let text = must(core::str::from_utf8(pem), "pem utf-8");
    let b64: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    must(STANDARD.decode(b64), "pem base64")
}

/// One DER element: (tag, contents, rest). Short and long length forms.
fn der_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        let (bytes, rest) = rest.split_at_checked(n)?;
        let len = bytes.iter().try_fold(0usize, |acc, &b| {
            acc.checked_mul(256)?.checked_add(usize::from(b))
        })?;
        (len, rest)
    };
    let (contents, rest) = rest.split_at_checked(len)?;
    Some((tag, contents, rest))
}

/// The PKCS#1 `RSAPrivateKey` inside a PKCS#8 `PrivateKeyInfo` (whatever its algorithm OID):
/// how httpsig 0.0.26 (which knows only the rsaEncryption OID) and ring (which refuses the
/// RSASSA-PSS OID) both get RFC 9421's `test-key-rsa-pss`.
pub fn pkcs8_inner_key(pkcs8: &[u8]) -> Vec<u8> {
    let inner = (|| {
        let (0x30, info, _) = der_element(pkcs8)? else {
            return None;
        };
        let (0x02, _version, rest) = der_element(info)? else {
            return None;
        };
        let (0x30, _alg, rest) = der_element(rest)? else {
            return None;
        };
        let (0x04, key, _) = der_element(rest)? else {
            return None;
        };
        Some(key.to_vec())
    })();
    must(inner.ok_or("not a PKCS#8 PrivateKeyInfo"), "pkcs8")
}

/// One algorithm's key in the three implementations' forms.
pub struct KeyTriple {
    /// The algorithm.
    pub alg: Alg,
    /// Ours, signing (an asymmetric private key or the HMAC secret).
    pub ours_signer: Box<dyn httpsig_core::SigningKey>,
    /// Ours, verifying.
    pub ours_verifier: Arc<dyn httpsig_core::VerifyingKey>,
    /// httpsig-hyper (httpsig 0.0.26), signing.
    pub hyper_signer: HyperSigner,
    /// httpsig-hyper, verifying.
    pub hyper_verifier: HyperVerifier,
    /// Raw ring.
    pub ring: RingKey,
    /// Ours on the aws-lc-rs provider, signing.
    pub ours_aws_signer: Box<dyn httpsig_core::SigningKey>,
    /// Ours on the aws-lc-rs provider, verifying.
    pub ours_aws_verifier: Arc<dyn httpsig_core::VerifyingKey>,
    /// Raw aws-lc-rs.
    pub aws: AwsKey,
}

/// A key in raw aws-lc-rs form: the private key, and the public key parsed once (as ours
/// holds it), or the HMAC key.
#[derive(Debug)]
#[expect(
    clippy::large_enum_variant,
    reason = "one value per algorithm, built once per run; boxing would add a pointer hop to the baseline"
)]
pub enum AwsKey {
    /// Ed25519.
    Ed25519(
        aws_lc_rs::signature::Ed25519KeyPair,
        aws_lc_rs::signature::ParsedPublicKey,
    ),
    /// ECDSA P-256, fixed-size `r||s`.
    EcdsaP256(
        aws_lc_rs::signature::EcdsaKeyPair,
        aws_lc_rs::signature::ParsedPublicKey,
    ),
    /// HMAC-SHA256.
    Hmac(aws_lc_rs::hmac::Key),
    /// RSA, PSS-SHA512.
    Rsa(
        aws_lc_rs::signature::RsaKeyPair,
        aws_lc_rs::signature::ParsedPublicKey,
    ),
}

impl AwsKey {
    fn load(alg: Alg, der: &[u8]) -> Self {
        use aws_lc_rs::signature::{self as s, KeyPair as _};
        match alg {
            Alg::Ed25519 => {
                let k = must(
                    s::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der),
                    "ed25519 aws",
                );
                let p = must(
                    s::ParsedPublicKey::new(&s::ED25519, k.public_key().as_ref()),
                    "pk",
                );
                Self::Ed25519(k, p)
            }
            Alg::EcdsaP256 => {
                let k = must(
                    s::EcdsaKeyPair::from_pkcs8(&s::ECDSA_P256_SHA256_FIXED_SIGNING, der),
                    "p256 aws",
                );
                let p = must(
                    s::ParsedPublicKey::new(&s::ECDSA_P256_SHA256_FIXED, k.public_key().as_ref()),
                    "pk",
                );
                Self::EcdsaP256(k, p)
            }
            Alg::RsaPssSha512 => {
                let k = must(s::RsaKeyPair::from_der(der), "rsa aws");
                let p = must(
                    s::ParsedPublicKey::new(&s::RSA_PSS_2048_8192_SHA512, k.public_key().as_ref()),
                    "pk",
                );
                Self::Rsa(k, p)
            }
            Alg::HmacSha256 => {
                Self::Hmac(aws_lc_rs::hmac::Key::new(aws_lc_rs::hmac::HMAC_SHA256, der))
            }
        }
    }

    /// Signs with aws-lc-rs (the raw baseline of a sign).
    ///
    /// # Errors
    /// aws-lc-rs's unspecified error.
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, aws_lc_rs::error::Unspecified> {
        let rng = aws_lc_rs::rand::SystemRandom::new();
        Ok(match self {
            Self::Ed25519(k, _) => k.try_sign(msg)?.as_ref().to_vec(),
            Self::EcdsaP256(k, _) => k.sign(&rng, msg)?.as_ref().to_vec(),
            Self::Hmac(k) => aws_lc_rs::hmac::sign(k, msg).as_ref().to_vec(),
            Self::Rsa(k, _) => {
                let mut sig = vec![0u8; k.public_modulus_len()];
                k.sign(&aws_lc_rs::signature::RSA_PSS_SHA512, &rng, msg, &mut sig)?;
                sig
            }
        })
    }

    /// Verifies with aws-lc-rs (the raw baseline of a verify).
    ///
    /// # Errors
    /// aws-lc-rs's unspecified error.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), aws_lc_rs::error::Unspecified> {
        match self {
            Self::Ed25519(_, p) | Self::EcdsaP256(_, p) | Self::Rsa(_, p) => p.verify_sig(msg, sig),
            Self::Hmac(k) => aws_lc_rs::hmac::verify(k, msg, sig),
        }
    }
}

impl core::fmt::Debug for KeyTriple {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("KeyTriple")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// httpsig's signing keys: asymmetric and shared are distinct types.
#[derive(Clone, Debug)]
pub enum HyperSigner {
    /// `SecretKey`.
    Secret(hy::SecretKey),
    /// `SharedKey` (HMAC).
    Shared(hy::SharedKey),
}

/// httpsig's verifying keys.
#[derive(Clone, Debug)]
pub enum HyperVerifier {
    /// `PublicKey`.
    Public(hy::PublicKey),
    /// `SharedKey` (HMAC).
    Shared(hy::SharedKey),
}

/// A key in raw ring form.
#[derive(Debug)]
pub enum RingKey {
    /// Ed25519.
    Ed25519(signature::Ed25519KeyPair),
    /// ECDSA P-256, fixed-size `r||s`.
    EcdsaP256(signature::EcdsaKeyPair),
    /// HMAC-SHA256.
    Hmac(ring::hmac::Key),
    /// RSA (PSS-SHA512 padding at use), with the public key as components, as ours holds it.
    Rsa(
        signature::RsaKeyPair,
        signature::RsaPublicKeyComponents<Vec<u8>>,
    ),
}

impl RingKey {
    /// Signs with ring (the raw baseline of a sign).
    ///
    /// # Errors
    /// ring's unspecified error.
    pub fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, ring::error::Unspecified> {
        let rng = ring::rand::SystemRandom::new();
        Ok(match self {
            Self::Ed25519(k) => k.sign(msg).as_ref().to_vec(),
            Self::EcdsaP256(k) => k.sign(&rng, msg)?.as_ref().to_vec(),
            Self::Hmac(k) => ring::hmac::sign(k, msg).as_ref().to_vec(),
            Self::Rsa(k, _) => {
                let mut sig = vec![0u8; k.public().modulus_len()];
                k.sign(&signature::RSA_PSS_SHA512, &rng, msg, &mut sig)?;
                sig
            }
        })
    }

    /// Verifies with ring (the raw baseline of a verify).
    ///
    /// # Errors
    /// ring's unspecified error.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> Result<(), ring::error::Unspecified> {
        match self {
            Self::Ed25519(k) => {
                signature::UnparsedPublicKey::new(&signature::ED25519, k.public_key().as_ref())
                    .verify(msg, sig)
            }
            Self::EcdsaP256(k) => signature::UnparsedPublicKey::new(
                &signature::ECDSA_P256_SHA256_FIXED,
                k.public_key().as_ref(),
            )
            .verify(msg, sig),
            Self::Hmac(k) => ring::hmac::verify(k, msg, sig),
            Self::Rsa(_, public) => public.verify(&signature::RSA_PSS_2048_8192_SHA512, msg, sig),
        }
    }
}

/// Loads one algorithm's key for all three implementations.
pub fn load_key(alg: Alg) -> KeyTriple {
    let rng = ring::rand::SystemRandom::new();
    match alg {
        Alg::Ed25519 => {
            let pem = key_file("test-key-ed25519.pem");
            let ours = must(
                PrivateKey::from_pem(&pem, Algorithm::Ed25519),
                "ed25519 ours",
            )
            .with_key_id(alg.keyid());
            let sk = must(
                hy::SecretKey::from_pem(&hy::AlgorithmName::Ed25519, text(&pem)),
                "ed25519 httpsig",
            );
            let ring = must(
                signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&pem_der(&pem)),
                "ed25519 ring",
            );
            let aws = AwsKey::load(alg, &pem_der(&pem));
            asymmetric(alg, ours, &pem, sk, RingKey::Ed25519(ring), aws)
        }
        Alg::EcdsaP256 => {
            let pem = key_file("test-key-ecc-p256.pem");
            let ours = must(
                PrivateKey::from_pem(&pem, Algorithm::EcdsaP256Sha256),
                "p256 ours",
            )
            .with_key_id(alg.keyid());
            // The same key as PKCS#8 (OpenSSL conversion, see the keys README): httpsig and
            // ring read PKCS#8 only.
            let pkcs8 = key_file("generated/test-key-ecc-p256.pkcs8.pem");
            let sk = must(
                hy::SecretKey::from_pem(&hy::AlgorithmName::EcdsaP256Sha256, text(&pkcs8)),
                "p256 httpsig",
            );
            let ring = must(
                signature::EcdsaKeyPair::from_pkcs8(
                    &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
                    &pem_der(&pkcs8),
                    &rng,
                ),
                "p256 ring",
            );
            let aws = AwsKey::load(alg, &pem_der(&pkcs8));
            asymmetric(alg, ours, &pem, sk, RingKey::EcdsaP256(ring), aws)
        }
        Alg::RsaPssSha512 => {
            let pem = key_file("test-key-rsa-pss.pem");
            let ours = must(
                PrivateKey::from_pem(&pem, Algorithm::RsaPssSha512),
                "rsa-pss ours",
            )
            .with_key_id(alg.keyid());
            let pkcs1 = pkcs8_inner_key(&pem_der(&pem));
            let sk = must(
                hy::SecretKey::from_bytes(&hy::AlgorithmName::RsaPssSha512, &pkcs1),
                "rsa-pss httpsig",
            );
            let pair = must(signature::RsaKeyPair::from_der(&pkcs1), "rsa-pss ring");
            let public: signature::RsaPublicKeyComponents<Vec<u8>> = pair.public().into();
            let aws = AwsKey::load(alg, &pkcs1);
            asymmetric(alg, ours, &pem, sk, RingKey::Rsa(pair, public), aws)
        }
        Alg::HmacSha256 => {
            let b64 = key_file("test-shared-secret.txt");
            let b64 = text(&b64).trim();
            let secret = must(STANDARD.decode(b64), "hmac secret base64");
            let ours = must(HmacKey::new(&secret), "hmac ours").with_key_id(alg.keyid());
            let ours_aws = must(
                HmacKey::new_with(&aws_provider::provider(), &secret),
                "hmac aws",
            )
            .with_key_id(alg.keyid());
            let shared = must(
                hy::SharedKey::from_base64(&hy::AlgorithmName::HmacSha256, b64),
                "hmac httpsig",
            );
            KeyTriple {
                alg,
                ours_signer: Box::new(ours.clone()),
                ours_verifier: Arc::new(ours),
                hyper_signer: HyperSigner::Shared(shared.clone()),
                hyper_verifier: HyperVerifier::Shared(shared),
                ring: RingKey::Hmac(ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &secret)),
                ours_aws_signer: Box::new(ours_aws.clone()),
                ours_aws_verifier: Arc::new(ours_aws),
                aws: AwsKey::load(alg, &secret),
            }
        }
    }
}

fn asymmetric(
    alg: Alg,
    ours: PrivateKey,
    pem: &[u8],
    sk: hy::SecretKey,
    ring: RingKey,
    aws: AwsKey,
) -> KeyTriple {
    let public: PublicKey = ours.public_key();
    let pk = sk.public_key();
    let ours_aws = must(
        PrivateKey::from_pem_with(&aws_provider::provider(), pem, alg.algorithm()),
        "ours on aws-lc-rs",
    )
    .with_key_id(alg.keyid());
    KeyTriple {
        alg,
        ours_signer: Box::new(ours),
        ours_verifier: Arc::new(public),
        hyper_signer: HyperSigner::Secret(sk),
        hyper_verifier: HyperVerifier::Public(pk),
        ring,
        ours_aws_verifier: Arc::new(ours_aws.public_key()),
        ours_aws_signer: Box::new(ours_aws),
        aws,
    }
}

fn text(b: &[u8]) -> &str {
    must(core::str::from_utf8(b), "utf-8 key file")
}

// ---------------------------------------------------------------------------------------------
// Requests

/// `created` of every signature made here (RFC 9421 Appendix B's value).
pub const CREATED: i64 = 1_618_884_473;
/// The clock of every verification: 5 s after `created`.
pub const NOW: i64 = CREATED + 5;

/// The RFC 9421 B.2 test request's target URI.
pub const B25_TARGET: &str = "https://example.com/foo?param=Value&Pet=dog";
/// The B.2.5 covered components.
pub const B25_COMPONENTS: &str = r#"("date" "@authority" "content-type")"#;

/// The FAPI-shaped request's target URI.
pub const FAPI_TARGET: &str =
    "https://rs.example.com/accounts/transactions?from=2026-01-01&limit=50";
/// The FAPI request signature's covered components (FAPI 2.0 HTTP Signatures §5.3.1.1).
pub const FAPI_COMPONENTS: &str =
    r#"("@method" "@target-uri" "authorization" "dpop" "content-digest")"#;
/// The access token of RFC 9449 Figure 14.
pub const ACCESS_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
/// The client id the resource server knows the client by.
pub const CLIENT_ID: &str = "client-a";

/// The RFC 9421 B.2 test request (`POST /foo?param=Value&Pet=dog`), with an absolute URI as a
/// client builds it, unsigned.
pub fn b25_request() -> http::Request<Bytes> {
    must(
        http::Request::post(B25_TARGET)
            .header("host", "example.com")
            .header("date", "Tue, 20 Apr 2021 02:07:55 GMT")
            .header("content-type", "application/json")
            .header(
                "content-digest",
                "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:",
            )
            .header("content-length", "18")
            .body(Bytes::from_static(br#"{"hello": "world"}"#)),
        "b.2 request",
    )
}

/// A JSON body of exactly `len` bytes (`len` ≥ 16).
pub fn json_body(len: usize) -> Bytes {
    let head = br#"{"payload":""#;
    let tail = br#""}"#;
    let fill = len.saturating_sub(head.len() + tail.len());
    let mut v = Vec::with_capacity(len);
    v.extend_from_slice(head);
    v.extend(
        b"abcdefghijklmnopqrstuvwxyz0123456789"
            .iter()
            .cycle()
            .take(fill),
    );
    v.extend_from_slice(tail);
    Bytes::from(v)
}

/// A DPoP proof (RFC 9449 §4.2) for the FAPI request, ES256 with the B.1.3 P-256 key, with a
/// server nonce: about 600 bytes, like proofs seen in FAPI deployments.
pub fn dpop_proof() -> String {
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = pem_der(&key_file("generated/test-key-ecc-p256.pkcs8.pem"));
    let key = must(
        signature::EcdsaKeyPair::from_pkcs8(
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &pkcs8,
            &rng,
        ),
        "dpop key",
    );
    let point = key.public_key().as_ref();
    let (x, y) = (
        URL_SAFE_NO_PAD.encode(point.get(1..33).unwrap_or_default()),
        URL_SAFE_NO_PAD.encode(point.get(33..65).unwrap_or_default()),
    );
    let ath = URL_SAFE_NO_PAD.encode(ring::digest::digest(
        &ring::digest::SHA256,
        ACCESS_TOKEN.as_bytes(),
    ));
    let header = format!(
        r#"{{"typ":"dpop+jwt","alg":"ES256","jwk":{{"kty":"EC","crv":"P-256","x":"{x}","y":"{y}"}}}}"#
    );
    let claims = format!(
        r#"{{"jti":"e1j3V_bKic8-LAEB","htm":"POST","htu":"https://rs.example.com/accounts/transactions","iat":{CREATED},"ath":"{ath}","nonce":"eyJ7S_zG.eyJH0-Z.HX4w-7v-6r0R5aWJfQ2mKkXj9LuVcs1ZtBq"}}"#
    );
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    );
    let sig = must(key.sign(&rng, input.as_bytes()), "dpop sign");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig))
}

/// The FAPI-shaped request, unsigned: `POST` with a query, `Authorization: DPoP`, a DPoP proof,
/// and `body` (its `Content-Digest` is added by the signer).
pub fn fapi_request(body: &Bytes, dpop: &str) -> http::Request<Bytes> {
    must(
        http::Request::post(FAPI_TARGET)
            .header("host", "rs.example.com")
            .header("authorization", format!("DPoP {ACCESS_TOKEN}"))
            .header("dpop", dpop)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header(
                "x-fapi-interaction-id",
                "c770aef3-6784-41f7-8e0e-ff5f97bddb3a",
            )
            .body(body.clone()),
        "fapi request",
    )
}

/// Signs the FAPI request with `key` the FAPI way (adds `Content-Digest`, then the signature).
pub fn sign_fapi(req: &mut http::Request<Bytes>, key: &dyn httpsig_core::SigningKey) {
    let keyid = key.key_id().unwrap_or("client-key").to_owned();
    must(
        fapi_profile::signatures::RequestSigner::new(key, &keyid).sign(req, CREATED),
        "fapi sign",
    );
}

/// Signs the B.2.5-shaped request with our signer: components `("date" "@authority"
/// "content-type")`, `created`, `keyid`. With the HMAC key this is exactly RFC 9421 B.2.5.
pub fn sign_b25(req: &mut http::Request<Bytes>, key: &dyn httpsig_core::SigningKey) {
    let params = must(b25_params(key.key_id().unwrap_or_default()), "b.2.5 params");
    let view = must(httpsig_core::http::RequestView::client(req), "b.2.5 view");
    let signed = must(
        httpsig_core::sign(
            &view,
            None,
            "sig1",
            params,
            key,
            &httpsig_core::BaseOptions::default(),
        ),
        "b.2.5 sign",
    );
    must(
        httpsig_core::http::attach(req.headers_mut(), &signed),
        "b.2.5 attach",
    );
}

/// Our parameters of the B.2.5 shape.
///
/// # Errors
/// Never for a valid key id.
pub fn b25_params(
    keyid: &str,
) -> Result<httpsig_core::SignatureParams<'static>, httpsig_core::Error> {
    httpsig_core::SignatureParams::parse(&format!(
        r#"{B25_COMPONENTS};created={CREATED};keyid="{keyid}""#
    ))
    .map(httpsig_core::SignatureParams::into_owned)
}

/// httpsig's parameters of the B.2.5 shape.
pub fn hyper_b25_params(keyid: &str) -> hy::HttpSignatureParams {
    let ids: Vec<hy::message_component::HttpMessageComponentId> =
        ["date", "@authority", "content-type"]
            .iter()
            .map(|c| {
                must(
                    hy::message_component::HttpMessageComponentId::try_from(*c),
                    "httpsig id",
                )
            })
            .collect();
    let mut p = must(hy::HttpSignatureParams::try_new(&ids), "httpsig params");
    // CREATED is positive.
    p.set_created(CREATED.unsigned_abs()).set_keyid(keyid);
    p
}

/// Copies a request (http's `Request` is not `Clone`): the per-iteration input of operations
/// that consume or mutate it.
pub fn copy_request<B: Clone>(req: &http::Request<B>) -> http::Request<B> {
    let mut out = http::Request::new(req.body().clone());
    *out.method_mut() = req.method().clone();
    *out.uri_mut() = req.uri().clone();
    *out.version_mut() = req.version();
    *out.headers_mut() = req.headers().clone();
    out
}

/// The same request with an httpsig-hyper body (`Full<Bytes>`; the body bytes are shared).
pub fn with_full_body(req: &http::Request<Bytes>) -> http::Request<Full<Bytes>> {
    copy_request(req).map(Full::new)
}

/// The ring digest of a body: the raw baseline of a Content-Digest.
pub fn ring_digest(alg: &'static ring::digest::Algorithm, body: &[u8]) -> ring::digest::Digest {
    ring::digest::digest(alg, body)
}

/// A verifying key that accepts every signature: it PROVIDES NO SECURITY. It exists to time
/// a verify path without its signature check, so that the non-crypto time is measured
/// directly instead of as the difference of two large, noisy figures.
#[derive(Debug)]
pub struct AcceptAnyKey(pub Alg);

impl httpsig_core::VerifyingKey for AcceptAnyKey {
    fn algorithm(&self) -> Algorithm {
        self.0.algorithm()
    }

    fn key_id(&self) -> Option<&str> {
        Some(self.0.keyid())
    }

    fn verify(
        &self,
        _base: &[u8],
        _signature: &[u8],
    ) -> Result<(), httpsig_core::InvalidSignature> {
        Ok(())
    }
}

/// [`AcceptAnyKey`] for httpsig: accepts every signature, PROVIDES NO SECURITY.
#[derive(Debug)]
pub struct HyperAcceptAnyKey(pub Alg);

impl hy::VerifyingKey for HyperAcceptAnyKey {
    fn verify(&self, _data: &[u8], _signature: &[u8]) -> hy::HttpSigResult<()> {
        Ok(())
    }

    fn key_id(&self) -> String {
        self.0.keyid().to_owned()
    }

    fn alg(&self) -> hy::AlgorithmName {
        match self.0 {
            Alg::Ed25519 => hy::AlgorithmName::Ed25519,
            Alg::EcdsaP256 => hy::AlgorithmName::EcdsaP256Sha256,
            Alg::HmacSha256 => hy::AlgorithmName::HmacSha256,
            Alg::RsaPssSha512 => hy::AlgorithmName::RsaPssSha512,
        }
    }
}
