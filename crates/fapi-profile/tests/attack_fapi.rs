//! fapi-profile's new seams as an attacker of a resource server sees them, through the public
//! API only: the `Authorization` parser, the ready refusals, `DpopRequest::from_request`, the
//! replay-store keys, single-use nonces under races, sync/async commit mix-ups, and per-client
//! key sets.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

use fapi_profile::dpop::{DpopRequest, DpopVerifier, HmacNonces, HtuCheck, NonceMode, replay_key};
use fapi_profile::signatures::{ClientJwks, ClientKeys};
use fapi_profile::store::{AsyncReplayStore, MemoryReplayStore};
use fapi_profile::token::{PresentedToken, TokenError, TokenScheme};
use fapi_profile::{Error, RefusalContext};
use httpsig_core::keys::{Jwk, PrivateKey};
use httpsig_core::{JwsAlgorithm, KeyLookup, ResolveError, SigningKey};

#[allow(dead_code, reason = "each test file uses part of the shared helpers")]
mod support;

use support::dpop::{HTU, JKT, TOKEN, now, proof, verify};

/// Header text no refusal may ever carry: it marks attacker-controlled input.
const EVIL: &str = "EVIL";

#[test]
fn authorization_parsing_refuses_smuggling() {
    let long = format!("DPoP {}", "a".repeat(64 * 1024));
    type Case<'a> = (&'a [u8], Result<(TokenScheme, &'a str), TokenError>);
    let cases: &[Case<'_>] = &[
        // RFC 9110 §11.1: the scheme is case-insensitive.
        (b"dPoP abc", Ok((TokenScheme::Dpop, "abc"))),
        (b"bEaReR abc", Ok((TokenScheme::Bearer, "abc"))),
        // obs-fold (RFC 9112 §5.2, obsolete and never accepted here), CR, LF, NUL, other CTLs.
        (b"DPoP\r\n abc", Err(TokenError::Malformed)),
        (b"DPoP abc\r\n", Err(TokenError::Malformed)),
        (b"DPoP ab\nc", Err(TokenError::Malformed)),
        (b"DPoP ab\0c", Err(TokenError::Malformed)),
        (b"DPoP abc\0", Err(TokenError::Malformed)),
        (b"\0DPoP abc", Err(TokenError::Malformed)),
        (b"DPoP ab\x7fc", Err(TokenError::Malformed)),
        // Two credentials in one line (RFC 9110 §11.6.2 allows one), with and without commas.
        (b"DPoP abc, Bearer def", Err(TokenError::Malformed)),
        (b"DPoP abc,Bearer def", Err(TokenError::Malformed)),
        (b"DPoP abc,", Err(TokenError::Malformed)),
        (b", DPoP abc", Err(TokenError::Malformed)),
        (b"DPoP abc def", Err(TokenError::Malformed)),
        // auth-params instead of a token68.
        (b"DPoP token=abc", Err(TokenError::Malformed)),
        (b"DPoP realm=\"x\"", Err(TokenError::Malformed)),
        // Scheme look-alikes.
        (b"DPoPabc", Err(TokenError::UnsupportedScheme)),
        (b"DPoP-x abc", Err(TokenError::UnsupportedScheme)),
        (b"Bearer\tabc", Err(TokenError::Malformed)),
        ("DP\u{f6}P abc".as_bytes(), Err(TokenError::Malformed)),
        (b"DPoP \xc3\xa4bc", Err(TokenError::Malformed)),
        (b"", Err(TokenError::Malformed)),
        (b"   ", Err(TokenError::Malformed)),
    ];
    for (value, want) in cases {
        let got = PresentedToken::from_value(value).map(|p| (p.scheme(), p.token()));
        assert_eq!(&got, want, "{:?}", String::from_utf8_lossy(value));
    }
    // A huge but well-formed token is read in linear time, whole (the server bounds headers).
    let big = PresentedToken::from_value(long.as_bytes()).expect("token68");
    assert_eq!(big.token().len(), 64 * 1024);
    // Debug never shows it.
    assert!(!format!("{big:?}").contains("aaaa"));
    // Two field lines, even identical, are two credentials.
    let mut h = http::HeaderMap::new();
    h.append("authorization", http::HeaderValue::from_static("DPoP abc"));
    h.append("Authorization", http::HeaderValue::from_static("DPoP abc"));
    assert_eq!(PresentedToken::from_headers(&h), Err(TokenError::Multiple));
}

struct Exact;
impl HtuCheck for Exact {
    fn htu_matches(&self, claim: &str) -> bool {
        claim == HTU
    }
}

fn memory() -> Arc<MemoryReplayStore> {
    Arc::new(
        MemoryReplayStore::new(NonZeroUsize::new(10_000).expect("non-zero"))
            .with_scope_quota(NonZeroUsize::new(10_000).expect("non-zero")),
    )
}

fn nonces(secret: u8) -> Arc<HmacNonces> {
    Arc::new(HmacNonces::new(&[secret; 32], Duration::from_secs(120)).expect("nonces"))
}

/// A refusal header must be a valid field value made only of the server's own text: no
/// attacker byte, no CR/LF (header injection), no quote that could end a quoted-string early.
fn assert_clean(err: &Error, ctx: &RefusalContext<'_>) {
    let r = err.refusal(ctx);
    for (name, v) in [
        ("www-authenticate", &r.www_authenticate),
        ("dpop-nonce", &r.dpop_nonce),
    ] {
        let Some(v) = v else { continue };
        assert!(!v.contains(EVIL), "{name} echoes attacker input: {v:?}");
        assert!(
            http::HeaderValue::from_str(v).is_ok() && !v.contains(['\r', '\n', '\0']),
            "{name} is not a clean field value: {v:?}"
        );
        // Every quoted-string holds no quote or backslash of its own (so no value can close it).
        for (i, part) in v.split('"').enumerate() {
            if i % 2 == 1 {
                assert!(!part.contains('\\'), "{name}: {v:?}");
            }
        }
    }
}

/// Hostile requests go through the verifier and out as refusals: the refusals carry only the
/// server's text.
#[test]
fn refusals_never_echo_request_data() {
    let now = now();
    let good = proof(now, None);
    let evil_jws = format!("{EVIL}.{EVIL}.{EVIL}");
    let evil_auth = format!("DPoP {EVIL}\"x");
    let evil_scheme = format!("{EVIL} abc");
    type Fields<'a> = Vec<&'a [u8]>;
    let requests: Vec<(Fields<'_>, Fields<'_>)> = vec![
        (vec![], vec![]),
        (vec![evil_jws.as_bytes()], vec![b"DPoP abc"]),
        (vec![good.as_bytes()], vec![evil_auth.as_bytes()]),
        (vec![good.as_bytes()], vec![evil_scheme.as_bytes()]),
        (vec![good.as_bytes(), good.as_bytes()], vec![b"DPoP abc"]),
        (vec![b""], vec![b"DPoP abc"]),
        (vec![good.as_bytes()], vec![b"DPoP abc", b"DPoP abc"]),
        (vec![good.as_bytes()], vec![b"DPoP EVIL"]),
    ];
    for mode in [
        NonceMode::Off,
        NonceMode::Require(nonces(1)),
        NonceMode::RequireSingleUse(nonces(1)),
    ] {
        let v = DpopVerifier::new(memory()).nonce_mode(mode);
        for (dpop, auth) in &requests {
            let req = DpopRequest::new("GET", &Exact, now)
                .dpop_fields(dpop)
                .authorization_fields(auth)
                .token_jkt(Some(JKT));
            let err = v
                .verify(&req)
                .map(|_| ())
                .expect_err("every request here is hostile");
            let mut ctx = RefusalContext::dpop(&[JwsAlgorithm::Es256]);
            ctx.fresh_nonce = v.challenge(&err, now).dpop_nonce;
            assert_clean(&Error::Dpop(err.clone()), &ctx);
            let ch = v.challenge(&err, now);
            for h in [ch.www_authenticate, ch.dpop_nonce].into_iter().flatten() {
                assert!(!h.contains(EVIL) && http::HeaderValue::from_str(&h).is_ok());
            }
        }
    }
    for e in [
        Error::Token(TokenError::Malformed),
        Error::Token(TokenError::UnsupportedScheme),
        Error::Signature(httpsig_core::Error::KeyUnavailable),
        Error::Signature(httpsig_core::Error::KeyNotFound),
    ] {
        assert_clean(&e, &RefusalContext::dpop(&[JwsAlgorithm::Es256]));
    }
}

/// `from_request` counts field lines as sent: several `DPoP` fields, an empty one, an empty
/// `Authorization`, all refused with their own code.
#[test]
fn from_request_refuses_repeated_and_empty_fields() {
    let now = now();
    let good = proof(now, None);
    let v = DpopVerifier::new(memory());
    let build = |dpop: &[&str], auth: &[&str]| {
        let mut b = http::Request::builder().method("GET").uri(HTU);
        for d in dpop {
            b = b.header("DPoP", *d);
        }
        for a in auth {
            b = b.header("Authorization", *a);
        }
        b.body(()).expect("request")
    };
    let token = format!("DPoP {TOKEN}");
    let cases: Vec<(http::Request<()>, &str)> = vec![
        (build(&[&good, &good], &[&token]), "dpop.multiple"),
        (build(&[&good, ""], &[&token]), "dpop.multiple"),
        (build(&[""], &[&token]), "dpop.malformed"),
        (build(&[" "], &[&token]), "dpop.malformed"),
        (build(&[&good], &[""]), "dpop.authorization_malformed"),
        (
            build(&[&good], &[&token, &token]),
            "dpop.authorization_multiple",
        ),
        (build(&[&good], &[]), "dpop.no_credentials"),
    ];
    for (req, code) in cases {
        let r = DpopRequest::from_request(&req, &Exact, now).token_jkt(Some(JKT));
        assert_eq!(v.verify(&r).map(|_| ()).map_err(|e| e.code()), Err(code));
    }
    // The well-formed request passes: the refusals above are about the fields, not the proof.
    let ok = build(&[&good], &[&token]);
    let r = DpopRequest::from_request(&ok, &Exact, now).token_jkt(Some(JKT));
    assert!(v.verify(&r).expect("valid").commit().is_ok());
}

/// The replay key is an injective encoding hashed (RFC 9449 §11.1 scoping by key, target,
/// method): claims that concatenate to the same text, or that move a separator between fields,
/// do not collide; a `jti` chosen by one key cannot use up another key's record.
#[test]
fn replay_keys_do_not_collide_across_fields_or_keys() {
    let pairs = [
        (("k", "ab", "GET", "u"), ("ka", "b", "GET", "u")),
        (("k", "a", "bGET", "u"), ("k", "ab", "GET", "u")),
        (
            ("k", "j", "GET", "https://a/"),
            ("k", "jGET", "", "https://a/"),
        ),
        (("k", "", "", ""), ("", "k", "", "")),
        (("k", "j\0", "GET", "u"), ("k", "j", "\0GET", "u")),
        // Length-prefix forgery attempt: a jti that spells a length and the next field.
        (
            ("k", "j", "GET", "u"),
            ("k", "j\0\0\0\0\0\0\0\x03GET", "", "u"),
        ),
    ];
    for (a, b) in pairs {
        assert_ne!(
            replay_key(a.0, a.1, a.2, a.3),
            replay_key(b.0, b.1, b.2, b.3),
            "{a:?} vs {b:?}"
        );
    }
}

/// Two keys (two scopes) recording the same `jti` for the same target: both succeed, since the
/// records are per key; the same key twice is a replay, whatever scope (`commit` by key or by
/// client) records it.
#[test]
fn scopes_do_not_let_one_key_burn_another_or_replay_twice() {
    let store = memory();
    let a = replay_key("key-a", "jti-1", "GET", HTU);
    let b = replay_key("key-b", "jti-1", "GET", HTU);
    use fapi_profile::store::ReplayStore;
    let ttl = Duration::from_secs(60);
    assert_eq!(
        store.check_and_record_scoped(b"jkt\0key-a", &a, ttl),
        Ok(true)
    );
    assert_eq!(
        store.check_and_record_scoped(b"jkt\0key-b", &b, ttl),
        Ok(true)
    );
    assert_eq!(
        store.check_and_record_scoped(b"client\0c1", &a, ttl),
        Ok(false)
    );
    assert_eq!(
        store.check_and_record_scoped(b"client\0key-a", &a, ttl),
        Ok(false)
    );

    // Through the verifier: one proof committed by key, then the same proof by client.
    let now = now();
    let v = DpopVerifier::new(memory());
    let p = proof(now, None);
    verify(&v, &p, now).expect("valid").commit().expect("first");
    assert_eq!(
        verify(&v, &p, now)
            .expect("valid")
            .commit_for_client("another-client")
            .map(|_| ())
            .map_err(|e| e.code()),
        Err("dpop.replay")
    );
}

/// A sync commit on a verifier built on an async store cannot await it: refused
/// (`store.invalid_config`), nothing accepted; an async commit on a sync store records as the
/// sync path does (replays refused).
#[tokio::test]
async fn commit_on_the_other_kind_of_store_fails_closed() {
    let now = now();
    let async_built = DpopVerifier::new_async(memory());
    let p = proof(now, None);
    let err = verify(&async_built, &p, now)
        .expect("valid")
        .commit()
        .expect_err("a sync commit cannot await an async store");
    assert_eq!(err.code(), "store.invalid_config");
    assert_eq!(Error::Dpop(err).http_status(), 500);
    // Nothing was recorded: the async commit of the same proof is the first.
    verify(&async_built, &p, now)
        .expect("valid")
        .commit_async()
        .await
        .expect("first async commit");
    assert_eq!(
        verify(&async_built, &p, now)
            .expect("valid")
            .commit_async()
            .await
            .map(|_| ())
            .map_err(|e| e.code()),
        Err("dpop.replay")
    );

    let sync_built = DpopVerifier::new(memory());
    let q = proof(now, None);
    verify(&sync_built, &q, now)
        .expect("valid")
        .commit_async()
        .await
        .expect("first");
    assert_eq!(
        verify(&sync_built, &q, now)
            .expect("valid")
            .commit()
            .map(|_| ())
            .map_err(|e| e.code()),
        Err("dpop.replay")
    );
}

/// Many tasks race to use one single-use nonce, each with its own fresh proof (its own `jti`):
/// exactly one wins, every other gets `dpop.nonce_reused`.
async fn race_one_nonce(v: Arc<DpopVerifier>, tasks: usize) {
    let now = now();
    let nonce = v.next_nonce(JKT, now).expect("nonce");
    // Every proof is verified first (the HMAC nonce is valid for each), then all commits are
    // spawned at once, so they race on the store.
    let pending: Vec<_> = (0..tasks)
        .map(|_| verify(&v, &proof(now, Some(&nonce)), now).expect("a valid proof and nonce"))
        .collect();
    let handles: Vec<_> = pending
        .into_iter()
        .map(|p| {
            tokio::spawn(async move { p.commit_async().await.map(|_| ()).map_err(|e| e.code()) })
        })
        .collect();
    let mut won = 0;
    for h in handles {
        match h.await.expect("task") {
            Ok(()) => won += 1,
            Err(code) => assert_eq!(code, "dpop.nonce_reused"),
        }
    }
    assert_eq!(won, 1, "exactly one use of a single-use nonce");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_use_nonce_race_in_memory_has_one_winner() {
    for secret in 0..5 {
        let store: Arc<dyn AsyncReplayStore> = memory();
        let v =
            DpopVerifier::new_async(store).nonce_mode(NonceMode::RequireSingleUse(nonces(secret)));
        race_one_nonce(Arc::new(v), 48).await;
    }
}

#[cfg(feature = "redis-async")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_use_nonce_race_on_redis_has_one_winner() {
    use fapi_profile::store::AsyncRedisReplayStore;
    let server = support::redis::RedisServer::start();
    for secret in 0..3 {
        // Two instances sharing one Redis, as two replicas of a service would.
        let store = Arc::new(
            AsyncRedisReplayStore::open(&server.url())
                .expect("url")
                .with_timeout(Duration::from_secs(2)),
        );
        let v = DpopVerifier::new_async(store)
            .nonce_mode(NonceMode::RequireSingleUse(nonces(100 + secret)));
        race_one_nonce(Arc::new(v), 48).await;
    }
}

/// Per-client key sets: client B cannot be verified with client A's key even when both use the
/// same `kid`; an unknown client has no keys (401), never someone else's.
#[test]
fn client_keys_do_not_cross_clients() {
    // RFC 8037 A.1 and RFC 9421 B.1.4: two Ed25519 key pairs.
    let a_x = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
    let a_d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
    let b_x = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";
    let set = |x: &str| {
        format!(r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"shared","x":"{x}"}}]}}"#)
    };
    let mut clients = ClientJwks::new();
    clients
        .insert_json("client-a", set(a_x).as_bytes())
        .expect("jwks");
    clients
        .insert_json("client-b", set(b_x).as_bytes())
        .expect("jwks");
    let a_private = PrivateKey::from_jwk(
        &Jwk::from_json(
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{a_x}","d":"{a_d}"}}"#).as_bytes(),
        )
        .expect("jwk"),
        None,
    )
    .expect("key");
    let sig = a_private.sign(b"signature base").expect("sign");
    let lookup = KeyLookup::new("sig1", Some("shared"));
    let as_a = clients.client_key("client-a", &lookup).expect("a's key");
    assert_eq!(as_a.verify(b"signature base", &sig), Ok(()));
    let as_b = clients.client_key("client-b", &lookup).expect("b's key");
    assert!(
        as_b.verify(b"signature base", &sig).is_err(),
        "A's signature as B"
    );
    for unknown in ["client-c", "", "client-a\0", "CLIENT-A"] {
        assert_eq!(
            clients.client_key(unknown, &lookup).err(),
            Some(ResolveError::NotFound),
            "{unknown:?}"
        );
    }
    // A client whose new document is not a JWK Set keeps its keys (no fail-open to empty, no
    // fall back to another client).
    assert!(clients.insert_json("client-b", b"<html>").is_err());
    assert!(clients.client_key("client-b", &lookup).is_ok());
}

/// A single-use nonce is recorded by its text: a second text that validates as the same nonce
/// would escape the record. The nonce's encoding admits no such second text (padding, the
/// standard alphabet, whitespace, case), and a nonce issued for one key is refused for another.
#[test]
fn a_used_nonce_cannot_come_back_in_another_encoding() {
    let now = now();
    let v = DpopVerifier::new(memory()).nonce_mode(NonceMode::RequireSingleUse(nonces(42)));
    let nonce = v.next_nonce(JKT, now).expect("nonce");
    verify(&v, &proof(now, Some(&nonce)), now)
        .expect("valid")
        .commit()
        .expect("first use");
    let std_alphabet = nonce.replace('-', "+").replace('_', "/");
    let mut variants = vec![
        format!("{nonce}="),
        format!("{nonce}=="),
        format!(" {nonce}"),
        format!("{nonce} "),
        nonce.to_ascii_uppercase(),
        nonce.to_ascii_lowercase(),
    ];
    if std_alphabet != nonce {
        variants.push(std_alphabet);
    }
    for variant in variants {
        if variant == nonce {
            continue;
        }
        let err = verify(&v, &proof(now, Some(&variant)), now)
            .map(|_| ())
            .expect_err("a re-encoded nonce is not a valid nonce");
        assert_eq!(err.code(), "dpop.nonce_invalid", "{variant:?}");
    }
    // Issued for another key: refused for this one.
    let other = v
        .next_nonce("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", now)
        .expect("nonce");
    let err = verify(&v, &proof(now, Some(&other)), now)
        .map(|_| ())
        .expect_err("another key's nonce");
    assert_eq!(err.code(), "dpop.nonce_invalid");
}
