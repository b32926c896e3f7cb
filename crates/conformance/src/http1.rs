//! HTTP/1.1 message text, as printed in the RFCs and given to the command-line tool.
//!
//! A request line (origin-form with `Host`, absolute-form, `*`, or authority-form for CONNECT)
//! or a status line; header lines (obsolete folding kept for the core to unfold, RFC 9421 §2.1);
//! a blank line; the body, verbatim. LF and CRLF line ends are both accepted. A hand-written
//! parser rather than `httparse`: the RFC texts use bare LF and obsolete line folding in requests,
//! which `httparse` refuses, and the body must be taken byte for byte.

use core::fmt;

use httpsig_core::Message;

/// Why message text could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextError(pub String);

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TextError {}

fn err(s: impl Into<String>) -> TextError {
    TextError(s.into())
}

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

/// Parses message text. `scheme` completes an origin-form request's target URI.
///
/// # Errors
/// [`TextError`] when the start line, a header line or the target is malformed.
pub fn parse_message(text: &[u8], scheme: &str) -> Result<Message, TextError> {
    let (head, body) = split_head(text);
    let head = core::str::from_utf8(head).map_err(|_| err("message head is not UTF-8"))?;
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));
    let start = lines
        .next()
        .filter(|l| !l.is_empty())
        .ok_or_else(|| err("empty message"))?;
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        // The head ends at the first empty line, so an empty line here can only be the last
        // one, of a head-only text that ends with its last header's line end.
        if line.is_empty() {
            continue;
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            let last = headers
                .last_mut()
                .ok_or_else(|| err("continuation line before any header"))?;
            last.1.push_str("\r\n");
            last.1.push_str(line);
            continue;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| err(format!("header line without ':': {line:?}")))?;
        if name.is_empty() || name.contains([' ', '\t']) {
            return Err(err(format!("invalid header name {name:?}")));
        }
        headers.push((
            name.to_owned(),
            value.trim_start_matches([' ', '\t']).to_owned(),
        ));
    }
    let mut msg = if let Some(rest) = start.strip_prefix("HTTP/") {
        let code = rest
            .split(' ')
            .nth(1)
            .ok_or_else(|| err("status line without a status code"))?;
        let status: u16 = code
            .parse()
            .map_err(|_| err(format!("invalid status code {code:?}")))?;
        if !(100..=999).contains(&status) {
            return Err(err(format!("invalid status code {code:?}")));
        }
        Message::response(status)
    } else {
        let mut parts = start.split(' ');
        let method = parts.next().unwrap_or_default();
        let target = parts
            .next()
            .ok_or_else(|| err("request line without a target"))?;
        let host = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("host"))
            .map(|(_, v)| v.trim().to_owned());
        let (uri, request_target) = if target.starts_with('/') {
            let host = host.ok_or_else(|| err("origin-form request without Host"))?;
            (format!("{scheme}://{host}{target}"), None)
        } else if target == "*" {
            let host = host.ok_or_else(|| err("asterisk-form request without Host"))?;
            (format!("{scheme}://{host}"), Some(target))
        } else if target.contains("://") {
            (target.to_owned(), Some(target))
        } else if method == "CONNECT" {
            (format!("{scheme}://{target}"), Some(target))
        } else {
            return Err(err(format!("unsupported request target {target:?}")));
        };
        let mut m =
            Message::request(method, &uri).map_err(|e| err(format!("target URI {uri:?}: {e}")))?;
        if let Some(rt) = request_target {
            m.set_request_target(rt);
        }
        m
    };
    for (n, v) in headers {
        msg.add_header(&n, v.into_bytes());
    }
    msg.set_body(body.to_vec());
    Ok(msg)
}

fn split_head(text: &[u8]) -> (&[u8], &[u8]) {
    let mut i = 0;
    while i < text.len() {
        if text.get(i) == Some(&b'\n') {
            if text.get(i + 1) == Some(&b'\n') {
                return (&text[..i], &text[i + 2..]);
            }
            if text.get(i + 1) == Some(&b'\r') && text.get(i + 2) == Some(&b'\n') {
                return (&text[..i], &text[i + 3..]);
            }
        }
        i += 1;
    }
    (text, &[])
}

/// Parses trailer lines (`Name: value`, one a line).
///
/// # Errors
/// [`TextError`] on a line without a colon.
pub fn parse_trailers(text: &str, msg: &mut Message) -> Result<(), TextError> {
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (n, v) = line
            .split_once(':')
            .ok_or_else(|| err(format!("trailer line without ':': {line:?}")))?;
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
