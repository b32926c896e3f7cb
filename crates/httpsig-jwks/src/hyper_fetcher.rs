//! A [`JwksFetcher`] on hyper-util's client (feature `hyper`).

use core::fmt;

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use httpsig_core::keys::Jwks;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::rt::TokioExecutor;

use crate::fetch::{FetchError, JwksFetcher};

/// Fetches a JWK Set with `GET` over hyper-util's pooled client. Only a `200` answer is a
/// document; the body is read up to [`Jwks::MAX_JSON_LEN`] bytes. The cache bounds the time
/// ([`crate::CacheConfig::fetch_timeout`]).
///
/// [`HyperFetcher::http`] speaks plain HTTP (a sidecar or a trusted local endpoint); for HTTPS
/// pass a TLS connector, e.g. `hyper_rustls::HttpsConnector`, to
/// [`HyperFetcher::with_connector`].
pub struct HyperFetcher<C> {
    client: Client<C, Empty<Bytes>>,
    uri: http::Uri,
}

impl HyperFetcher<HttpConnector> {
    /// A plain-HTTP fetcher for `uri`.
    pub fn http(uri: http::Uri) -> Self {
        Self::with_connector(HttpConnector::new(), uri)
    }
}

impl<C: Connect + Clone + Send + Sync + 'static> HyperFetcher<C> {
    /// A fetcher for `uri` over `connector`.
    pub fn with_connector(connector: C, uri: http::Uri) -> Self {
        Self {
            client: Client::builder(TokioExecutor::new()).build(connector),
            uri,
        }
    }
}

impl<C: Connect + Clone + Send + Sync + 'static> JwksFetcher for HyperFetcher<C> {
    async fn fetch(&self) -> Result<Vec<u8>, FetchError> {
        let request = http::Request::get(self.uri.clone())
            .header(
                http::header::ACCEPT,
                "application/jwk-set+json, application/json",
            )
            .body(Empty::new())
            .map_err(|_| FetchError::Other)?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|_| FetchError::Connect)?;
        if response.status() != http::StatusCode::OK {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        let max = Jwks::MAX_JSON_LEN;
        let body = Limited::new(response.into_body(), max)
            .collect()
            .await
            .map_err(|e| {
                if e.is::<http_body_util::LengthLimitError>() {
                    FetchError::TooLarge { max }
                } else {
                    FetchError::Connect
                }
            })?;
        Ok(body.to_bytes().to_vec())
    }
}

impl<C> fmt::Debug for HyperFetcher<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperFetcher")
            .field("uri", &self.uri)
            .finish_non_exhaustive()
    }
}
