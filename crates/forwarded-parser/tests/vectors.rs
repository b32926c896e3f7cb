//! Runs the data vectors in `crates/conformance/testdata/forwarded/` (format: README.md there).
//! Unknown fields are rejected by `deny_unknown_fields`; every declared field is read below.

use std::collections::HashSet;
use std::num::NonZeroU8;
use std::path::PathBuf;

use forwarded_parser::forwarded::Element;
use forwarded_parser::{
    Cidr, Config, ConnectionFacts, ForwardedError, Limits, Origin, RequestHead, SchemeAlias, Trust,
    XfOptions, parse_forwarded, resolve,
};
use serde::Deserialize;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/testdata/forwarded")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File<C> {
    suite: String,
    description: String,
    cases: Vec<C>,
}

fn load<C: for<'de> Deserialize<'de>>(name: &str) -> File<C> {
    let text = std::fs::read_to_string(dir().join(name)).expect("vector file");
    let f: File<C> = serde_json::from_str(&text).expect("vector file parses with known fields");
    assert!(
        f.suite.starts_with("forwarded/"),
        "{name}: suite {}",
        f.suite
    );
    assert!(!f.description.is_empty());
    f
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
                String::from_utf8(n.to_vec()).expect("ascii name"),
                String::from_utf8(v.unescaped().into_owned()).expect("utf-8 in vectors"),
            )
        })
        .collect()
}

/// Cross-checks the typed accessors against the pair list.
fn check_accessors(id: &str, el: &Element<'_>) {
    for (name, value) in el.pairs() {
        let lower = name.to_ascii_lowercase();
        let accessor = match lower.as_slice() {
            b"for" => el.for_(),
            b"by" => el.by(),
            b"host" => el.host(),
            b"proto" => el.proto(),
            _ => continue,
        };
        assert_eq!(accessor, Some(value), "{id}: accessor for {lower:?}");
    }
    if el.for_().is_some() {
        assert!(el.for_node().is_some(), "{id}: for node parses");
    }
}

#[test]
fn grammar_vectors() {
    let f: File<GrammarCase> = load("grammar.json");
    let mut ids = HashSet::new();
    for c in &f.cases {
        assert!(ids.insert(c.id.clone()), "duplicate id {}", c.id);
        assert!(!c.source.is_empty(), "{}: source", c.id);
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
                let got = forward.unwrap_or_else(|e| panic!("{}: unexpected error {e}", c.id));
                let got_pairs: Vec<_> = got.iter().map(pairs_of).collect();
                assert_eq!(&got_pairs, expected, "{}", c.id);
                got.iter().for_each(|el| check_accessors(&c.id, el));
                let p = parsed.as_ref().expect("parsed");
                let mut rev: Vec<Element<'_>> = p
                    .iter_rev()
                    .collect::<Result<_, _>>()
                    .unwrap_or_else(|e| panic!("{}: reverse error {e}", c.id));
                rev.reverse();
                assert_eq!(rev, got, "{}: forward and reverse disagree", c.id);
                assert!(c.salvaged.is_none(), "{}: salvaged only with error", c.id);
            }
            (None, Some(err)) => {
                let e = match forward {
                    Ok(v) => panic!("{}: expected {}, got {} elements", c.id, err.code, v.len()),
                    Err(e) => e,
                };
                assert_eq!(e.code(), err.code, "{}: {e}", c.id);
                match (err.line, err.index) {
                    (Some(l), Some(i)) => assert_eq!(e.position(), Some((l, i)), "{}: {e}", c.id),
                    (None, None) => {}
                    _ => panic!("{}: line and index go together", c.id),
                }
                if let Some(salvaged) = &c.salvaged {
                    let p = parsed.as_ref().expect("parsed");
                    let mut got = Vec::new();
                    let mut failed = false;
                    for r in p.iter_rev() {
                        match r {
                            Ok(el) => got.push(pairs_of(&el)),
                            Err(_) => failed = true,
                        }
                    }
                    assert!(failed, "{}: reverse iterator must fail too", c.id);
                    assert_eq!(&got, salvaged, "{}: salvaged", c.id);
                }
            }
            _ => panic!("{}: exactly one of elements / error", c.id),
        }
    }
    assert!(f.cases.len() >= 60, "grammar vectors: {}", f.cases.len());
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

fn trust(t: Option<&TrustJson>) -> Trust {
    let t = t.expect("header sources need trust");
    match (&t.cidrs, t.hops) {
        (Some(c), None) => Trust::cidrs(c.iter().map(|s| s.parse::<Cidr>().expect("cidr"))),
        (None, Some(h)) => Trust::hops(NonZeroU8::new(h).expect("hops > 0")),
        _ => panic!("trust: exactly one of cidrs / hops"),
    }
}

fn config(c: &ConfigJson) -> Config {
    let mut cfg = match c.source.as_str() {
        "connection" => Config::connection(),
        "fixed" => {
            let cfg =
                Config::fixed(Origin::parse(c.origin.as_deref().expect("origin")).expect("origin"));
            match &c.prefix {
                Some(p) => cfg.with_prefix(p).expect("prefix"),
                None => cfg,
            }
        }
        "forwarded" => Config::forwarded(trust(c.trust.as_ref()))
            .require_forwarded_host(c.require_host.unwrap_or(false)),
        "x_forwarded" => {
            let mut o = XfOptions::new();
            if let Some(x) = &c.xf {
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
                        other => panic!("unknown alias {other}"),
                    });
                }
                if let Some(n) = x.from_right {
                    o = o.take_from_right(NonZeroU8::new(n).expect("from_right > 0"));
                }
            }
            Config::x_forwarded(trust(c.trust.as_ref()), o)
        }
        "forward_auth" => Config::forward_auth(trust(c.trust.as_ref())),
        other => panic!("unknown source {other}"),
    };
    // Fields that belong to other sources must not be set (they would go unread).
    if c.source != "fixed" {
        assert!(
            c.origin.is_none() && c.prefix.is_none(),
            "origin/prefix only for fixed"
        );
    }
    if c.source != "forwarded" {
        assert!(c.require_host.is_none(), "require_host only for forwarded");
    }
    if c.source != "x_forwarded" {
        assert!(c.xf.is_none(), "xf only for x_forwarded");
    }
    if let Some(h) = &c.allowed_hosts {
        cfg = cfg
            .allow_hosts(h.iter().map(String::as_str))
            .expect("allowed hosts");
    }
    if let Some(other) = &c.cross_check {
        cfg = cfg.cross_check(config(other));
    }
    cfg
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

fn run_resolve_file(name: &str) -> usize {
    let f: File<ResolveCase> = load(name);
    let mut ids = HashSet::new();
    for c in &f.cases {
        assert!(ids.insert(c.id.clone()), "duplicate id {}", c.id);
        assert!(!c.source.is_empty(), "{}: source", c.id);
        let cfg = config(&c.config);
        let headers: Vec<(&str, &[u8])> = c
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        let conn = ConnectionFacts::new(c.peer.parse().expect("peer ip"), c.tls);
        let result = RequestHead::new(&c.method, &c.target, &headers).and_then(|head| {
            resolve(&cfg, &conn, &head).map(|r| {
                let req = &r.request;
                (
                    req.target_uri(),
                    req.authority().to_owned(),
                    req.scheme().as_str().to_owned(),
                    req.htu(),
                    req.client().map(|ip| ip.to_string()),
                    r.warnings
                        .iter()
                        .map(|w| w.code().to_owned())
                        .collect::<Vec<_>>(),
                    req.method().to_owned(),
                    req.htu_matches(&req.htu()),
                )
            })
        });
        match (&c.expect, &c.error) {
            (Some(e), None) => {
                let (uri, auth, scheme, htu, client, warnings, method, self_match) =
                    result.unwrap_or_else(|err| panic!("{}: unexpected error {err}", c.id));
                assert_eq!(uri, e.target_uri, "{}", c.id);
                assert_eq!(auth, e.authority, "{}", c.id);
                assert_eq!(scheme, e.scheme, "{}", c.id);
                assert_eq!(htu, e.htu, "{}", c.id);
                assert_eq!(client, e.client, "{}", c.id);
                assert_eq!(warnings, e.warnings, "{}", c.id);
                assert_eq!(&method, e.method.as_ref().unwrap_or(&c.method), "{}", c.id);
                assert!(self_match, "{}: htu matches itself", c.id);
            }
            (None, Some(code)) => match result {
                Ok(r) => panic!("{}: expected {code}, got {}", c.id, r.0),
                Err(e) => assert_eq!(e.code(), code, "{}: {e}", c.id),
            },
            _ => panic!("{}: exactly one of expect / error", c.id),
        }
    }
    f.cases.len()
}

#[test]
fn trust_vectors() {
    assert!(run_resolve_file("trust.json") >= 40);
}

#[test]
fn x_forwarded_vectors() {
    assert!(run_resolve_file("x-forwarded.json") >= 40);
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

#[test]
fn htu_vectors() {
    let f: File<HtuCase> = load("htu.json");
    let mut ids = HashSet::new();
    for c in &f.cases {
        assert!(ids.insert(c.id.clone()), "duplicate id {}", c.id);
        assert!(!c.source.is_empty());
        let cfg = Config::fixed(Origin::parse(&c.origin).expect("origin"));
        let head = RequestHead::new("GET", &c.target, &[]).expect("head");
        let conn = ConnectionFacts::new("192.0.2.1".parse().expect("ip"), true);
        let r = resolve(&cfg, &conn, &head).expect("resolve");
        assert_eq!(
            r.request.htu_matches(&c.claim),
            c.matches,
            "{}: {}",
            c.id,
            c.claim
        );
        assert_eq!(
            r.request.htu_matcher().matches(&c.claim),
            c.matches,
            "{}: matcher",
            c.id
        );
        if let Some(h) = &c.htu {
            assert_eq!(&r.request.htu(), h, "{}", c.id);
        }
    }
    assert!(f.cases.len() >= 25);
}

#[test]
fn at_least_100_vectors() {
    let g: File<GrammarCase> = load("grammar.json");
    let t: File<ResolveCase> = load("trust.json");
    let x: File<ResolveCase> = load("x-forwarded.json");
    let h: File<HtuCase> = load("htu.json");
    let total = g.cases.len() + t.cases.len() + x.cases.len() + h.cases.len();
    assert!(total >= 100, "{total} vectors");
}
