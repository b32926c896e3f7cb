//! The access token as the client presented it: one `Authorization` field, scheme `DPoP` or
//! `Bearer`, a `token68` (RFC 9110 §11.6.2, RFC 6750 §2.1, RFC 9449 §7.1).
//!
//! This is the one place the workspace reads `Authorization`. A resource server reads the
//! token here, validates it (JWT or introspection, outside this crate), learns its binding
//! (`cnf.jkt` or `cnf.x5t#S256`), and passes the same request to the DPoP verifier or the mTLS
//! check, which read the token through this module again: there is no second parser to
//! disagree with the first.
//!
//! ```
//! use fapi_profile::token::{PresentedToken, TokenScheme};
//! let mut headers = http::HeaderMap::new();
//! headers.insert("authorization", "DPoP Kz~8mXK1EalYznwH-LC-1fBAo".parse()?);
//! let presented = PresentedToken::from_headers(&headers)?;
//! assert_eq!(presented.scheme(), TokenScheme::Dpop);
//! assert_eq!(presented.token(), "Kz~8mXK1EalYznwH-LC-1fBAo");
//! // Debug output never shows the token.
//! assert!(!format!("{presented:?}").contains("Kz~8"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

use crate::dpop::trim_ows;

/// The authentication scheme of a presented access token.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenScheme {
    /// `DPoP` (RFC 9449 §7.1): a DPoP-bound token; a `DPoP` proof must accompany it.
    Dpop,
    /// `Bearer` (RFC 6750 §2.1): for FAPI, only a certificate-bound (mTLS) token may use it.
    Bearer,
}

impl TokenScheme {
    /// The scheme as written in `Authorization` and `WWW-Authenticate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dpop => "DPoP",
            Self::Bearer => "Bearer",
        }
    }
}

/// An access token read from the request's one `Authorization` field.
///
/// `Debug` shows the scheme and the token's length, never the token.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct PresentedToken<'a> {
    scheme: TokenScheme,
    token: &'a str,
}

impl fmt::Debug for PresentedToken<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PresentedToken")
            .field("scheme", &self.scheme)
            .field("token_len", &self.token.len())
            .finish()
    }
}

/// Why no access token could be read from `Authorization`.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// No `Authorization` field: the request carries no credentials (RFC 6750 §3.1: answer
    /// 401 with a challenge and no error code).
    Missing,
    /// More than one `Authorization` field line (RFC 9449 §7.2 Fig. 19: 400
    /// `invalid_request`).
    Multiple,
    /// The value is not `scheme 1*SP token68`, or not UTF-8 (400 `invalid_request`).
    Malformed,
    /// A scheme other than `DPoP` or `Bearer` (401, a challenge naming the schemes accepted).
    UnsupportedScheme,
}

impl TokenError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Missing => "token.missing",
            Self::Multiple => "token.multiple",
            Self::Malformed => "token.malformed",
            Self::UnsupportedScheme => "token.scheme",
        }
    }
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Missing => "request has no Authorization field",
            Self::Multiple => "request has several Authorization fields",
            Self::Malformed => "Authorization field is not a scheme followed by a token68",
            Self::UnsupportedScheme => "Authorization scheme is neither DPoP nor Bearer",
        })
    }
}

impl std::error::Error for TokenError {}

impl<'a> PresentedToken<'a> {
    /// Reads the token from the `Authorization` field lines, in message order.
    ///
    /// The scheme is case-insensitive (RFC 9110 §11.1); one or more spaces separate it from
    /// the token (RFC 9110 §11.4 `1*SP`); the token must be a `token68`.
    ///
    /// # Errors
    /// [`TokenError`] for no field, several fields, a malformed value or another scheme.
    pub fn from_lines(lines: &[&'a [u8]]) -> Result<Self, TokenError> {
        match lines {
            [] => Err(TokenError::Missing),
            [one] => Self::from_value(one),
            _ => Err(TokenError::Multiple),
        }
    }

    /// Reads the token from an `http` header map (`Authorization`, all field lines).
    ///
    /// # Errors
    /// As [`from_lines`](Self::from_lines).
    pub fn from_headers(headers: &'a http::HeaderMap) -> Result<Self, TokenError> {
        let mut all = headers.get_all(http::header::AUTHORIZATION).iter();
        match (all.next(), all.next()) {
            (None, _) => Err(TokenError::Missing),
            (Some(one), None) => Self::from_value(one.as_bytes()),
            (Some(_), Some(_)) => Err(TokenError::Multiple),
        }
    }

    /// Reads the token from one `Authorization` field value.
    ///
    /// # Errors
    /// [`TokenError::Malformed`] or [`TokenError::UnsupportedScheme`].
    pub fn from_value(value: &'a [u8]) -> Result<Self, TokenError> {
        let value = core::str::from_utf8(trim_ows(value)).map_err(|_| TokenError::Malformed)?;
        let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
        let scheme = if scheme.eq_ignore_ascii_case("DPoP") {
            TokenScheme::Dpop
        } else if scheme.eq_ignore_ascii_case("Bearer") {
            TokenScheme::Bearer
        } else if httpsig_core::uri::is_token(scheme.as_bytes()) {
            return Err(TokenError::UnsupportedScheme);
        } else {
            return Err(TokenError::Malformed);
        };
        let token = rest.trim_start_matches(' ');
        if is_token68(token) {
            Ok(Self { scheme, token })
        } else {
            Err(TokenError::Malformed)
        }
    }

    /// The scheme the client used.
    pub fn scheme(&self) -> TokenScheme {
        self.scheme
    }

    /// The token itself. Never log it.
    pub fn token(&self) -> &'a str {
        self.token
    }
}

/// RFC 9110 §11.2: `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_token68(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    type Case<'a> = (&'a str, Result<(TokenScheme, &'a str), TokenError>);

    #[test]
    fn reads_scheme_and_token68() {
        let cases: &[Case<'_>] = &[
            ("DPoP abc", Ok((TokenScheme::Dpop, "abc"))),
            ("dpop abc==", Ok((TokenScheme::Dpop, "abc=="))),
            ("Bearer  a.b.c", Ok((TokenScheme::Bearer, "a.b.c"))),
            (" BEARER x-y_z~+/ ", Ok((TokenScheme::Bearer, "x-y_z~+/"))),
            ("DPoP", Err(TokenError::Malformed)),
            ("DPoP ", Err(TokenError::Malformed)),
            ("DPoP ===", Err(TokenError::Malformed)),
            ("DPoP a b", Err(TokenError::Malformed)),
            ("DPoP a=b", Err(TokenError::Malformed)),
            ("DPoP\ta", Err(TokenError::Malformed)),
            ("Basic dXNlcjpwYXNz", Err(TokenError::UnsupportedScheme)),
            ("Bearer,DPoP a", Err(TokenError::Malformed)),
            ("", Err(TokenError::Malformed)),
        ];
        for (value, want) in cases {
            let got = PresentedToken::from_value(value.as_bytes()).map(|p| (p.scheme, p.token));
            assert_eq!(&got, want, "{value:?}");
        }
        assert_eq!(
            PresentedToken::from_value(b"DPoP \xff"),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn counts_field_lines() {
        assert_eq!(PresentedToken::from_lines(&[]), Err(TokenError::Missing));
        assert_eq!(
            PresentedToken::from_lines(&[b"DPoP a", b"Bearer b"]),
            Err(TokenError::Multiple)
        );
        let mut h = http::HeaderMap::new();
        assert_eq!(PresentedToken::from_headers(&h), Err(TokenError::Missing));
        h.append("authorization", http::HeaderValue::from_static("DPoP a"));
        assert_eq!(PresentedToken::from_headers(&h).map(|p| p.token()), Ok("a"));
        h.append("authorization", http::HeaderValue::from_static("DPoP a"));
        assert_eq!(PresentedToken::from_headers(&h), Err(TokenError::Multiple));
    }

    #[test]
    fn codes_are_distinct() {
        let all = [
            TokenError::Missing,
            TokenError::Multiple,
            TokenError::Malformed,
            TokenError::UnsupportedScheme,
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(TokenError::code).collect();
        assert_eq!(codes.len(), all.len());
    }
}
