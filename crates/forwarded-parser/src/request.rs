//! The inputs of [`resolve`](crate::resolve): connection facts and a borrowed, validated request
//! head (request line, request-target forms and `Host`, RFC 9112 §3).

use core::net::{IpAddr, SocketAddr};

use httpsig_uri::Authority;

use crate::effective::{Scheme, host_error};
use crate::error::{ForwardedError, HeaderName, ValueSource};
#[cfg(feature = "http")]
use crate::syntax::is_target_byte;
use crate::syntax::{all_target_bytes, is_token, normalize_ip, path_len, trim_ows};

/// What the server knows about the connection itself, independent of any header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConnectionFacts {
    peer: IpAddr,
    tls: bool,
}

impl ConnectionFacts {
    /// The socket peer address and whether the connection is TLS.
    /// IPv4-mapped IPv6 peers are normalized to IPv4.
    pub fn new(peer: IpAddr, tls: bool) -> Self {
        Self {
            peer: normalize_ip(peer),
            tls,
        }
    }

    /// From the accepted socket's peer address (the port is ignored).
    pub fn from_socket(peer: SocketAddr, tls: bool) -> Self {
        Self::new(peer.ip(), tls)
    }

    /// The socket peer address.
    pub const fn peer(&self) -> IpAddr {
        self.peer
    }

    /// Whether the connection is TLS.
    pub const fn tls(&self) -> bool {
        self.tls
    }
}

/// The form of a request-target (RFC 9112 §3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TargetForm {
    /// `/path?query` (§3.2.1); the authority comes from `Host`.
    Origin,
    /// `http://host/path?query` (§3.2.2); the target carries its own scheme and authority.
    Absolute,
    /// `host:port`, for CONNECT only (§3.2.3); the target is the authority, the path is empty.
    Authority,
    /// `*`, for OPTIONS only (§3.2.4); the authority comes from `Host`, the path is empty.
    Asterisk,
}

/// The protocol version of an HTTP/1 request line (RFC 9112 §2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HttpVersion {
    /// `HTTP/1.0`: `Host` is optional.
    Http10,
    /// `HTTP/1.1`, and any higher `HTTP/1.x`, read as 1.1 (RFC 9110 §2.5): `Host` is required.
    Http11,
}

/// An HTTP/1 request line split into its three parts, nothing else checked yet
/// ([`RequestHead::from_request_line`] validates the method and the target).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestLine<'a> {
    method: &'a str,
    target: &'a str,
    version: HttpVersion,
}

impl<'a> RequestLine<'a> {
    /// A request line from parts already split (for a caller that kept them).
    pub const fn new(method: &'a str, target: &'a str, version: HttpVersion) -> Self {
        Self {
            method,
            target,
            version,
        }
    }

    /// Splits `method SP request-target SP HTTP-version` (RFC 9112 §3), without its line end.
    ///
    /// Strict: exactly one SP between the parts, none before or after (the lenient
    /// whitespace parsing RFC 9112 §3 permits is how requests are smuggled past a second
    /// parser), and `HTTP-version = "HTTP/" DIGIT "." DIGIT`, case-sensitive (§2.3).
    ///
    /// # Errors
    /// [`ForwardedError::InvalidRequestLine`] for any other shape (a tab or a second space as
    /// separator, a missing part, a malformed version), [`ForwardedError::UnsupportedVersion`]
    /// for a well-formed version whose major version is not 1.
    pub fn parse(line: &'a str) -> Result<Self, ForwardedError> {
        let mut parts = line.splitn(3, ' ');
        let (Some(method), Some(target), Some(version)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(ForwardedError::InvalidRequestLine);
        };
        // An empty part is a doubled or leading separator; the version check below refuses
        // a third space.
        if method.is_empty() || target.is_empty() {
            return Err(ForwardedError::InvalidRequestLine);
        }
        let version = match version.as_bytes() {
            [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
                if major.is_ascii_digit() && minor.is_ascii_digit() =>
            {
                match (major, minor) {
                    (b'1', b'0') => HttpVersion::Http10,
                    (b'1', _) => HttpVersion::Http11,
                    _ => return Err(ForwardedError::UnsupportedVersion),
                }
            }
            _ => return Err(ForwardedError::InvalidRequestLine),
        };
        Ok(Self {
            method,
            target,
            version,
        })
    }

    /// The method, as written (not yet checked to be a token).
    pub const fn method(&self) -> &'a str {
        self.method
    }

    /// The request-target, as written (not yet checked).
    pub const fn target(&self) -> &'a str {
        self.target
    }

    /// The protocol version.
    pub const fn version(&self) -> HttpVersion {
        self.version
    }
}

/// A request head: method, request-target and field lines in order, borrowed and validated.
///
/// Every constructor checks the method (a token), the request-target (its form must fit the
/// method, RFC 9112 §3.2) and the `Host` field (RFC 9112 §3.2: at most one field line, whose
/// value is empty or `uri-host [":" port]`, RFC 9110 §7.2), so a head that exists cannot carry
/// a duplicated or spoofed `Host`. [`resolve`](crate::resolve) reads the other fields.
#[derive(Clone, Copy, Debug)]
pub struct RequestHead<'a> {
    method: &'a str,
    form: TargetForm,
    scheme: Option<Scheme>,
    authority: Option<&'a str>,
    target_host: Option<Authority<'a>>,
    host: Option<Authority<'a>>,
    path: &'a str,
    query: Option<&'a str>,
    headers: Headers<'a>,
}

#[derive(Clone, Copy, Debug)]
enum Headers<'a> {
    Slice(&'a [(&'a str, &'a [u8])]),
    #[cfg(feature = "http")]
    Map(&'a http::HeaderMap),
}

/// A validated request-target, split (RFC 9112 §3.2, §3.3).
struct Target<'a> {
    form: TargetForm,
    scheme: Option<Scheme>,
    authority: Option<&'a str>,
    host: Option<Authority<'a>>,
    path: &'a str,
    query: Option<&'a str>,
}

impl<'a> Target<'a> {
    /// A target with no path or query (authority-form, asterisk-form: RFC 9112 §3.3 "the
    /// target URI's combined path and query component is empty").
    const fn pathless(form: TargetForm, authority: Option<(&'a str, Authority<'a>)>) -> Self {
        let (authority, host) = match authority {
            Some((a, hp)) => (Some(a), Some(hp)),
            None => (None, None),
        };
        Self {
            form,
            scheme: None,
            authority,
            host,
            path: "",
            query: None,
        }
    }
}

/// Validates a request-target against its method (RFC 9112 §3.2): CONNECT takes the
/// authority-form and only CONNECT does (§3.2.3, RFC 9110 §9.3.6); `*` is for OPTIONS only
/// (§3.2.4); every other request is origin-form or absolute-form (`http`/`https`).
fn parse_target<'a>(method: &str, t: &'a str) -> Result<Target<'a>, ForwardedError> {
    let source = ValueSource::RequestTarget;
    if method == "CONNECT" {
        // authority-form = uri-host ":" port; CONNECT has no default port (RFC 9110 §9.3.6).
        let hp = Authority::parse(t.as_bytes()).map_err(|e| host_error(e, source))?;
        if hp.port().is_none() {
            return Err(ForwardedError::InvalidTarget { source });
        }
        return Ok(Target::pathless(TargetForm::Authority, Some((t, hp))));
    }
    if t == "*" {
        return if method == "OPTIONS" {
            Ok(Target::pathless(TargetForm::Asterisk, None))
        } else {
            Err(ForwardedError::InvalidTarget { source })
        };
    }
    let split = split_target(t, source)?;
    let (form, authority, host) = match split.authority {
        Some((a, hp)) => (TargetForm::Absolute, Some(a), Some(hp)),
        None => (TargetForm::Origin, None, None),
    };
    Ok(Target {
        form,
        scheme: split.scheme,
        authority,
        host,
        path: split.path,
        query: split.query,
    })
}

/// RFC 9112 §3.2 (a server MUST reject a request with more than one `Host` field line or an
/// invalid one) and RFC 9110 §7.2 (`Host = uri-host [ ":" port ]`): the validated `Host`, or
/// `None` when there is none or its value is empty.
fn host_field(mut lines: FieldLines<'_>) -> Result<Option<Authority<'_>>, ForwardedError> {
    let Some(value) = lines.next() else {
        return Ok(None);
    };
    if lines.next().is_some() {
        return Err(ForwardedError::MultipleValues {
            header: HeaderName::Host,
        });
    }
    let value = trim_ows(value);
    if value.is_empty() {
        return Ok(None);
    }
    Authority::parse(value)
        .map(Some)
        .map_err(|e| host_error(e, ValueSource::Header(HeaderName::Host)))
}

impl<'a> RequestHead<'a> {
    /// A request head from the method, the request-target exactly as received, and the header
    /// field lines in received order as `(name, value)` (names compared case-insensitively).
    ///
    /// The target is origin-form (`/p?q`), absolute-form (`https://host/p?q`), authority-form
    /// (`host:port`, CONNECT only) or asterisk-form (`*`, OPTIONS only). The protocol version
    /// is not known here, so a missing `Host` is left for [`resolve`](crate::resolve) to
    /// report when it needs one; use [`RequestHead::from_request_line`] for HTTP/1 text.
    ///
    /// # Errors
    /// [`ForwardedError::InvalidMethod`] if `method` is not a token;
    /// [`ForwardedError::InvalidTarget`] for a form the method does not take or bytes outside
    /// visible ASCII; [`ForwardedError::InvalidHost`] / [`ForwardedError::InvalidPort`] for a
    /// malformed authority in the target or in `Host`; [`ForwardedError::MultipleValues`] for
    /// more than one `Host` field line.
    pub fn new(
        method: &'a str,
        request_target: &'a str,
        headers: &'a [(&'a str, &'a [u8])],
    ) -> Result<Self, ForwardedError> {
        Self::build(method, request_target, Headers::Slice(headers), None)
    }

    /// A request head from an HTTP/1 request line ([`RequestLine::parse`]) and the field
    /// lines, as [`RequestHead::new`], plus the version's rule: an HTTP/1.1 request must carry
    /// `Host` (RFC 9112 §3.2).
    ///
    /// POLICY: an absolute-form request may omit `Host`. RFC 9112 §3.2.2 has the server ignore
    /// `Host` there (its authority comes from the target, so nothing can be spoofed through
    /// it), and RFC 9421 §2.2.5 prints such a request without one. A `Host` that is present
    /// is still checked as above.
    ///
    /// # Errors
    /// As [`RequestHead::new`]; [`ForwardedError::HostRequired`] for an HTTP/1.1 request in
    /// another form without `Host`.
    pub fn from_request_line(
        line: RequestLine<'a>,
        headers: &'a [(&'a str, &'a [u8])],
    ) -> Result<Self, ForwardedError> {
        Self::build(
            line.method,
            line.target,
            Headers::Slice(headers),
            Some(line.version),
        )
    }

    fn build(
        method: &'a str,
        request_target: &'a str,
        headers: Headers<'a>,
        version: Option<HttpVersion>,
    ) -> Result<Self, ForwardedError> {
        if !is_token(method.as_bytes()) {
            return Err(ForwardedError::InvalidMethod {
                source: ValueSource::RequestTarget,
            });
        }
        let target = parse_target(method, request_target)?;
        Self::with_target(method, target, headers, version)
    }

    fn with_target(
        method: &'a str,
        target: Target<'a>,
        headers: Headers<'a>,
        version: Option<HttpVersion>,
    ) -> Result<Self, ForwardedError> {
        let mut head = Self {
            method,
            form: target.form,
            scheme: target.scheme,
            authority: target.authority,
            target_host: target.host,
            host: None,
            path: target.path,
            query: target.query,
            headers,
        };
        head.host = host_field(head.lines("host"))?;
        if version == Some(HttpVersion::Http11)
            && head.form != TargetForm::Absolute
            && head.host.is_none()
            && !head.has("host")
        {
            return Err(ForwardedError::HostRequired);
        }
        Ok(head)
    }

    /// A request head from an `http::Request` (HTTP/1 as parsed by the server, or HTTP/2
    /// `:scheme` + `:authority` + `:path`). Field lines are read from the request's `HeaderMap`
    /// without copying. A CONNECT request's URI is its authority; `OPTIONS *` is asterisk-form.
    ///
    /// # Errors
    /// As [`RequestHead::new`].
    #[cfg(feature = "http")]
    pub fn from_http<B>(req: &'a http::Request<B>) -> Result<Self, ForwardedError> {
        let source = ValueSource::RequestTarget;
        let method = req.method().as_str();
        if !is_token(method.as_bytes()) {
            return Err(ForwardedError::InvalidMethod { source });
        }
        let uri = req.uri();
        let authority = match uri.authority() {
            Some(a) => {
                let a = a.as_str();
                let hp = Authority::parse(a.as_bytes()).map_err(|e| host_error(e, source))?;
                Some((a, hp))
            }
            None => None,
        };
        let target = if method == "CONNECT" {
            match authority {
                Some((_, hp)) if hp.port().is_some() && uri.path_and_query().is_none() => {
                    Target::pathless(TargetForm::Authority, authority)
                }
                _ => return Err(ForwardedError::InvalidTarget { source }),
            }
        } else if authority.is_none() && uri.path() == "*" {
            if method != "OPTIONS" {
                return Err(ForwardedError::InvalidTarget { source });
            }
            Target::pathless(TargetForm::Asterisk, None)
        } else {
            let scheme = match uri.scheme_str() {
                Some(s) => Some(
                    Scheme::parse(s.as_bytes()).ok_or(ForwardedError::InvalidTarget { source })?,
                ),
                None => None,
            };
            let path = uri.path();
            let query = uri.query();
            check_path_query(path, query, source)?;
            let (form, authority, host) = match authority {
                Some((a, hp)) => (TargetForm::Absolute, Some(a), Some(hp)),
                None => (TargetForm::Origin, None, None),
            };
            Target {
                form,
                scheme,
                authority,
                host,
                path,
                query,
            }
        };
        Self::with_target(method, target, Headers::Map(req.headers()), None)
    }

    /// The method.
    pub const fn method(&self) -> &'a str {
        self.method
    }

    /// The form of the request-target.
    pub const fn form(&self) -> TargetForm {
        self.form
    }

    /// The scheme of an absolute-form target (or HTTP/2 `:scheme`), if any.
    pub const fn target_scheme(&self) -> Option<Scheme> {
        self.scheme
    }

    /// The authority of an absolute-form or authority-form target (or HTTP/2 `:authority`),
    /// as written, if any.
    pub const fn target_authority(&self) -> Option<&'a str> {
        self.authority
    }

    /// The path as received: `/` if an origin-form or absolute-form target had none, empty
    /// for authority-form and asterisk-form (RFC 9112 §3.3).
    pub const fn path(&self) -> &'a str {
        self.path
    }

    /// The query as received, without `?`.
    pub const fn query(&self) -> Option<&'a str> {
        self.query
    }

    /// The request's own authority (RFC 9112 §3.3): the target's for absolute-form and
    /// authority-form (§3.2.2: `Host` is then ignored), else `Host`'s; `None` when neither
    /// gives one.
    pub(crate) const fn own_authority(&self) -> Option<Authority<'a>> {
        match self.target_host {
            Some(hp) => Some(hp),
            None => self.host,
        }
    }

    /// All field lines of `name` (lower-case), in received order.
    pub(crate) fn lines(&self, name: &'static str) -> FieldLines<'a> {
        match self.headers {
            Headers::Slice(s) => FieldLines::Slice {
                slice: s,
                name,
                front: 0,
                back: s.len(),
            },
            #[cfg(feature = "http")]
            Headers::Map(m) => {
                let total = m.get_all(name).iter().count();
                FieldLines::Map {
                    map: m,
                    name,
                    front: 0,
                    back: total,
                }
            }
        }
    }

    /// Whether any field line of `name` is present.
    pub(crate) fn has(&self, name: &'static str) -> bool {
        self.lines(name).next().is_some()
    }
}

/// An origin-form or absolute-form request-target, split.
pub(crate) struct SplitTarget<'a> {
    /// The scheme of an absolute-form target.
    pub(crate) scheme: Option<Scheme>,
    /// The authority of an absolute-form target, as written and validated.
    pub(crate) authority: Option<(&'a str, Authority<'a>)>,
    /// The path (`/` if the target had none).
    pub(crate) path: &'a str,
    /// The query, without `?`.
    pub(crate) query: Option<&'a str>,
}

/// Splits and validates an origin-form or absolute-form request-target (RFC 9112 §3.2.1,
/// §3.2.2); absolute-form only with `http` or `https`.
pub(crate) fn split_target(
    t: &str,
    source: ValueSource,
) -> Result<SplitTarget<'_>, ForwardedError> {
    let (scheme, authority, rest) = if t.starts_with('/') {
        (None, None, t)
    } else {
        let (scheme, after) = t
            .split_once("://")
            .ok_or(ForwardedError::InvalidTarget { source })?;
        let scheme =
            Scheme::parse(scheme.as_bytes()).ok_or(ForwardedError::InvalidTarget { source })?;
        let end = after.find(['/', '?']).unwrap_or(after.len());
        let (auth, rest) = after.split_at(end);
        let hp = Authority::parse(auth.as_bytes()).map_err(|e| host_error(e, source))?;
        (Some(scheme), Some((auth, hp)), rest)
    };
    // One pass: path bytes up to the first `?`, then query bytes (`?` is one). This is
    // `check_path_query` on the split parts, fused.
    let bytes = rest.as_bytes();
    let path_len = path_len(bytes);
    let (path, query) = match bytes.get(path_len) {
        None => (rest, None),
        Some(b'?') => {
            let query = bytes.get(path_len + 1..).unwrap_or_default();
            if !all_target_bytes(query) {
                return Err(ForwardedError::InvalidTarget { source });
            }
            // `?` is ASCII, so both indices are on char boundaries.
            (
                rest.get(..path_len).unwrap_or_default(),
                rest.get(path_len + 1..),
            )
        }
        Some(_) => return Err(ForwardedError::InvalidTarget { source }),
    };
    let path = if path.is_empty() { "/" } else { path };
    if !path.starts_with('/') {
        return Err(ForwardedError::InvalidTarget { source });
    }
    Ok(SplitTarget {
        scheme,
        authority,
        path,
        query,
    })
}

#[cfg(feature = "http")]
fn check_path_query(
    path: &str,
    query: Option<&str>,
    source: ValueSource,
) -> Result<(), ForwardedError> {
    let ok = path.starts_with('/')
        && path.bytes().all(|b| is_target_byte(b) && b != b'?')
        && query.is_none_or(|q| q.bytes().all(is_target_byte));
    if ok {
        Ok(())
    } else {
        Err(ForwardedError::InvalidTarget { source })
    }
}

/// Whether a field name as given equals `lower` (a lower-case name), case-insensitively.
/// Most callers pass lower-case names (HTTP/2 requires them), so try the plain comparison first.
/// The length test is inlined into the header walks; most names differ in length.
#[inline]
fn same_name(name: &str, lower: &str) -> bool {
    name.len() == lower.len() && same_text(name, lower)
}

/// `same_name` for two names of the same length.
fn same_text(name: &str, lower: &str) -> bool {
    name == lower || name.eq_ignore_ascii_case(lower)
}

/// The field lines of one header name, double-ended and cloneable.
#[derive(Clone, Debug)]
pub(crate) enum FieldLines<'a> {
    Slice {
        slice: &'a [(&'a str, &'a [u8])],
        name: &'static str,
        front: usize,
        back: usize,
    },
    #[cfg(feature = "http")]
    Map {
        map: &'a http::HeaderMap,
        name: &'static str,
        front: usize,
        back: usize,
    },
}

impl<'a> Iterator for FieldLines<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        match self {
            Self::Slice {
                slice,
                name,
                front,
                back,
            } => {
                while *front < *back {
                    let i = *front;
                    *front += 1;
                    if let Some((n, v)) = slice.get(i)
                        && same_name(n, name)
                    {
                        return Some(v);
                    }
                }
                None
            }
            #[cfg(feature = "http")]
            Self::Map {
                map,
                name,
                front,
                back,
            } => {
                if *front >= *back {
                    return None;
                }
                let v = map.get_all(*name).iter().nth(*front)?;
                *front += 1;
                Some(v.as_bytes())
            }
        }
    }
}

impl DoubleEndedIterator for FieldLines<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        match self {
            Self::Slice {
                slice,
                name,
                front,
                back,
            } => {
                while *back > *front {
                    *back -= 1;
                    if let Some((n, v)) = slice.get(*back)
                        && same_name(n, name)
                    {
                        return Some(v);
                    }
                }
                None
            }
            #[cfg(feature = "http")]
            Self::Map {
                map,
                name,
                front,
                back,
            } => {
                if *back <= *front {
                    return None;
                }
                *back -= 1;
                let v = map.get_all(*name).iter().nth(*back)?;
                Some(v.as_bytes())
            }
        }
    }
}

#[cfg(all(test, feature = "http"))]
mod tests {
    use super::*;

    #[test]
    fn from_http_reads_lines_in_order_both_ways() {
        let req = http::Request::builder()
            .uri("/a/b?x=1")
            .header("Forwarded", "for=_a")
            .header("host", "backend:8080")
            .header("forwarded", "for=_b")
            .body(())
            .unwrap();
        let head = RequestHead::from_http(&req).unwrap();
        assert_eq!(
            (head.method(), head.path(), head.query()),
            ("GET", "/a/b", Some("x=1"))
        );
        assert_eq!(head.target_authority(), None);
        let fwd: Vec<&[u8]> = head.lines("forwarded").collect();
        assert_eq!(fwd, [&b"for=_a"[..], b"for=_b"]);
        let rev: Vec<&[u8]> = head.lines("forwarded").rev().collect();
        assert_eq!(rev, [&b"for=_b"[..], b"for=_a"]);
        assert!(head.has("host") && !head.has("x-forwarded-host"));
    }

    #[test]
    fn from_http_absolute_form_authority() {
        let req = http::Request::builder()
            .uri("https://API.example.com:8443/p")
            .body(())
            .unwrap();
        let head = RequestHead::from_http(&req).unwrap();
        assert_eq!(head.target_authority(), Some("API.example.com:8443"));
        assert_eq!((head.path(), head.query()), ("/p", None));
    }

    #[test]
    fn from_http_connect_and_asterisk() {
        let req = http::Request::builder()
            .method("CONNECT")
            .uri("www.example.com:443")
            .header("host", "www.example.com:443")
            .body(())
            .unwrap();
        let head = RequestHead::from_http(&req).unwrap();
        assert_eq!(head.form(), TargetForm::Authority);
        assert_eq!(head.target_authority(), Some("www.example.com:443"));
        assert_eq!(head.path(), "");
        let req = http::Request::builder()
            .method("OPTIONS")
            .uri("*")
            .header("host", "www.example.com")
            .body(())
            .unwrap();
        let head = RequestHead::from_http(&req).unwrap();
        assert_eq!((head.form(), head.path()), (TargetForm::Asterisk, ""));
        for (method, uri) in [
            ("GET", "*"),
            ("CONNECT", "/x"),
            ("CONNECT", "www.example.com"),
        ] {
            let req = http::Request::builder()
                .method(method)
                .uri(uri)
                .body(())
                .unwrap();
            assert!(
                matches!(
                    RequestHead::from_http(&req),
                    Err(ForwardedError::InvalidTarget { .. })
                ),
                "{method} {uri}"
            );
        }
        let req = http::Request::builder()
            .uri("/x")
            .header("host", "a.example")
            .header("host", "b.example")
            .body(())
            .unwrap();
        assert_eq!(
            RequestHead::from_http(&req).map(|h| h.form()),
            Err(ForwardedError::MultipleValues {
                header: HeaderName::Host
            })
        );
    }

    #[test]
    fn slice_lines_are_case_insensitive_and_double_ended() {
        let headers: &[(&str, &[u8])] = &[
            ("X-Forwarded-For", b"1"),
            ("other", b"x"),
            ("x-forwarded-for", b"2"),
            ("X-FORWARDED-FOR", b"3"),
        ];
        let head = RequestHead::new("GET", "/", headers).unwrap();
        let mut it = head.lines("x-forwarded-for");
        assert_eq!(it.next(), Some(&b"1"[..]));
        assert_eq!(it.next_back(), Some(&b"3"[..]));
        assert_eq!(it.next_back(), Some(&b"2"[..]));
        assert_eq!(it.next(), None);
    }

    #[test]
    fn rejects_bad_targets() {
        for t in [
            "*",
            "example.com:443",
            "/a b",
            "/a#f",
            "ftp://x/",
            "https://u@h/",
            "/\u{e9}",
        ] {
            assert!(
                matches!(
                    RequestHead::new("GET", t, &[]),
                    Err(ForwardedError::InvalidTarget { .. } | ForwardedError::InvalidHost { .. })
                ),
                "{t}"
            );
        }
        assert!(matches!(
            RequestHead::new("G T", "/", &[]),
            Err(ForwardedError::InvalidMethod { .. })
        ));
    }
}

#[cfg(test)]
mod head_tests {
    //! The request line, the four target forms and the `Host` rules (RFC 9112 §3, §3.2).

    use super::*;

    #[test]
    fn request_line_is_strict() {
        let ok: &[(&str, (&str, &str, HttpVersion))] = &[
            ("GET / HTTP/1.1", ("GET", "/", HttpVersion::Http11)),
            ("GET /a?b HTTP/1.0", ("GET", "/a?b", HttpVersion::Http10)),
            // RFC 9110 §2.5: a higher minor version is read as the highest one known.
            ("GET / HTTP/1.9", ("GET", "/", HttpVersion::Http11)),
            // Only the line's shape is checked here; the head checks method and target.
            ("G@T x HTTP/1.1", ("G@T", "x", HttpVersion::Http11)),
        ];
        for (line, want) in ok {
            let l = RequestLine::parse(line).expect(line);
            assert_eq!((l.method(), l.target(), l.version()), *want, "{line}");
        }
        for bad in [
            "",
            "GET",
            "GET /",
            "GET / ",
            "GET  / HTTP/1.1",
            "GET /  HTTP/1.1",
            " GET / HTTP/1.1",
            "GET / HTTP/1.1 ",
            "GET\t/ HTTP/1.1",
            "GET /\tHTTP/1.1",
            "GET /a b HTTP/1.1",
            "GET / HTTP/1.1\r",
            "GET / http/1.1",
            "GET / HTTP/1",
            "GET / HTTP/11",
            "GET / HTTP/1.1.1",
            "GET / HTTPS/1.1",
        ] {
            assert_eq!(
                RequestLine::parse(bad),
                Err(ForwardedError::InvalidRequestLine),
                "{bad:?}"
            );
        }
        for unsupported in ["GET / HTTP/2.0", "PRI * HTTP/2.0", "GET / HTTP/0.9"] {
            assert_eq!(
                RequestLine::parse(unsupported),
                Err(ForwardedError::UnsupportedVersion),
                "{unsupported:?}"
            );
        }
    }

    const HOST: &[(&str, &[u8])] = &[("Host", b"www.example.com")];

    #[test]
    fn target_forms_follow_the_method() {
        let head = RequestHead::new("OPTIONS", "*", HOST).expect("asterisk-form");
        assert_eq!(
            (head.form(), head.path(), head.query()),
            (TargetForm::Asterisk, "", None)
        );
        assert_eq!(
            head.own_authority().map(|h| h.host_bytes()),
            Some(&b"www.example.com"[..])
        );

        let head = RequestHead::new("CONNECT", "www.example.com:80", HOST).expect("authority");
        assert_eq!(head.form(), TargetForm::Authority);
        assert_eq!(head.target_authority(), Some("www.example.com:80"));
        assert_eq!(head.own_authority().map(|h| h.port()), Some(Some(80)));
        assert_eq!(head.path(), "");

        let head = RequestHead::new("GET", "HTTP://a.example/p", HOST).expect("absolute");
        assert_eq!(
            (head.form(), head.target_scheme(), head.path()),
            (TargetForm::Absolute, Some(Scheme::Http), "/p")
        );
        assert_eq!(
            RequestHead::new("OPTIONS", "/", HOST).map(|h| h.form()),
            Ok(TargetForm::Origin)
        );

        let source = ValueSource::RequestTarget;
        let cases: &[(&str, &str, ForwardedError)] = &[
            ("GET", "*", ForwardedError::InvalidTarget { source }),
            ("options", "*", ForwardedError::InvalidTarget { source }),
            (
                "GET",
                "www.example.com:80",
                ForwardedError::InvalidTarget { source },
            ),
            (
                "CONNECT",
                "www.example.com",
                ForwardedError::InvalidTarget { source },
            ),
            (
                "CONNECT",
                "www.example.com:",
                ForwardedError::InvalidTarget { source },
            ),
            ("CONNECT", "/path", ForwardedError::InvalidHost { source }),
            ("CONNECT", "*", ForwardedError::InvalidHost { source }),
            (
                "CONNECT",
                "u@www.example.com:80",
                ForwardedError::InvalidHost { source },
            ),
            (
                "CONNECT",
                "http://www.example.com:80/",
                ForwardedError::InvalidHost { source },
            ),
            (
                "CONNECT",
                "www.example.com:65536",
                ForwardedError::InvalidPort { source },
            ),
            ("GET", "ftp://a/", ForwardedError::InvalidTarget { source }),
        ];
        for (method, target, want) in cases {
            assert_eq!(
                RequestHead::new(method, target, HOST).map(|h| h.form()),
                Err(want.clone()),
                "{method} {target}"
            );
        }
    }

    #[test]
    fn host_is_validated_in_every_form() {
        let host = ValueSource::Header(HeaderName::Host);
        type Case<'a> = (
            &'a [(&'a str, &'a [u8])],
            Result<Option<&'a [u8]>, ForwardedError>,
        );
        let cases: &[Case<'_>] = &[
            (&[("host", b" a.example \t")], Ok(Some(b"a.example"))),
            (&[("host", b"")], Ok(None)),
            (&[], Ok(None)),
            (
                &[("Host", b"a.example"), ("HOST", b"a.example")],
                Err(ForwardedError::MultipleValues {
                    header: HeaderName::Host,
                }),
            ),
            (
                &[("host", b"api.example.com/public")],
                Err(ForwardedError::InvalidHost { source: host }),
            ),
            (
                &[("host", b"a.example, b.example")],
                Err(ForwardedError::InvalidHost { source: host }),
            ),
            (
                &[("host", b"a.example\r\n .b")],
                Err(ForwardedError::InvalidHost { source: host }),
            ),
            (
                &[("host", b"a.example:0")],
                Err(ForwardedError::InvalidPort { source: host }),
            ),
        ];
        for (headers, want) in cases {
            for (method, target) in [
                ("GET", "/x"),
                ("GET", "https://t.example/x"),
                ("OPTIONS", "*"),
                ("CONNECT", "t.example:443"),
            ] {
                let got = RequestHead::new(method, target, headers)
                    .map(|h| h.host.map(|hp| hp.host_bytes()));
                assert_eq!(got, *want, "{method} {target} {headers:?}");
            }
        }
        // RFC 9112 §3.2.2: absolute-form and authority-form take the target's authority.
        let other: &[(&str, &[u8])] = &[("host", b"other.example")];
        for (method, target) in [("GET", "https://t.example/x"), ("CONNECT", "t.example:443")] {
            let head = RequestHead::new(method, target, other).expect(target);
            assert_eq!(
                head.own_authority().map(|h| h.host_bytes()),
                Some(&b"t.example"[..])
            );
        }
    }

    #[test]
    fn http11_needs_host_except_absolute_form() {
        let head = |line: &'static str, headers: &'static [(&'static str, &'static [u8])]| {
            RequestHead::from_request_line(RequestLine::parse(line)?, headers).map(|h| h.form())
        };
        assert_eq!(
            head("GET /x HTTP/1.1", &[]),
            Err(ForwardedError::HostRequired)
        );
        assert_eq!(
            head("OPTIONS * HTTP/1.1", &[]),
            Err(ForwardedError::HostRequired)
        );
        assert_eq!(
            head("CONNECT a.example:443 HTTP/1.1", &[]),
            Err(ForwardedError::HostRequired)
        );
        assert_eq!(head("GET /x HTTP/1.0", &[]), Ok(TargetForm::Origin));
        assert_eq!(
            head("GET https://a.example/x HTTP/1.1", &[]),
            Ok(TargetForm::Absolute)
        );
        // An empty Host is present (RFC 9110 §7.2); resolve then finds no authority.
        assert_eq!(
            head("GET /x HTTP/1.1", &[("host", b"")]),
            Ok(TargetForm::Origin)
        );
        assert_eq!(
            head("GET / HTTP/1.1", &[("host", b"a"), ("host", b"a")]),
            Err(ForwardedError::MultipleValues {
                header: HeaderName::Host
            })
        );
        assert_eq!(
            head("get / HTTP/1.1", &[("host", b"a")]),
            Ok(TargetForm::Origin),
            "methods are case-sensitive tokens; lower case is another method"
        );
        assert!(matches!(
            head("G\u{e9}T / HTTP/1.1", &[("host", b"a")]),
            Err(ForwardedError::InvalidMethod { .. })
        ));
    }
}
