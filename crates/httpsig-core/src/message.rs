//! The one read-only view of an HTTP message that every adapter implements.
//!
//! The core reads a message only through [`HttpMessage`]: method, an explicit target URI, status,
//! and the field lines of a name in message order. Trimming and combining field lines
//! (RFC 9421 §2.1) happens once, in the core, never in adapters.

use core::fmt;

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

/// A validated absolute target URI, borrowed in parts: `scheme "://" authority path ["?" query]`.
///
/// Userinfo and fragments are refused; the scheme must be `http` or `https` (any case).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TargetUri<'a> {
    scheme: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
}

/// Why a target URI was refused.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UriError {
    /// Not `scheme "://" ...` with an http or https scheme.
    Scheme,
    /// Empty or malformed host, or a non-numeric port.
    Authority,
    /// Userinfo (`user@host`) is deprecated and refused (RFC 9110 §4.2.4).
    Userinfo,
    /// A fragment has no place in a target URI.
    Fragment,
    /// A byte outside visible ASCII.
    InvalidByte,
}

impl fmt::Display for UriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Scheme => "target URI must start with http:// or https://",
            Self::Authority => "target URI has an empty or malformed authority",
            Self::Userinfo => "target URI must not contain userinfo",
            Self::Fragment => "target URI must not contain a fragment",
            Self::InvalidByte => "target URI contains a byte outside visible ASCII",
        })
    }
}

impl std::error::Error for UriError {}

impl<'a> TargetUri<'a> {
    /// Parses an absolute `http`/`https` URI.
    ///
    /// # Errors
    /// [`UriError`] when the URI is not absolute, has userinfo or a fragment, a bad port, or a
    /// byte outside visible ASCII.
    // RFC 3986 §3, RFC 9110 §4.2
    pub fn parse(uri: &'a str) -> Result<Self, UriError> {
        if !uri.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(UriError::InvalidByte);
        }
        // The scheme ends at the first ':' (an `http`/`https` scheme has none), which must
        // start "://"; anything else is not an absolute http(s) URI.
        let (scheme, rest) = uri
            .split_once(':')
            .and_then(|(scheme, rest)| Some((scheme, rest.strip_prefix("//")?)))
            .ok_or(UriError::Scheme)?;
        let end = rest
            .bytes()
            .position(|b| matches!(b, b'/' | b'?' | b'#'))
            .unwrap_or(rest.len());
        if !is_http_scheme(scheme) {
            return Err(UriError::Scheme);
        }
        let (authority, path_and_query) = rest.split_at(end);
        Self::from_checked_parts(scheme, authority, path_and_query)
    }

    /// Builds a target URI from a scheme, an authority (`host[:port]`) and the path and query as
    /// received (`/a/b?x=1`, possibly empty).
    ///
    /// # Errors
    /// As for [`TargetUri::parse`].
    pub fn from_parts(
        scheme: &'a str,
        authority: &'a str,
        path_and_query: &'a str,
    ) -> Result<Self, UriError> {
        if !is_http_scheme(scheme) {
            return Err(UriError::Scheme);
        }
        if !authority.bytes().all(|b| b.is_ascii_graphic())
            || !path_and_query.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(UriError::InvalidByte);
        }
        Self::from_checked_parts(scheme, authority, path_and_query)
    }

    /// [`TargetUri::from_parts`] once every byte is known to be visible ASCII and the scheme
    /// to be `http` or `https`.
    fn from_checked_parts(
        scheme: &'a str,
        authority: &'a str,
        path_and_query: &'a str,
    ) -> Result<Self, UriError> {
        if authority.contains('@') {
            return Err(UriError::Userinfo);
        }
        if path_and_query.contains('#') {
            return Err(UriError::Fragment);
        }
        let (host, port) = split_host_port(authority)?;
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_and_query, None),
        };
        if !(path.is_empty() || path.starts_with('/')) {
            return Err(UriError::Authority);
        }
        Ok(Self {
            scheme,
            host,
            port,
            path,
            query,
        })
    }

    /// The scheme as given (use [`TargetUri::is_https`] or lower-case it for comparison).
    pub fn scheme(&self) -> &'a str {
        self.scheme
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.scheme.eq_ignore_ascii_case("https")
    }

    /// The host as given (an IPv6 literal keeps its brackets).
    pub fn host(&self) -> &'a str {
        self.host
    }

    /// The port as given, if any (may equal the scheme's default).
    pub fn port(&self) -> Option<&'a str> {
        self.port
    }

    /// The path as received, possibly empty.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The query without its `?`, if the URI had a `?`.
    pub fn query(&self) -> Option<&'a str> {
        self.query
    }

    /// Writes `@scheme`: the scheme in lower case (RFC 9421 §2.2.4).
    pub(crate) fn write_scheme(&self, out: &mut Vec<u8>) {
        out.extend(self.scheme.bytes().map(|b| b.to_ascii_lowercase()));
    }

    /// Writes `@authority`: host in lower case, default port omitted (RFC 9421 §2.2.3).
    pub(crate) fn write_authority(&self, out: &mut Vec<u8>) {
        out.extend(self.host.bytes().map(|b| b.to_ascii_lowercase()));
        if let Some(port) = self.port {
            let default = if self.is_https() { "443" } else { "80" };
            if !port.is_empty() && port.trim_start_matches('0') != default {
                out.push(b':');
                out.extend_from_slice(port.as_bytes());
            }
        }
    }

    /// Writes `@path`: the path as received, `/` when empty (RFC 9421 §2.2.6).
    pub(crate) fn write_path(&self, out: &mut Vec<u8>) {
        if self.path.is_empty() {
            out.push(b'/');
        } else {
            out.extend_from_slice(self.path.as_bytes());
        }
    }

    /// Writes `@query`: `?` and the query as received; `?` alone when absent (RFC 9421 §2.2.7).
    pub(crate) fn write_query(&self, out: &mut Vec<u8>) {
        out.push(b'?');
        if let Some(q) = self.query {
            out.extend_from_slice(q.as_bytes());
        }
    }

    /// Writes `@target-uri`: the URI exactly as given (RFC 9421 §2.2.2 defines no
    /// normalization, unlike `@authority` and `@scheme`; every peer implementation tested agrees).
    pub(crate) fn write_target_uri(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.scheme.as_bytes());
        out.extend_from_slice(b"://");
        out.extend_from_slice(self.host.as_bytes());
        if let Some(p) = self.port {
            out.push(b':');
            out.extend_from_slice(p.as_bytes());
        }
        out.extend_from_slice(self.path.as_bytes());
        if let Some(q) = self.query {
            out.push(b'?');
            out.extend_from_slice(q.as_bytes());
        }
    }

    /// Writes the origin-form request target (`path?query`) for `@request-target`.
    pub(crate) fn write_origin_form(&self, out: &mut Vec<u8>) {
        self.write_path(out);
        if let Some(q) = self.query {
            out.push(b'?');
            out.extend_from_slice(q.as_bytes());
        }
    }
}

impl fmt::Debug for TargetUri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query may carry tokens (RFC 6750 §2.3); keep it out of debug output.
        f.debug_struct("TargetUri")
            .field("scheme", &self.scheme)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("path", &self.path)
            .field("query", &self.query.map(|_| "<elided>"))
            .finish()
    }
}

/// `http` or `https`, in any case (RFC 3986 §3.1: schemes are case-insensitive).
fn is_http_scheme(scheme: &str) -> bool {
    scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
}

// RFC 3986 §3.2.2, §3.2.3
fn split_host_port(authority: &str) -> Result<(&str, Option<&str>), UriError> {
    let (host, port) = if authority.starts_with('[') {
        let close = authority.find(']').ok_or(UriError::Authority)?;
        let (host, rest) = authority.split_at(close + 1);
        match rest {
            "" => (host, None),
            _ => (
                host,
                Some(rest.strip_prefix(':').ok_or(UriError::Authority)?),
            ),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let host_ok = if let Some(inner) = host.strip_prefix('[') {
        inner.strip_suffix(']').is_some_and(|v6| {
            !v6.is_empty()
                && v6
                    .bytes()
                    .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        })
    } else {
        !host.is_empty()
            && host.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(
                        b,
                        b'-' | b'.'
                            | b'_'
                            | b'~'
                            | b'%'
                            | b'!'
                            | b'$'
                            | b'&'
                            | b'\''
                            | b'('
                            | b')'
                            | b'*'
                            | b'+'
                            | b','
                            | b';'
                            | b'='
                    )
            })
    };
    if !host_ok {
        return Err(UriError::Authority);
    }
    if let Some(p) = port
        && (p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(UriError::Authority);
    }
    Ok((host, port))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn render(uri: &str, which: &str) -> String {
        let t = TargetUri::parse(uri).unwrap();
        let mut out = Vec::new();
        match which {
            "authority" => t.write_authority(&mut out),
            "path" => t.write_path(&mut out),
            "query" => t.write_query(&mut out),
            _ => t.write_target_uri(&mut out),
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn authority_normalization() {
        let cases = [
            ("https://www.example.com/", "www.example.com"),
            ("https://WWW.Example.COM:443/", "www.example.com"),
            ("http://example.com:80/", "example.com"),
            ("http://example.com:443/", "example.com:443"),
            ("https://example.com:8443/", "example.com:8443"),
            ("https://example.com:/", "example.com"),
            ("https://[2001:DB8::1]:443/x", "[2001:db8::1]"),
            ("https://[2001:db8::1]:8443/x", "[2001:db8::1]:8443"),
        ];
        for (uri, want) in cases {
            assert_eq!(render(uri, "authority"), want, "{uri}");
        }
    }

    #[test]
    fn path_query_target() {
        assert_eq!(render("https://a.example", "path"), "/");
        assert_eq!(render("https://a.example", "query"), "?");
        assert_eq!(render("https://a.example/p?", "query"), "?");
        assert_eq!(render("https://a.example/p?a=b", "query"), "?a=b");
        assert_eq!(
            render("HTTPS://A.example:443/p%2Fq?x=%41", "target"),
            "HTTPS://A.example:443/p%2Fq?x=%41"
        );
        assert_eq!(render("https://a.example", "target"), "https://a.example");
    }

    #[test]
    fn refusals() {
        for (uri, err) in [
            ("ftp://a/", UriError::Scheme),
            ("/relative", UriError::Scheme),
            ("https://user@a/", UriError::Userinfo),
            ("https://a/#f", UriError::Fragment),
            ("https://a:99999x/", UriError::Authority),
            ("https://:443/", UriError::Authority),
            ("https://a/\u{e9}", UriError::InvalidByte),
            ("https://a/ b", UriError::InvalidByte),
            ("https://[::1/", UriError::Authority),
            ("https://[::1]x/", UriError::Authority),
        ] {
            assert_eq!(TargetUri::parse(uri), Err(err), "{uri}");
        }
    }
}
