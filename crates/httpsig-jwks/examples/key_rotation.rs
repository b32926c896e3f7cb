//! A resource server's key handling with `httpsig-jwks`: one `Arc<JwksCache>` shared by many
//! tasks, the JWK Set served by a real HTTP server on loopback, and a key rotation (new `kid`
//! published, old removed) in the middle of the run, without a restart.

use std::convert::Infallible;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use httpsig_core::keys::PrivateKey;
use httpsig_core::{
    Algorithm, BaseOptions, Component, Derived, Error, MaxAge, Message, SignatureParams,
    SigningKey, VerifyInput, VerifyPolicy, sign,
};
use httpsig_jwks::{CacheConfig, HyperFetcher, JwksCache, SystemClock};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

/// The public halves of the two test keys (crates/conformance/testdata/keys).
const OLD_SET: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"2026-old","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}]}"#;
const NEW_SET: &str = r#"{"keys":[{"kty":"EC","crv":"P-256","kid":"2026-new","alg":"ES256","x":"qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA","y":"Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0"},{"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"}]}"#;

const TASKS: usize = 16;
const NOW: i64 = 1_700_000_000;

fn key(file: &str, alg: Algorithm) -> Result<PrivateKey, Box<dyn std::error::Error>> {
    let path = format!(
        "{}/../conformance/testdata/keys/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    Ok(PrivateKey::from_pem(&std::fs::read(path)?, alg)?)
}

/// A request as a client signs it.
fn signed(key: &dyn SigningKey, kid: &str, n: usize) -> Result<Message, Error> {
    let mut msg = Message::request("GET", &format!("https://rs.example.com/accounts/{n}"))
        .map_err(|_| Error::MissingSignature)?;
    let params = SignatureParams::builder()
        .component(Component::derived(Derived::Method))
        .component(Component::derived(Derived::TargetUri))
        .created(NOW)
        .keyid(kid)
        .build()?;
    let s = sign(&msg, None, "sig1", params, key, &BaseOptions::default())?;
    msg.add_header("Signature-Input", s.signature_input_member());
    msg.add_header("Signature", s.signature_member());
    Ok(msg)
}

/// Verify on the current set; on an unknown key, refresh once (single-flight) and retry.
async fn verify(
    cache: &JwksCache<HyperFetcher<hyper_util::client::legacy::connect::HttpConnector>>,
    msg: &Message,
) -> Result<(), Error> {
    let policy = VerifyPolicy::new(
        &[
            Algorithm::Ed25519,
            Algorithm::Jws(httpsig_core::JwsAlgorithm::Es256),
        ],
        MaxAge::Seconds(60),
    )
    .at(NOW + 1);
    let keys = cache.current();
    match policy.verify(VerifyInput::new(msg), &*keys) {
        // Unknown kid, or a set too old to serve: refresh once (rate-limited) and retry.
        // A failed refresh answers key.unavailable (503), never a 401.
        Err(missed @ (Error::KeyNotFound | Error::KeyUnavailable)) => {
            let newer = cache.newer_after_miss(&keys, missed).await?;
            policy.verify(VerifyInput::new(msg), &*newer).map(|_| ())
        }
        other => other.map(|_| ()),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The authorization server's JWKS endpoint: a hyper server on loopback.
    let published = Arc::new(RwLock::new(OLD_SET));
    let served = Arc::new(AtomicUsize::new(0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let uri: http::Uri = format!("http://{}/jwks", listener.local_addr()?).parse()?;
    let (p, s) = (Arc::clone(&published), Arc::clone(&served));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (p, s) = (Arc::clone(&p), Arc::clone(&s));
            tokio::spawn(async move {
                let service = service_fn(move |_req| {
                    s.fetch_add(1, Ordering::SeqCst);
                    let body = *p.read().unwrap_or_else(std::sync::PoisonError::into_inner);
                    async move {
                        Ok::<_, Infallible>(hyper::Response::new(Full::new(Bytes::from_static(
                            body.as_bytes(),
                        ))))
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });

    // One cache for the whole service.
    let config = CacheConfig::default().min_refresh_interval(Duration::from_millis(100));
    let cache = Arc::new(
        JwksCache::fetch(
            HyperFetcher::http(uri),
            config,
            Arc::new(SystemClock::new()),
        )
        .await?,
    );
    tokio::spawn(Arc::clone(&cache).run_refresher());

    let old = Arc::new(key("test-key-ed25519.pem", Algorithm::Ed25519)?);
    let new = Arc::new(key(
        "test-key-ecc-p256.pem",
        Algorithm::Jws(httpsig_core::JwsAlgorithm::Es256),
    )?);

    // Many tasks verify requests signed with the current key.
    let run = |key: Arc<PrivateKey>, kid: &'static str| {
        let cache = Arc::clone(&cache);
        (0..TASKS)
            .map(move |n| {
                let (cache, key) = (Arc::clone(&cache), Arc::clone(&key));
                tokio::spawn(async move {
                    let msg = signed(key.as_ref(), kid, n)?;
                    verify(&cache, &msg).await
                })
            })
            .collect::<Vec<_>>()
    };
    for t in run(Arc::clone(&old), "2026-old") {
        t.await??;
    }
    println!("{TASKS} requests signed with 2026-old verified");

    // Misses refresh at most once per min_refresh_interval (here 100 ms; 30 s by default).
    tokio::time::sleep(Duration::from_millis(150)).await;

    // Rotation: the new key is published and the old one removed. No restart: the first
    // unknown kid refreshes the cache once, for all tasks.
    *published
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = NEW_SET;
    let before = served.load(Ordering::SeqCst);
    for t in run(Arc::clone(&new), "2026-new") {
        t.await??;
    }
    let fetches = served.load(Ordering::SeqCst) - before;
    println!("{TASKS} requests signed with 2026-new verified after rotation ({fetches} fetch)");
    assert_eq!(fetches, 1, "one fetch for all concurrent misses");
    for w in cache.current().keys().skipped() {
        println!("warning: {w}");
    }

    // The retired key no longer verifies.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let late = verify(&cache, &signed(old.as_ref(), "2026-old", 0)?).await;
    assert_eq!(late.map_err(|e| e.code()), Err("verify.key_not_found"));
    println!("a request signed with the retired 2026-old key is refused: verify.key_not_found");
    Ok(())
}
