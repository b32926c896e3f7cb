//! DPoP proofs under mutation: no mutation of a valid proof is ever accepted.
//!
//! Each run starts from one of a few valid signed proofs (Ed25519, whose signature is unique,
//! and ES256, whose `(r, n − s)` twin is a second valid signature over the same bytes; with and
//! without a server nonce), applies fuzzer-chosen mutations (bytes of the compact text, bytes of
//! a decoded part re-encoded canonically, other base64 spellings, the ECDSA twin, insertions,
//! deletions, a whole replacement), and verifies and commits with a fresh replay store.
//!
//! Oracle (sound: the signature covers exactly the ASCII signing input, and base64url decoding
//! is canonical, so these are the only texts a correct verifier may accept):
//! - if verification and commit succeed, the field value without its surrounding OWS
//!   (RFC 9110 §5.5) is byte-identical to the starting proof or, for ES256, to its `(r, n − s)`
//!   twin;
//! - every spelling that may be accepted shares the replay entry: committing any of them after
//!   the accepted one is `dpop.replay` (nothing is keyed on signature bytes);
//! - and, as for every target, no input panics.
#![no_main]

use std::num::NonZeroUsize;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use fapi_profile::dpop::{
    DpopError, DpopProofBuilder, DpopRequest, DpopVerifier, HmacNonces, HtuCheck, NonceMode,
    NonceValidator, PendingProof,
};
use fapi_profile::store::MemoryReplayStore;
use httpsig_core::keys::{Jwk, PrivateKey};
use httpsig_core::{Algorithm, JwsAlgorithm};
use libfuzzer_sys::fuzz_target;

const NOW: i64 = 1_700_000_000;
const TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const HTU: &str = "https://rs.example.com/accounts";
const SECRET: [u8; 32] = [0x42; 32];

/// P-256 group order n (SEC 2 §2.4.2), big-endian.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

struct Exact;
impl HtuCheck for Exact {
    fn htu_matches(&self, claim: &str) -> bool {
        claim == HTU
    }
}

/// A valid starting proof and the texts a verifier may accept for it.
struct Base {
    text: String,
    accepted: Vec<String>,
    jkt: String,
    nonces: bool,
}

struct Fixture {
    bases: Vec<Base>,
    nonces: Arc<HmacNonces>,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let nonces = Arc::new(HmacNonces::new(&SECRET, Duration::from_secs(300)).expect("key"));
        let keys: [(&[u8], &[u8], JwsAlgorithm); 2] = [
            (
                include_bytes!("../../crates/conformance/testdata/dpop/keys/ed25519.pem"),
                include_bytes!("../../crates/conformance/testdata/dpop/keys/ed25519.pub.jwk.json"),
                JwsAlgorithm::Ed25519,
            ),
            (
                include_bytes!("../../crates/conformance/testdata/keys/test-key-ecc-p256.pem"),
                include_bytes!(
                    "../../crates/conformance/testdata/dpop/keys/test-key-ecc-p256.pub.jwk.json"
                ),
                JwsAlgorithm::Es256,
            ),
        ];
        let mut bases = Vec::new();
        for (pem, jwk, alg) in keys {
            let key = PrivateKey::from_pem(pem, Algorithm::Jws(alg)).expect("key");
            let jkt = Jwk::from_json(jwk)
                .expect("jwk")
                .thumbprint_sha256()
                .expect("jkt");
            for with_nonce in [false, true] {
                let mut b = DpopProofBuilder::with_jwk(&key, jwk)
                    .expect("builder")
                    .htm("POST")
                    .htu(HTU)
                    .ath(TOKEN)
                    .iat(NOW)
                    .jti("fuzz-jti-0123456789abcdef");
                if with_nonce {
                    b = b.nonce(&nonces.issue(&jkt, NOW).expect("nonce"));
                }
                let text = b.build().expect("build");
                let mut accepted = vec![text.clone()];
                if alg == JwsAlgorithm::Es256 {
                    accepted.push(ecdsa_twin(&text).expect("64-byte ES256 signature"));
                }
                bases.push(Base {
                    text,
                    accepted,
                    jkt: jkt.clone(),
                    nonces: with_nonce,
                });
            }
        }
        Fixture { bases, nonces }
    })
}

/// The compact proof with its ES256 signature `(r, s)` replaced by `(r, n − s)`.
fn ecdsa_twin(text: &str) -> Option<String> {
    let (input, sig) = text.rsplit_once('.')?;
    let raw = URL_SAFE_NO_PAD.decode(sig).ok()?;
    let (r, s) = raw.split_at_checked(32)?;
    if s.len() != 32 || s >= &P256_N[..] {
        return None;
    }
    let mut out = r.to_vec();
    let mut neg = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(P256_N[i]) - i16::from(s[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        neg[i] = d as u8;
    }
    out.extend_from_slice(&neg);
    Some(format!("{input}.{}", URL_SAFE_NO_PAD.encode(out)))
}

/// Reads the fuzz input as a stream of choices; zeros once it is used up.
struct Choices<'a>(&'a [u8]);

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }
    fn index(&mut self, len: usize) -> usize {
        if len == 0 {
            return 0;
        }
        let v = usize::from(self.byte()) << 8 | usize::from(self.byte());
        v % len
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.byte()).collect()
    }
    fn rest(&mut self) -> Vec<u8> {
        core::mem::take(&mut self.0).to_vec()
    }
}

/// Applies one fuzzer-chosen mutation to the compact text.
fn mutate(text: &mut Vec<u8>, c: &mut Choices<'_>) {
    match c.byte() % 10 {
        // One byte of the text.
        0 => {
            let i = c.index(text.len());
            if let Some(b) = text.get_mut(i) {
                *b = c.byte();
            }
        }
        // Insert a few bytes anywhere (also at the ends: OWS, commas, dots).
        1 => {
            let i = c.index(text.len() + 1);
            let n = usize::from(c.byte() % 8) + 1;
            let ins = c.bytes(n);
            text.splice(i..i, ins);
        }
        // Delete a range.
        2 => {
            let i = c.index(text.len());
            let n = usize::from(c.byte() % 16) + 1;
            let end = (i + n).min(text.len());
            text.drain(i..end);
        }
        // Change the decoded header, payload or signature and re-encode it canonically.
        op @ 3..=5 => {
            let part = usize::from(op - 3);
            with_part(
                text,
                part,
                |raw, c| {
                    match c.byte() % 4 {
                        0 => {
                            let i = c.index(raw.len());
                            if let Some(b) = raw.get_mut(i) {
                                *b ^= c.byte() | 1;
                            }
                        }
                        1 => {
                            let i = c.index(raw.len() + 1);
                            let n = usize::from(c.byte() % 8) + 1;
                            let ins = c.bytes(n);
                            raw.splice(i..i, ins);
                        }
                        2 => {
                            let n = c.index(raw.len() + 1);
                            raw.truncate(n);
                        }
                        _ => {
                            let i = c.index(raw.len());
                            let n = usize::from(c.byte() % 8) + 1;
                            let end = (i + n).min(raw.len());
                            let with = c.bytes(end - i);
                            raw.splice(i..end, with);
                        }
                    }
                    Some(URL_SAFE_NO_PAD.encode(&*raw))
                },
                c,
            );
        }
        // Spell a part's bytes with another base64 variant (padding, standard alphabet).
        6 => {
            let part = usize::from(c.byte() % 3);
            let flavour = c.byte() % 3;
            with_part(
                text,
                part,
                |raw, _| {
                    Some(match flavour {
                        0 => URL_SAFE.encode(&*raw),
                        1 => STANDARD.encode(&*raw),
                        _ => STANDARD.encode(&*raw).trim_end_matches('=').to_owned(),
                    })
                },
                c,
            );
        }
        // The ECDSA twin of the current signature (valid only if the rest is untouched).
        7 => {
            if let Some(t) = core::str::from_utf8(text).ok().and_then(ecdsa_twin) {
                *text = t.into_bytes();
            }
        }
        // Swap two parts.
        8 => {
            let s = String::from_utf8_lossy(text).into_owned();
            let mut parts: Vec<&str> = s.split('.').collect();
            let (a, b) = (c.index(parts.len()), c.index(parts.len()));
            parts.swap(a, b);
            *text = parts.join(".").into_bytes();
        }
        // Replace everything with the rest of the input.
        _ => *text = c.rest(),
    }
}

/// Decodes part `part` of a three-part text, lets `f` change and re-encode it, and puts the
/// result back; does nothing if the text does not have that part or it does not decode.
fn with_part(
    text: &mut Vec<u8>,
    part: usize,
    f: impl FnOnce(&mut Vec<u8>, &mut Choices<'_>) -> Option<String>,
    c: &mut Choices<'_>,
) {
    let Ok(s) = core::str::from_utf8(text) else {
        return;
    };
    let mut parts: Vec<String> = s.split('.').map(str::to_owned).collect();
    let Some(p) = parts.get_mut(part) else {
        return;
    };
    let Ok(mut raw) = URL_SAFE_NO_PAD.decode(p.as_bytes()) else {
        return;
    };
    if let Some(encoded) = f(&mut raw, c) {
        *p = encoded;
        *text = parts.join(".").into_bytes();
    }
}

fn verifier(base: &Base, fx: &Fixture) -> DpopVerifier {
    let store = Arc::new(MemoryReplayStore::new(
        NonZeroUsize::new(16).expect("non-zero"),
    ));
    let mode = if base.nonces {
        NonceMode::Require(fx.nonces.clone())
    } else {
        NonceMode::Off
    };
    DpopVerifier::new(store).nonce_mode(mode)
}

fn verify(v: &DpopVerifier, proof: &[u8], jkt: &str) -> Result<PendingProof, DpopError> {
    let auth = format!("DPoP {TOKEN}");
    let (dpop, a) = ([proof], [auth.as_bytes()]);
    v.verify(
        &DpopRequest::new("POST", &Exact, NOW)
            .dpop_fields(&dpop)
            .authorization_fields(&a)
            .token_jkt(Some(jkt)),
    )
}

/// RFC 9110 §5.5: optional whitespace around a field value is not part of it.
fn trim_ows(v: &[u8]) -> &[u8] {
    let ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = v.iter().position(|b| !ows(b)).unwrap_or(v.len());
    let end = v.iter().rposition(|b| !ows(b)).map_or(start, |i| i + 1);
    &v[start..end]
}

fuzz_target!(|data: &[u8]| {
    let fx = fixture();
    let mut c = Choices(data);
    let base = &fx.bases[usize::from(c.byte()) % fx.bases.len()];
    let mut text = base.text.clone().into_bytes();
    for _ in 0..=(c.byte() % 4) {
        mutate(&mut text, &mut c);
    }
    let v = verifier(base, fx);
    let Ok(proof) = verify(&v, &text, &base.jkt).and_then(PendingProof::commit) else {
        return;
    };
    let value = trim_ows(&text);
    assert!(
        base.accepted.iter().any(|a| a.as_bytes() == value),
        "a mutated proof was accepted: {:?}",
        String::from_utf8_lossy(&text)
    );
    assert_eq!(proof.jti, "fuzz-jti-0123456789abcdef");
    for spelling in &base.accepted {
        let again = verify(&v, spelling.as_bytes(), &base.jkt).and_then(PendingProof::commit);
        assert_eq!(again.map(drop), Err(DpopError::Replay), "{spelling}");
    }
});
