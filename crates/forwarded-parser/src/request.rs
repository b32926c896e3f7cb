//! The inputs of [`resolve`](crate::resolve): connection facts and a borrowed request head.

use core::net::{IpAddr, SocketAddr};

use crate::error::{ForwardedError, ValueSource};
#[cfg(feature = "http")]
use crate::syntax::is_target_byte;
use crate::syntax::{all_target_bytes, is_token, normalize_ip, path_len};

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

/// A borrowed view of a request head: method, request-target as received, field lines in order.
#[derive(Clone, Copy, Debug)]
pub struct RequestHead<'a> {
    method: &'a str,
    authority: Option<&'a str>,
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

impl<'a> RequestHead<'a> {
    /// A request head from the method, the request-target exactly as received (origin-form
    /// `/p?q` or absolute-form `https://host/p?q`), and the header field lines in received
    /// order as `(name, value)` (names compared case-insensitively).
    ///
    /// # Errors
    /// [`ForwardedError::InvalidMethod`] if `method` is not a token;
    /// [`ForwardedError::InvalidTarget`] for any other form or bytes outside visible ASCII;
    /// [`ForwardedError::InvalidHost`] if an absolute-form authority is malformed.
    pub fn new(
        method: &'a str,
        request_target: &'a str,
        headers: &'a [(&'a str, &'a [u8])],
    ) -> Result<Self, ForwardedError> {
        if !is_token(method.as_bytes()) {
            return Err(ForwardedError::InvalidMethod {
                source: ValueSource::RequestTarget,
            });
        }
        let (authority, path, query) = split_target(request_target, ValueSource::RequestTarget)?;
        Ok(Self {
            method,
            authority,
            path,
            query,
            headers: Headers::Slice(headers),
        })
    }

    /// A request head from an `http::Request` (HTTP/1 origin-form or HTTP/2 `:authority` +
    /// `:path`). Field lines are read from the request's `HeaderMap` without copying.
    ///
    /// # Errors
    /// As [`RequestHead::new`].
    #[cfg(feature = "http")]
    pub fn from_http<B>(req: &'a http::Request<B>) -> Result<Self, ForwardedError> {
        let method = req.method().as_str();
        if !is_token(method.as_bytes()) {
            return Err(ForwardedError::InvalidMethod {
                source: ValueSource::RequestTarget,
            });
        }
        let uri = req.uri();
        let authority = uri.authority().map(http::uri::Authority::as_str);
        if let Some(a) = authority {
            crate::effective::check_authority(a.as_bytes(), ValueSource::RequestTarget)?;
        }
        let path = uri.path();
        let query = uri.query();
        check_path_query(path, query, ValueSource::RequestTarget)?;
        Ok(Self {
            method,
            authority,
            path,
            query,
            headers: Headers::Map(req.headers()),
        })
    }

    /// The method.
    pub const fn method(&self) -> &'a str {
        self.method
    }

    /// The authority of an absolute-form target (or HTTP/2 `:authority`), if any.
    pub const fn target_authority(&self) -> Option<&'a str> {
        self.authority
    }

    /// The path as received (`/` if the target had none).
    pub const fn path(&self) -> &'a str {
        self.path
    }

    /// The query as received, without `?`.
    pub const fn query(&self) -> Option<&'a str> {
        self.query
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

/// Splits and validates a request-target (RFC 9112 §3.2): origin-form or absolute-form.
pub(crate) fn split_target(
    t: &str,
    source: ValueSource,
) -> Result<(Option<&str>, &str, Option<&str>), ForwardedError> {
    let (authority, rest) = if t.starts_with('/') {
        (None, t)
    } else {
        let (scheme, after) = t
            .split_once("://")
            .ok_or(ForwardedError::InvalidTarget { source })?;
        if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
            return Err(ForwardedError::InvalidTarget { source });
        }
        let end = after.find(['/', '?']).unwrap_or(after.len());
        let (auth, rest) = after.split_at(end);
        crate::effective::check_authority(auth.as_bytes(), source)?;
        (Some(auth), rest)
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
    Ok((authority, path, query))
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
