//! The effective (client-facing) request: `@target-uri`, `@authority`, `@scheme`, DPoP `htu`.

use core::fmt;
use core::net::IpAddr;
use std::borrow::Cow;

use crate::error::{ForwardedError, SourceKind, ValueSource};
use crate::syntax::{HostError, has_dot_segment, is_target_byte, is_unreserved, parse_host_port};

/// The two schemes this crate reconstructs (RFC 9110 §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `http`, default port 80.
    Http,
    /// `https`, default port 443.
    Https,
}

impl Scheme {
    /// The lower-case scheme name (RFC 9421 §2.2.4 `@scheme`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }

    /// The default port (RFC 9110 §4.2.1, §4.2.2).
    pub const fn default_port(self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }

    /// Parses `http` / `https`, case-insensitively (RFC 3986 §3.1).
    pub fn parse(s: &[u8]) -> Option<Self> {
        // The usual lower-case spelling first (a plain comparison), then any case.
        match s {
            b"https" => return Some(Self::Https),
            b"http" => return Some(Self::Http),
            _ => {}
        }
        if s.eq_ignore_ascii_case(b"https") {
            Some(Self::Https)
        } else if s.eq_ignore_ascii_case(b"http") {
            Some(Self::Http)
        } else {
            None
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(crate) const fn host_error(e: HostError, source: ValueSource) -> ForwardedError {
    match e {
        HostError::Host => ForwardedError::InvalidHost { source },
        HostError::Port => ForwardedError::InvalidPort { source },
    }
}

/// RFC 9421 §2.2.3 / RFC 9110 §4.2.3: lower-case host, default port omitted. `host` has
/// already been validated (ASCII only), so the borrowed case needs no conversion. `upper`
/// says whether `host` has an upper-case letter, if the validation found out (`None`: look).
pub(crate) fn normalize_authority(
    host: Cow<'_, [u8]>,
    port: Option<u16>,
    scheme: Scheme,
    upper: Option<bool>,
) -> (Cow<'_, str>, usize) {
    let port = port.filter(|&p| p != scheme.default_port());
    let host_len = host.len();
    let lower = !upper.unwrap_or_else(|| host.iter().any(u8::is_ascii_uppercase));
    match (host, port, lower) {
        (Cow::Borrowed(h), None, true) => match core::str::from_utf8(h) {
            Ok(s) => (Cow::Borrowed(s), host_len),
            Err(_) => (
                Cow::Owned(String::from_utf8_lossy(h).into_owned()),
                host_len,
            ),
        },
        (h, port, _) => {
            let mut s = String::with_capacity(h.len() + 6);
            s.extend(h.iter().map(|&b| char::from(b.to_ascii_lowercase())));
            if let Some(p) = port {
                s.push(':');
                s.push_str(&p.to_string());
            }
            (Cow::Owned(s), host_len)
        }
    }
}

/// The client-facing request, as reconstructed by [`resolve`](crate::resolve).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectiveRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) scheme: Scheme,
    pub(crate) authority: Cow<'a, str>,
    pub(crate) host_len: usize,
    /// The explicit non-default port, as normalized into `authority`.
    pub(crate) port: Option<u16>,
    pub(crate) path: Cow<'a, str>,
    pub(crate) query: Option<&'a str>,
    pub(crate) client: Option<IpAddr>,
    pub(crate) source: SourceKind,
}

impl<'a> EffectiveRequest<'a> {
    /// The method (from `X-Forwarded-Method` in forward-auth mode).
    pub const fn method(&self) -> &'a str {
        self.method
    }

    /// The scheme; [`Scheme::as_str`] is `@scheme` (RFC 9421 §2.2.4).
    pub const fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// `@authority` (RFC 9421 §2.2.3): lower-case host, port only if not the default.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The host part of [`authority`](Self::authority) (IPv6 in brackets).
    pub fn host(&self) -> &str {
        // Invariant: `normalize_authority` builds `authority` as the `host_len` ASCII bytes of
        // the host, then `:port` or nothing, so the slice always exists. Were it ever broken,
        // the whole authority (with its port) is returned: it names no allow-listed host, so
        // the allow-list check in `resolve` fails closed.
        self.authority
            .get(..self.host_len)
            .unwrap_or(&self.authority)
    }

    /// The explicit (non-default) port, if any (kept as a number, not re-parsed from the
    /// authority text).
    pub const fn port(&self) -> Option<u16> {
        self.port
    }

    /// The path exactly as received, with the trusted prefix (if any) in front.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The query exactly as received, without `?`.
    pub const fn query(&self) -> Option<&'a str> {
        self.query
    }

    /// The client address as recorded by the outermost trusted proxy (or the socket peer for
    /// connection and fixed sources), if known.
    pub const fn client(&self) -> Option<IpAddr> {
        self.client
    }

    /// Which origin source produced this request.
    pub const fn source(&self) -> SourceKind {
        self.source
    }

    /// `@target-uri` (RFC 9421 §2.2.2): `scheme://authority` + path + optional `?query`;
    /// authority normalized, path and query verbatim.
    pub fn target_uri(&self) -> String {
        let mut s = String::with_capacity(
            self.authority.len() + self.path.len() + self.query.map_or(0, |q| q.len() + 1) + 8,
        );
        s.push_str(self.scheme.as_str());
        s.push_str("://");
        s.push_str(&self.authority);
        s.push_str(&self.path);
        if let Some(q) = self.query {
            s.push('?');
            s.push_str(q);
        }
        s
    }

    /// The DPoP `htu` comparison form (RFC 9449 §4.3): target URI without query and fragment,
    /// with RFC 3986 §6.2.2 (case, percent-encoding) and §6.2.3 (default port, empty path)
    /// normalization. Dot-segments are not removed (POLICY, see [`HtuMatcher`]).
    pub fn htu(&self) -> String {
        let mut s = String::with_capacity(self.authority.len() + self.path.len() + 8);
        s.push_str(self.scheme.as_str());
        s.push_str("://");
        s.push_str(&self.authority);
        match normalize_path(&self.path) {
            Some(p) => s.push_str(&p),
            None => s.push_str(&self.path),
        }
        s
    }

    /// A matcher for DPoP `htu` claims against this request.
    pub fn htu_matcher(&self) -> HtuMatcher {
        HtuMatcher {
            scheme: self.scheme,
            authority: self.authority.to_string(),
            path: normalize_path(&self.path),
        }
    }

    /// Whether a DPoP proof's `htu` claim designates this request (see [`HtuMatcher`]).
    pub fn htu_matches(&self, claim: &str) -> bool {
        let Some(claim) = parse_htu(claim) else {
            return false;
        };
        match normalize_path(&self.path) {
            Some(p) => {
                !has_dot_segment(&p)
                    && claim.scheme == self.scheme
                    && claim.authority == self.authority
                    && claim.path == p
            }
            None => false,
        }
    }
}

/// Compares DPoP `htu` claims with one request (RFC 9449 §4.3 check 9).
///
/// Both sides get the same normalization: scheme and host lower-cased, the default port
/// dropped, an empty path made `/`, percent-encoded unreserved characters decoded and other
/// percent-encodings upper-cased, query and fragment ignored. A different scheme, host, port,
/// path (including case and a trailing slash) does not match. POLICY: a path with a `.` / `..`
/// segment (also `%2E`) never matches — resolving dot-segments would let an attacker-chosen
/// path compare equal to another endpoint; userinfo and malformed percent-encoding never match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HtuMatcher {
    scheme: Scheme,
    authority: String,
    path: Option<String>,
}

impl HtuMatcher {
    /// Whether `claim` designates the request this matcher was made from.
    pub fn matches(&self, claim: &str) -> bool {
        let Some(path) = &self.path else {
            return false;
        };
        let Some(c) = parse_htu(claim) else {
            return false;
        };
        !has_dot_segment(path)
            && c.scheme == self.scheme
            && c.authority == self.authority
            && &c.path == path
    }
}

struct ParsedHtu<'a> {
    scheme: Scheme,
    authority: Cow<'a, str>,
    path: String,
}

fn parse_htu(claim: &str) -> Option<ParsedHtu<'_>> {
    let (scheme, rest) = claim.split_once("://")?;
    let scheme = Scheme::parse(scheme.as_bytes())?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (auth, rest) = rest.split_at(end);
    let hp = parse_host_port(auth.as_bytes()).ok()?;
    let (authority, _) =
        normalize_authority(Cow::Borrowed(hp.host), hp.port, scheme, Some(hp.upper));
    let path_end = rest.find(['?', '#']).unwrap_or(rest.len());
    let path = rest.get(..path_end)?;
    let path = if path.is_empty() { "/" } else { path };
    let path = normalize_path(path)?;
    if has_dot_segment(&path) {
        return None;
    }
    Some(ParsedHtu {
        scheme,
        authority,
        path,
    })
}

/// RFC 3986 §6.2.2.1 / §6.2.2.2: upper-case percent-encoding hex digits, decode unreserved.
/// `None` if the path has bytes outside visible ASCII, `?`, `#`, or a malformed `%`.
pub(crate) fn normalize_path(path: &str) -> Option<String> {
    let b = path.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0usize;
    while let Some(&c) = b.get(i) {
        if c == b'%' {
            let h = hex(*b.get(i + 1)?)?;
            let l = hex(*b.get(i + 2)?)?;
            let v = h * 16 + l;
            if is_unreserved(v) {
                out.push(char::from(v));
            } else {
                out.push('%');
                out.push(upper_hex(h));
                out.push(upper_hex(l));
            }
            i += 3;
        } else if is_target_byte(c) && c != b'?' {
            out.push(char::from(c));
            i += 1;
        } else {
            return None;
        }
    }
    if out.is_empty() {
        out.push('/');
    }
    Some(out)
}

/// An upper-case hex digit for a nibble (`n` < 16 by construction: it came from [`hex`]).
fn upper_hex(n: u8) -> char {
    char::from_digit(u32::from(n), 16).map_or('0', |c| c.to_ascii_uppercase())
}

const fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_normalization() {
        assert_eq!(normalize_path("/a/%62%2f%7e").as_deref(), Some("/a/b%2F~"));
        assert_eq!(normalize_path("/a%zz"), None);
        assert_eq!(normalize_path("/a%4"), None);
        assert_eq!(normalize_path("").as_deref(), Some("/"));
    }
}
