//! Reading inputs, editing message text in place, and writing output.
//!
//! `sign` and `digest --add` print the message back with one or two fields changed. They edit
//! the text rather than re-serialize a parsed [`Message`]: header order, name spelling,
//! obsolete line folding elsewhere and the body bytes are kept exactly, and lines end as the
//! input's did (CRLF or LF).

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};

use httpsig_core::Message;

use super::error::{CliError, InputKind};
use crate::http1::{parse_message, split_head, unwrap_rfc8792};

/// Reads a file, or stdin when `path` is `None` or `-`.
///
/// # Errors
/// [`CliError::Read`].
pub fn read_input(path: Option<&Path>, input: InputKind) -> Result<Vec<u8>, CliError> {
    let path = path.filter(|p| p.as_os_str() != "-");
    let mut buf = Vec::new();
    let r = match path {
        Some(p) => std::fs::read(p).map(|b| buf = b),
        None => std::io::stdin().lock().read_to_end(&mut buf).map(|_| ()),
    };
    r.map_err(|e| CliError::Read {
        input,
        path: path.map(Path::to_path_buf),
        kind: e.kind(),
    })?;
    Ok(buf)
}

/// Applies RFC 8792 unwrapping when asked; the text must then be UTF-8.
///
/// # Errors
/// [`CliError::NotUtf8`] when unwrapping non-UTF-8 text.
pub fn maybe_unwrap(bytes: Vec<u8>, unwrap: bool, input: InputKind) -> Result<Vec<u8>, CliError> {
    if !unwrap {
        return Ok(bytes);
    }
    let text = String::from_utf8(bytes).map_err(|_| CliError::NotUtf8 { input })?;
    Ok(unwrap_rfc8792(&text).into_bytes())
}

/// A message read from a file or stdin: its text (after unwrapping) and its parsed form.
#[derive(Debug)]
pub struct LoadedMessage {
    /// The text, unwrapped if asked.
    pub text: Vec<u8>,
    /// The parsed message.
    pub message: Message,
}

/// Reads and parses a message (`input` says whether it is the message or `--request`).
///
/// # Errors
/// [`CliError::Read`], [`CliError::NotUtf8`], [`CliError::Message`].
pub fn load_message(
    path: Option<&Path>,
    input: InputKind,
    unwrap: bool,
    scheme: &str,
) -> Result<LoadedMessage, CliError> {
    let text = maybe_unwrap(read_input(path, input)?, unwrap, input)?;
    let message =
        parse_message(&text, scheme).map_err(|error| CliError::Message { input, error })?;
    Ok(LoadedMessage { text, message })
}

/// Reads the related request given with `--request`, if any.
///
/// # Errors
/// As [`load_message`].
pub fn load_request(
    path: Option<&PathBuf>,
    unwrap: bool,
    scheme: &str,
) -> Result<Option<Message>, CliError> {
    path.map(|p| load_message(Some(p), InputKind::Request, unwrap, scheme).map(|m| m.message))
        .transpose()
}

/// Message text split into head lines and body, for editing header fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawMessage {
    /// The start line, then header lines (continuation lines separate), without line ends.
    lines: Vec<String>,
    /// `"\r\n"` or `"\n"`, as the start line ended.
    eol: &'static str,
    /// The body, verbatim.
    body: Vec<u8>,
}

impl RawMessage {
    /// Splits text where [`parse_message`] does (the same `split_head`): the head ends at the
    /// first empty line, so the body edited here is the body parsed there.
    ///
    /// # Errors
    /// [`CliError::NotUtf8`] when the head is not UTF-8.
    pub fn split(text: &[u8]) -> Result<Self, CliError> {
        let (head, body) = split_head(text);
        let head = core::str::from_utf8(head).map_err(|_| CliError::NotUtf8 {
            input: InputKind::Message,
        })?;
        let eol = match head.split('\n').next() {
            Some(first) if first.ends_with('\r') => "\r\n",
            _ => "\n",
        };
        let mut lines: Vec<String> = head
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l).to_owned())
            .collect();
        // A head given without its empty line may still end in a line end.
        while lines.len() > 1 && lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        Ok(Self {
            lines,
            eol,
            body: body.to_vec(),
        })
    }

    /// Sets a header field to one line with `value`: the first line of the field (and its
    /// continuation lines) is replaced in place, later lines of the field are removed, and a
    /// field not present is appended after the last header line. The name keeps the message's
    /// spelling when present.
    pub fn set_field(&mut self, name: &str, value: &str) {
        let mut out: Vec<String> = Vec::with_capacity(self.lines.len() + 1);
        let mut replaced = false;
        let mut skipping = false;
        for (i, line) in self.lines.iter().enumerate() {
            let is_continuation = i > 0 && line.starts_with([' ', '\t']);
            if is_continuation {
                if !skipping {
                    out.push(line.clone());
                }
                continue;
            }
            skipping = false;
            let field_name = line.split_once(':').map(|(n, _)| n);
            if i > 0 && field_name.is_some_and(|n| n.eq_ignore_ascii_case(name)) {
                skipping = true;
                if !replaced {
                    replaced = true;
                    let spelled = field_name.unwrap_or(name);
                    out.push(format!("{spelled}: {value}"));
                }
                continue;
            }
            out.push(line.clone());
        }
        if !replaced {
            out.push(format!("{name}: {value}"));
        }
        self.lines = out;
    }

    /// The start line (request or status line).
    pub fn start_line(&self) -> &str {
        self.lines.first().map_or("", String::as_str)
    }

    /// The message text: head lines, an empty line, the body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.body.len() + 64 * self.lines.len());
        for line in &self.lines {
            out.extend_from_slice(line.as_bytes());
            out.extend_from_slice(self.eol.as_bytes());
        }
        out.extend_from_slice(self.eol.as_bytes());
        out.extend_from_slice(&self.body);
        out
    }
}

/// Which output stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// Whether to colour a stream: only on a terminal, and never when `NO_COLOR` is set to a
/// non-empty value (<https://no-color.org>).
pub fn colour_enabled(stream: Stream) -> bool {
    let tty = match stream {
        Stream::Stdout => std::io::stdout().is_terminal(),
        Stream::Stderr => std::io::stderr().is_terminal(),
    };
    tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Writes bytes to stdout.
///
/// # Errors
/// [`CliError::Write`].
pub fn write_stdout(bytes: &[u8]) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Write(e.kind()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_field_replaces_in_place_and_keeps_body() {
        let text = b"POST /x HTTP/1.1\r\nHost: a\r\nsignature-input: x=();created=1\r\n  ;keyid=\"k\"\r\nB: c\r\nSignature-Input: y=()\r\n\r\nbody\n";
        let mut m = RawMessage::split(text).unwrap();
        m.set_field("Signature-Input", "x=(), y=(), z=()");
        assert_eq!(
            m.to_bytes(),
            b"POST /x HTTP/1.1\r\nHost: a\r\nsignature-input: x=(), y=(), z=()\r\nB: c\r\n\r\nbody\n"
        );
    }

    #[test]
    fn set_field_appends_with_lf() {
        let mut m = RawMessage::split(b"GET / HTTP/1.1\nHost: a\n\n").unwrap();
        m.set_field("Content-Digest", "sha-256=:AA==:");
        assert_eq!(
            m.to_bytes(),
            b"GET / HTTP/1.1\nHost: a\nContent-Digest: sha-256=:AA==:\n\n"
        );
        // A head with no empty line after it still gets one.
        for text in [&b"HTTP/1.1 200 OK\nA: b"[..], b"HTTP/1.1 200 OK\nA: b\n"] {
            let mut m = RawMessage::split(text).unwrap();
            m.set_field("X", "1");
            assert_eq!(m.to_bytes(), b"HTTP/1.1 200 OK\nA: b\nX: 1\n\n");
        }
    }

    #[test]
    fn split_matches_the_parser() {
        for text in [
            &b"GET / HTTP/1.1\nHost: a\n\n\nx"[..],
            b"GET / HTTP/1.1\r\nHost: a\r\n\r\n\r\nx",
            b"GET / HTTP/1.1\nHost: a",
        ] {
            let raw = RawMessage::split(text).unwrap();
            let parsed = parse_message(text, "https").unwrap();
            assert_eq!(raw.body, parsed.body());
        }
    }
}
