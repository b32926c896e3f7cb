//! HTTP/1.1 message text, as printed in the RFCs and given to the command-line tool.
//!
//! A request line or a status line; field lines (obsolete folding kept for the core to unfold,
//! RFC 9421 §2.1); a blank line; the body, verbatim. LF and CRLF line ends are both accepted
//! (RFC 9112 §2.2 allows a bare LF, and the RFC texts use it). A hand-written splitter rather
//! than `httparse`: the RFC texts use bare LF and obsolete line folding in requests, which
//! `httparse` refuses, and the body must be taken byte for byte.
//!
//! A request head is not interpreted here: the request line is split by
//! [`forwarded_parser::RequestLine`], and the method, the request-target's form, `Host` and the
//! target URI come from [`forwarded_parser::RequestHead`] and [`forwarded_parser::resolve`]
//! with the connection source (RFC 9112 §3.3), the one request-head parser of the workspace.
//! So a `Host` with a path, two `Host` lines, or a missing `Host` on HTTP/1.1 is refused here
//! exactly as a server using forwarded-parser refuses it.

use core::fmt;
use core::net::{IpAddr, Ipv4Addr};

use forwarded_parser::{
    Config, ConnectionFacts, ForwardedError, RequestHead, RequestLine, Scheme, TargetForm, resolve,
};
use httpsig_core::{Message, UriError};

/// Why message text could not be read. Every variant has a stable [`code`](Self::code).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextError {
    /// The head (start line and field lines) is not UTF-8.
    NotUtf8,
    /// The text is empty, or its first line is.
    Empty,
    /// A line starting with whitespace before any field line (RFC 9112 §2.2: a recipient
    /// rejects it or ignores it; we reject).
    LeadingContinuation,
    /// A field line without `:`.
    FieldLine {
        /// The line's index in the head (the start line is 0).
        line: usize,
    },
    /// A field name that is not a token, including whitespace before the colon (RFC 9112 §5.1,
    /// RFC 9110 §5.1).
    FieldName {
        /// The line's index in the head (the start line is 0).
        line: usize,
    },
    /// A line of the head holds a CR that does not end it, or a NUL (RFC 9112 §2.2: a bare
    /// CR makes the element invalid; RFC 9110 §5.5: field values never hold CR, LF or NUL).
    /// Refused rather than kept: a reader that treats a bare CR as a line end would see other
    /// field lines than ours.
    ControlChar {
        /// The line's index in the head (the start line is 0).
        line: usize,
    },
    /// A status line without a three-digit status code after the version (RFC 9112 §4).
    StatusLine,
    /// A trailer line without `:` or with a name that is not a token.
    TrailerLine {
        /// The line's index in the trailer text (0-based).
        line: usize,
    },
    /// The scheme given for a request that does not carry one is not `http` or `https`.
    Scheme,
    /// The request head is malformed: the request line, the target's form, the method or
    /// `Host`; forwarded-parser's reason (and code).
    Request(ForwardedError),
    /// The core refused the rebuilt target URI.
    TargetUri(UriError),
}

impl TextError {
    /// A stable, machine-readable code: `http1.*` for the text's shape, forwarded-parser's
    /// `forwarded.*` for the request head.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::NotUtf8 => "http1.not_utf8",
            Self::Empty => "http1.empty",
            Self::LeadingContinuation => "http1.leading_continuation",
            Self::FieldLine { .. } => "http1.field_line",
            Self::FieldName { .. } => "http1.field_name",
            Self::ControlChar { .. } => "http1.control_char",
            Self::StatusLine => "http1.status_line",
            Self::TrailerLine { .. } => "http1.trailer_line",
            Self::Scheme => "http1.scheme",
            Self::Request(e) => e.code(),
            Self::TargetUri(_) => "http1.target_uri",
        }
    }
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotUtf8 => f.write_str("message head is not UTF-8"),
            Self::Empty => f.write_str("empty message"),
            Self::LeadingContinuation => f.write_str("continuation line before any header"),
            Self::FieldLine { line } => write!(f, "header line {line} has no ':'"),
            Self::FieldName { line } => write!(f, "header line {line} has an invalid field name"),
            Self::ControlChar { line } => {
                write!(f, "line {line} of the head holds a bare CR or a NUL")
            }
            Self::StatusLine => f.write_str("status line without a three-digit status code"),
            Self::TrailerLine { line } => {
                write!(f, "trailer line {line} has no ':' or an invalid field name")
            }
            Self::Scheme => f.write_str("the scheme must be http or https"),
            Self::Request(e) => write!(f, "request head: {e}"),
            Self::TargetUri(e) => write!(f, "rebuilt {e}"),
        }
    }
}

impl std::error::Error for TextError {}

/// Undoes RFC 8792 §7.2.2 single-backslash line wrapping (as pasted from RFCs).
pub fn unwrap_rfc8792(text: &str) -> String {
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines
        .first()
        .is_some_and(|l| l.starts_with("NOTE: '\\' line wrapping per RFC 8792"))
    {
        lines.remove(0);
        if lines.first().is_some_and(|l| l.trim().is_empty()) {
            lines.remove(0);
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut joining = false;
    for (i, line) in lines.iter().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let piece = if joining {
            line.trim_start_matches(' ')
        } else {
            line
        };
        if let Some(head) = piece.strip_suffix('\\') {
            out.push_str(head);
            joining = true;
        } else {
            out.push_str(piece);
            joining = false;
            if i + 1 < lines.len() {
                out.push('\n');
            }
        }
    }
    out
}

/// Message text split into its parts (RFC 9112 §2.1), nothing interpreted yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageText<'t> {
    /// The start line, without its line end.
    pub start_line: &'t str,
    /// The field lines in order as `(name, value)`: the value without leading whitespace and,
    /// after an obsolete line folding, `CRLF` and the continuation line as written.
    pub fields: Vec<(&'t str, String)>,
    /// The body, verbatim.
    pub body: &'t [u8],
}

impl<'t> MessageText<'t> {
    /// Splits message text: the head ends at the first empty line (LF or CRLF).
    ///
    /// # Errors
    /// [`TextError::NotUtf8`], [`TextError::ControlChar`], [`TextError::Empty`],
    /// [`TextError::LeadingContinuation`], [`TextError::FieldLine`], [`TextError::FieldName`].
    pub fn split(text: &'t [u8]) -> Result<Self, TextError> {
        let (head, body) = split_head(text);
        let head = core::str::from_utf8(head).map_err(|_| TextError::NotUtf8)?;
        let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
        if let Some(line) = head
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .position(|l| l.contains(['\r', '\0']))
        {
            return Err(TextError::ControlChar { line });
        }
        let start_line = lines
            .next()
            .filter(|l| !l.is_empty())
            .ok_or(TextError::Empty)?;
        let mut fields: Vec<(&str, String)> = Vec::new();
        for (i, line) in lines.enumerate() {
            let index = i + 1;
            // The head ends at the first empty line, so an empty line here can only be the last
            // one, of a head-only text that ends with its last header's line end.
            if line.is_empty() {
                continue;
            }
            if line.starts_with([' ', '\t']) {
                let (_, value) = fields.last_mut().ok_or(TextError::LeadingContinuation)?;
                value.push_str("\r\n");
                value.push_str(line);
                continue;
            }
            let (name, value) = line
                .split_once(':')
                .ok_or(TextError::FieldLine { line: index })?;
            if !is_field_name(name) {
                return Err(TextError::FieldName { line: index });
            }
            fields.push((name, value.trim_start_matches([' ', '\t']).to_owned()));
        }
        Ok(Self {
            start_line,
            fields,
            body,
        })
    }

    /// Whether the start line is a status line (the message is a response).
    pub fn is_response(&self) -> bool {
        self.start_line.starts_with("HTTP/")
    }

    /// The fields as [`RequestHead`] borrows them.
    pub fn field_bytes(&self) -> Vec<(&str, &[u8])> {
        self.fields
            .iter()
            .map(|(n, v)| (*n, v.as_bytes()))
            .collect()
    }
}

/// RFC 9110 §5.1 `field-name = token`, with the `http` crate's token rule.
fn is_field_name(name: &str) -> bool {
    http::HeaderName::from_bytes(name.as_bytes()).is_ok()
}

/// Parses message text. A request's target URI is its absolute-form target, or `scheme` (`http`
/// or `https`), the authority of its authority-form target or `Host`, and its path and query
/// (RFC 9112 §3.3).
///
/// # Errors
/// [`TextError`] when the text, the start line, a field line or the request head is malformed.
pub fn parse_message(text: &[u8], scheme: &str) -> Result<Message, TextError> {
    let parts = MessageText::split(text)?;
    let mut msg = if parts.is_response() {
        Message::response(status_code(parts.start_line)?)
    } else {
        request(&parts, scheme)?
    };
    for (n, v) in parts.fields {
        msg.add_header(n, v.into_bytes());
    }
    msg.set_body(parts.body.to_vec());
    Ok(msg)
}

/// RFC 9112 §4 `status-line = HTTP-version SP status-code SP [ reason-phrase ]`: the code.
fn status_code(line: &str) -> Result<u16, TextError> {
    let mut parts = line.splitn(3, ' ');
    // RFC 9112 §2.3: HTTP-version = "HTTP/" DIGIT "." DIGIT (case-sensitive).
    let version = parts.next().unwrap_or_default().as_bytes();
    if !matches!(version, [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
        if major.is_ascii_digit() && minor.is_ascii_digit())
    {
        return Err(TextError::StatusLine);
    }
    let code = parts.next().ok_or(TextError::StatusLine)?;
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TextError::StatusLine);
    }
    let status: u16 = code.parse().map_err(|_| TextError::StatusLine)?;
    if status < 100 {
        return Err(TextError::StatusLine);
    }
    Ok(status)
}

/// A request from its parts: forwarded-parser validates the head and rebuilds the target URI
/// with the connection source. Message text has no connection, so the connection is taken to
/// be `https` when `scheme` says so, or when an absolute-form target does (it is the target URI,
/// RFC 9112 §3.3).
fn request(parts: &MessageText<'_>, scheme: &str) -> Result<Message, TextError> {
    let scheme = Scheme::parse(scheme.as_bytes()).ok_or(TextError::Scheme)?;
    let line = RequestLine::parse(parts.start_line).map_err(TextError::Request)?;
    let fields = parts.field_bytes();
    let head = RequestHead::from_request_line(line, &fields).map_err(TextError::Request)?;
    // Message text has no connection: it is taken to be the one the target names (an
    // absolute-form target is the target URI, RFC 9112 §3.3), else `scheme`.
    let tls = head.target_scheme().unwrap_or(scheme) == Scheme::Https;
    let conn = ConnectionFacts::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), tls);
    let config = Config::connection();
    let resolved = resolve(&config, &conn, &head).map_err(TextError::Request)?;
    // The typed target URI, built from the resolved parts: not rendered and parsed again.
    let target = resolved.request.target().map_err(TextError::TargetUri)?;
    let mut m = Message::request_to(line.method(), target);
    if head.form() != TargetForm::Origin {
        m.set_request_target(line.target());
    }
    Ok(m)
}

/// The head and body of message text: the head ends at the first empty line (LF or CRLF).
pub(crate) fn split_head(text: &[u8]) -> (&[u8], &[u8]) {
    for (i, b) in text.iter().enumerate() {
        if *b != b'\n' {
            continue;
        }
        let rest = text.get(i + 1..).unwrap_or_default();
        let sep = if rest.starts_with(b"\n") {
            1
        } else if rest.starts_with(b"\r\n") {
            2
        } else {
            continue;
        };
        let head = text.get(..i).unwrap_or_default();
        let body = rest.get(sep..).unwrap_or_default();
        return (head, body);
    }
    (text, &[])
}

/// Parses trailer lines (`Name: value`, one a line).
///
/// # Errors
/// [`TextError::TrailerLine`] on a line without a colon or with an invalid name.
pub fn parse_trailers(text: &str, msg: &mut Message) -> Result<(), TextError> {
    for (line, l) in text.lines().enumerate().filter(|(_, l)| !l.is_empty()) {
        let (n, v) = l.split_once(':').ok_or(TextError::TrailerLine { line })?;
        if !is_field_name(n) || v.contains(['\r', '\0']) {
            return Err(TextError::TrailerLine { line });
        }
        msg.add_trailer(n, v.trim_start().as_bytes().to_vec());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use httpsig_core::HttpMessage;

    #[test]
    fn request_forms() {
        let m = parse_message(
            b"POST /foo?a=b HTTP/1.1\nHost: example.com\nX: 1\n\n{\"x\"}",
            "https",
        )
        .unwrap();
        assert_eq!(m.method(), Some("POST"));
        assert_eq!(m.body(), b"{\"x\"}");
        let m = parse_message(
            b"OPTIONS * HTTP/1.1\r\nHost: www.example.com\r\n\r\n",
            "https",
        )
        .unwrap();
        assert_eq!(m.request_target(), Some("*"));
        let m = parse_message(b"HTTP/1.1 503 Service Unavailable\nA: b\n\n", "https").unwrap();
        assert_eq!(m.status(), Some(503));
        assert!(parse_message(b"GET /x HTTP/1.1\n\n", "https").is_err());
        // A head-only message ending with its last line end (no empty line after it).
        let m = parse_message(b"GET /x HTTP/1.1\nHost: a\n", "https").unwrap();
        assert_eq!(m.header("host").unwrap(), b"a");
        assert!(m.body().is_empty());
        assert!(parse_message(b"HTTP/1.1 abc\n\n", "https").is_err());
    }

    #[test]
    fn the_head_goes_through_forwarded_parser() {
        let uri = |text: &[u8]| {
            parse_message(text, "https")
                .map(|m| {
                    let c = httpsig_core::Component::derived(httpsig_core::Derived::TargetUri);
                    let line = httpsig_core::component_line(&m, None, &c, &Default::default())
                        .expect("@target-uri");
                    String::from_utf8(line)
                        .expect("utf-8")
                        .strip_prefix("\"@target-uri\": ")
                        .map(str::to_owned)
                })
                .map_err(|e| e.code())
        };
        // The spoof: the Host path must not be pasted in front of the target.
        assert_eq!(
            uri(b"GET /admin HTTP/1.1\nHost: api.example.com/public\n\n"),
            Err("forwarded.invalid_host")
        );
        assert_eq!(
            uri(b"GET /public/admin HTTP/1.1\nHost: api.example.com\n\n"),
            Ok(Some("https://api.example.com/public/admin".to_owned()))
        );
        assert_eq!(
            uri(b"GET /x HTTP/1.1\nHost: a.example\nHost: b.example\n\n"),
            Err("forwarded.multiple_values")
        );
        assert_eq!(
            uri(b"GET http://t.example/x HTTP/1.1\nHost: h.example\n\n"),
            Ok(Some("http://t.example/x".to_owned()))
        );
        assert_eq!(uri(b"GET /x HTTP/1.1\n\n"), Err("forwarded.host_required"));
        assert_eq!(
            uri(b"GET /x HTTP/1.0\n\n"),
            Err("forwarded.missing_authority")
        );
        assert_eq!(
            uri(b"GET  /x HTTP/1.1\nHost: a\n\n"),
            Err("forwarded.invalid_request_line")
        );
        assert_eq!(
            parse_message(b"GET /x HTTP/1.1\nHost: a\n\n", "ftp")
                .map_err(|e| e.code())
                .map(|_| ()),
            Err("http1.scheme")
        );
        assert_eq!(
            uri(b" GET /x HTTP/1.1\nHost: a\n\n"),
            Err("forwarded.invalid_request_line")
        );
        assert_eq!(
            uri(b"GET /x HTTP/1.1\n Host: a\n\n"),
            Err("http1.leading_continuation")
        );
        assert_eq!(
            uri(b"GET /x HTTP/1.1\nHost\t: a\n\n"),
            Err("http1.field_name")
        );
        assert_eq!(uri(b"GET /x HTTP/1.1\nHost a\n\n"), Err("http1.field_line"));
        // A bare CR hides a line from this reader that another would see (adversarial pass F6).
        assert_eq!(
            uri(b"GET /x HTTP/1.1\nX-Pad: 1\rHost: evil.example\nHost: a.example\n\n"),
            Err("http1.control_char")
        );
        assert_eq!(
            uri(b"GET /x HTTP/1.1\r\nHost: a\0b\r\n\r\n"),
            Err("http1.control_char")
        );
        assert_eq!(
            uri(b"GET /x\r HTTP/1.1\r\nHost: a\r\n\r\n"),
            Err("http1.control_char")
        );
        assert_eq!(
            uri(b"GET /x HTTP/1.1\r\nHost: a\r\n\r\nbody\rwith CR"),
            Ok(Some("https://a/x".to_owned()))
        );
        // The one host grammar (httpsig-uri): what a server using forwarded-parser refuses in
        // `Host` or an absolute-form target, the message reader refuses too (RFC 3986 §3.2.2
        // under the POLICY of the strict parser: no percent-encoding or sub-delims in a host,
        // no empty label, strict IPv4, port 1-65535).
        for bad in [
            &b"GET /x HTTP/1.1\nHost: a%41.example\n\n"[..],
            b"GET /x HTTP/1.1\nHost: a!b\n\n",
            b"GET /x HTTP/1.1\nHost: a..b\n\n",
            b"GET /x HTTP/1.1\nHost: 1.2.3\n\n",
            b"GET /x HTTP/1.1\nHost: [v1.x]\n\n",
            b"GET https://a!b/x HTTP/1.1\nHost: a\n\n",
        ] {
            assert_eq!(
                uri(bad),
                Err("forwarded.invalid_host"),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(
            uri(b"GET /x HTTP/1.1\nHost: a:0\n\n"),
            Err("forwarded.invalid_port")
        );
        assert_eq!(
            uri(b"GET /x HTTP/1.1\nHost: A.Example:08443\n\n"),
            Ok(Some("https://a.example:8443/x".to_owned()))
        );
        assert_eq!(uri(b""), Err("http1.empty"));
        assert_eq!(uri(b"GET /\xff HTTP/1.1\n\n"), Err("http1.not_utf8"));
    }

    #[test]
    fn status_lines() {
        for (line, want) in [
            (&b"HTTP/1.1 200 OK\n\n"[..], Ok(200)),
            (b"HTTP/1.1 204\n\n", Ok(204)),
            (b"HTTP/1.1 0200 OK\n\n", Err("http1.status_line")),
            (b"HTTP/1.1 099 x\n\n", Err("http1.status_line")),
            (b"HTTP/1.1\n\n", Err("http1.status_line")),
            (b"HTTP/2.0 200 OK\n\n", Ok(200)),
            (b"HTTP/garbage 200 OK\n\n", Err("http1.status_line")),
            (b"HTTP/1.10 200 OK\n\n", Err("http1.status_line")),
            (b"HTTP/1.1  200 OK\n\n", Err("http1.status_line")),
        ] {
            let got = parse_message(line, "https")
                .map(|m| m.status())
                .map_err(|e| e.code());
            assert_eq!(got, want.map(Some), "{line:?}");
        }
    }

    #[test]
    fn obs_fold_is_kept_for_the_core() {
        let m = parse_message(
            b"GET / HTTP/1.1\nHost: a\nX-Obs-Fold-Header: Obsolete\n    line folding.\n\n",
            "https",
        )
        .unwrap();
        assert_eq!(
            m.header("x-obs-fold-header").unwrap(),
            b"Obsolete\r\n    line folding."
        );
    }

    #[test]
    fn rfc8792_unwrapping() {
        let t = "NOTE: '\\' line wrapping per RFC 8792\n\nSignature-Input: sig1=(\"@method\" \\\n  \"@path\");created=1\nX: y";
        assert_eq!(
            unwrap_rfc8792(t),
            "Signature-Input: sig1=(\"@method\" \"@path\");created=1\nX: y"
        );
    }
}
