//! `httpsig target-uri`: the client-facing `@target-uri` (RFC 9421 §2.2.2) and DPoP `htu`
//! (RFC 9449 §4.3) of a request received behind proxies, rebuilt by
//! [`forwarded_parser::resolve`] under an explicit trust policy.

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU8;

use forwarded_parser::{
    Cidr, Config, ConnectionFacts, ForwardedError, HttpVersion, Origin, RequestHead, RequestLine,
    Resolved, Trust, XfOptions, resolve,
};
use serde_json::json;

use super::args::{ResolveArgs, Source, TargetUriArgs};
use super::error::{CliError, InputKind, Missing, OptionProblem};
use super::io::{read_input, write_stdout};
use crate::http1::{MessageText, TextError};

/// The parts of a received request that [`RequestHead`] borrows: method, request-target as
/// received, version, and the field lines in order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestParts {
    /// The method.
    pub method: String,
    /// The request-target exactly as on the request line.
    pub target: String,
    /// The request line's version; `None` for a request made up from a method and a target
    /// (`dpop verify --htu`), which has no `Host` rule to apply.
    pub version: Option<HttpVersion>,
    /// The field lines as `(name, value)`, values without surrounding whitespace. An obsolete
    /// line folding stays in the value as `CRLF` and the continuation line, as
    /// [`parse_message`](crate::http1::parse_message) keeps it: a folded `Host` or `Forwarded`
    /// is then refused by forwarded-parser (RFC 9112 §5.2 lets a server reject it), the same
    /// for every subcommand.
    pub fields: Vec<(String, String)>,
}

impl RequestParts {
    /// Splits request text (`METHOD TARGET HTTP/1.1`, field lines, blank line, body) with
    /// [`MessageText::split`] and [`RequestLine::parse`], the splitters `parse_message` uses.
    ///
    /// # Errors
    /// [`CliError::Message`] for malformed text or a malformed request line, and
    /// [`CliError::Missing`] ([`Missing::RequestMessage`]) for a response.
    pub fn parse(text: &[u8]) -> Result<Self, CliError> {
        let bad = |error| CliError::Message {
            input: InputKind::Message,
            error,
        };
        let parts = MessageText::split(text).map_err(bad)?;
        if parts.is_response() {
            return Err(CliError::Missing(Missing::RequestMessage));
        }
        let line = RequestLine::parse(parts.start_line).map_err(|e| bad(TextError::Request(e)))?;
        Ok(Self {
            method: line.method().to_owned(),
            target: line.target().to_owned(),
            version: Some(line.version()),
            fields: parts
                .fields
                .iter()
                .map(|(n, v)| ((*n).to_owned(), v.trim_end_matches([' ', '\t']).to_owned()))
                .collect(),
        })
    }

    /// Rebuilds the client-facing request under `config`.
    ///
    /// # Errors
    /// forwarded-parser's error when the head is malformed or the policy refuses it.
    pub fn resolve(
        &self,
        config: &Config,
        conn: &ConnectionFacts,
    ) -> Result<ResolvedView, ForwardedError> {
        let headers: Vec<(&str, &[u8])> = self
            .fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        let head = match self.version {
            Some(v) => RequestHead::from_request_line(
                RequestLine::new(&self.method, &self.target, v),
                &headers,
            )?,
            None => RequestHead::new(&self.method, &self.target, &headers)?,
        };
        // The connection is the one `--tls`/`--scheme` describe, as a server's would be: an
        // absolute-form target naming another scheme is refused (RFC 9110 §7.4).
        let r = resolve(config, conn, &head)?;
        Ok(ResolvedView::from(&r))
    }
}

/// What the tool reports about a resolved request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResolvedView {
    /// `@target-uri`.
    pub target_uri: String,
    /// The DPoP `htu` comparison form.
    pub htu: String,
    /// `@authority`.
    pub authority: String,
    /// `@scheme`.
    pub scheme: String,
    /// Warning codes, in order.
    pub warnings: Vec<&'static str>,
    /// The matcher for DPoP `htu` claims (the production `HtuCheck`).
    pub matcher: forwarded_parser::HtuMatcher,
}

impl From<&Resolved<'_>> for ResolvedView {
    fn from(r: &Resolved<'_>) -> Self {
        let req = &r.request;
        Self {
            target_uri: req.target_uri(),
            htu: req.htu(),
            authority: req.authority().to_owned(),
            scheme: req.scheme().as_str().to_owned(),
            warnings: r.warnings.iter().map(|w| w.code()).collect(),
            matcher: req.htu_matcher(),
        }
    }
}

fn option(option: &'static str, problem: OptionProblem) -> CliError {
    CliError::Option { option, problem }
}

/// The trust policy and connection facts the options describe.
///
/// # Errors
/// [`CliError::Option`] for a malformed network, origin or host; [`CliError::Missing`] when a
/// header source lacks `--peer` or a trust policy, or `fixed` lacks `--origin`.
pub fn policy(args: &ResolveArgs) -> Result<(Config, ConnectionFacts), CliError> {
    let header_source = matches!(args.source, Source::Forwarded | Source::XForwarded);
    let trust = || -> Result<Trust, CliError> {
        if let Some(n) = args.trust_hops {
            let n = NonZeroU8::new(n).ok_or(option("--trust-hops", OptionProblem::Zero))?;
            return Ok(Trust::hops(n));
        }
        if args.trust.is_empty() {
            return Err(CliError::Missing(Missing::Trust));
        }
        let cidrs = args
            .trust
            .iter()
            .map(|s| {
                s.parse::<Cidr>()
                    .map_err(|e| option("--trust", OptionProblem::Cidr(e)))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Trust::cidrs(cidrs))
    };
    let mut config = match args.source {
        Source::Connection => Config::connection(),
        Source::Fixed => {
            let origin = args
                .origin
                .as_deref()
                .ok_or(CliError::Missing(Missing::Origin))?;
            Config::fixed(
                Origin::parse(origin).map_err(|e| option("--origin", OptionProblem::Policy(e)))?,
            )
        }
        Source::Forwarded => Config::forwarded(trust()?),
        Source::XForwarded => Config::x_forwarded(trust()?, XfOptions::new()),
    };
    if !args.allow_hosts.is_empty() {
        config = config
            .allow_hosts(args.allow_hosts.iter().map(String::as_str))
            .map_err(|e| option("--allow-host", OptionProblem::Policy(e)))?;
    }
    let peer = match args.peer {
        Some(p) => p,
        None if header_source => return Err(CliError::Missing(Missing::Peer)),
        // The peer only matters to header sources (and to the client address, not printed).
        None => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
    };
    Ok((config, ConnectionFacts::new(peer, args.tls)))
}

/// Runs `target-uri`: prints `target-uri`, `htu`, `authority`, `scheme` and any `warning`
/// lines, or with `--json` one object; exit 1 (error code on stderr, or `{"error":{..}}`)
/// when the request cannot be resolved under the policy.
///
/// # Errors
/// Input and option errors ([`CliError`]).
pub fn run(args: &TargetUriArgs) -> Result<u8, CliError> {
    let (config, conn) = policy(&args.resolve)?;
    let text = read_input(args.message.as_deref(), InputKind::Message)?;
    let parts = RequestParts::parse(&text)?;
    match parts.resolve(&config, &conn) {
        Ok(v) => {
            let out = if args.json {
                super::json_line(&json!({
                    "target_uri": v.target_uri,
                    "htu": v.htu,
                    "authority": v.authority,
                    "scheme": v.scheme,
                    "warnings": v.warnings,
                }))
            } else {
                let mut s = format!(
                    "target-uri: {}\nhtu: {}\nauthority: {}\nscheme: {}\n",
                    v.target_uri, v.htu, v.authority, v.scheme
                );
                for w in &v.warnings {
                    s.push_str("warning: ");
                    s.push_str(w);
                    s.push('\n');
                }
                s.into_bytes()
            };
            write_stdout(&out)?;
            Ok(0)
        }
        Err(e) => {
            if args.json {
                write_stdout(&super::json_line(&json!({
                    "error": { "code": e.code(), "message": e.to_string() },
                })))?;
            }
            eprintln!("httpsig: error[{}]: {e}", e.code());
            Ok(1)
        }
    }
}
