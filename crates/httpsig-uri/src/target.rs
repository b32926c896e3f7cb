//! An absolute `http`/`https` target URI (RFC 9110 §7.1), validated with the one host grammar.

use core::fmt;

use crate::{Authority, NormalizedAuthority, Scheme};

/// A validated absolute target URI, borrowed in parts: `scheme "://" authority path ["?" query]`.
///
/// Userinfo and fragments are refused; the scheme must be `http` or `https` (any case); the
/// authority is an [`Authority`] (the workspace's one host grammar).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TargetUri<'a> {
    scheme_text: &'a str,
    scheme: Scheme,
    /// The authority exactly as written (`host:` keeps its colon).
    authority_text: &'a str,
    authority: Authority<'a>,
    path: &'a str,
    query: Option<&'a str>,
}

/// Why a target URI was refused.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UriError {
    /// Not `scheme "://" ...` with an http or https scheme.
    Scheme,
    /// Empty or malformed host, or a bad port (see [`Authority`]).
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
    /// [`UriError`] when the URI is not absolute, has userinfo or a fragment, a bad host or
    /// port, or a byte outside visible ASCII.
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
        let kind = Scheme::parse(scheme.as_bytes()).ok_or(UriError::Scheme)?;
        let (authority, path_and_query) = rest.split_at(end);
        Self::from_checked_parts(scheme, kind, authority, path_and_query)
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
        let kind = Scheme::parse(scheme.as_bytes()).ok_or(UriError::Scheme)?;
        if !authority.bytes().all(|b| b.is_ascii_graphic())
            || !path_and_query.bytes().all(|b| b.is_ascii_graphic())
        {
            return Err(UriError::InvalidByte);
        }
        Self::from_checked_parts(scheme, kind, authority, path_and_query)
    }

    /// Builds a target URI from typed parts: a scheme, an authority already validated and
    /// normalized (as a proxy-aware resolver produces it), and the path and query as received.
    /// Only the path and query are checked; the authority is not parsed again.
    ///
    /// # Errors
    /// [`UriError::InvalidByte`] for a byte outside visible ASCII in `path` or `query`,
    /// [`UriError::Fragment`] for a `#`, [`UriError::Authority`] for a path that is neither
    /// empty nor starts with `/`, or holds a `?`.
    pub fn from_normalized(
        scheme: Scheme,
        authority: &'a NormalizedAuthority<'_>,
        path: &'a str,
        query: Option<&'a str>,
    ) -> Result<Self, UriError> {
        let visible = |s: &str| s.bytes().all(|b| b.is_ascii_graphic());
        if !visible(path) || !query.is_none_or(visible) {
            return Err(UriError::InvalidByte);
        }
        if path.contains('#') || query.is_some_and(|q| q.contains('#')) {
            return Err(UriError::Fragment);
        }
        if !(path.is_empty() || path.starts_with('/')) || path.contains('?') {
            return Err(UriError::Authority);
        }
        Ok(Self {
            scheme_text: scheme.as_str(),
            scheme,
            authority_text: authority.as_str(),
            authority: authority.as_authority(),
            path,
            query,
        })
    }

    /// [`TargetUri::from_parts`] once every byte is known to be visible ASCII and the scheme
    /// to be `http` or `https`.
    fn from_checked_parts(
        scheme_text: &'a str,
        scheme: Scheme,
        authority_text: &'a str,
        path_and_query: &'a str,
    ) -> Result<Self, UriError> {
        if authority_text.contains('@') {
            return Err(UriError::Userinfo);
        }
        if path_and_query.contains('#') {
            return Err(UriError::Fragment);
        }
        let authority =
            Authority::parse(authority_text.as_bytes()).map_err(|_| UriError::Authority)?;
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (path_and_query, None),
        };
        if !(path.is_empty() || path.starts_with('/')) {
            return Err(UriError::Authority);
        }
        Ok(Self {
            scheme_text,
            scheme,
            authority_text,
            authority,
            path,
            query,
        })
    }

    /// The scheme as given (use [`TargetUri::scheme_kind`] to compare it).
    pub fn scheme(&self) -> &'a str {
        self.scheme_text
    }

    /// The scheme.
    pub fn scheme_kind(&self) -> Scheme {
        self.scheme
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.scheme == Scheme::Https
    }

    /// The validated authority.
    pub fn authority(&self) -> Authority<'a> {
        self.authority
    }

    /// The authority exactly as given (`host[:port]`).
    pub fn authority_str(&self) -> &'a str {
        self.authority_text
    }

    /// The host as given (an IPv6 literal keeps its brackets).
    pub fn host(&self) -> &'a str {
        self.authority.host()
    }

    /// The port as given, if any (may equal the scheme's default, may be empty for `host:`).
    pub fn port(&self) -> Option<&'a str> {
        self.authority_text
            .get(self.authority.host_bytes().len()..)
            .and_then(|rest| rest.strip_prefix(':'))
    }

    /// The path as received, possibly empty.
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The query without its `?`, if the URI had a `?`.
    pub fn query(&self) -> Option<&'a str> {
        self.query
    }
}

impl fmt::Debug for TargetUri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The query may carry tokens (RFC 6750 §2.3); keep it out of debug output.
        f.debug_struct("TargetUri")
            .field("scheme", &self.scheme_text)
            .field("authority", &self.authority_text)
            .field("path", &self.path)
            .field("query", &self.query.map(|_| "<elided>"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts() {
        let t = TargetUri::parse("HTTPS://A.example:0443/p%2Fq?x=%41").unwrap();
        assert_eq!(t.scheme(), "HTTPS");
        assert_eq!(t.scheme_kind(), Scheme::Https);
        assert_eq!(t.host(), "A.example");
        assert_eq!(t.port(), Some("0443"));
        assert_eq!(t.authority().port(), Some(443));
        assert_eq!(t.authority_str(), "A.example:0443");
        assert_eq!((t.path(), t.query()), ("/p%2Fq", Some("x=%41")));
        let t = TargetUri::parse("https://a.example:").unwrap();
        assert_eq!((t.port(), t.path(), t.query()), (Some(""), "", None));
        let n = Authority::parse(b"A.example:8443")
            .unwrap()
            .normalized(Scheme::Https);
        let t = TargetUri::from_normalized(Scheme::Https, &n, "/p", Some("q")).unwrap();
        assert_eq!(t, TargetUri::parse("https://a.example:8443/p?q").unwrap());
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
            // The one host grammar (see the crate docs): what forwarded-parser refuses in
            // `Host`, a target URI refuses too.
            ("https://a%41.example/", UriError::Authority),
            ("https://a!b/", UriError::Authority),
            ("https://a..b/", UriError::Authority),
            ("https://1.2.3/", UriError::Authority),
            ("https://[v1.x]/", UriError::Authority),
            ("https://a:0/", UriError::Authority),
            ("https://a:65536/", UriError::Authority),
        ] {
            assert_eq!(TargetUri::parse(uri), Err(err), "{uri}");
        }
        let n = Authority::parse(b"a").unwrap().normalized(Scheme::Http);
        for (path, query, err) in [
            ("p", None, UriError::Authority),
            ("/p?q", None, UriError::Authority),
            ("/p#f", None, UriError::Fragment),
            ("/p", Some("q#f"), UriError::Fragment),
            ("/ p", None, UriError::InvalidByte),
            ("/p", Some("\u{e9}"), UriError::InvalidByte),
        ] {
            assert_eq!(
                TargetUri::from_normalized(Scheme::Http, &n, path, query),
                Err(err),
                "{path} {query:?}"
            );
        }
    }
}
