//! The effective (client-facing) request: `@target-uri`, `@authority`, `@scheme`, DPoP `htu`.

use core::net::IpAddr;
use std::borrow::Cow;

use httpsig_uri::{Authority, AuthorityError, NormalizedAuthority, TargetUri, UriError};

use crate::error::{ForwardedError, SourceKind, ValueSource};
use crate::syntax::{has_dot_segment, is_target_byte, is_unreserved};

pub use httpsig_uri::Scheme;

pub(crate) const fn host_error(e: AuthorityError, source: ValueSource) -> ForwardedError {
    match e {
        AuthorityError::Port => ForwardedError::InvalidPort { source },
        // `AuthorityError` is non-exhaustive: anything else is a bad host.
        _ => ForwardedError::InvalidHost { source },
    }
}

/// The client-facing request, as reconstructed by [`resolve`](crate::resolve).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectiveRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) scheme: Scheme,
    /// `@authority`: the one normalization rule of `httpsig-uri`.
    pub(crate) authority: NormalizedAuthority<'a>,
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
        self.authority.as_str()
    }

    /// The normalized authority as a typed value.
    pub const fn normalized_authority(&self) -> &NormalizedAuthority<'a> {
        &self.authority
    }

    /// The host part of [`authority`](Self::authority) (IPv6 in brackets).
    pub fn host(&self) -> &str {
        self.authority.host()
    }

    /// The explicit (non-default) port, if any (kept as a number, not re-parsed from the
    /// authority text).
    pub const fn port(&self) -> Option<u16> {
        self.authority.port()
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

    /// `@target-uri` as a typed value for the crates that verify signatures
    /// (`httpsig_core::http::RequestView::with_target`): built from the parts, not parsed
    /// from [`target_uri`](Self::target_uri).
    ///
    /// # Errors
    /// [`UriError`] only if the path or query holds a byte a target URI cannot (they were
    /// validated as request-target bytes, so this does not happen for a resolved request).
    pub fn target(&self) -> Result<TargetUri<'_>, UriError> {
        TargetUri::from_normalized(self.scheme, &self.authority, &self.path, self.query)
    }

    /// `@target-uri` (RFC 9421 §2.2.2): `scheme://authority` + path + optional `?query`;
    /// authority normalized, path and query verbatim.
    pub fn target_uri(&self) -> String {
        let mut s = String::with_capacity(
            self.authority.as_str().len()
                + self.path.len()
                + self.query.map_or(0, |q| q.len() + 1)
                + 8,
        );
        s.push_str(self.scheme.as_str());
        s.push_str("://");
        s.push_str(self.authority.as_str());
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
        let mut s = String::with_capacity(self.authority.as_str().len() + self.path.len() + 8);
        s.push_str(self.scheme.as_str());
        s.push_str("://");
        s.push_str(self.authority.as_str());
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
            authority: self.authority.as_str().to_owned(),
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
                    && claim.authority.as_str() == self.authority.as_str()
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
            && c.authority.as_str() == self.authority
            && &c.path == path
    }
}

struct ParsedHtu<'a> {
    scheme: Scheme,
    authority: NormalizedAuthority<'a>,
    path: String,
}

fn parse_htu(claim: &str) -> Option<ParsedHtu<'_>> {
    let (scheme, rest) = claim.split_once("://")?;
    let scheme = Scheme::parse(scheme.as_bytes())?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (auth, rest) = rest.split_at(end);
    let authority = Authority::parse(auth.as_bytes()).ok()?.normalized(scheme);
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
