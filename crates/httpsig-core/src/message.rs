//! The one read-only view of an HTTP message that every adapter implements.
//!
//! The core reads a message only through [`HttpMessage`]: method, an explicit target URI, status,
//! and the field lines of a name in message order. Trimming and combining field lines
//! (RFC 9421 §2.1) happens once, in the core, never in adapters.

use core::fmt;

pub use httpsig_uri::{TargetUri, UriError};

/// A read-only view of a request or response.
///
/// Implement this for your framework's message type, or use the `http` adapters in
/// [`crate::http`]. A response is a message whose [`status`](HttpMessage::status) is `Some`.
pub trait HttpMessage {
    /// The request method as received (case-sensitive), `None` for a response.
    fn method(&self) -> Option<&str>;

    /// The absolute target URI (RFC 9110 §7.1) of a request, `None` for a response.
    ///
    /// On a server this must come from configuration or a trusted proxy (see the
    /// `forwarded-parser` crate), never be guessed from `Host`.
    fn target_uri(&self) -> Option<TargetUri<'_>>;

    /// The request-target exactly as in the request line, when it differs from the origin-form
    /// derived from [`target_uri`](HttpMessage::target_uri) (absolute-form, `*`, authority-form).
    fn request_target(&self) -> Option<&str> {
        None
    }

    /// The three-digit status code of a response, `None` for a request.
    fn status(&self) -> Option<u16>;

    /// Calls `visit` with each header field line named `name` (lower-case), in message order,
    /// with the raw field value bytes.
    fn field_lines<'a>(&'a self, name: &str, visit: &mut dyn FnMut(&'a [u8]));

    /// Calls `visit` with each trailer field line named `name` (lower-case), in message order.
    fn trailer_lines<'a>(&'a self, name: &str, visit: &mut dyn FnMut(&'a [u8])) {
        let _ = (name, visit);
    }
}

impl<M: HttpMessage + ?Sized> HttpMessage for &M {
    fn method(&self) -> Option<&str> {
        (**self).method()
    }
    fn target_uri(&self) -> Option<TargetUri<'_>> {
        (**self).target_uri()
    }
    fn request_target(&self) -> Option<&str> {
        (**self).request_target()
    }
    fn status(&self) -> Option<u16> {
        (**self).status()
    }
    fn field_lines<'a>(&'a self, name: &str, visit: &mut dyn FnMut(&'a [u8])) {
        (**self).field_lines(name, visit);
    }
    fn trailer_lines<'a>(&'a self, name: &str, visit: &mut dyn FnMut(&'a [u8])) {
        (**self).trailer_lines(name, visit);
    }
}

/// The value of a field with all its lines joined by `", "` (RFC 9110 §5.3), borrowed when
/// there is one line; `None` when the field is absent.
pub fn combined_field<'a>(
    m: &'a dyn HttpMessage,
    name: &str,
) -> Option<std::borrow::Cow<'a, [u8]>> {
    use std::borrow::Cow;
    let mut out: Option<Cow<'a, [u8]>> = None;
    m.field_lines(name, &mut |line| match &mut out {
        None => out = Some(Cow::Borrowed(line)),
        Some(o) => {
            let o = o.to_mut();
            o.extend_from_slice(b", ");
            o.extend_from_slice(line);
        }
    });
    out
}

/// An owned message for tests, command-line tools and vectors.
///
/// Field names are matched case-insensitively; lines keep their order.
#[derive(Clone, Default)]
pub struct Message {
    method: Option<String>,
    target_uri: Option<String>,
    request_target: Option<String>,
    status: Option<u16>,
    headers: Vec<(String, Vec<u8>)>,
    trailers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl Message {
    /// A request with the given method and absolute target URI.
    ///
    /// # Errors
    /// [`UriError`] when the target URI is not a valid absolute http(s) URI.
    pub fn request(method: &str, target_uri: &str) -> Result<Self, UriError> {
        TargetUri::parse(target_uri)?;
        Ok(Self {
            method: Some(method.to_owned()),
            target_uri: Some(target_uri.to_owned()),
            ..Self::default()
        })
    }

    /// A request with the given method and an already validated target URI.
    pub fn request_to(method: &str, target: TargetUri<'_>) -> Self {
        let mut uri = String::with_capacity(
            target.scheme().len()
                + target.authority_str().len()
                + target.path().len()
                + target.query().map_or(0, |q| q.len() + 1)
                + 3,
        );
        uri.push_str(target.scheme());
        uri.push_str("://");
        uri.push_str(target.authority_str());
        uri.push_str(target.path());
        if let Some(q) = target.query() {
            uri.push('?');
            uri.push_str(q);
        }
        Self {
            method: Some(method.to_owned()),
            target_uri: Some(uri),
            ..Self::default()
        }
    }

    /// A response with the given status code.
    pub fn response(status: u16) -> Self {
        Self {
            status: Some(status),
            ..Self::default()
        }
    }

    /// Sets the request-target exactly as in the request line (`*`, absolute- or authority-form).
    pub fn set_request_target(&mut self, target: &str) {
        self.request_target = Some(target.to_owned());
    }

    /// Appends a header field line.
    pub fn add_header(&mut self, name: &str, value: impl Into<Vec<u8>>) {
        self.headers.push((name.to_owned(), value.into()));
    }

    /// Appends a header field line, builder style.
    #[must_use]
    pub fn with_header(mut self, name: &str, value: impl Into<Vec<u8>>) -> Self {
        self.add_header(name, value);
        self
    }

    /// Appends a trailer field line.
    pub fn add_trailer(&mut self, name: &str, value: impl Into<Vec<u8>>) {
        self.trailers.push((name.to_owned(), value.into()));
    }

    /// Replaces every line of a header field with one line (or removes it when `value` is `None`).
    pub fn set_header(&mut self, name: &str, value: Option<Vec<u8>>) {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        if let Some(v) = value {
            self.headers.push((name.to_owned(), v));
        }
    }

    /// Sets the body.
    pub fn set_body(&mut self, body: impl Into<Vec<u8>>) {
        self.body = body.into();
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The header lines in order.
    pub fn headers(&self) -> &[(String, Vec<u8>)] {
        &self.headers
    }

    /// The trailer lines in order.
    pub fn trailers(&self) -> &[(String, Vec<u8>)] {
        &self.trailers
    }

    /// The combined value of a header (lines joined with `", "`), if present.
    pub fn header(&self, name: &str) -> Option<Vec<u8>> {
        let mut out: Option<Vec<u8>> = None;
        for (n, v) in &self.headers {
            if n.eq_ignore_ascii_case(name) {
                match &mut out {
                    Some(o) => {
                        o.extend_from_slice(b", ");
                        o.extend_from_slice(v);
                    }
                    None => out = Some(v.clone()),
                }
            }
        }
        out
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("Message")
            .field("method", &self.method)
            .field("status", &self.status)
            .field("header_names", &names)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl HttpMessage for Message {
    fn method(&self) -> Option<&str> {
        self.method.as_deref()
    }
    fn target_uri(&self) -> Option<TargetUri<'_>> {
        // Validated in `Message::request`.
        self.target_uri
            .as_deref()
            .and_then(|u| TargetUri::parse(u).ok())
    }
    fn request_target(&self) -> Option<&str> {
        self.request_target.as_deref()
    }
    fn status(&self) -> Option<u16> {
        self.status
    }
    fn field_lines<'a>(&'a self, name: &str, visit: &mut dyn FnMut(&'a [u8])) {
        for (n, v) in &self.headers {
            if n.eq_ignore_ascii_case(name) {
                visit(v);
            }
        }
    }
    fn trailer_lines<'a>(&'a self, name: &str, visit: &mut dyn FnMut(&'a [u8])) {
        for (n, v) in &self.trailers {
            if n.eq_ignore_ascii_case(name) {
                visit(v);
            }
        }
    }
}
