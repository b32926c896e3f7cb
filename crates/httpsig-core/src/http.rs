//! Thin adapters from `http` 1.x types to [`HttpMessage`], and helpers to attach signatures.

use core::fmt;

use http::header::{AUTHORIZATION, CONTENT_TYPE, DATE, HOST};
use http::{HeaderMap, HeaderName, HeaderValue};

use crate::error::Error;
use crate::message::{HttpMessage, TargetUri, UriError};
use crate::sign::Signed;

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

    /// For a server, with the target URI as a typed value, e.g. the one
    /// `forwarded_parser::EffectiveRequest::target` rebuilt behind proxies: validated
    /// once where it was made, never rendered to a string and parsed again.
    pub fn with_target(req: &'a http::Request<B>, target: TargetUri<'a>) -> Self {
        Self {
            req,
            target,
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
/// `parse.signature_input` if an existing field line is not a valid header value (it came from
/// a `HeaderMap`, so it is) — kept as an error rather than a panic.
pub fn attach(headers: &mut HeaderMap, signed: &Signed) -> Result<(), Error> {
    use base64::Engine as _;
    let label = signed.label().as_bytes();
    // `label=(...);params`, after the existing members.
    let mut input = existing_members(
        headers,
        &SIGNATURE_INPUT,
        label.len() + 1 + signed.params().as_str().len(),
    );
    input.extend_from_slice(label);
    input.push(b'=');
    input.extend_from_slice(signed.params().as_str().as_bytes());
    // `label=:base64:`, written straight into the buffer.
    let sig = signed.signature();
    let b64_len = base64::encoded_len(sig.len(), true).unwrap_or(0);
    let mut signature = existing_members(headers, &SIGNATURE, label.len() + 3 + b64_len);
    signature.extend_from_slice(label);
    signature.extend_from_slice(b"=:");
    let at = signature.len();
    signature.resize(at + b64_len, 0);
    let written = signature.get_mut(at..).map_or(0, |dst| {
        base64::engine::general_purpose::STANDARD
            .encode_slice(sig, dst)
            .unwrap_or(0)
    });
    signature.truncate(at + written);
    signature.push(b':');
    let invalid = || {
        Error::from(crate::error::ParseError::new(
            crate::error::SignatureField::SignatureInput,
            crate::error::ParseErrorKind::Syntax,
            None,
        ))
    };
    let input = HeaderValue::from_maybe_shared(bytes::Bytes::from(input)).map_err(|_| invalid())?;
    let signature =
        HeaderValue::from_maybe_shared(bytes::Bytes::from(signature)).map_err(|_| invalid())?;
    headers.insert(SIGNATURE_INPUT, input);
    headers.insert(SIGNATURE, signature);
    Ok(())
}

/// The existing lines of a field, trimmed and joined with `", "`, followed by `", "` when there
/// were any; with room for `extra` more bytes.
fn existing_members(headers: &HeaderMap, name: &HeaderName, extra: usize) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    let mut first = true;
    for v in headers.get_all(name) {
        let v = httpsig_uri::trim_ows(v.as_bytes());
        if v.is_empty() {
            continue;
        }
        if first {
            out.reserve(v.len() + 2 + extra);
            first = false;
        } else {
            out.extend_from_slice(b", ");
        }
        out.extend_from_slice(v);
    }
    if first {
        out.reserve_exact(extra);
    } else {
        out.extend_from_slice(b", ");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::insecure::InsecureTestKey;
    use crate::{Algorithm, BaseOptions, Component, Derived, SignatureParams};

    #[test]
    fn attach_keeps_existing_signatures() {
        let key = InsecureTestKey::new(b"k", Algorithm::Ed25519);
        let mut req = http::Request::get("https://example.com/a")
            .body(())
            .unwrap();
        req.headers_mut().append(
            "signature-input",
            HeaderValue::from_static(" old=(\"@method\") "),
        );
        req.headers_mut()
            .append("signature", HeaderValue::from_static("old=:AAAA:"));
        let params = SignatureParams::builder()
            .component(Component::derived(Derived::Method))
            .build()
            .unwrap();
        let view = RequestView::client(&req).unwrap();
        let signed =
            crate::sign(&view, None, "sig1", params, &key, &BaseOptions::default()).unwrap();
        attach(req.headers_mut(), &signed).unwrap();
        let si: Vec<_> = req.headers().get_all("signature-input").iter().collect();
        assert_eq!(si, [r#"old=("@method"), sig1=("@method")"#]);
        let sig = req.headers()["signature"].to_str().unwrap().to_owned();
        assert_eq!(sig, format!("old=:AAAA:, {}", signed.signature_member()));
        // A third signature keeps both.
        let params = SignatureParams::builder()
            .component(Component::derived(Derived::Path))
            .build()
            .unwrap();
        let view = RequestView::client(&req).unwrap();
        let signed =
            crate::sign(&view, None, "sig2", params, &key, &BaseOptions::default()).unwrap();
        attach(req.headers_mut(), &signed).unwrap();
        assert_eq!(
            req.headers()["signature-input"].to_str().unwrap(),
            r#"old=("@method"), sig1=("@method"), sig2=("@path")"#
        );
    }
}
