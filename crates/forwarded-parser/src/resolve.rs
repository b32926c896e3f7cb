//! `resolve`: connection facts + request head + configuration → effective request.

use core::net::IpAddr;
use core::num::NonZeroU8;
use std::borrow::Cow;

use crate::config::{Config, SchemeAlias, Source, XfOptions};
use crate::effective::{EffectiveRequest, Scheme, host_error};
use crate::error::{
    ForwardedError, HeaderName, LimitKind, Param, SourceKind, ValueSource, Warning,
};
use crate::forwarded::{Element, Limits, parse_forwarded};
use crate::request::{ConnectionFacts, FieldLines, RequestHead, split_target};
use crate::scan::Hop;
use crate::syntax::{
    is_token, parse_ipv4, parse_ipv4_prefix, parse_ipv6, parse_port, trim_ows, validate_prefix,
};
use crate::trust::Trust;
use httpsig_uri::{Authority, NormalizedAuthority};

/// The result of [`resolve`]: the effective request and the non-fatal findings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved<'a> {
    /// The client-facing request.
    pub request: EffectiveRequest<'a>,
    /// Warnings (e.g. headers ignored from an untrusted peer, garbage in an untrusted part).
    pub warnings: Vec<Warning>,
}

/// The origin one source yields.
struct Parts<'a> {
    method: &'a str,
    scheme: Scheme,
    /// The normalized authority (the scheme's default port dropped).
    authority: NormalizedAuthority<'a>,
    prefix: &'a str,
    path: &'a str,
    query: Option<&'a str>,
    client: Option<IpAddr>,
    kind: SourceKind,
}

/// Reconstructs the client-facing request under `config`.
///
/// Exactly one origin source is active; with [`Config::cross_check`] a second one is evaluated
/// and must agree. Trust comes only from `conn.peer()`.
///
/// # Errors
/// Any [`ForwardedError`]: a syntax error in the trusted part of a header, an invalid value,
/// a multi-valued header the configuration does not resolve, conflicting headers or sources,
/// a missing host/authority, a host outside the allow-list, too few hops, or an exceeded cap.
pub fn resolve<'a>(
    config: &'a Config,
    conn: &ConnectionFacts,
    head: &RequestHead<'a>,
) -> Result<Resolved<'a>, ForwardedError> {
    let mut warnings = Vec::new();
    let parts = resolve_source(&config.source, config.limits, conn, head, &mut warnings)?;
    let request = finish(parts)?;
    if let Some(other) = &config.cross_check {
        let mut ignored = Vec::new();
        let second = finish(resolve_source(
            other,
            config.limits,
            conn,
            head,
            &mut ignored,
        )?)?;
        if second.scheme != request.scheme
            || second.authority != request.authority
            || second.path != request.path
        {
            return Err(ForwardedError::ConflictingSources {
                first: config.source.kind(),
                second: other.kind(),
            });
        }
    }
    if !config.host_allowed(request.host()) {
        return Err(ForwardedError::HostNotAllowed);
    }
    Ok(Resolved { request, warnings })
}

fn finish(p: Parts<'_>) -> Result<EffectiveRequest<'_>, ForwardedError> {
    // An authority-form or asterisk-form request has no path (RFC 9112 §3.3) to prefix.
    let path = if p.prefix.is_empty() || p.path.is_empty() {
        Cow::Borrowed(p.path)
    } else {
        let mut s = String::with_capacity(p.prefix.len() + p.path.len());
        s.push_str(p.prefix);
        s.push_str(p.path);
        Cow::Owned(s)
    };
    Ok(EffectiveRequest {
        method: p.method,
        scheme: p.scheme,
        authority: p.authority,
        path,
        query: p.query,
        client: p.client,
        source: p.kind,
    })
}

fn resolve_source<'a>(
    source: &'a Source,
    limits: Limits,
    conn: &ConnectionFacts,
    head: &RequestHead<'a>,
    warnings: &mut Vec<Warning>,
) -> Result<Parts<'a>, ForwardedError> {
    match source {
        Source::Connection => connection(conn, head),
        Source::Fixed { origin, prefix } => Ok(Parts {
            method: head.method(),
            scheme: origin.scheme,
            // Typed values parsed once by `Origin::parse`: no re-parse with a silent fallback.
            authority: origin.authority.borrowed(),
            prefix,
            path: head.path(),
            query: head.query(),
            client: Some(conn.peer()),
            kind: SourceKind::Fixed,
        }),
        Source::Forwarded {
            trust,
            require_host,
        } => forwarded(trust, *require_host, limits, conn, head, warnings),
        Source::XForwarded { trust, options } => {
            x_forwarded(trust, options, limits, conn, head, warnings)
        }
        Source::ForwardAuth { trust } => forward_auth(trust, limits, conn, head, warnings),
    }
}

/// RFC 9112 §3.3: the scheme from the connection (an absolute-form target must name the same
/// one, RFC 9110 §7.4), the authority from an absolute-form or authority-form target, else Host.
fn connection<'a>(
    conn: &ConnectionFacts,
    head: &RequestHead<'a>,
) -> Result<Parts<'a>, ForwardedError> {
    // RFC 9112 §3.3: an absolute-form target is the target URI, scheme included, and must
    // name the connection's own scheme (RFC 9110 §7.4: an `https` target over a plain
    // connection MUST be rejected; an `http` one over TLS is refused as well, so nothing made
    // for a plain endpoint verifies at the secured one).
    let scheme = if conn.tls() {
        Scheme::Https
    } else {
        Scheme::Http
    };
    if head.target_scheme().is_some_and(|s| s != scheme) {
        return Err(ForwardedError::SchemeMismatch);
    }
    let authority = host_authority(head)?.normalized(scheme);
    Ok(Parts {
        method: head.method(),
        scheme,
        authority,
        prefix: "",
        path: head.path(),
        query: head.query(),
        client: Some(conn.peer()),
        kind: SourceKind::Connection,
    })
}

/// The request's own authority (RFC 9112 §3.3): the target's (absolute-form, §3.2.2, and
/// authority-form), else the `Host` field, both validated when the head was made.
fn host_authority<'a>(head: &RequestHead<'a>) -> Result<Authority<'a>, ForwardedError> {
    head.own_authority().ok_or(ForwardedError::MissingAuthority)
}

fn fallback<'a>(
    conn: &ConnectionFacts,
    head: &RequestHead<'a>,
    present: bool,
    warnings: &mut Vec<Warning>,
) -> Result<Parts<'a>, ForwardedError> {
    if present {
        warnings.push(Warning::UntrustedPeerHeadersIgnored);
    }
    connection(conn, head)
}

/// RFC 7239 with the right-to-left trust walk (reference §4.1).
fn forwarded<'a>(
    trust: &Trust,
    require_host: bool,
    limits: Limits,
    conn: &ConnectionFacts,
    head: &RequestHead<'a>,
    warnings: &mut Vec<Warning>,
) -> Result<Parts<'a>, ForwardedError> {
    if !trust.peer_trusted(conn.peer()) {
        return fallback(conn, head, head.has("forwarded"), warnings);
    }
    let lines = head.lines("forwarded");
    // The one-pass walk decides every header that is valid everywhere; anything else (an
    // error to report, a warning about the untrusted prefix) takes the reference walk.
    let chosen = match crate::scan::walk(trust, limits, &lines) {
        Some(decided) => decided?,
        None => reference_walk(trust, limits, lines, warnings)?,
    };
    let Some(el) = chosen else {
        // A trusted peer that sent no Forwarded element: nothing to apply.
        return connection(conn, head);
    };
    let scheme = match el.proto {
        Some(v) => Scheme::parse(&v.unescaped()).ok_or(ForwardedError::InvalidProto {
            source: ValueSource::ForwardedParam {
                param: Param::Proto,
                line: el.line,
                index: v.index(),
            },
        })?,
        None => {
            if conn.tls() {
                Scheme::Https
            } else {
                Scheme::Http
            }
        }
    };
    let authority = match (el.host, el.host_port) {
        // Split (and so validated) by the one-pass scanner; it only takes unescaped values.
        (Some(_), Some(hp)) => hp.normalized(scheme),
        (Some(v), None) => {
            let source = ValueSource::ForwardedParam {
                param: Param::Host,
                line: el.line,
                index: v.index(),
            };
            match v.unescaped() {
                Cow::Borrowed(b) => Authority::parse(b)
                    .map_err(|e| host_error(e, source))?
                    .normalized(scheme),
                // A quoted value with escapes: validated and normalized, then owned.
                Cow::Owned(b) => Authority::parse(&b)
                    .map_err(|e| host_error(e, source))?
                    .normalized(scheme)
                    .into_owned(),
            }
        }
        (None, _) if require_host => return Err(ForwardedError::MissingHost),
        (None, _) => host_authority(head)?.normalized(scheme),
    };
    Ok(Parts {
        method: head.method(),
        scheme,
        authority,
        prefix: "",
        path: head.path(),
        query: head.query(),
        client: el.client,
        kind: SourceKind::Forwarded,
    })
}

/// The trust walk over the reverse element iterator (reference §4.1): right to left from the
/// socket peer, stopping at the first hop whose `for` is not trusted (CIDR mode) or after
/// `hops` elements (hop mode). Errors in the walked part fail the request; the first error in
/// the untrusted rest is only reported.
pub(crate) fn reference_walk<'a>(
    trust: &Trust,
    limits: Limits,
    lines: FieldLines<'a>,
    warnings: &mut Vec<Warning>,
) -> Result<Option<Hop<'a>>, ForwardedError> {
    if lines.clone().take(limits.max_elements() + 1).count() > limits.max_elements() {
        return Err(ForwardedError::TooLarge {
            header: HeaderName::Forwarded,
            limit: LimitKind::Elements,
        });
    }
    let fwd = parse_forwarded(lines, limits)?;
    let mut iter = fwd.iter_rev();
    let mut chosen: Option<Element<'a>> = None;
    if let Some(hops) = trust.hop_count() {
        let needed = usize::from(hops.get());
        let mut found = 0usize;
        while found < needed {
            match iter.next() {
                Some(el) => {
                    chosen = Some(el?);
                    found += 1;
                }
                None => {
                    return Err(ForwardedError::InsufficientHops {
                        needed: hops.get(),
                        found,
                    });
                }
            }
        }
    } else {
        for el in iter.by_ref() {
            let el = el?;
            chosen = Some(el);
            match el.for_node().and_then(|n| n.ip()) {
                Some(ip) if trust.is_trusted(ip) => {}
                _ => break,
            }
        }
    }
    // The rest is client-controlled: report garbage, never trust it.
    for el in iter {
        if let Err(error) = el {
            warnings.push(Warning::UntrustedPrefixInvalid {
                header: HeaderName::Forwarded,
                error,
            });
            break;
        }
    }
    Ok(chosen.map(|el| Hop {
        line: el.line(),
        client: el.for_node().and_then(|n| n.ip()),
        host: el.host(),
        host_port: None,
        proto: el.proto(),
    }))
}

/// One `X-Forwarded-*` value: comma-separated members over all field lines, empty ones
/// ignored. Several members are an error unless `from_right` names which one to take.
fn xf_value<'a>(
    head: &RequestHead<'a>,
    header: HeaderName,
    from_right: Option<NonZeroU8>,
    limits: Limits,
) -> Result<Option<&'a [u8]>, ForwardedError> {
    let lines = head.lines(header.as_str());
    let mut bytes = 0usize;
    let mut nlines = 0usize;
    let mut single = None;
    for l in lines.clone() {
        bytes = bytes.saturating_add(l.len());
        nlines += 1;
        single = (nlines == 1).then_some(l);
        if bytes > limits.max_bytes() || nlines > limits.max_elements() {
            return Err(ForwardedError::TooLarge {
                header,
                limit: if nlines > limits.max_elements() {
                    LimitKind::Elements
                } else {
                    LimitKind::Bytes
                },
            });
        }
    }
    let mut members = XfMembers {
        header,
        from_right,
        want: from_right.map_or(1, |n| usize::from(n.get())),
        limits,
        found: 0,
        chosen: None,
        members: 0,
    };
    // The usual single field line needs no second walk over the header list.
    match single {
        Some(line) => members.line(line)?,
        None => {
            for line in lines.rev() {
                members.line(line)?;
            }
        }
    }
    if members.found == 0 {
        return Ok(None);
    }
    // Each consumer validates the value (host, port, scheme, prefix grammar).
    match members.chosen {
        Some(v) => Ok(Some(v)),
        None => Err(ForwardedError::InsufficientHops {
            needed: u8::try_from(members.want).unwrap_or(u8::MAX),
            found: members.found,
        }),
    }
}

/// The members of one `X-Forwarded-*` header, fed line by line from the last line.
struct XfMembers<'a> {
    header: HeaderName,
    from_right: Option<NonZeroU8>,
    want: usize,
    limits: Limits,
    found: usize,
    chosen: Option<&'a [u8]>,
    members: usize,
}

impl<'a> XfMembers<'a> {
    fn line(&mut self, line: &'a [u8]) -> Result<(), ForwardedError> {
        for m in line.rsplit(|&b| b == b',') {
            self.members += 1;
            if self.members > self.limits.max_elements() {
                return Err(ForwardedError::TooLarge {
                    header: self.header,
                    limit: LimitKind::Elements,
                });
            }
            let m = trim_ows(m);
            if m.is_empty() {
                continue;
            }
            self.found += 1;
            if self.found == self.want {
                self.chosen = Some(m);
            }
            if self.found > 1 && self.from_right.is_none() {
                return Err(ForwardedError::MultipleValues {
                    header: self.header,
                });
            }
        }
        Ok(())
    }
}

fn scheme_header(
    head: &RequestHead<'_>,
    header: HeaderName,
    from_right: Option<NonZeroU8>,
    limits: Limits,
) -> Result<Option<Scheme>, ForwardedError> {
    let Some(v) = xf_value(head, header, from_right, limits)? else {
        return Ok(None);
    };
    let source = ValueSource::Header(header);
    let scheme = match header {
        HeaderName::XForwardedSsl | HeaderName::FrontEndHttps => {
            if v.eq_ignore_ascii_case(b"on") {
                Some(Scheme::Https)
            } else if v.eq_ignore_ascii_case(b"off") {
                Some(Scheme::Http)
            } else {
                None
            }
        }
        _ => Scheme::parse(v),
    };
    scheme
        .map(Some)
        .ok_or(ForwardedError::InvalidProto { source })
}

const XF_HEADERS: [HeaderName; 9] = [
    HeaderName::XForwardedProto,
    HeaderName::XForwardedHost,
    HeaderName::XForwardedPort,
    HeaderName::XForwardedPrefix,
    HeaderName::XForwardedFor,
    HeaderName::XForwardedSsl,
    HeaderName::FrontEndHttps,
    HeaderName::XUrlScheme,
    HeaderName::XForwardedScheme,
];

/// `X-Forwarded-*` from a trusted peer; the enabled headers must agree with each other.
fn x_forwarded<'a>(
    trust: &Trust,
    opts: &XfOptions,
    limits: Limits,
    conn: &ConnectionFacts,
    head: &RequestHead<'a>,
    warnings: &mut Vec<Warning>,
) -> Result<Parts<'a>, ForwardedError> {
    if !trust.peer_trusted(conn.peer()) {
        let present = XF_HEADERS.iter().any(|h| head.has(h.as_str()));
        return fallback(conn, head, present, warnings);
    }
    let fr = opts.from_right;
    // Scheme: X-Forwarded-Proto first, then the enabled aliases; all present ones must agree.
    let mut scheme: Option<(Scheme, HeaderName)> = None;
    let aliases = opts.aliases.iter().map(|a| match a {
        SchemeAlias::XForwardedScheme => HeaderName::XForwardedScheme,
        SchemeAlias::XUrlScheme => HeaderName::XUrlScheme,
        SchemeAlias::XForwardedSsl => HeaderName::XForwardedSsl,
        SchemeAlias::FrontEndHttps => HeaderName::FrontEndHttps,
    });
    for header in core::iter::once(HeaderName::XForwardedProto).chain(aliases) {
        if let Some(s) = scheme_header(head, header, fr, limits)? {
            match scheme {
                None => scheme = Some((s, header)),
                Some((first, first_header)) if first != s => {
                    return Err(ForwardedError::ConflictingScheme {
                        first: first_header,
                        second: header,
                    });
                }
                Some(_) => {}
            }
        }
    }
    let scheme = match scheme {
        Some((s, _)) => s,
        None if conn.tls() => Scheme::Https,
        None => Scheme::Http,
    };
    let xfh = if opts.host {
        xf_value(head, HeaderName::XForwardedHost, fr, limits)?
    } else {
        None
    };
    let host = match xfh {
        Some(v) => Authority::parse(v)
            .map_err(|e| host_error(e, ValueSource::Header(HeaderName::XForwardedHost)))?,
        None => host_authority(head)?,
    };
    let host_port = host.port();
    let xfport = if opts.port {
        match xf_value(head, HeaderName::XForwardedPort, fr, limits)? {
            Some(v) => Some(parse_port(v, false).ok_or(ForwardedError::InvalidPort {
                source: ValueSource::Header(HeaderName::XForwardedPort),
            })?),
            None => None,
        }
    } else {
        None
    };
    let port = match (host_port, xfport) {
        (Some(a), Some(b)) if a != b => return Err(ForwardedError::ConflictingPort),
        (a, b) => b.or(a),
    };
    let prefix = if opts.prefix {
        match xf_value(head, HeaderName::XForwardedPrefix, fr, limits)? {
            Some(v) => core::str::from_utf8(v)
                .ok()
                .and_then(validate_prefix)
                .ok_or(ForwardedError::InvalidPrefix {
                    source: ValueSource::Header(HeaderName::XForwardedPrefix),
                })?,
            None => "",
        }
    } else {
        ""
    };
    let client = xff_client(trust, limits, head, warnings)?;
    Ok(Parts {
        method: head.method(),
        scheme,
        authority: host.with_port(port).normalized(scheme),
        prefix,
        path: head.path(),
        query: head.query(),
        client,
        kind: SourceKind::XForwarded,
    })
}

/// An `X-Forwarded-For` entry: IPv4, IPv6 (bare or bracketed), optionally with a port.
fn xff_entry(e: &[u8]) -> Option<IpAddr> {
    if let Some(ip) = parse_ipv4(e) {
        return Some(IpAddr::V4(ip));
    }
    if let Some(ip) = parse_ipv6(e) {
        return Some(crate::syntax::normalize_ip(IpAddr::V6(ip)));
    }
    if e.first() == Some(&b'[') {
        let close = e.iter().position(|&b| b == b']')?;
        let ip = parse_ipv6(e.get(1..close)?)?;
        let rest = e.get(close + 1..)?;
        if !rest.is_empty() {
            parse_port(rest.strip_prefix(b":")?, true)?;
        }
        return Some(crate::syntax::normalize_ip(IpAddr::V6(ip)));
    }
    let (ip, port) = e.split_at(e.iter().position(|&b| b == b':')?);
    parse_port(port.get(1..)?, true)?;
    parse_ipv4(ip).map(IpAddr::V4)
}

/// The client address from `X-Forwarded-For`: walk from the right past trusted proxies
/// (CIDR mode) or take the `n`-th entry from the right (hop mode).
fn xff_client(
    trust: &Trust,
    limits: Limits,
    head: &RequestHead<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Option<IpAddr>, ForwardedError> {
    let lines: FieldLines<'_> = head.lines(HeaderName::XForwardedFor.as_str());
    // The usual shape, one field line of IPv4 addresses in CIDR mode, is decided in one
    // forward pass; anything else (and every error or warning) takes the reference walk.
    if trust.hop_count().is_none() {
        let mut rest = lines.clone();
        if let Some(line) = rest.next_back()
            && rest.next_back().is_none()
            && line.len() <= limits.max_bytes()
            && let Some(decided) = xff_ipv4_line(trust, limits, line)
        {
            return decided;
        }
    }
    xff_client_reference(trust, limits, lines, warnings)
}

/// One `X-Forwarded-For` line within the byte cap, in CIDR mode, if every member is
/// `OWS IPv4address OWS`: the rightmost untrusted address (`None` if all are trusted), as
/// the reference walk finds it; `None` ("not decided here") as soon as a member has any
/// other shape. With every member valid the reference walk has nothing to warn about and
/// can only fail on the member cap, which does not depend on where it is reached.
fn xff_ipv4_line(
    trust: &Trust,
    limits: Limits,
    line: &[u8],
) -> Option<Result<Option<IpAddr>, ForwardedError>> {
    let mut rest = line;
    let mut members = 0usize;
    let mut client = None;
    loop {
        members += 1;
        rest = skip_ows(rest);
        let (v4, len) = parse_ipv4_prefix(rest)?;
        rest = skip_ows(rest.get(len..)?);
        let ip = IpAddr::V4(v4);
        if !trust.is_trusted(ip) {
            client = Some(ip);
        }
        match rest.split_first() {
            None => break,
            Some((b',', after)) => rest = after,
            Some(_) => return None,
        }
    }
    if members > limits.max_elements() {
        return Some(Err(ForwardedError::TooLarge {
            header: HeaderName::XForwardedFor,
            limit: LimitKind::Elements,
        }));
    }
    Some(Ok(client))
}

/// `rest` without its leading OWS.
fn skip_ows(mut rest: &[u8]) -> &[u8] {
    while let Some((b' ' | b'\t', after)) = rest.split_first() {
        rest = after;
    }
    rest
}

/// [`xff_client`] over any lines: member by member from the right; an invalid member in the
/// walked part fails, the first one left of the client is only reported.
pub(crate) fn xff_client_reference(
    trust: &Trust,
    limits: Limits,
    lines: FieldLines<'_>,
    warnings: &mut Vec<Warning>,
) -> Result<Option<IpAddr>, ForwardedError> {
    let header = HeaderName::XForwardedFor;
    let mut members = 0usize;
    let mut bytes = 0usize;
    let mut client = None;
    let mut seen = 0usize;
    for line in lines.rev() {
        bytes = bytes.saturating_add(line.len());
        if bytes > limits.max_bytes() {
            return Err(ForwardedError::TooLarge {
                header,
                limit: LimitKind::Bytes,
            });
        }
        for m in line.rsplit(|&b| b == b',') {
            members += 1;
            if members > limits.max_elements() {
                return Err(ForwardedError::TooLarge {
                    header,
                    limit: LimitKind::Elements,
                });
            }
            let m = trim_ows(m);
            if m.is_empty() {
                continue;
            }
            let parsed = xff_entry(m);
            if client.is_some() {
                // Left of the client: untrusted; only report.
                if parsed.is_none() {
                    warnings.push(Warning::UntrustedPrefixInvalid {
                        header,
                        error: ForwardedError::InvalidNode {
                            source: ValueSource::Header(header),
                        },
                    });
                    return Ok(client);
                }
                continue;
            }
            let ip = parsed.ok_or(ForwardedError::InvalidNode {
                source: ValueSource::Header(header),
            })?;
            seen += 1;
            let done = match trust.hop_count() {
                Some(h) => seen >= usize::from(h.get()),
                None => !trust.is_trusted(ip),
            };
            if done {
                client = Some(ip);
            }
        }
    }
    Ok(client)
}

/// Forward-auth subrequest: everything from `X-Forwarded-Method` / `-Proto` / `-Host` / `-Uri`.
fn forward_auth<'a>(
    trust: &Trust,
    limits: Limits,
    conn: &ConnectionFacts,
    head: &RequestHead<'a>,
    warnings: &mut Vec<Warning>,
) -> Result<Parts<'a>, ForwardedError> {
    const NAMES: [HeaderName; 4] = [
        HeaderName::XForwardedMethod,
        HeaderName::XForwardedProto,
        HeaderName::XForwardedHost,
        HeaderName::XForwardedUri,
    ];
    if !trust.peer_trusted(conn.peer()) {
        let present = NAMES.iter().any(|h| head.has(h.as_str()));
        return fallback(conn, head, present, warnings);
    }
    let required = |header: HeaderName| -> Result<&'a [u8], ForwardedError> {
        xf_value(head, header, None, limits)?.ok_or(ForwardedError::MissingHeader { header })
    };
    let method = core::str::from_utf8(required(HeaderName::XForwardedMethod)?)
        .ok()
        .filter(|m| is_token(m.as_bytes()))
        .ok_or(ForwardedError::InvalidMethod {
            source: ValueSource::Header(HeaderName::XForwardedMethod),
        })?;
    let scheme = Scheme::parse(required(HeaderName::XForwardedProto)?).ok_or(
        ForwardedError::InvalidProto {
            source: ValueSource::Header(HeaderName::XForwardedProto),
        },
    )?;
    let host = xf_value(head, HeaderName::XForwardedHost, None, limits)?
        .ok_or(ForwardedError::MissingHost)?;
    let hp = Authority::parse(host)
        .map_err(|e| host_error(e, ValueSource::Header(HeaderName::XForwardedHost)))?;
    let uri_source = ValueSource::Header(HeaderName::XForwardedUri);
    // A URI may contain commas, so it is one whole field line, not a list.
    let mut uri_lines = head.lines(HeaderName::XForwardedUri.as_str());
    let uri_line = uri_lines.next().ok_or(ForwardedError::MissingHeader {
        header: HeaderName::XForwardedUri,
    })?;
    if uri_lines.next().is_some() {
        return Err(ForwardedError::MultipleValues {
            header: HeaderName::XForwardedUri,
        });
    }
    let uri = core::str::from_utf8(trim_ows(uri_line))
        .map_err(|_| ForwardedError::InvalidTarget { source: uri_source })?;
    if !uri.starts_with('/') {
        return Err(ForwardedError::InvalidTarget { source: uri_source });
    }
    let uri = split_target(uri, uri_source)?;
    let (path, query) = (uri.path, uri.query);
    Ok(Parts {
        method,
        scheme,
        authority: hp.normalized(scheme),
        prefix: "",
        path,
        query,
        client: xff_client(trust, limits, head, warnings)?,
        kind: SourceKind::ForwardAuth,
    })
}

#[cfg(test)]
mod tests {
    //! The one-line `X-Forwarded-For` fast path against the reference walk: same result,
    //! same error, same warnings, on the vector values and seeds below with every prefix,
    //! one-byte deletion and one-byte substitution, alone and after another line, under
    //! CIDR and hop trust and default and tiny caps.

    use std::path::PathBuf;

    use super::{xff_client, xff_client_reference, xff_ipv4_line};
    use crate::forwarded::Limits;
    use crate::request::RequestHead;
    use crate::trust::{Cidr, Trust};

    fn seeds() -> Vec<Vec<u8>> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../conformance/testdata/forwarded/x-forwarded.json");
        let text = std::fs::read_to_string(path).expect("vector file");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        let mut out: Vec<Vec<u8>> = Vec::new();
        for case in v["cases"].as_array().expect("cases") {
            for h in case
                .get("headers")
                .and_then(|h| h.as_array())
                .into_iter()
                .flatten()
            {
                if h[0]
                    .as_str()
                    .is_some_and(|n| n.eq_ignore_ascii_case("x-forwarded-for"))
                {
                    out.push(h[1].as_str().expect("value").as_bytes().to_vec());
                }
            }
        }
        assert!(!out.is_empty(), "no X-Forwarded-For values in the vectors");
        // Shapes the vectors lack: OWS around members, empty members, ports, IPv6.
        for s in [
            "203.0.113.7, 10.0.0.1, 10.0.0.2",
            " 10.0.0.1 ,\t10.0.0.2 ",
            "1.2.3.4,,5.6.7.8,",
            "[2001:db8::1]:80, 10.0.0.1:8080, ::ffff:10.0.0.9",
        ] {
            out.push(s.as_bytes().to_vec());
        }
        out
    }

    fn trusts() -> Vec<Trust> {
        let cidr = |s: &str| s.parse::<Cidr>().expect("cidr");
        vec![
            Trust::cidrs([cidr("10.0.0.0/8")]),
            Trust::cidrs([cidr("198.51.100.0/24"), cidr("1.2.3.4/32")]),
            Trust::cidrs([cidr("2001:db8::/32"), cidr("10.0.0.0/8")]),
            Trust::cidrs([]),
            Trust::hops(1.try_into().expect("non-zero")),
            Trust::hops(2.try_into().expect("non-zero")),
        ]
    }

    /// Returns whether the fast path decided (the reference walk is compared either way).
    fn same(lines: &[&[u8]], trust: &Trust, limits: Limits) -> bool {
        let headers: Vec<(&str, &[u8])> = lines.iter().map(|l| ("x-forwarded-for", *l)).collect();
        let head = RequestHead::new("GET", "/", &headers).expect("head");
        let mut fast_warnings = Vec::new();
        let fast = xff_client(trust, limits, &head, &mut fast_warnings);
        let mut warnings = Vec::new();
        let reference =
            xff_client_reference(trust, limits, head.lines("x-forwarded-for"), &mut warnings);
        assert_eq!(fast, reference, "{headers:?} {trust:?} {limits:?}");
        assert_eq!(fast_warnings, warnings, "{headers:?} {trust:?} {limits:?}");
        match lines {
            [line] if trust.hop_count().is_none() && line.len() <= limits.max_bytes() => {
                xff_ipv4_line(trust, limits, line).is_some()
            }
            _ => false,
        }
    }

    #[test]
    fn one_line_fast_path_agrees_with_the_reference_walk() {
        let trusts = trusts();
        let limits = [Limits::default(), Limits::new(20, 2, 2)];
        let mut decided = 0usize;
        let mut checked = 0usize;
        let mut check = |lines: &[&[u8]]| {
            for trust in &trusts {
                for &l in &limits {
                    decided += usize::from(same(lines, trust, l));
                    checked += 1;
                }
            }
        };
        for seed in seeds() {
            let mut variants = vec![seed.clone()];
            for cut in 0..seed.len() {
                variants.push(seed.get(..cut).expect("in range").to_vec());
                let mut deleted = seed.clone();
                deleted.remove(cut);
                variants.push(deleted);
                for &b in b", \t09.:[]a\x80" {
                    let mut changed = seed.clone();
                    changed[cut] = b;
                    variants.push(changed);
                }
            }
            for v in &variants {
                check(&[v]);
                check(&[b"10.0.0.1", v]);
                check(&[v, b"garbage"]);
            }
        }
        // Both outcomes must be exercised, or the property says nothing.
        assert!(
            decided > 1_000 && checked - decided > 10_000,
            "decided {decided} of {checked}"
        );
    }
}
