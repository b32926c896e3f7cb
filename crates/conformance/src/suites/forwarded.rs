//! The RFC 7239 suite: `testdata/forwarded/*.json` (format: the README.md there). Unknown
//! fields are rejected by `deny_unknown_fields`; every declared field is read below, and
//! fields that belong to another config source fail the case.
//!
//! Moved here from forwarded-parser's `tests/vectors.rs` so the bundled vectors have one
//! runner.

use std::collections::HashSet;
use std::num::NonZeroU8;

use forwarded_parser::forwarded::Element;
use forwarded_parser::{
    Cidr, Config, ConnectionFacts, ForwardedError, Limits, Origin, RequestHead, SchemeAlias, Trust,
    XfOptions, parse_forwarded, resolve,
};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::CaseResults;

/// The vector files of this suite and the fewest cases each must keep.
pub const FILES: &[(&str, usize)] = &[
    ("grammar.json", 60),
    ("trust.json", 40),
    ("x-forwarded.json", 40),
    ("htu.json", 25),
    ("request-head.json", 40),
];

/// Runs one forwarded vector file, chosen by its file name (one of [`FILES`]).
///
/// # Errors
/// When the file name is not one of [`FILES`], the file is not JSON of that format, or its
/// `suite` member does not name it.
pub fn run(name: &str, bytes: &[u8]) -> Result<CaseResults, String> {
    let min = FILES
        .iter()
        .find(|(f, _)| *f == name)
        .map(|(_, min)| *min)
        .ok_or_else(|| format!("no forwarded runner for file {name:?}"))?;
    let stem = name.strip_suffix(".json").unwrap_or(name);
    let mut out = match name {
        "grammar.json" => run_cases(&load::<GrammarCase>(bytes, stem)?, |c| &c.id, grammar_case),
        "htu.json" => run_cases(&load::<HtuCase>(bytes, stem)?, |c| &c.id, htu_case),
        "request-head.json" => run_cases(&load::<HeadCase>(bytes, stem)?, |c| &c.id, head_case),
        _ => run_cases(&load::<ResolveCase>(bytes, stem)?, |c| &c.id, resolve_case),
    };
    let n = out.len();
    out.push((
        format!("file: at least {min} cases"),
        if n >= min {
            Ok(())
        } else {
            Err(format!("{n} cases"))
        },
    ));
    Ok(out)
}

/// Suite-level case over every file of the suite (`files` as (file name, bytes)): at least
/// 100 vectors in all.
pub fn coverage(files: &[(&str, &[u8])]) -> CaseResults {
    let total: usize = files
        .iter()
        .filter_map(|(_, b)| serde_json::from_slice::<serde_json::Value>(b).ok())
        .filter_map(|v| v.get("cases")?.as_array().map(Vec::len))
        .sum();
    vec![(
        "suite: at least 100 vectors".into(),
        if total >= 100 {
            Ok(())
        } else {
            Err(format!("{total} vectors"))
        },
    )]
}

fn ensure(cond: bool, what: impl FnOnce() -> String) -> Result<(), String> {
    if cond { Ok(()) } else { Err(what()) }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File<C> {
    suite: String,
    description: String,
    cases: Vec<C>,
}

fn load<C: DeserializeOwned>(bytes: &[u8], stem: &str) -> Result<File<C>, String> {
    let f: File<C> = serde_json::from_slice(bytes)
        .map_err(|e| format!("not a forwarded vector file of that name: {e}"))?;
    if f.suite != format!("forwarded/{stem}") {
        return Err(format!("suite {:?} does not name this file", f.suite));
    }
    if f.description.is_empty() {
        return Err("file lacks a description".into());
    }
    Ok(f)
}

/// Runs every case; a duplicate id or an empty source fails that case.
fn run_cases<C>(
    f: &File<C>,
    id: impl Fn(&C) -> &String,
    run: impl Fn(&C) -> Result<(), String>,
) -> CaseResults {
    let mut ids = HashSet::new();
    f.cases
        .iter()
        .map(|c| {
            let id = id(c).clone();
            let r = if ids.insert(id.clone()) {
                run(c)
            } else {
                Err("duplicate id".into())
            };
            (id, r)
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedError {
    code: String,
    line: Option<usize>,
    index: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsJson {
    bytes: usize,
    elements: usize,
    pairs: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrammarCase {
    id: String,
    source: String,
    lines: Vec<String>,
    elements: Option<Vec<Vec<(String, String)>>>,
    error: Option<ExpectedError>,
    salvaged: Option<Vec<Vec<(String, String)>>>,
    limits: Option<LimitsJson>,
}

fn pairs_of(el: &Element<'_>) -> Vec<(String, String)> {
    el.pairs()
        .map(|(n, v)| {
            (
                String::from_utf8_lossy(n).into_owned(),
                String::from_utf8_lossy(&v.unescaped()).into_owned(),
            )
        })
        .collect()
}

/// Cross-checks the typed accessors against the pair list.
fn check_accessors(el: &Element<'_>) -> Result<(), String> {
    for (name, value) in el.pairs() {
        let lower = name.to_ascii_lowercase();
        let accessor = match lower.as_slice() {
            b"for" => el.for_(),
            b"by" => el.by(),
            b"host" => el.host(),
            b"proto" => el.proto(),
            _ => continue,
        };
        ensure(accessor == Some(value), || {
            format!("accessor for {:?}", String::from_utf8_lossy(&lower))
        })?;
    }
    ensure(el.for_().is_none() || el.for_node().is_some(), || {
        "for node does not parse".into()
    })
}

fn grammar_case(c: &GrammarCase) -> Result<(), String> {
    ensure(!c.source.is_empty(), || "case has no source".into())?;
    let limits = c.limits.as_ref().map_or_else(Limits::default, |l| {
        Limits::new(l.bytes, l.elements, l.pairs)
    });
    let lines: Vec<&[u8]> = c.lines.iter().map(|l| l.as_bytes()).collect();
    let parsed = parse_forwarded(lines.iter().copied(), limits);
    let forward: Result<Vec<Element<'_>>, ForwardedError> = parsed
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|p| p.iter().collect());
    match (&c.elements, &c.error) {
        (Some(expected), None) => {
            let got = forward.map_err(|e| format!("unexpected error {e}"))?;
            let got_pairs: Vec<_> = got.iter().map(pairs_of).collect();
            ensure(&got_pairs == expected, || format!("elements {got_pairs:?}"))?;
            got.iter().try_for_each(check_accessors)?;
            let p = parsed.as_ref().map_err(|e| format!("parse: {e}"))?;
            let mut rev: Vec<Element<'_>> = p
                .iter_rev()
                .collect::<Result<_, _>>()
                .map_err(|e| format!("reverse error {e}"))?;
            rev.reverse();
            ensure(rev == got, || "forward and reverse disagree".into())?;
            ensure(c.salvaged.is_none(), || "salvaged only with error".into())
        }
        (None, Some(err)) => {
            let e = match forward {
                Ok(v) => return Err(format!("expected {}, got {} elements", err.code, v.len())),
                Err(e) => e,
            };
            ensure(e.code() == err.code, || format!("got {}: {e}", e.code()))?;
            match (err.line, err.index) {
                (Some(l), Some(i)) => {
                    ensure(e.position() == Some((l, i)), || format!("position of {e}"))?;
                }
                (None, None) => {}
                _ => return Err("line and index go together".into()),
            }
            if let Some(salvaged) = &c.salvaged {
                let p = parsed.as_ref().map_err(|e| format!("parse: {e}"))?;
                let mut got = Vec::new();
                let mut failed = false;
                for r in p.iter_rev() {
                    match r {
                        Ok(el) => got.push(pairs_of(&el)),
                        Err(_) => failed = true,
                    }
                }
                ensure(failed, || "reverse iterator must fail too".into())?;
                ensure(&got == salvaged, || format!("salvaged {got:?}"))?;
            }
            Ok(())
        }
        _ => Err("exactly one of elements / error".into()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TrustJson {
    cidrs: Option<Vec<String>>,
    hops: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct XfJson {
    host: Option<bool>,
    port: Option<bool>,
    prefix: Option<bool>,
    aliases: Option<Vec<String>>,
    from_right: Option<u8>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigJson {
    source: String,
    origin: Option<String>,
    prefix: Option<String>,
    trust: Option<TrustJson>,
    require_host: Option<bool>,
    xf: Option<XfJson>,
    allowed_hosts: Option<Vec<String>>,
    cross_check: Option<Box<Self>>,
}

fn trust(t: Option<&TrustJson>) -> Result<Trust, String> {
    let t = t.ok_or("header sources need trust")?;
    match (&t.cidrs, t.hops) {
        (Some(c), None) => {
            let cidrs = c
                .iter()
                .map(|s| s.parse::<Cidr>().map_err(|e| format!("cidr {s:?}: {e}")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Trust::cidrs(cidrs))
        }
        (None, Some(h)) => Ok(Trust::hops(NonZeroU8::new(h).ok_or("hops must be > 0")?)),
        _ => Err("trust: exactly one of cidrs / hops".into()),
    }
}

fn xf_options(x: Option<&XfJson>) -> Result<XfOptions, String> {
    let mut o = XfOptions::new();
    let Some(x) = x else { return Ok(o) };
    if let Some(h) = x.host {
        o = o.host(h);
    }
    if let Some(p) = x.port {
        o = o.port(p);
    }
    if let Some(p) = x.prefix {
        o = o.prefix(p);
    }
    for a in x.aliases.iter().flatten() {
        o = o.alias(match a.as_str() {
            "x-forwarded-ssl" => SchemeAlias::XForwardedSsl,
            "front-end-https" => SchemeAlias::FrontEndHttps,
            "x-url-scheme" => SchemeAlias::XUrlScheme,
            "x-forwarded-scheme" => SchemeAlias::XForwardedScheme,
            other => return Err(format!("unknown alias {other:?}")),
        });
    }
    if let Some(n) = x.from_right {
        o = o.take_from_right(NonZeroU8::new(n).ok_or("from_right must be > 0")?);
    }
    Ok(o)
}

fn config(c: &ConfigJson) -> Result<Config, String> {
    // Fields that belong to other sources must not be set (they would go unread).
    ensure(
        c.source == "fixed" || (c.origin.is_none() && c.prefix.is_none()),
        || "origin/prefix only for fixed".into(),
    )?;
    ensure(c.source == "forwarded" || c.require_host.is_none(), || {
        "require_host only for forwarded".into()
    })?;
    ensure(c.source == "x_forwarded" || c.xf.is_none(), || {
        "xf only for x_forwarded".into()
    })?;
    let mut cfg = match c.source.as_str() {
        "connection" => Config::connection(),
        "fixed" => {
            let origin = c.origin.as_deref().ok_or("fixed needs an origin")?;
            let cfg = Config::fixed(Origin::parse(origin).map_err(|e| format!("origin: {e}"))?);
            match &c.prefix {
                Some(p) => cfg.with_prefix(p).map_err(|e| format!("prefix: {e}"))?,
                None => cfg,
            }
        }
        "forwarded" => Config::forwarded(trust(c.trust.as_ref())?)
            .require_forwarded_host(c.require_host.unwrap_or(false)),
        "x_forwarded" => Config::x_forwarded(trust(c.trust.as_ref())?, xf_options(c.xf.as_ref())?),
        "forward_auth" => Config::forward_auth(trust(c.trust.as_ref())?),
        other => return Err(format!("unknown source {other:?}")),
    };
    if let Some(h) = &c.allowed_hosts {
        cfg = cfg
            .allow_hosts(h.iter().map(String::as_str))
            .map_err(|e| format!("allowed hosts: {e}"))?;
    }
    if let Some(other) = &c.cross_check {
        cfg = cfg.cross_check(config(other)?);
    }
    Ok(cfg)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    target_uri: String,
    authority: String,
    scheme: String,
    htu: String,
    client: Option<String>,
    warnings: Vec<String>,
    method: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResolveCase {
    id: String,
    source: String,
    config: ConfigJson,
    peer: String,
    tls: bool,
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    expect: Option<Expect>,
    error: Option<String>,
}

/// What `resolve` produced, in the vector's terms.
#[derive(Debug, PartialEq)]
struct Resolved {
    target_uri: String,
    authority: String,
    scheme: String,
    htu: String,
    client: Option<String>,
    warnings: Vec<String>,
    method: String,
    self_match: bool,
}

fn resolve_case(c: &ResolveCase) -> Result<(), String> {
    ensure(!c.source.is_empty(), || "case has no source".into())?;
    let cfg = config(&c.config)?;
    let headers: Vec<(&str, &[u8])> = c
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let peer = c.peer.parse().map_err(|e| format!("peer ip: {e}"))?;
    let conn = ConnectionFacts::new(peer, c.tls);
    let result = RequestHead::new(&c.method, &c.target, &headers).and_then(|head| {
        resolve(&cfg, &conn, &head).map(|r| {
            let req = &r.request;
            Resolved {
                target_uri: req.target_uri(),
                authority: req.authority().to_owned(),
                scheme: req.scheme().as_str().to_owned(),
                htu: req.htu(),
                client: req.client().map(|ip| ip.to_string()),
                warnings: r.warnings.iter().map(|w| w.code().to_owned()).collect(),
                method: req.method().to_owned(),
                self_match: req.htu_matches(&req.htu()),
            }
        })
    });
    match (&c.expect, &c.error) {
        (Some(e), None) => {
            let got = result.map_err(|err| format!("unexpected error {err}"))?;
            let want = Resolved {
                target_uri: e.target_uri.clone(),
                authority: e.authority.clone(),
                scheme: e.scheme.clone(),
                htu: e.htu.clone(),
                client: e.client.clone(),
                warnings: e.warnings.clone(),
                method: e.method.clone().unwrap_or_else(|| c.method.clone()),
                // The htu we report must match itself.
                self_match: true,
            };
            ensure(got == want, || format!("got {got:?}, want {want:?}"))
        }
        (None, Some(code)) => match result {
            Ok(r) => Err(format!("expected {code}, got {}", r.target_uri)),
            Err(e) => ensure(e.code() == code, || format!("got {}: {e}", e.code())),
        },
        _ => Err("exactly one of expect / error".into()),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HtuCase {
    id: String,
    source: String,
    origin: String,
    target: String,
    claim: String,
    #[serde(rename = "match")]
    matches: bool,
    htu: Option<String>,
}

fn htu_case(c: &HtuCase) -> Result<(), String> {
    ensure(!c.source.is_empty(), || "case has no source".into())?;
    let cfg = Config::fixed(Origin::parse(&c.origin).map_err(|e| format!("origin: {e}"))?);
    let head = RequestHead::new("GET", &c.target, &[]).map_err(|e| format!("head: {e}"))?;
    let conn = ConnectionFacts::new(std::net::Ipv4Addr::new(192, 0, 2, 1).into(), true);
    let r = resolve(&cfg, &conn, &head).map_err(|e| format!("resolve: {e}"))?;
    ensure(r.request.htu_matches(&c.claim) == c.matches, || {
        format!("htu_matches({:?}) is not {}", c.claim, c.matches)
    })?;
    ensure(
        r.request.htu_matcher().matches(&c.claim) == c.matches,
        || format!("htu_matcher().matches({:?}) is not {}", c.claim, c.matches),
    )?;
    if let Some(h) = &c.htu {
        let got = r.request.htu();
        ensure(&got == h, || format!("htu {got}, want {h}"))?;
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadExpect {
    target_uri: String,
    request_target: String,
    authority: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadCase {
    id: String,
    source: String,
    text: String,
    scheme: Option<String>,
    expect: Option<HeadExpect>,
    error: Option<String>,
}

/// A request head given as HTTP/1 text, read the way the CLI and the RFC 9421 runner read it
/// ([`crate::http1::parse_message`], which hands the head to forwarded-parser): the derived
/// components a signature base would see, or the refusal's code.
fn head_case(c: &HeadCase) -> Result<(), String> {
    use httpsig_core::{BaseOptions, Component, Derived, component_line};
    ensure(!c.source.is_empty(), || "case has no source".into())?;
    let scheme = c.scheme.as_deref().unwrap_or("https");
    let parsed = crate::http1::parse_message(c.text.as_bytes(), scheme);
    match (&c.expect, &c.error) {
        (Some(want), None) => {
            let msg = parsed.map_err(|e| format!("unexpected error {}: {e}", e.code()))?;
            let value = |d: Derived| -> Result<String, String> {
                let c = Component::derived(d);
                let line = component_line(&msg, None, &c, &BaseOptions::default())
                    .map_err(|e| format!("{}: {e}", e.code()))?;
                let line = String::from_utf8(line).map_err(|e| e.to_string())?;
                line.split_once(": ")
                    .map(|(_, v)| v.to_owned())
                    .ok_or_else(|| format!("no value in {line:?}"))
            };
            let got = (
                value(Derived::TargetUri)?,
                value(Derived::RequestTarget)?,
                value(Derived::Authority)?,
            );
            let wanted = (
                want.target_uri.clone(),
                want.request_target.clone(),
                want.authority.clone(),
            );
            ensure(got == wanted, || format!("got {got:?}, want {wanted:?}"))
        }
        (None, Some(code)) => match parsed {
            Ok(_) => Err(format!("expected {code}, the head was accepted")),
            Err(e) => ensure(e.code() == code, || format!("got {}: {e}", e.code())),
        },
        _ => Err("exactly one of expect / error".into()),
    }
}
