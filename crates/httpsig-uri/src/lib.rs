//! The one model of a request target shared by the workspace's crates: a validated
//! [`Authority`] (one RFC 3986 §3.2.2 host grammar), the [`Scheme`] and its default port, the
//! normalized `@authority` form ([`NormalizedAuthority`], RFC 9421 §2.2.3 / RFC 9110 §4.2.3),
//! an absolute [`TargetUri`], and [`trim_ows`] (RFC 9110 §5.6.3).
//!
//! `httpsig-core` (signature bases, `RequestView`), `forwarded-parser` (`Host`, `Forwarded`,
//! `X-Forwarded-Host`, the effective request, the DPoP `htu` matcher) and the command-line
//! tool's HTTP/1 reader all validate hosts here, so what one refuses, all refuse, and they hand
//! each other these typed values instead of strings to re-parse.
//!
//! The host grammar is deliberately stricter than RFC 3986 (POLICY): a `reg-name` is DNS-style
//! (labels of ALPHA / DIGIT / `-` / `_`, 1–63 bytes, at most 253 bytes, no percent-encoding or
//! sub-delims); a name of only digits and dots must be a valid `IPv4address`; an `IP-literal`
//! holds an `IPv6address` (no IPvFuture, no zone identifier); a port is 1–65535.
//!
//! What this crate does not do: resolve names, transcode internationalized hosts, or parse
//! any URI other than an absolute `http`/`https` one.
//!
//! # Getting started
//! ```
//! use httpsig_uri::{Authority, Scheme, TargetUri};
//!
//! let a = Authority::parse(b"API.example.com:443")?;
//! assert_eq!(a.host(), "API.example.com");
//! assert_eq!(a.normalized(Scheme::Https).as_str(), "api.example.com");
//!
//! let t = TargetUri::parse("https://API.example.com:8443/a?x=1")?;
//! assert_eq!(t.authority().normalized(t.scheme_kind()).as_str(), "api.example.com:8443");
//! assert_eq!(t.query(), Some("x=1"));
//! assert!(TargetUri::parse("https://exa mple.com/").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Features
//! None.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod authority;
pub mod host;
mod scheme;
mod target;

pub use authority::{Authority, AuthorityError, NormalizedAuthority};
pub use scheme::Scheme;
pub use target::{TargetUri, UriError};

/// RFC 9110 §5.6.2 `tchar`: `"!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
/// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA`. The one statement of the rule in the workspace
/// (methods, field names, auth-schemes, `Forwarded` tokens); callers may build tables from it.
pub const fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' |
        b'^' | b'_' | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
}

/// RFC 9110 §5.6.2 `token = 1*tchar`.
pub fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// RFC 9110 §5.6.3 `OWS` byte: SP or HTAB.
pub const fn is_ows(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// `v` without leading and trailing `OWS` (RFC 9110 §5.5: a field value does not include them).
pub fn trim_ows(v: &[u8]) -> &[u8] {
    let start = v.iter().position(|&b| !is_ows(b)).unwrap_or(v.len());
    let end = v.iter().rposition(|&b| !is_ows(b)).map_or(start, |e| e + 1);
    v.get(start..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tchar_is_rfc9110_5_6_2() {
        // The RFC's list, spelled out as text.
        let listed =
            "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for b in 0..=255u8 {
            assert_eq!(is_tchar(b), listed.as_bytes().contains(&b), "{b:#04x}");
        }
        assert!(is_token(b"DPoP"));
        assert!(!is_token(b""));
        assert!(!is_token(b"a b"));
        assert!(!is_token(b"a,b"));
    }

    #[test]
    fn ows_is_sp_and_htab_only() {
        assert_eq!(trim_ows(b" \t a b \t"), b"a b");
        assert_eq!(trim_ows(b" \t "), b"");
        assert_eq!(trim_ows(b""), b"");
        // RFC 9110 §5.6.3: CR, LF, VT and NBSP are not OWS.
        assert_eq!(trim_ows(b"\ra\n"), b"\ra\n");
        assert_eq!(trim_ows(b"\x0ba\xa0"), b"\x0ba\xa0");
    }
}
