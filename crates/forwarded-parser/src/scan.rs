//! RFC 7239 `Forwarded`: the one-pass fast path of [`resolve`](crate::resolve).
//!
//! A single left-to-right pass over all field lines validates every element with the grammar
//! and value checks of [`crate::forwarded`] (same caps) and, on the way, keeps the element the
//! right-to-left trust walk (reference §4.1) would stop at: the rightmost element whose `for`
//! is not a trusted address, or the leftmost element if every `for` is trusted. Nothing is
//! allocated and nothing is scanned twice (boundaries first, then elements, as the reverse
//! iterator must).
//!
//! The pass is accept-only. On anything but a header that is valid *everywhere* and within the
//! caps — a syntax or value error in any element, trusted or not, a cap reached, a quoted-pair,
//! a second extension parameter in one element — it returns `None`, and the caller runs the
//! reference walk over [`Forwarded::iter_rev`](crate::forwarded::Forwarded::iter_rev), which
//! produces the exact error or warning. So this module can only change speed, never an outcome:
//! on a header valid everywhere the reverse iterator yields the same elements (forward and
//! reverse tokenization agree on valid input; `tests/agreement.rs`, the `forwarded` fuzz
//! target), its walk picks the same element and nothing is left to warn about. The tests at
//! the end check exactly that against the reference walk.

use core::net::IpAddr;

use crate::error::{ForwardedError, Param};
use crate::forwarded::{Limits, Value, param_of, parse_node};
use crate::request::FieldLines;
use crate::syntax::{is_qdtext, is_scheme, parse_ipv4, parse_ipv4_prefix, scheme_len, tchar_len};
use crate::trust::Trust;
use httpsig_uri::Authority;

/// What the trust walk needs of the element it chose.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hop<'a> {
    /// Index of the field line the element is on.
    pub(crate) line: usize,
    /// The `for` address (IPv4-mapped IPv6 normalized), if `for` is an IP node.
    pub(crate) client: Option<IpAddr>,
    /// The `host` value (already checked as `uri-host [":" port]` by whoever produced it).
    pub(crate) host: Option<Value<'a>>,
    /// `host` split by the one-pass scanner (`None` from the reference walk, which leaves
    /// the split to the caller).
    pub(crate) host_port: Option<Authority<'a>>,
    /// The `proto` value (already checked as an RFC 3986 scheme).
    pub(crate) proto: Option<Value<'a>>,
}

/// The trust walk over a header that is valid everywhere: the chosen element (`None` if the
/// header has no element), or [`ForwardedError::InsufficientHops`] in hop mode.
/// `None` means "not decided here": run the reference walk.
pub(crate) fn walk<'a>(
    trust: &Trust,
    limits: Limits,
    lines: &FieldLines<'a>,
) -> Option<Result<Option<Hop<'a>>, ForwardedError>> {
    let Some(hops) = trust.hop_count() else {
        let mut first = None;
        let mut last_untrusted = None;
        scan(lines.clone(), limits, |hop| {
            if first.is_none() {
                first = Some(*hop);
            }
            if !hop.client.is_some_and(|ip| trust.is_trusted(ip)) {
                last_untrusted = Some(*hop);
            }
        })?;
        return Some(Ok(last_untrusted.or(first)));
    };
    // Hop mode: the `hops`-th element from the right. Count first, then pick it on a second
    // pass (hop counts are small and this mode is the rarer one).
    let mut total = 0usize;
    scan(lines.clone(), limits, |_| total += 1)?;
    let Some(target) = total.checked_sub(usize::from(hops.get())) else {
        return Some(Err(ForwardedError::InsufficientHops {
            needed: hops.get(),
            found: total,
        }));
    };
    let mut index = 0usize;
    let mut chosen = None;
    scan(lines.clone(), limits, |hop| {
        if index == target {
            chosen = Some(*hop);
        }
        index += 1;
    })?;
    Some(Ok(chosen))
}

/// Validates every element of every line, calling `visit` on each in order; `None` as soon
/// as anything is not plainly valid. List rules as `Elements::step` (RFC 7239 §7.1, RFC 9110
/// §5.6.1.2): OWS only around commas and at the ends of a line, empty members ignored but
/// counted, like the lines themselves, against the element cap.
fn scan<'a>(lines: FieldLines<'a>, limits: Limits, mut visit: impl FnMut(&Hop<'a>)) -> Option<()> {
    let mut slots = 0usize;
    let mut bytes = 0usize;
    for (line, buf) in lines.enumerate() {
        bytes = bytes.saturating_add(buf.len());
        slots += 1;
        if bytes > limits.max_bytes() || slots > limits.max_elements() {
            return None;
        }
        // A cursor over the rest of the line; positions are `buf.len() - rest.len()`.
        let mut rest = skip_ows(buf);
        while let Some((&first, after)) = rest.split_first() {
            if first != b',' {
                // Filled in place and lent to `visit`, which copies only what it keeps.
                let mut hop = Hop {
                    line,
                    client: None,
                    host: None,
                    host_port: None,
                    proto: None,
                };
                let tail = element(rest, buf.len(), &mut hop, limits.max_pairs())?;
                visit(&hop);
                rest = skip_ows(tail);
                match rest.split_first() {
                    None => break,
                    Some((b',', _)) => {}
                    Some(_) => return None,
                }
                continue;
            }
            slots += 1;
            if slots > limits.max_elements() {
                return None;
            }
            rest = skip_ows(after);
        }
    }
    Some(())
}

/// `rest` without its leading OWS.
fn skip_ows(mut rest: &[u8]) -> &[u8] {
    while let Some((b' ' | b'\t', after)) = rest.split_first() {
        rest = after;
    }
    rest
}

/// Whether a value ends here: at the end of the line or before `,`, `;` or OWS.
const fn ends_value(rest: &[u8]) -> bool {
    matches!(rest.first(), None | Some(b',' | b';' | b' ' | b'\t'))
}

/// One `forwarded-element` at the start of `rest` (RFC 7239 §4), as `parse_element` accepts
/// it but without quoted-pairs and with at most one extension parameter; stops at `,`, OWS or
/// the end of the line and returns what follows; what the walk needs goes into `hop` (which
/// the caller passes empty). `line_len` turns the cursor into indices.
fn element<'a>(
    mut rest: &'a [u8],
    line_len: usize,
    hop: &mut Hop<'a>,
    max_pairs: usize,
) -> Option<&'a [u8]> {
    const FOR: u8 = 1;
    const BY: u8 = 2;
    const HOST: u8 = 4;
    const PROTO: u8 = 8;
    const EXTENSION: u8 = 16;
    let mut seen = 0u8;
    let mut pieces = 1usize;
    loop {
        match rest.split_first() {
            None | Some((b',' | b' ' | b'\t', _)) => break,
            Some((b';', after)) => {
                pieces += 1;
                if pieces > max_pairs {
                    return None;
                }
                rest = after;
                continue;
            }
            Some(_) => {}
        }
        // forwarded-pair = token "=" value. The registered names as usually written are
        // matched directly; any other spelling goes through `param_of`.
        let (param, value) = match rest {
            [b'f', b'o', b'r', b'=', value @ ..] => (Param::For, value),
            [b'p', b'r', b'o', b't', b'o', b'=', value @ ..] => (Param::Proto, value),
            [b'h', b'o', b's', b't', b'=', value @ ..] => (Param::Host, value),
            [b'b', b'y', b'=', value @ ..] => (Param::By, value),
            _ => {
                let (name, after) = rest.split_at_checked(tchar_len(rest))?;
                let Some((b'=', value)) = after.split_first() else {
                    return None;
                };
                if name.is_empty() {
                    return None;
                }
                (param_of(name), value)
            }
        };
        let index = line_len - value.len();
        let bit = match param {
            Param::For => FOR,
            Param::By => BY,
            Param::Host => HOST,
            Param::Proto => PROTO,
            Param::Extension => EXTENSION,
        };
        // A repeated parameter (RFC 7239 §4), or a second extension parameter whose name
        // would need comparing: the reference path decides.
        if seen & bit != 0 {
            return None;
        }
        seen |= bit;
        // The usual `for=192.0.2.43`, parsed while finding its end: digits and dots are
        // tchar and the delimiters are not, so this is the token `parse_ipv4` would get.
        if bit == FOR
            && let Some((v4, len)) = parse_ipv4_prefix(value)
            && let Some(tail) = value.get(len..)
            && ends_value(tail)
        {
            hop.client = Some(IpAddr::V4(v4));
            rest = tail;
            continue;
        }
        // Likewise an unquoted `proto` (scheme bytes are tchar).
        if bit == PROTO
            && let Some((scheme, tail)) = value.split_at_checked(scheme_len(value))
            && !scheme.is_empty()
            && ends_value(tail)
        {
            hop.proto = Some(Value::unescaped_at(scheme, false, index));
            rest = tail;
            continue;
        }
        // Likewise an unquoted `host`: label bytes and dots are tchar, so a host ending at a
        // delimiter is the whole token, and without `:` it has no port.
        if bit == HOST
            && let Some((authority, len)) = Authority::host_prefix(value)
            && let Some((host, tail)) = value.split_at_checked(len)
            && ends_value(tail)
        {
            hop.host_port = Some(authority);
            hop.host = Some(Value::unescaped_at(host, false, index));
            rest = tail;
            continue;
        }
        let (raw, quoted, tail) = match value.split_first() {
            // qdtext only: `\` (a quoted-pair) and the end of the line leave the fast path.
            Some((b'"', inner)) => {
                let (raw, close) =
                    inner.split_at_checked(inner.iter().position(|&b| !is_qdtext(b))?)?;
                let Some((b'"', tail)) = close.split_first() else {
                    return None;
                };
                (raw, true, tail)
            }
            _ => {
                let (raw, tail) = value.split_at_checked(tchar_len(value))?;
                if raw.is_empty() {
                    return None;
                }
                (raw, false, tail)
            }
        };
        if !ends_value(tail) {
            return None;
        }
        rest = tail;
        // RFC 7239 §5.1–§5.4 value syntax.
        let value = Value::unescaped_at(raw, quoted, index);
        match param {
            // A bare IPv4address has no `:`, is not `unknown` and not obfuscated.
            Param::For => match parse_ipv4(raw) {
                Some(v4) => hop.client = Some(IpAddr::V4(v4)),
                None => hop.client = parse_node(raw)?.ip(),
            },
            Param::By => {
                parse_node(raw)?;
            }
            Param::Host => {
                hop.host_port = Some(Authority::parse(raw).ok()?);
                hop.host = Some(value);
            }
            Param::Proto => {
                if !is_scheme(raw) {
                    return None;
                }
                hop.proto = Some(value);
            }
            Param::Extension => {}
        }
    }
    Some(rest)
}

#[cfg(test)]
mod tests {
    //! The fast path against the reference walk: whenever [`walk`] decides, the reference walk
    //! decides the same and has nothing to warn about. Inputs: every `Forwarded` value in the
    //! vector files, and every prefix, one-byte deletion and one-byte substitution (by the bytes
    //! the grammar turns on) of each; under CIDR and hop trust and under default and tiny caps.

    use std::path::PathBuf;

    use super::walk;
    use crate::forwarded::Limits;
    use crate::request::RequestHead;
    use crate::resolve::reference_walk;
    use crate::trust::{Cidr, Trust};

    fn corpus() -> Vec<Vec<Vec<u8>>> {
        let dir =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/testdata/forwarded");
        let mut out = Vec::new();
        for name in ["grammar.json", "trust.json", "x-forwarded.json"] {
            let text = std::fs::read_to_string(dir.join(name)).expect("vector file");
            let v: serde_json::Value = serde_json::from_str(&text).expect("json");
            for case in v["cases"].as_array().expect("cases") {
                if let Some(lines) = case.get("lines").and_then(|l| l.as_array()) {
                    out.push(
                        lines
                            .iter()
                            .map(|l| l.as_str().expect("line").as_bytes().to_vec())
                            .collect(),
                    );
                }
                if let Some(headers) = case.get("headers").and_then(|h| h.as_array()) {
                    let lines: Vec<Vec<u8>> = headers
                        .iter()
                        .filter(|h| {
                            h[0].as_str()
                                .is_some_and(|n| n.eq_ignore_ascii_case("forwarded"))
                        })
                        .map(|h| h[1].as_str().expect("value").as_bytes().to_vec())
                        .collect();
                    if !lines.is_empty() {
                        out.push(lines);
                    }
                }
            }
        }
        out
    }

    fn trusts() -> Vec<Trust> {
        let cidr = |s: &str| s.parse::<Cidr>().expect("cidr");
        vec![
            Trust::cidrs([cidr("10.0.0.0/8")]),
            Trust::cidrs([
                cidr("192.0.2.0/24"),
                cidr("198.51.100.0/24"),
                cidr("203.0.113.0/24"),
            ]),
            Trust::cidrs([cidr("2001:db8::/32"), cidr("10.0.0.0/8")]),
            Trust::cidrs([]),
            Trust::hops(1.try_into().expect("non-zero")),
            Trust::hops(2.try_into().expect("non-zero")),
            Trust::hops(3.try_into().expect("non-zero")),
        ]
    }

    /// Returns whether the fast path decided.
    fn same(lines: &[&[u8]], trust: &Trust, limits: Limits) -> bool {
        let headers: Vec<(&str, &[u8])> = lines.iter().map(|l| ("forwarded", *l)).collect();
        let head = RequestHead::new("GET", "/", &headers).expect("head");
        let lines = head.lines("forwarded");
        let Some(mut fast) = walk(trust, limits, &lines) else {
            return false;
        };
        // The split host is what the caller would compute from the value; then drop it, as
        // the reference walk leaves it to the caller.
        if let Ok(Some(hop)) = &mut fast {
            let expected = hop
                .host
                .map(|v| httpsig_uri::Authority::parse(v.raw()).expect("validated host"));
            assert_eq!(hop.host_port, expected);
            hop.host_port = None;
        }
        let mut warnings = Vec::new();
        let reference = reference_walk(trust, limits, lines, &mut warnings);
        assert_eq!(fast, reference, "{headers:?} {trust:?} {limits:?}");
        assert_eq!(warnings, [], "{headers:?} {trust:?} {limits:?}");
        true
    }

    #[test]
    fn fast_path_agrees_with_the_reference_walk() {
        let trusts = trusts();
        let limits = [Limits::default(), Limits::new(40, 3, 2)];
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
        for lines in corpus() {
            let bytes: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
            check(&bytes);
            let Some((last, rest)) = bytes.split_last() else {
                continue;
            };
            for cut in 0..last.len() {
                let mut v = rest.to_vec();
                v.push(last.get(..cut).expect("in range"));
                check(&v);
                let mut deleted = last.to_vec();
                deleted.remove(cut);
                let mut v = rest.to_vec();
                v.push(&deleted);
                check(&v);
                for &b in b"\"\\,; \t=:[]_xX0.\x80\x7f" {
                    let mut changed = last.to_vec();
                    changed[cut] = b;
                    let mut v = rest.to_vec();
                    v.push(&changed);
                    check(&v);
                }
            }
        }
        // Both outcomes must be exercised, or the property says nothing.
        assert!(
            decided > 10_000 && checked - decided > 10_000,
            "decided {decided} of {checked}"
        );
    }
}
