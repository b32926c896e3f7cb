//! A FAPI 2.0 resource server's verification core on tokio, as a newcomer would write it:
//!
//! - one `Arc<JwksCache>` holding the client's HTTP-signature keys, fetched over HTTP from a
//!   JWKS endpoint on loopback and shared by every task;
//! - one async Redis replay store (a real `redis-server`, started here on a free loopback port
//!   unless `REDIS_URL` names one) shared by every task, as several instances would share it;
//! - many tasks verifying at once: the DPoP proof, then the FAPI request signature with the
//!   client's key from the cache, then the `jti` recorded last (`commit_for_client_async`);
//! - a key rotation in the middle (new `kid` published, old removed) without a restart: the
//!   first unknown `kid` refreshes the cache once for all tasks, and the retired key is refused.
//!
//! It exits non-zero if any of that does not hold; the README's test command runs it.

use std::convert::Infallible;
use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use fapi_profile::dpop::{DpopProofBuilder, DpopRequest, DpopVerifier, HtuCheck};
use fapi_profile::signatures::{ClientKeys, RequestSigner, RequestVerifier};
use fapi_profile::store::AsyncRedisReplayStore;
use http_body_util::Full;
use httpsig_core::http::RequestView;
use httpsig_core::keys::PrivateKey;
use httpsig_core::{Algorithm, JwsAlgorithm, KeyLookup, KeyResolver, ResolveError, ResolvedKey};
use httpsig_jwks::{CacheConfig, HyperFetcher, JwksCache, KeySnapshot, SystemClock};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioIo;

type Cache = JwksCache<HyperFetcher<HttpConnector>>;
type BoxError = Box<dyn std::error::Error + Send + Sync>;

const CLIENT: &str = "client-a";
const URL: &str = "https://rs.example.com/payments";
const TASKS: usize = 24;

/// The client's JWK Sets before and after the rotation (public halves of the test keys in
/// crates/conformance/testdata/keys; the `enc` member is there to be skipped).
const OLD_SET: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"client-a-2026-11","use":"sig","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}]}"#;
const NEW_SET: &str = r#"{"keys":[{"kty":"RSA","kid":"client-a-2026-12","alg":"PS256","use":"sig","n":"r4tmm3r20Wd_PbqvP1s2-QEtvpuRaV8Yq40gjUR8y2Rjxa6dpG2GXHbPfvMs8ct-Lh1GH45x28Rw3Ry53mm-oAXjyQ86OnDkZ5N8lYbggD4O3w6M6pAvLkhk95AndTrifbIFPNU8PPMO7OyrFAHqgDsznjPFmTOtCEcN2Z1FpWgchwuYLPL-Wokqltd11nqqzi-bJ9cvSKADYdUAAN5WUtzdpiy6LbTgSxP7ociU4Tn0g5I6aDZJ7A8Lzo0KSyZYoA485mqcO0GVAdVw9lq4aOT9v6d-nb4bnNkQVklLQ3fVAvJm-xdDOp9LCNCN48V2pnDOkFV6-U9nV5oyc6XI2w","e":"AQAB"},{"kty":"EC","crv":"P-256","kid":"client-a-enc","use":"enc","x":"qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA","y":"Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0"}]}"#;

/// The RFC 7638 thumbprint of the DPoP key (the access token's `cnf.jkt`; thumbprints.json
/// "rfc9421-b1.3-ecc-p256"). The proof's JWK is derived from the private key.
const DPOP_JKT: &str = "ydQXMtvbsOsZyFir-Y7A8t7fKEM1gbKPvyFkdpu4fvI";

fn key(file: &str, alg: Algorithm) -> Result<PrivateKey, BoxError> {
    let path = format!(
        "{}/../conformance/testdata/keys/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    Ok(PrivateKey::from_pem(&std::fs::read(path)?, alg)?)
}

/// The client side: a DPoP proof, `Authorization: DPoP`, and the FAPI request signature.
fn client_request(
    sig_key: &PrivateKey,
    kid: &str,
    dpop_key: &PrivateKey,
    n: usize,
) -> Result<http::Request<Vec<u8>>, BoxError> {
    let token = format!("at-{n}");
    let proof = DpopProofBuilder::new(dpop_key)?
        .htm("POST")
        .htu(URL)
        .ath(&token)
        .build()?;
    let mut req = http::Request::post(URL)
        .header("authorization", format!("DPoP {token}"))
        .header("dpop", proof)
        .header("content-type", "application/json")
        .body(format!(r#"{{"payment":{n}}}"#).into_bytes())?;
    RequestSigner::new(sig_key, kid).sign(&mut req, httpsig_core::unix_now())?;
    Ok(req)
}

/// The client's keys as the resource server sees them: the current snapshot of its cache.
struct CachedClient(Arc<KeySnapshot>);

impl ClientKeys for CachedClient {
    fn client_key<'s>(
        &'s self,
        client_id: &str,
        lookup: &KeyLookup<'_>,
    ) -> Result<ResolvedKey<'s>, ResolveError> {
        if client_id == CLIENT {
            self.0.resolve(lookup)
        } else {
            Err(ResolveError::NotFound)
        }
    }
}

struct Exact;
impl HtuCheck for Exact {
    fn htu_matches(&self, claim: &str) -> bool {
        claim == URL
    }
}

/// The resource server side, in the documented order: DPoP proof (pending), request signature
/// with the client's key (refreshing the cache once on an unknown `kid`), then the `jti`.
async fn verify(
    req: &http::Request<Vec<u8>>,
    verifier: &DpopVerifier,
    cache: &Cache,
) -> Result<(), fapi_profile::Error> {
    let now = httpsig_core::unix_now();
    // The token layer would validate the token here and read its cnf.jkt.
    let dreq = DpopRequest::from_request(req, &Exact, now).token_jkt(Some(DPOP_JKT));
    let pending = verifier.verify(&dreq)?;
    let view = RequestView::server(req, URL).map_err(|_| httpsig_core::Error::MissingSignature)?;
    let signatures = RequestVerifier::new();
    let snapshot = cache.current();
    match signatures.verify(
        &view,
        req.body(),
        CLIENT,
        &CachedClient(Arc::clone(&snapshot)),
    ) {
        Ok(_) => {}
        // Unknown kid (or a set too old to serve): refresh once, single-flight, and retry;
        // a failed refresh answers key.unavailable (503), not a 401.
        Err(missed @ (httpsig_core::Error::KeyNotFound | httpsig_core::Error::KeyUnavailable)) => {
            let newer = cache.newer_after_miss(&snapshot, missed).await?;
            signatures.verify(&view, req.body(), CLIENT, &CachedClient(newer))?;
        }
        Err(e) => return Err(e.into()),
    }
    pending.commit_for_client_async(CLIENT).await?;
    Ok(())
}

/// A `redis-server` on a free loopback port, killed on drop.
struct Redis(Child);

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_redis() -> Result<(Option<Redis>, String), BoxError> {
    if let Ok(url) = std::env::var("REDIS_URL") {
        return Ok((None, url));
    }
    let port = StdListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new("redis-server")
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("redis-server (scripts/setup-redis.sh installs it): {e}"))?;
    let guard = Redis(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err("redis-server did not start within 10 s".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok((Some(guard), format!("redis://127.0.0.1:{port}/")))
}

/// The client's JWKS endpoint: a hyper server on loopback serving `published`.
async fn jwks_server(
    published: Arc<RwLock<&'static str>>,
    served: Arc<AtomicUsize>,
) -> Result<http::Uri, BoxError> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let uri = format!("http://{}/jwks", listener.local_addr()?).parse()?;
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (p, s) = (Arc::clone(&published), Arc::clone(&served));
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
    Ok(uri)
}

/// Verifies `TASKS` fresh requests concurrently; every one must pass.
async fn run_all(
    sig_key: &Arc<PrivateKey>,
    kid: &'static str,
    dpop_key: &Arc<PrivateKey>,
    verifier: &Arc<DpopVerifier>,
    cache: &Arc<Cache>,
) -> Result<(), BoxError> {
    let tasks: Vec<_> = (0..TASKS)
        .map(|n| {
            let (sig_key, dpop_key) = (Arc::clone(sig_key), Arc::clone(dpop_key));
            let (verifier, cache) = (Arc::clone(verifier), Arc::clone(cache));
            tokio::spawn(async move {
                let req = client_request(&sig_key, kid, &dpop_key, n)?;
                verify(&req, &verifier, &cache)
                    .await
                    .map_err(|e| BoxError::from(format!("request {n}: {} ({e})", e.code())))
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    Ok(())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), BoxError> {
    let (_redis, redis_url) = start_redis()?;
    let store = Arc::new(AsyncRedisReplayStore::open(&redis_url)?);
    let verifier = Arc::new(DpopVerifier::new_async(store));

    let published = Arc::new(RwLock::new(OLD_SET));
    let served = Arc::new(AtomicUsize::new(0));
    let uri = jwks_server(Arc::clone(&published), Arc::clone(&served)).await?;
    let config = CacheConfig::default().min_refresh_interval(Duration::from_millis(200));
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
        "test-key-rsa-pss.pem",
        Algorithm::Jws(JwsAlgorithm::Ps256),
    )?);
    let dpop = Arc::new(key(
        "test-key-ecc-p256.pem",
        Algorithm::Jws(JwsAlgorithm::Es256),
    )?);

    run_all(&old, "client-a-2026-11", &dpop, &verifier, &cache).await?;
    println!("{TASKS} concurrent FAPI requests signed with client-a-2026-11 verified");

    // The same request twice: the second is a replay, refused through Redis.
    let req = client_request(&old, "client-a-2026-11", &dpop, 999)?;
    verify(&req, &verifier, &cache).await?;
    let again = verify(&req, &verifier, &cache).await.map_err(|e| e.code());
    if again != Err("dpop.replay") {
        return Err(format!("a replayed request must be dpop.replay, got {again:?}").into());
    }
    println!("a replayed request is refused: dpop.replay");

    // Rotation: the client publishes a new key and removes the old one; nothing restarts.
    tokio::time::sleep(Duration::from_millis(250)).await;
    *published
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = NEW_SET;
    let before = served.load(Ordering::SeqCst);
    run_all(&new, "client-a-2026-12", &dpop, &verifier, &cache).await?;
    let fetches = served.load(Ordering::SeqCst) - before;
    println!(
        "{TASKS} concurrent FAPI requests signed with client-a-2026-12 verified after the rotation ({fetches} JWKS fetch)"
    );
    if fetches != 1 {
        return Err(format!("all concurrent misses must share one fetch, saw {fetches}").into());
    }
    for skipped in cache.current().keys().skipped() {
        println!("skipped JWKS member: {skipped}");
    }

    // The retired key no longer verifies.
    tokio::time::sleep(Duration::from_millis(250)).await;
    let req = client_request(&old, "client-a-2026-11", &dpop, 1000)?;
    let retired = verify(&req, &verifier, &cache).await.map_err(|e| e.code());
    if retired != Err("verify.key_not_found") {
        return Err(format!("the retired key must be refused, got {retired:?}").into());
    }
    println!("a request signed with the retired key is refused: verify.key_not_found");
    Ok(())
}
