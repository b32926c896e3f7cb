//! `HyperFetcher` against a real HTTP server: hyper on 127.0.0.1, started by the test.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use httpsig_core::KeyLookup;
use httpsig_jwks::{
    CacheConfig, FetchError, HyperFetcher, JwksCache, JwksFetcher, RefreshError, SystemClock,
};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;

const JWKS: &str = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"},{"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"}]}"#;

async fn answer(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let (status, body) = match req.uri().path() {
        "/jwks" => (200, Bytes::from_static(JWKS.as_bytes())),
        "/error" => (500, Bytes::from_static(b"oops")),
        "/slow" => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            (200, Bytes::from_static(JWKS.as_bytes()))
        }
        "/huge" => (200, Bytes::from(vec![b' '; 1024 * 1024 + 1])),
        _ => (404, Bytes::new()),
    };
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = hyper::StatusCode::from_u16(status).expect("status");
    Ok(response)
}

/// A hyper server on an ephemeral loopback port; returns its base URI.
async fn server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(answer))
                    .await;
            });
        }
    });
    format!("http://{addr}")
}

fn fetcher(
    base: &str,
    path: &str,
) -> HyperFetcher<hyper_util::client::legacy::connect::HttpConnector> {
    HyperFetcher::http(format!("{base}{path}").parse().expect("uri"))
}

#[tokio::test]
async fn fetches_a_jwks_and_reports_500_size_and_refused_connection() {
    let base = server().await;
    let doc = fetcher(&base, "/jwks").fetch().await.expect("fetch");
    assert_eq!(doc, JWKS.as_bytes());
    assert_eq!(
        fetcher(&base, "/error").fetch().await,
        Err(FetchError::Status(500))
    );
    assert_eq!(
        fetcher(&base, "/huge").fetch().await,
        Err(FetchError::TooLarge {
            max: httpsig_core::keys::Jwks::MAX_JSON_LEN
        })
    );
    // Nothing listens on the port of a closed listener.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    assert_eq!(
        fetcher(&format!("http://127.0.0.1:{port}"), "/jwks")
            .fetch()
            .await,
        Err(FetchError::Connect)
    );
}

#[tokio::test]
async fn a_cache_on_the_hyper_fetcher() {
    let base = server().await;
    let config = CacheConfig::default().fetch_timeout(Duration::from_millis(300));
    let clock = Arc::new(SystemClock::new());
    let cache = JwksCache::fetch(fetcher(&base, "/jwks"), config, clock.clone())
        .await
        .expect("first fetch");
    assert_eq!(cache.current().keys().len(), 1);
    assert_eq!(cache.current().keys().skipped().len(), 1);
    assert!(
        cache
            .resolve_or_refresh(&KeyLookup::new("sig1", Some("k1")))
            .await
            .is_ok()
    );
    // A server that does not answer in time: the fetch times out, the cache is not built.
    let started = std::time::Instant::now();
    let slow = JwksCache::fetch(fetcher(&base, "/slow"), config, clock.clone()).await;
    assert_eq!(slow.err(), Some(RefreshError::Fetch(FetchError::Timeout)));
    assert!(started.elapsed() < Duration::from_secs(4));
    // A server answering 500 on refresh: the old set stays.
    let cache =
        JwksCache::bootstrap(JWKS.as_bytes(), fetcher(&base, "/error"), config).expect("bootstrap");
    assert_eq!(
        cache.refresh().await.map(|_| ()),
        Err(RefreshError::Fetch(FetchError::Status(500)))
    );
    assert!(cache.current().keys().contains_kid("k1"));
}
