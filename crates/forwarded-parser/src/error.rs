//! The crate's error enum and the non-fatal warnings returned beside a result.

use core::fmt;

/// A header field this crate reads; used as typed context in errors and warnings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeaderName {
    /// `Forwarded` (RFC 7239).
    Forwarded,
    /// `Host` (RFC 9110 §7.2).
    Host,
    /// `X-Forwarded-For`.
    XForwardedFor,
    /// `X-Forwarded-Proto`.
    XForwardedProto,
    /// `X-Forwarded-Host`.
    XForwardedHost,
    /// `X-Forwarded-Port`.
    XForwardedPort,
    /// `X-Forwarded-Prefix`.
    XForwardedPrefix,
    /// `X-Forwarded-Ssl` (opt-in alias).
    XForwardedSsl,
    /// `Front-End-Https` (opt-in alias).
    FrontEndHttps,
    /// `X-Url-Scheme` (opt-in alias).
    XUrlScheme,
    /// `X-Forwarded-Scheme` (opt-in alias).
    XForwardedScheme,
    /// `X-Forwarded-Method` (forward-auth).
    XForwardedMethod,
    /// `X-Forwarded-Uri` (forward-auth).
    XForwardedUri,
}

impl HeaderName {
    /// The field name as written on the wire (lower-case).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Forwarded => "forwarded",
            Self::Host => "host",
            Self::XForwardedFor => "x-forwarded-for",
            Self::XForwardedProto => "x-forwarded-proto",
            Self::XForwardedHost => "x-forwarded-host",
            Self::XForwardedPort => "x-forwarded-port",
            Self::XForwardedPrefix => "x-forwarded-prefix",
            Self::XForwardedSsl => "x-forwarded-ssl",
            Self::FrontEndHttps => "front-end-https",
            Self::XUrlScheme => "x-url-scheme",
            Self::XForwardedScheme => "x-forwarded-scheme",
            Self::XForwardedMethod => "x-forwarded-method",
            Self::XForwardedUri => "x-forwarded-uri",
        }
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a value that failed validation came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueSource {
    /// A header field.
    Header(HeaderName),
    /// A parameter of a `Forwarded` element (field line index, element start byte).
    ForwardedParam {
        /// The parameter.
        param: Param,
        /// Index of the field line (0-based, in received order).
        line: usize,
        /// Byte offset of the parameter value within that line.
        index: usize,
    },
    /// The request-target of the request line (or `:path`/`:authority`).
    RequestTarget,
    /// The application's configuration.
    Config,
}

impl fmt::Display for ValueSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Header(h) => write!(f, "header {h}"),
            Self::ForwardedParam { param, line, index } => {
                write!(
                    f,
                    "forwarded parameter {param} (line {line}, index {index})"
                )
            }
            Self::RequestTarget => f.write_str("request-target"),
            Self::Config => f.write_str("configuration"),
        }
    }
}

/// A `Forwarded` parameter name (RFC 7239 §5); extension parameters are grouped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Param {
    /// `by` (RFC 7239 §5.1).
    By,
    /// `for` (RFC 7239 §5.2).
    For,
    /// `host` (RFC 7239 §5.3).
    Host,
    /// `proto` (RFC 7239 §5.4).
    Proto,
    /// Any other (extension) parameter (RFC 7239 §5.5).
    Extension,
}

impl fmt::Display for Param {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::By => "by",
            Self::For => "for",
            Self::Host => "host",
            Self::Proto => "proto",
            Self::Extension => "extension",
        })
    }
}

/// What exactly was wrong at a syntax error position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SyntaxKind {
    /// A quoted-string has no closing `"`.
    UnbalancedQuote,
    /// A byte that is not allowed here (not a `tchar`, `=`, `;`, `,` or list whitespace).
    UnexpectedByte,
    /// A parameter has no name before `=`.
    EmptyName,
    /// A parameter name is not followed by `=`.
    MissingEquals,
    /// A parameter has no value after `=`.
    EmptyValue,
    /// Whitespace where RFC 7239 allows none (around `;` or `=`).
    Whitespace,
    /// A control byte (CR, LF, NUL, DEL, ...) or a byte ≥ 0x80 outside a quoted-string.
    InvalidByte,
}

impl SyntaxKind {
    fn describe(self) -> &'static str {
        match self {
            Self::UnbalancedQuote => "unterminated quoted-string",
            Self::UnexpectedByte => "unexpected byte",
            Self::EmptyName => "empty parameter name",
            Self::MissingEquals => "expected '='",
            Self::EmptyValue => "empty parameter value",
            Self::Whitespace => "whitespace not allowed here",
            Self::InvalidByte => "invalid byte",
        }
    }
}

/// Which attacker-controlled count hit its cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LimitKind {
    /// Total bytes of all field lines of one header.
    Bytes,
    /// Number of list members (elements, including empty ones) of one header.
    Elements,
    /// Number of `;`-separated pairs in one `Forwarded` element.
    Pairs,
}

impl fmt::Display for LimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Bytes => "bytes",
            Self::Elements => "elements",
            Self::Pairs => "pairs per element",
        })
    }
}

/// Which kind of origin source (for [`ForwardedError::ConflictingSources`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SourceKind {
    /// Connection facts (socket TLS + `Host` / absolute-form target).
    Connection,
    /// A fixed, configured external origin.
    Fixed,
    /// RFC 7239 `Forwarded`.
    Forwarded,
    /// `X-Forwarded-*`.
    XForwarded,
    /// Forward-auth subrequest headers (`X-Forwarded-Method` / `-Uri`).
    ForwardAuth,
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Connection => "connection",
            Self::Fixed => "fixed origin",
            Self::Forwarded => "forwarded",
            Self::XForwarded => "x-forwarded",
            Self::ForwardAuth => "forward-auth",
        })
    }
}

/// Everything that can make [`resolve`](crate::resolve) or the parsers fail.
///
/// Map to HTTP: every variant is a client or deployment error; answer 400 (421 is also
/// reasonable for [`HostNotAllowed`](Self::HostNotAllowed) and [`SchemeMismatch`](Self::SchemeMismatch),
/// 505 for [`UnsupportedVersion`](Self::UnsupportedVersion)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ForwardedError {
    /// A field value does not follow its grammar.
    Syntax {
        /// The header.
        header: HeaderName,
        /// Index of the field line (0-based, in received order).
        line: usize,
        /// Byte offset within that field line.
        index: usize,
        /// What was wrong.
        kind: SyntaxKind,
    },
    /// A `Forwarded` element names the same parameter twice (RFC 7239 §4 "MUST NOT").
    DuplicateParameter {
        /// The parameter (extension parameters are reported as [`Param::Extension`]).
        param: Param,
        /// Index of the field line.
        line: usize,
        /// Byte offset of the second occurrence within that line.
        index: usize,
    },
    /// A `for` / `by` value (or an `X-Forwarded-For` entry) is not a `node` (RFC 7239 §6).
    InvalidNode {
        /// Where it came from.
        source: ValueSource,
    },
    /// A host is not `uri-host [":" port]`, has userinfo, a path, non-ASCII bytes, etc.
    InvalidHost {
        /// Where it came from.
        source: ValueSource,
    },
    /// A scheme is not a URI scheme or not one of `http` / `https`.
    InvalidProto {
        /// Where it came from.
        source: ValueSource,
    },
    /// A port is not 1–65535 in decimal.
    InvalidPort {
        /// Where it came from.
        source: ValueSource,
    },
    /// A path prefix does not start with `/` or contains `?`, `#`, dot-segments or bad bytes.
    InvalidPrefix {
        /// Where it came from.
        source: ValueSource,
    },
    /// The request-target (or forward-auth URI) is not in a form its method takes: origin-form
    /// or absolute-form (`http`/`https`), authority-form for CONNECT only (RFC 9112 §3.2.3),
    /// `*` for OPTIONS only (§3.2.4); or it has bytes outside visible ASCII.
    InvalidTarget {
        /// Where it came from.
        source: ValueSource,
    },
    /// The method is not a token.
    InvalidMethod {
        /// Where it came from.
        source: ValueSource,
    },
    /// An HTTP/1 request line is not `method SP request-target SP HTTP-version` with single
    /// spaces and `HTTP-version = "HTTP/" DIGIT "." DIGIT` (RFC 9112 §3, §2.3).
    InvalidRequestLine,
    /// An HTTP/1 request line names a major version other than 1 (RFC 9112 §2.3; a server
    /// answers 505).
    UnsupportedVersion,
    /// An HTTP/1.1 request that is not absolute-form has no `Host` field (RFC 9112 §3.2).
    HostRequired,
    /// A header carries several values and the configuration names none to take (for `Host`:
    /// more than one field line, RFC 9112 §3.2).
    MultipleValues {
        /// The header.
        header: HeaderName,
    },
    /// Two enabled scheme headers disagree.
    ConflictingScheme {
        /// The first header (in configuration order).
        first: HeaderName,
        /// The header that disagrees with it.
        second: HeaderName,
    },
    /// `X-Forwarded-Host`'s port and `X-Forwarded-Port` disagree.
    ConflictingPort,
    /// Two enabled origin sources produced different origins.
    ConflictingSources {
        /// The primary source.
        first: SourceKind,
        /// The cross-check source.
        second: SourceKind,
    },
    /// The trusted source has no host and the configuration requires one.
    MissingHost,
    /// The request has neither a `Host` field nor an absolute-form target.
    MissingAuthority,
    /// A header required by the configured source is absent.
    MissingHeader {
        /// The header.
        header: HeaderName,
    },
    /// The effective host is not in the configured allow-list.
    HostNotAllowed,
    /// An absolute-form request-target names another scheme than the connection's: an
    /// `https` target over a plain connection (RFC 9110 §7.4: it MUST be rejected), or an
    /// `http` target over TLS (refused too, so that a proof or signature made for the plain
    /// endpoint is not accepted by the secured one). Answer 421 (Misdirected Request).
    SchemeMismatch,
    /// A hop-count policy needs more elements or values than the request has.
    InsufficientHops {
        /// Hops the configuration requires.
        needed: u8,
        /// Elements or values present.
        found: usize,
    },
    /// A cap on an attacker-controlled count was exceeded.
    TooLarge {
        /// The header.
        header: HeaderName,
        /// Which cap.
        limit: LimitKind,
    },
}

impl ForwardedError {
    /// A stable, machine-readable code for logs, the command line and vector files.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Syntax { .. } => "forwarded.syntax",
            Self::DuplicateParameter { .. } => "forwarded.duplicate_parameter",
            Self::InvalidNode { .. } => "forwarded.invalid_node",
            Self::InvalidHost { .. } => "forwarded.invalid_host",
            Self::InvalidProto { .. } => "forwarded.invalid_proto",
            Self::InvalidPort { .. } => "forwarded.invalid_port",
            Self::InvalidPrefix { .. } => "forwarded.invalid_prefix",
            Self::InvalidTarget { .. } => "forwarded.invalid_target",
            Self::InvalidMethod { .. } => "forwarded.invalid_method",
            Self::InvalidRequestLine => "forwarded.invalid_request_line",
            Self::UnsupportedVersion => "forwarded.unsupported_version",
            Self::HostRequired => "forwarded.host_required",
            Self::MultipleValues { .. } => "forwarded.multiple_values",
            Self::ConflictingScheme { .. } => "forwarded.conflicting_scheme",
            Self::ConflictingPort => "forwarded.conflicting_port",
            Self::ConflictingSources { .. } => "forwarded.conflicting_sources",
            Self::MissingHost => "forwarded.missing_host",
            Self::MissingAuthority => "forwarded.missing_authority",
            Self::MissingHeader { .. } => "forwarded.missing_header",
            Self::HostNotAllowed => "forwarded.host_not_allowed",
            Self::SchemeMismatch => "forwarded.scheme_mismatch",
            Self::InsufficientHops { .. } => "forwarded.insufficient_hops",
            Self::TooLarge { .. } => "forwarded.too_large",
        }
    }

    /// The byte position `(line, index)` for syntax and duplicate errors.
    pub const fn position(&self) -> Option<(usize, usize)> {
        match self {
            Self::Syntax { line, index, .. } | Self::DuplicateParameter { line, index, .. } => {
                Some((*line, *index))
            }
            _ => None,
        }
    }
}

impl fmt::Display for ForwardedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax {
                header,
                line,
                index,
                kind,
            } => write!(
                f,
                "{header}: {} at line {line} index {index}",
                kind.describe()
            ),
            Self::DuplicateParameter { param, line, index } => write!(
                f,
                "forwarded: duplicate parameter {param} at line {line} index {index}"
            ),
            Self::InvalidNode { source } => write!(f, "invalid node in {source}"),
            Self::InvalidHost { source } => write!(f, "invalid host in {source}"),
            Self::InvalidProto { source } => {
                write!(f, "invalid or unsupported scheme in {source}")
            }
            Self::InvalidPort { source } => write!(f, "invalid port in {source}"),
            Self::InvalidPrefix { source } => write!(f, "invalid path prefix in {source}"),
            Self::InvalidTarget { source } => write!(f, "invalid request target in {source}"),
            Self::InvalidMethod { source } => write!(f, "invalid method in {source}"),
            Self::InvalidRequestLine => f.write_str(
                "request line is not method, request-target and HTTP version separated by single spaces",
            ),
            Self::UnsupportedVersion => f.write_str("request line names an HTTP version other than 1.x"),
            Self::HostRequired => f.write_str("an HTTP/1.1 request must carry a host field"),
            Self::MultipleValues { header } => write!(
                f,
                "{header} has several values and the configuration names none to take"
            ),
            Self::ConflictingScheme { first, second } => {
                write!(f, "scheme headers {first} and {second} disagree")
            }
            Self::ConflictingPort => {
                f.write_str("x-forwarded-host port and x-forwarded-port disagree")
            }
            Self::ConflictingSources { first, second } => {
                write!(f, "origin sources {first} and {second} disagree")
            }
            Self::MissingHost => f.write_str("the trusted forwarded source carries no host"),
            Self::MissingAuthority => {
                f.write_str("request has neither a host field nor an absolute-form target")
            }
            Self::MissingHeader { header } => write!(f, "required header {header} is missing"),
            Self::HostNotAllowed => f.write_str("host is not in the allow-list"),
            Self::SchemeMismatch => f.write_str(
                "the absolute-form target's scheme is not the connection's (http vs https)",
            ),
            Self::InsufficientHops { needed, found } => write!(
                f,
                "trust policy needs {needed} hops but the request carries {found}"
            ),
            Self::TooLarge { header, limit } => write!(f, "{header} exceeds the {limit} limit"),
        }
    }
}

impl std::error::Error for ForwardedError {}

/// A non-fatal finding returned beside a successful result.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// Forwarding headers were present but the socket peer is not trusted; they were ignored.
    UntrustedPeerHeadersIgnored,
    /// The untrusted (left) part of a header does not parse; it was ignored, not trusted.
    UntrustedPrefixInvalid {
        /// The header.
        header: HeaderName,
        /// The error found there.
        error: ForwardedError,
    },
}

impl Warning {
    /// A stable, machine-readable code.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::UntrustedPeerHeadersIgnored => "forwarded.warn.untrusted_peer_headers_ignored",
            Self::UntrustedPrefixInvalid { .. } => "forwarded.warn.untrusted_prefix_invalid",
        }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UntrustedPeerHeadersIgnored => {
                f.write_str("forwarding headers from an untrusted peer were ignored")
            }
            Self::UntrustedPrefixInvalid { header, error } => {
                write!(f, "untrusted part of {header} ignored: {error}")
            }
        }
    }
}
