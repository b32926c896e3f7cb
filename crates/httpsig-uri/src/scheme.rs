//! The two schemes of HTTP (RFC 9110 §4.2) and their default ports.

use core::fmt;

/// `http` or `https` (RFC 9110 §4.2).
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
