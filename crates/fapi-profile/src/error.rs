//! The crate's one error type, its stable codes, its HTTP status, and the ready refusal
//! (status, `WWW-Authenticate`, `DPoP-Nonce`, `Retry-After`) a resource server sends for it.
//!
//! Each check keeps its own detail enum ([`DpopError`], [`MtlsError`], [`TokenError`],
//! [`StoreError`], `httpsig_core::Error`, `forwarded_parser::ForwardedError`); [`Error`] holds
//! any of them, so a server that composes the checks has one type to map to a response. The
//! status is a property of the variant (see [`Error::kind`]), never derived from a code string.
//!
//! The order a resource server runs the checks in (access-tokens reference §4): the effective
//! request (forwarded) → the presented token → token validation → binding (mTLS) → DPoP
//! proof → HTTP message signature (with `Content-Digest`) → the DPoP `jti` recorded last, so
//! that nothing that fails a later check occupies the replay store.

use core::fmt;

use forwarded_parser::ForwardedError;
use httpsig_core::JwsAlgorithm;

use crate::dpop::{DpopBuildError, DpopConfigError, DpopError};
use crate::mtls::MtlsError;
use crate::store::StoreError;
use crate::token::{TokenError, TokenScheme};

/// Everything the FAPI 2.0 resource-server and client checks of this crate can fail with.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The client-facing request could not be rebuilt from `Forwarded` / `X-Forwarded-*` or
    /// the request head (a client or deployment error).
    Forwarded(ForwardedError),
    /// No usable `Authorization` field.
    Token(TokenError),
    /// The DPoP proof or the token's DPoP binding.
    Dpop(DpopError),
    /// The mTLS certificate or the token's certificate binding.
    Mtls(MtlsError),
    /// The HTTP message signature, its policy or the covered `Content-Digest`.
    Signature(httpsig_core::Error),
    /// The replay or nonce store could not answer.
    Store(StoreError),
    /// A verifier configuration was refused (a server fault).
    DpopConfig(DpopConfigError),
    /// A DPoP proof could not be built (client side).
    DpopBuild(DpopBuildError),
}

/// What an [`Error`] means for the response, independent of its detail.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The request is malformed: `400`.
    BadRequest,
    /// Credentials, proof or signature missing or invalid: `401`.
    Unauthorized,
    /// The request names another origin or scheme than this server: `421`
    /// (RFC 9110 §15.5.20).
    Misdirected,
    /// The body is larger than accepted: `413`.
    TooLarge,
    /// This client's share of a store is used up: `429` (RFC 6585 §4).
    TooManyRequests,
    /// A server fault (configuration): `500`.
    Internal,
    /// A dependency (key set, replay store) could not be reached: `503`; retry later.
    Unavailable,
    /// The request's HTTP version is not supported: `505`.
    VersionNotSupported,
}

impl ErrorKind {
    /// The HTTP status code.
    pub fn http_status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::Misdirected => 421,
            Self::TooLarge => 413,
            Self::TooManyRequests => 429,
            Self::Internal => 500,
            Self::Unavailable => 503,
            Self::VersionNotSupported => 505,
        }
    }
}

impl Error {
    /// A stable machine-readable code such as `dpop.htu` or `verify.invalid_signature`: for
    /// logs, metrics and tests, not for the client (see [`Error::refusal`]).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Forwarded(e) => e.code(),
            Self::Token(e) => e.code(),
            Self::Dpop(e) => e.code(),
            Self::Mtls(e) => e.code(),
            Self::Signature(e) => e.code(),
            Self::Store(e) => e.code(),
            Self::DpopConfig(e) => e.code(),
            Self::DpopBuild(e) => e.code(),
        }
    }

    /// What the error means for the response.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Forwarded(e) => forwarded_kind(e),
            Self::Token(TokenError::Missing | TokenError::UnsupportedScheme) => {
                ErrorKind::Unauthorized
            }
            Self::Token(_) => ErrorKind::BadRequest,
            Self::Dpop(DpopError::AuthorizationMultiple | DpopError::AuthorizationMalformed) => {
                ErrorKind::BadRequest
            }
            Self::Dpop(DpopError::Store(e)) | Self::Store(e) => store_kind(e),
            Self::Dpop(_) => ErrorKind::Unauthorized,
            Self::Mtls(MtlsError::CertMissing | MtlsError::TokenNotBound | MtlsError::Mismatch) => {
                ErrorKind::Unauthorized
            }
            Self::Mtls(_) => ErrorKind::BadRequest,
            Self::Signature(e) => signature_kind(e),
            Self::DpopConfig(_) | Self::DpopBuild(_) => ErrorKind::Internal,
        }
    }

    /// The HTTP status a resource server answers with: `self.kind().http_status()`.
    pub fn http_status(&self) -> u16 {
        self.kind().http_status()
    }

    /// The response for this error: status, `WWW-Authenticate`, `DPoP-Nonce` and
    /// `Retry-After`, per RFC 6750 §3.1, RFC 9449 §7.1 and §9, and the access-token reference
    /// table. The detail (the code) is not in it: log [`Error::code`] instead.
    ///
    /// - token missing or another scheme: `401` with a challenge per accepted scheme and no
    ///   error code;
    /// - malformed `Authorization`: `400`, `error="invalid_request"`;
    /// - DPoP errors: [`DpopError::challenge`] (`invalid_dpop_proof`, `invalid_token`,
    ///   `use_dpop_nonce` with `DPoP-Nonce`);
    /// - certificate binding: `401`, `Bearer error="invalid_token"`;
    /// - HTTP signature or digest (FAPI HS §5.3.1.2: "401", no error code defined, reference
    ///   D-9): `401` with the bare challenge of the scheme the client used;
    /// - stores or keys unreachable: `503` (quota: `429`) with `Retry-After`, no challenge;
    /// - forwarded / request-head errors: `400` (`421`, `505`), no challenge.
    pub fn refusal(&self, ctx: &RefusalContext<'_>) -> Refusal {
        let kind = self.kind();
        let mut refusal = Refusal {
            status: kind.http_status(),
            www_authenticate: None,
            dpop_nonce: None,
            retry_after: None,
        };
        match self {
            Self::Dpop(e) => {
                let c = e.challenge(ctx.dpop_algs, ctx.fresh_nonce.clone());
                refusal.www_authenticate = c.www_authenticate;
                refusal.dpop_nonce = c.dpop_nonce;
            }
            Self::Token(TokenError::Missing | TokenError::UnsupportedScheme) => {
                refusal.www_authenticate = Some(ctx.challenges(None));
            }
            Self::Token(_) => {
                refusal.www_authenticate = Some(ctx.challenges(Some("invalid_request")));
            }
            Self::Mtls(_) if kind == ErrorKind::Unauthorized => {
                refusal.www_authenticate = Some(
                    "Bearer error=\"invalid_token\", error_description=\"Invalid certificate binding\""
                        .to_owned(),
                );
            }
            Self::Signature(_) if kind == ErrorKind::Unauthorized => {
                refusal.www_authenticate = Some(match ctx.presented {
                    Some(TokenScheme::Bearer) => "Bearer".to_owned(),
                    Some(TokenScheme::Dpop) => ctx.dpop_challenge(None),
                    None => ctx.challenges(None),
                });
            }
            _ => {}
        }
        if matches!(kind, ErrorKind::Unavailable | ErrorKind::TooManyRequests) {
            refusal.retry_after = Some(ctx.retry_after_secs);
        }
        refusal
    }
}

fn store_kind(e: &StoreError) -> ErrorKind {
    match e {
        StoreError::QuotaExceeded => ErrorKind::TooManyRequests,
        StoreError::InvalidTtl | StoreError::InvalidConfig => ErrorKind::Internal,
        _ => ErrorKind::Unavailable,
    }
}

fn forwarded_kind(e: &ForwardedError) -> ErrorKind {
    match e {
        ForwardedError::HostNotAllowed | ForwardedError::SchemeMismatch => ErrorKind::Misdirected,
        ForwardedError::UnsupportedVersion => ErrorKind::VersionNotSupported,
        _ => ErrorKind::BadRequest,
    }
}

fn signature_kind(e: &httpsig_core::Error) -> ErrorKind {
    match e.http_status() {
        413 => ErrorKind::TooLarge,
        500 => ErrorKind::Internal,
        503 => ErrorKind::Unavailable,
        _ => ErrorKind::Unauthorized,
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Forwarded(e) => write!(f, "request head: {e}"),
            Self::Token(e) => e.fmt(f),
            Self::Dpop(e) => e.fmt(f),
            Self::Mtls(e) => e.fmt(f),
            Self::Signature(e) => write!(f, "HTTP message signature: {e}"),
            Self::Store(e) => e.fmt(f),
            Self::DpopConfig(e) => e.fmt(f),
            Self::DpopBuild(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Forwarded(e) => Some(e),
            Self::Token(e) => Some(e),
            Self::Dpop(e) => Some(e),
            Self::Mtls(e) => Some(e),
            Self::Signature(e) => Some(e),
            Self::Store(e) => Some(e),
            Self::DpopConfig(e) => Some(e),
            Self::DpopBuild(e) => Some(e),
        }
    }
}

macro_rules! from_detail {
    ($($variant:ident($ty:ty)),* $(,)?) => {$(
        impl From<$ty> for Error {
            fn from(e: $ty) -> Self {
                Self::$variant(e)
            }
        }
    )*};
}
from_detail!(
    Forwarded(ForwardedError),
    Token(TokenError),
    Dpop(DpopError),
    Mtls(MtlsError),
    Signature(httpsig_core::Error),
    Store(StoreError),
    DpopConfig(DpopConfigError),
    DpopBuild(DpopBuildError),
);

/// What [`Error::refusal`] needs to know about the server and the request.
#[derive(Clone, Debug)]
pub struct RefusalContext<'a> {
    /// The scheme the client presented its token with, if it got that far.
    pub presented: Option<TokenScheme>,
    /// DPoP algorithms accepted (the `algs` challenge parameter); empty when DPoP is not
    /// accepted.
    pub dpop_algs: &'a [JwsAlgorithm],
    /// Whether certificate-bound tokens with the `Bearer` scheme are accepted.
    pub accept_bearer: bool,
    /// A fresh nonce for a `use_dpop_nonce` challenge (from
    /// [`DpopVerifier::challenge`](crate::dpop::DpopVerifier::challenge) or
    /// `next_nonce`).
    pub fresh_nonce: Option<String>,
    /// `Retry-After` seconds for `503` and `429`.
    pub retry_after_secs: u32,
}

impl<'a> RefusalContext<'a> {
    /// A DPoP-only resource server accepting `dpop_algs`; `Retry-After: 1`.
    pub fn dpop(dpop_algs: &'a [JwsAlgorithm]) -> Self {
        Self {
            presented: None,
            dpop_algs,
            accept_bearer: false,
            fresh_nonce: None,
            retry_after_secs: 1,
        }
    }

    fn dpop_challenge(&self, error: Option<&str>) -> String {
        let mut c = "DPoP".to_owned();
        let mut sep = " ";
        if let Some(e) = error {
            c.push_str(&format!("{sep}error=\"{e}\""));
            sep = ", ";
        }
        if !self.dpop_algs.is_empty() {
            let names: Vec<&str> = self.dpop_algs.iter().map(|a| a.name()).collect();
            c.push_str(&format!("{sep}algs=\"{}\"", names.join(" ")));
        }
        c
    }

    /// One challenge per accepted scheme, joined as RFC 9110 §11.6.1 allows.
    fn challenges(&self, error: Option<&str>) -> String {
        let mut out = Vec::with_capacity(2);
        if !self.dpop_algs.is_empty() {
            out.push(self.dpop_challenge(error));
        }
        if self.accept_bearer || out.is_empty() {
            out.push(match error {
                Some(e) => format!("Bearer error=\"{e}\""),
                None => "Bearer".to_owned(),
            });
        }
        out.join(", ")
    }
}

/// A ready refusal: put these on the response and send no detail in the body.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refusal {
    /// HTTP status code.
    pub status: u16,
    /// The `WWW-Authenticate` field value, if any.
    pub www_authenticate: Option<String>,
    /// The `DPoP-Nonce` field value, if any.
    pub dpop_nonce: Option<String>,
    /// The `Retry-After` delay in seconds, for `503` and `429`.
    pub retry_after: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALGS: &[JwsAlgorithm] = &[JwsAlgorithm::Es256, JwsAlgorithm::Ps256];

    #[test]
    fn refusals_follow_rfc6750_and_rfc9449() {
        let ctx = RefusalContext::dpop(ALGS);
        // (error, status, WWW-Authenticate) — RFC 9449 Fig. 15, Fig. 19; RFC 6750 §3.1;
        // access-tokens reference §3 table.
        let cases: Vec<(Error, u16, Option<&str>)> = vec![
            (
                TokenError::Missing.into(),
                401,
                Some("DPoP algs=\"ES256 PS256\""),
            ),
            (
                TokenError::Multiple.into(),
                400,
                Some("DPoP error=\"invalid_request\", algs=\"ES256 PS256\""),
            ),
            (StoreError::Unavailable.into(), 503, None),
            // A key set that could not be fetched is not a forged signature (issue 11).
            (httpsig_core::Error::KeyUnavailable.into(), 503, None),
            (
                httpsig_core::Error::KeyNotFound.into(),
                401,
                Some("DPoP algs=\"ES256 PS256\""),
            ),
            (StoreError::QuotaExceeded.into(), 429, None),
            (DpopError::Store(StoreError::Unavailable).into(), 503, None),
            (ForwardedError::SchemeMismatch.into(), 421, None),
            (ForwardedError::InvalidRequestLine.into(), 400, None),
            (ForwardedError::UnsupportedVersion.into(), 505, None),
            (
                MtlsError::Mismatch.into(),
                401,
                Some(
                    "Bearer error=\"invalid_token\", error_description=\"Invalid certificate binding\"",
                ),
            ),
            (MtlsError::Multiple.into(), 400, None),
            (
                httpsig_core::Error::InvalidSignature.into(),
                401,
                Some("DPoP algs=\"ES256 PS256\""),
            ),
        ];
        for (err, status, www) in cases {
            let r = err.refusal(&ctx);
            assert_eq!(r.status, status, "{err:?}");
            assert_eq!(r.www_authenticate.as_deref(), www, "{err:?}");
            assert_eq!(r.status, err.http_status(), "{err:?}");
            assert_eq!(
                r.retry_after.is_some(),
                matches!(status, 429 | 503),
                "{err:?}"
            );
        }
    }

    #[test]
    fn dpop_nonce_challenge_carries_the_nonce() {
        let mut ctx = RefusalContext::dpop(ALGS);
        ctx.fresh_nonce = Some("n-1".to_owned());
        let err: Error = DpopError::Missing.into();
        assert_eq!(err.refusal(&ctx).status, 401);
        let jkt = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
        let err = Error::Dpop(DpopError::NonceRequired {
            jkt: crate::dpop::Thumbprint::new(jkt),
        });
        let r = err.refusal(&ctx);
        assert_eq!(r.status, 401);
        assert_eq!(r.dpop_nonce.as_deref(), Some("n-1"));
        // RFC 9449 §9 Figure 24.
        assert_eq!(
            r.www_authenticate.as_deref(),
            Some(
                "DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\""
            )
        );
    }

    #[test]
    fn bearer_and_dpop_both_accepted() {
        let mut ctx = RefusalContext::dpop(ALGS);
        ctx.accept_bearer = true;
        let r = Error::from(TokenError::Missing).refusal(&ctx);
        assert_eq!(
            r.www_authenticate.as_deref(),
            Some("DPoP algs=\"ES256 PS256\", Bearer")
        );
        ctx.presented = Some(TokenScheme::Bearer);
        let r = Error::from(httpsig_core::Error::InvalidSignature).refusal(&ctx);
        assert_eq!(r.www_authenticate.as_deref(), Some("Bearer"));
    }
}
