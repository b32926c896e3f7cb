//! The seam to whatever fetches the JWK Set document: the application's HTTP client.

use core::fmt;
use core::future::Future;

/// Fetches the current JWK Set document (the bytes of `{"keys":[...]}`).
///
/// The application provides it with its own HTTP client (or feature `hyper`'s
/// `HyperFetcher`); the cache calls it at most once at a time and bounds it with
/// [`crate::CacheConfig::fetch_timeout`].
pub trait JwksFetcher: Send + Sync {
    /// The document, or why it could not be had.
    ///
    /// # Errors
    /// A [`FetchError`]; the cache then keeps serving the keys it has, within
    /// [`crate::CacheConfig::max_stale`].
    fn fetch(&self) -> impl Future<Output = Result<Vec<u8>, FetchError>> + Send;
}

/// Why a fetch failed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FetchError {
    /// The server answered with a status other than 200.
    Status(u16),
    /// No complete answer within the timeout.
    Timeout,
    /// The server could not be reached (connect, TLS, or the connection broke).
    Connect,
    /// The document is larger than allowed.
    TooLarge {
        /// The most bytes accepted.
        max: usize,
    },
    /// Any other failure of the application's fetcher.
    Other,
}

impl FetchError {
    /// A stable, machine-readable code such as `jwks.fetch_status`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Status(_) => "jwks.fetch_status",
            Self::Timeout => "jwks.fetch_timeout",
            Self::Connect => "jwks.fetch_connect",
            Self::TooLarge { .. } => "jwks.fetch_too_large",
            Self::Other => "jwks.fetch_failed",
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status(s) => write!(f, "JWKS endpoint answered with status {s}"),
            Self::Timeout => f.write_str("JWKS fetch timed out"),
            Self::Connect => f.write_str("JWKS endpoint could not be reached"),
            Self::TooLarge { max } => write!(f, "JWKS document is larger than {max} bytes"),
            Self::Other => f.write_str("JWKS fetch failed"),
        }
    }
}

impl std::error::Error for FetchError {}

/// A shared fetcher fetches as the one it points to (one client for several caches, or a
/// handle the application keeps).
impl<T: JwksFetcher + ?Sized> JwksFetcher for std::sync::Arc<T> {
    fn fetch(&self) -> impl Future<Output = Result<Vec<u8>, FetchError>> + Send {
        (**self).fetch()
    }
}
