//! Thin adapters from `http` 1.x types to [`HttpMessage`], and helpers to attach signatures.

use core::fmt;

use http::header::{AUTHORIZATION, CONTENT_TYPE, DATE, HOST};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::Error;
use crate::message::{HttpMessage, TargetUri, UriError};
use crate::sign::{Signed, append_member};

const SIGNATURE: HeaderName = HeaderName::from_static("signature");
const SIGNATURE_INPUT: HeaderName = HeaderName::from_static("signature-input");
const CONTENT_DIGEST: HeaderName = HeaderName::from_static("content-digest");
const DPOP: HeaderName = HeaderName::from_static("dpop");

/// Visits the lines of `name`; the names every verification reads skip `HeaderName` parsing.
fn visit_lines<'a>(headers: &'a HeaderMap, name: &str, visit: &mut dyn FnMut(&'a [u8])) {
    let known = match name {
        "signature" => Some(&SIGNATURE),
        "signature-input" => Some(&SIGNATURE_INPUT),
        "content-digest" => Some(&CONTENT_DIGEST),
        "authorization" => Some(&AUTHORIZATION),
        "dpop" => Some(&DPOP),
        "content-type" => Some(&CONTENT_TYPE),
        "date" => Some(&DATE),
        "host" => Some(&HOST),
        _ => None,
    };
    match known {
        Some(n) => headers.get_all(n).iter().for_each(|v| visit(v.as_bytes())),
        None => headers
            .get_all(name)
            .iter()
            .for_each(|v| visit(v.as_bytes())),
    }
}

/// A view of an `http::Request` with an explicit target URI.
pub struct RequestView<'a, B> {
    req: &'a http::Request<B>,
    target: TargetUri<'a>,
    trailers: Option<&'a HeaderMap>,
}

impl<'a, B> RequestView<'a, B> {
    /// For a client: the request's URI must be absolute (`https://host/path?q`), as clients build it.
    ///
    /// # Errors
    /// [`UriError`] when the URI is not an absolute http(s) URI.
    pub fn client(req: &'a http::Request<B>) -> Result<Self, UriError> {
        let uri = req.uri();
        let scheme = uri.scheme_str().ok_or(UriError::Scheme)?;
        let authority = uri.authority().ok_or(UriError::Authority)?.as_str();
        let pq = uri
            .path_and_query()
            .map_or("", http::uri::PathAndQuery::as_str);
        // `http` renders an absent path as "/"; an explicit empty path is the same resource.
        let target = TargetUri::from_parts(scheme, authority, pq)?;
        Ok(Self {
            req,
            target,
            trailers: None,
        })
    }

    /// For a server: the target URI the client used, reconstructed from configuration or a
    /// trusted proxy (see the `forwarded-parser` crate). It is never guessed from `Host`.
    ///
    /// # Errors
    /// [`UriError`] when `target_uri` is not an absolute http(s) URI.
    pub fn server(req: &'a http::Request<B>, target_uri: &'a str) -> Result<Self, UriError> {
        let target = TargetUri::parse(target_uri)?;
        Ok(Self {
            req,
            target,
            trailers: None,
        })
    }

    /// Adds trailers, for `;tr` components.
    #[must_use]
    pub fn with_trailers(mut self, trailers: &'a HeaderMap) -> Self {
        self.trailers = Some(trailers);
        self
    }
}

impl<B> fmt::Debug for RequestView<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestView")
            .field("method", self.req.method())
            .field("target", &self.target)
            .finish_non_exhaustive()
    }
}

impl<B> HttpMessage for RequestView<'_, B> {
    fn method(&self) -> Option<&str> {
        Some(self.req.method().as_str())
    }
    fn target_uri(&self) -> Option<TargetUri<'_>> {
        Some(self.target)
    }
    fn request_target(&self) -> Option<&str> {
        let uri = self.req.uri();
        if uri.path() == "*" {
            Some("*")
        } else if self.req.method() == http::Method::CONNECT {
            uri.authority().map(http::uri::Authority::as_str)
        } else {
            None
        }
    }
    fn status(&self) -> Option<u16> {
        None
    }
    fn field_lines<'a>(&'a self, name: &str, visit: &mut dyn FnMut(&'a [u8])) {
        visit_lines(self.req.headers(), name, visit);
    }
    fn trailer_lines<'a>(&'a self, name: &str, visit: &mut dyn FnMut(&'a [u8])) {
        if let Some(t) = self.trailers {
            visit_lines(t, name, visit);
        }
    }
}

/// A view of an `http::Response`.
pub struct ResponseView<'a, B> {
    res: &'a http::Response<B>,
    trailers: Option<&'a HeaderMap>,
}

impl<'a, B> ResponseView<'a, B> {
    /// Wraps a response.
    pub fn new(res: &'a http::Response<B>) -> Self {
        Self {
            res,
            trailers: None,
        }
    }

    /// Adds trailers, for `;tr` components.
    #[must_use]
    pub fn with_trailers(mut self, trailers: &'a HeaderMap) -> Self {
        self.trailers = Some(trailers);
        self
    }
}

impl<B> fmt::Debug for ResponseView<'_, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseView")
            .field("status", &self.res.status())
            .finish_non_exhaustive()
    }
}

impl<B> HttpMessage for ResponseView<'_, B> {
    fn method(&self) -> Option<&str> {
        None
    }
    fn target_uri(&self) -> Option<TargetUri<'_>> {
        None
    }
    fn status(&self) -> Option<u16> {
        Some(self.res.status().as_u16())
    }
    fn field_lines<'a>(&'a self, name: &str, visit: &mut dyn FnMut(&'a [u8])) {
        visit_lines(self.res.headers(), name, visit);
    }
    fn trailer_lines<'a>(&'a self, name: &str, visit: &mut dyn FnMut(&'a [u8])) {
        if let Some(t) = self.trailers {
            visit_lines(t, name, visit);
        }
    }
}

/// Adds a signature to `Signature-Input` and `Signature`, keeping signatures already there
/// (their members are kept and the new one is appended, on one combined line each).
///
/// # Errors
/// `parse.signature_input` if the combined value is not a valid header value (cannot happen for
/// values produced by [`crate::sign`] over valid existing fields).
pub fn attach(headers: &mut HeaderMap, signed: &Signed) -> Result<(), Error> {
    for (name, member) in [
        ("signature-input", signed.signature_input_member()),
        ("signature", signed.signature_member()),
    ] {
        let mut existing: Option<Vec<u8>> = None;
        for v in headers.get_all(name) {
            existing = Some(append_member(
                existing.as_deref(),
                &String::from_utf8_lossy(v.as_bytes()),
            ));
        }
        let value = append_member(existing.as_deref(), &member);
        let hv = HeaderValue::from_bytes(&value).map_err(|_| {
            crate::error::ParseError::new(
                crate::error::SignatureField::SignatureInput,
                crate::error::ParseErrorKind::Syntax,
                None,
            )
        })?;
        headers.insert(name, hv);
    }
    Ok(())
}
