//! A validated `uri-host [":" port]` (RFC 9110 §7.2, RFC 3986 §3.2.2) and its normalized form.

use core::fmt;
use std::borrow::Cow;

use crate::Scheme;
use crate::host::{parse_ipv6, parse_port, reg_name_or_ipv4_prefix};

/// A validated authority `uri-host [":" port]`, borrowed from where it was written.
///
/// The host is an `IP-literal` holding an `IPv6address`, an `IPv4address`, or a DNS-style
/// `reg-name` (see the crate docs for the POLICY); no userinfo, path, query, fragment,
/// whitespace or non-ASCII byte can pass. The port is 1–65535; an empty port (`host:`) is
/// accepted and means "no port" (RFC 3986 §6.2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Authority<'a> {
    /// `uri-host` as written (brackets kept for IPv6), not lower-cased.
    host: &'a [u8],
    port: Option<u16>,
    /// Whether `host` has an ASCII upper-case letter (found while validating it).
    upper: bool,
}

/// Why an authority was refused: its host or its port.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorityError {
    /// Empty or malformed host (including userinfo, a path, non-ASCII, an unbracketed IPv6).
    Host,
    /// A port that is not 1–65535.
    Port,
}

impl AuthorityError {
    /// A stable, machine-readable code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Host => "uri.invalid_host",
            Self::Port => "uri.invalid_port",
        }
    }
}

impl fmt::Display for AuthorityError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Host => "invalid host",
            Self::Port => "invalid port",
        })
    }
}

impl std::error::Error for AuthorityError {}

impl<'a> Authority<'a> {
    /// Parses `uri-host [":" port]`.
    ///
    /// # Errors
    /// [`AuthorityError::Host`] or [`AuthorityError::Port`].
    // RFC 9110 §7.2, RFC 3986 §3.2.2, §3.2.3
    pub fn parse(s: &'a [u8]) -> Result<Self, AuthorityError> {
        let (host, port, upper) = if s.first() == Some(&b'[') {
            let close = s
                .iter()
                .position(|&b| b == b']')
                .ok_or(AuthorityError::Host)?;
            let inner = s.get(1..close).ok_or(AuthorityError::Host)?;
            parse_ipv6(inner).ok_or(AuthorityError::Host)?;
            let host = s.get(..=close).ok_or(AuthorityError::Host)?;
            let rest = s.get(close + 1..).unwrap_or_default();
            let port = match rest.split_first() {
                None => None,
                Some((b':', p)) => Some(p),
                Some(_) => return Err(AuthorityError::Host),
            };
            (host, port, inner.iter().any(u8::is_ascii_uppercase))
        } else {
            // One pass over the host up to the first `:` (reg-name or IPv4address).
            let (colon, upper) = reg_name_or_ipv4_prefix(s)
                .filter(|&(end, _)| matches!(s.get(end), None | Some(b':')))
                .ok_or(AuthorityError::Host)?;
            match s.get(colon..).and_then(<[u8]>::split_first) {
                Some((_, port)) => {
                    // Several colons: an IPv6 address without brackets (RFC 3986 §3.2.2
                    // requires them).
                    if port.contains(&b':') {
                        return Err(AuthorityError::Host);
                    }
                    (s.get(..colon).unwrap_or_default(), Some(port), upper)
                }
                None => (s, None, upper),
            }
        };
        let port = match port {
            None | Some([]) => None,
            Some(p) => Some(parse_port(p, false).ok_or(AuthorityError::Port)?),
        };
        Ok(Self { host, port, upper })
    }

    /// The `reg-name` or `IPv4address` host (no port) at the start of `s`, ending at the first
    /// byte that is neither a label byte nor a dot, and its length; `None` if `s` does not
    /// start with one. For scanners that find a host's end while validating it (what follows
    /// is theirs to check).
    pub fn host_prefix(s: &'a [u8]) -> Option<(Self, usize)> {
        let (len, upper) = reg_name_or_ipv4_prefix(s)?;
        let host = s.get(..len)?;
        Some((
            Self {
                host,
                port: None,
                upper,
            },
            len,
        ))
    }

    /// The same host with `port` instead (an already validated number, e.g. from
    /// `X-Forwarded-Port`).
    #[must_use]
    pub const fn with_port(self, port: Option<u16>) -> Self {
        Self { port, ..self }
    }

    /// The host as written (an IPv6 literal keeps its brackets).
    pub fn host(&self) -> &'a str {
        // Validated ASCII, so the conversion cannot fail; `""` would name no host.
        core::str::from_utf8(self.host).unwrap_or_default()
    }

    /// The host as written, as bytes.
    pub const fn host_bytes(&self) -> &'a [u8] {
        self.host
    }

    /// The port, if one was written (`host:` gives `None`).
    pub const fn port(&self) -> Option<u16> {
        self.port
    }

    /// Whether the host has an ASCII upper-case letter.
    pub const fn has_upper(&self) -> bool {
        self.upper
    }

    /// The `port` unless it is `scheme`'s default.
    const fn explicit_port(&self, scheme: Scheme) -> Option<u16> {
        match self.port {
            Some(p) if p != scheme.default_port() => Some(p),
            _ => None,
        }
    }

    /// Appends the normalized form (see [`normalized`](Self::normalized)) to `out`, without
    /// allocating beyond `out`.
    pub fn write_normalized(&self, scheme: Scheme, out: &mut Vec<u8>) {
        out.extend(self.host.iter().map(u8::to_ascii_lowercase));
        if let Some(p) = self.explicit_port(scheme) {
            out.push(b':');
            push_decimal(p, |b| out.push(b));
        }
    }

    /// The normalized form, the one rule of the workspace for `@authority` (RFC 9421 §2.2.3),
    /// the effective request and the DPoP `htu` (RFC 3986 §6.2.2.1, §6.2.3, RFC 9110 §4.2.3):
    /// host in lower case, the scheme's default port omitted, a port written without leading
    /// zeros. Borrowed when the host is already in that form.
    pub fn normalized(&self, scheme: Scheme) -> NormalizedAuthority<'a> {
        let port = self.explicit_port(scheme);
        let host_len = self.host.len();
        if !self.upper
            && port.is_none()
            && let Ok(s) = core::str::from_utf8(self.host)
        {
            return NormalizedAuthority {
                text: Cow::Borrowed(s),
                host_len,
                port,
            };
        }
        let mut s = String::with_capacity(host_len + 6);
        s.extend(
            self.host
                .iter()
                .map(|&b| char::from(b.to_ascii_lowercase())),
        );
        if let Some(p) = port {
            s.push(':');
            push_decimal(p, |b| s.push(char::from(b)));
        }
        NormalizedAuthority {
            text: Cow::Owned(s),
            host_len,
            port,
        }
    }
}

/// Writes `n` in decimal, most significant digit first.
fn push_decimal(n: u16, mut push: impl FnMut(u8)) {
    let mut digits = [0u8; 5];
    let mut len = 0usize;
    let mut v = n;
    loop {
        if let Some(d) = digits.get_mut(len) {
            // `v % 10` < 10.
            *d = b'0' + (v % 10) as u8;
        }
        len += 1;
        v /= 10;
        if v == 0 || len == digits.len() {
            break;
        }
    }
    for &d in digits.iter().take(len).rev() {
        push(d);
    }
}

/// An authority in normalized form (see [`Authority::normalized`]): `@authority`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct NormalizedAuthority<'a> {
    text: Cow<'a, str>,
    /// The host's length at the start of `text` (ASCII).
    host_len: usize,
    /// The explicit, non-default port written after the host.
    port: Option<u16>,
}

impl<'a> NormalizedAuthority<'a> {
    /// The normalized text, `host[:port]`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The host part (lower case; IPv6 in brackets).
    pub fn host(&self) -> &str {
        // `text` starts with the `host_len` ASCII bytes of the host (see `normalized`).
        // Were it ever not so, the whole text (port included) names no allow-listed host,
        // so an allow-list check fails closed.
        self.text.get(..self.host_len).unwrap_or(&self.text)
    }

    /// The explicit (non-default) port, if any.
    pub const fn port(&self) -> Option<u16> {
        self.port
    }

    /// A borrowed copy (no allocation).
    pub fn borrowed(&self) -> NormalizedAuthority<'_> {
        NormalizedAuthority {
            text: Cow::Borrowed(&self.text),
            host_len: self.host_len,
            port: self.port,
        }
    }

    /// The same authority, owning its text.
    pub fn into_owned(self) -> NormalizedAuthority<'static> {
        NormalizedAuthority {
            text: Cow::Owned(self.text.into_owned()),
            host_len: self.host_len,
            port: self.port,
        }
    }

    /// The normalized authority viewed as an [`Authority`] (for a [`TargetUri`](crate::TargetUri)
    /// built from it).
    pub fn as_authority(&self) -> Authority<'_> {
        Authority {
            host: self.host().as_bytes(),
            port: self.port,
            upper: false,
        }
    }
}

impl fmt::Display for NormalizedAuthority<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::parse_ipv4;
    use core::net::Ipv4Addr;

    fn parts(s: &[u8]) -> Result<(&[u8], Option<u16>, bool), AuthorityError> {
        Authority::parse(s).map(|a| (a.host_bytes(), a.port(), a.has_upper()))
    }

    #[test]
    fn host_port() {
        assert_eq!(
            parts(b"Example.com:8443"),
            Ok((&b"Example.com"[..], Some(8443), true))
        );
        assert_eq!(
            Authority::parse(b"[2001:db8::1]:443").map(|h| h.port()),
            Ok(Some(443))
        );
        assert_eq!(Authority::parse(b"a.b:").map(|h| h.port()), Ok(None));
        for bad in [
            &b"api.example.com/evil?"[..],
            b"user@api.example.com",
            b"2001:db8::1",
            b"[2001:db8::1",
            b"a b",
            b"",
            b"a..b",
            b"a.",
            b".a",
            b"[v1.x]",
            b"1.2.3",
            b"caf\xc3\xa9.example",
            b"a%20b",
            b"a!b",
        ] {
            assert_eq!(Authority::parse(bad), Err(AuthorityError::Host), "{bad:?}");
        }
        assert_eq!(Authority::parse(b"a:0"), Err(AuthorityError::Port));
        assert_eq!(Authority::parse(b"a:65536"), Err(AuthorityError::Port));
        assert_eq!(Authority::parse(b"a:x"), Err(AuthorityError::Port));
    }

    #[test]
    fn normalization() {
        // (authority, scheme, RFC 9110 §4.2.3 / RFC 3986 §6.2.2.1, §6.2.3 normal form)
        let cases: &[(&[u8], Scheme, &str)] = &[
            (b"example.com", Scheme::Https, "example.com"),
            (b"Example.COM:443", Scheme::Https, "example.com"),
            (b"example.com:80", Scheme::Https, "example.com:80"),
            (b"example.com:80", Scheme::Http, "example.com"),
            (b"example.com:00443", Scheme::Https, "example.com"),
            (b"example.com:08080", Scheme::Https, "example.com:8080"),
            (b"example.com:", Scheme::Http, "example.com"),
            (b"[2001:DB8::1]:8443", Scheme::Https, "[2001:db8::1]:8443"),
            (b"a:1", Scheme::Http, "a:1"),
            (b"a:65535", Scheme::Http, "a:65535"),
        ];
        for &(text, scheme, want) in cases {
            let a = Authority::parse(text).unwrap();
            let n = a.normalized(scheme);
            assert_eq!(n.as_str(), want, "{text:?}");
            let mut v = Vec::new();
            a.write_normalized(scheme, &mut v);
            assert_eq!(v, want.as_bytes(), "{text:?}");
            assert_eq!(n.host(), a.host().to_ascii_lowercase(), "{text:?}");
            let again = Authority::parse(n.as_str().as_bytes()).unwrap();
            assert_eq!(again.normalized(scheme), n);
            assert_eq!(n.as_authority().normalized(scheme), n);
        }
    }

    /// Straightforward versions of the one-pass validators, written independently, as oracles.
    mod reference {
        use super::super::AuthorityError;
        use crate::host::{parse_ipv6, parse_port};
        use core::net::Ipv4Addr;

        pub(super) fn parse_ipv4(s: &[u8]) -> Option<Ipv4Addr> {
            let mut octets = [0u8; 4];
            let mut parts = s.split(|&b| b == b'.');
            for slot in &mut octets {
                let part = parts.next()?;
                if part.is_empty() || part.len() > 3 || !part.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                if part.len() > 1 && part.first() == Some(&b'0') {
                    return None;
                }
                let mut v: u16 = 0;
                for &b in part {
                    v = v * 10 + u16::from(b - b'0');
                }
                *slot = u8::try_from(v).ok()?;
            }
            if parts.next().is_some() {
                return None;
            }
            Some(Ipv4Addr::from(octets))
        }

        fn is_reg_name_or_ipv4(host: &[u8]) -> bool {
            if host.is_empty() || host.len() > 253 {
                return false;
            }
            host.split(|&b| b == b'.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .iter()
                        .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }) && (!host.iter().all(|&b| b.is_ascii_digit() || b == b'.')
                || parse_ipv4(host).is_some())
        }

        pub(super) fn parse_host_port(s: &[u8]) -> Result<(&[u8], Option<u16>), AuthorityError> {
            let (host, port) = if s.first() == Some(&b'[') {
                let close = s
                    .iter()
                    .position(|&b| b == b']')
                    .ok_or(AuthorityError::Host)?;
                let inner = s.get(1..close).ok_or(AuthorityError::Host)?;
                parse_ipv6(inner).ok_or(AuthorityError::Host)?;
                let host = s.get(..=close).ok_or(AuthorityError::Host)?;
                let rest = s.get(close + 1..).unwrap_or_default();
                let port = match rest.split_first() {
                    None => None,
                    Some((b':', p)) => Some(p),
                    Some(_) => return Err(AuthorityError::Host),
                };
                (host, port)
            } else {
                match s.iter().position(|&b| b == b':') {
                    Some(_) if s.iter().filter(|&&b| b == b':').count() > 1 => {
                        return Err(AuthorityError::Host);
                    }
                    Some(colon) => (
                        s.get(..colon).unwrap_or_default(),
                        Some(s.get(colon + 1..).unwrap_or_default()),
                    ),
                    None => (s, None),
                }
            };
            if host.first() != Some(&b'[') && !is_reg_name_or_ipv4(host) {
                return Err(AuthorityError::Host);
            }
            let port = match port {
                None | Some([]) => None,
                Some(p) => Some(parse_port(p, false).ok_or(AuthorityError::Port)?),
            };
            Ok((host, port))
        }

        /// The longest prefix of `s` made of label bytes and dots, if it is a valid host.
        pub(super) fn host_prefix(s: &[u8]) -> Option<(&[u8], usize)> {
            let end = s
                .iter()
                .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))
                .unwrap_or(s.len());
            let host = s.get(..end)?;
            is_reg_name_or_ipv4(host).then_some((host, end))
        }
    }

    fn check_against_reference(s: &[u8]) {
        assert_eq!(parse_ipv4(s), reference::parse_ipv4(s), "ipv4 {s:?}");
        if let Ok(a) = Authority::parse(s) {
            assert_eq!(
                a.has_upper(),
                a.host_bytes().iter().any(u8::is_ascii_uppercase),
                "{s:?}"
            );
        }
        // The prefix form: the address up to the first byte that is not a digit or a dot.
        let end = s
            .iter()
            .position(|&b| !(b.is_ascii_digit() || b == b'.'))
            .unwrap_or(s.len());
        let head = s.get(..end).expect("in range");
        assert_eq!(
            crate::host::parse_ipv4_prefix(s),
            reference::parse_ipv4(head).map(|ip| (ip, end)),
            "ipv4 prefix {s:?}"
        );
        assert_eq!(
            Authority::parse(s).map(|a| (a.host_bytes(), a.port())),
            reference::parse_host_port(s),
            "host {s:?}"
        );
        assert_eq!(
            Authority::host_prefix(s).map(|(a, len)| (a.host_bytes(), len)),
            reference::host_prefix(s),
            "host prefix {s:?}"
        );
    }

    #[test]
    fn one_pass_validators_match_the_reference() {
        // Every string of up to 6 bytes over an alphabet that reaches each branch.
        const ALPHABET: &[u8] = b"019.:a-[";
        fn all(buf: &mut Vec<u8>, depth: usize) {
            check_against_reference(buf);
            if depth == 0 {
                return;
            }
            for &b in ALPHABET {
                buf.push(b);
                all(buf, depth - 1);
                buf.pop();
            }
        }
        all(&mut Vec::new(), 6);
        // Longer seeds, each with every one-byte substitution, deletion and insertion.
        let long_label = "a".repeat(63);
        let too_long_label = "a".repeat(64);
        let seeds: Vec<Vec<u8>> = [
            "192.0.2.43",
            "255.255.255.255",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3.4.5",
            "api.example.com:8443",
            "Api.Example.COM:8443",
            "[2001:DB8::a]:443",
            "[2001:db8::1]:443",
            "a-b_c.d9:65535",
            "a:65536",
            long_label.as_str(),
            too_long_label.as_str(),
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        for seed in &seeds {
            check_against_reference(seed);
            for i in 0..=seed.len() {
                for &b in b"0259.:aZ-_[]/ \xff" {
                    let mut v = seed.clone();
                    v.insert(i, b);
                    check_against_reference(&v);
                    if i < seed.len() {
                        let mut v = seed.clone();
                        v[i] = b;
                        check_against_reference(&v);
                    }
                }
                if i < seed.len() {
                    let mut v = seed.clone();
                    v.remove(i);
                    check_against_reference(&v);
                }
            }
        }
        let huge = [long_label.as_str(); 4].join(".");
        check_against_reference(huge.as_bytes());
        assert_eq!(
            Authority::parse(b"192.0.2.1").map(|a| a.host_bytes()),
            Ok(&b"192.0.2.1"[..])
        );
        assert_eq!(parse_ipv4(b"192.0.2.1"), Some(Ipv4Addr::new(192, 0, 2, 1)));
    }
}
