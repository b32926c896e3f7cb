//! RFC 7239 `Forwarded`: a strict, zero-copy tokenizer with forward and reverse element iterators.
//!
//! ```text
//! Forwarded         = 1#forwarded-element                               ; RFC 7239 §4
//! forwarded-element = [ forwarded-pair ] *( ";" [ forwarded-pair ] )
//! forwarded-pair    = token "=" value
//! value             = token / quoted-string
//! ```
//! Multiple field lines are one list, combined in received order (RFC 9110 §5.3). Whitespace
//! is allowed only around commas (list OWS, RFC 7239 §7.1) and at the ends of a field line.
//! Empty list members are ignored (RFC 9110 §5.6.1.2) but counted against the element cap.
//!
//! The reverse iterator finds element boundaries from the right (outside a quoted-string `\`
//! is illegal; inside, a `"` preceded by an odd run of `\` is escaped), then validates each
//! element with the same forward element parser. On valid input both directions yield the
//! same elements; on input whose *left* part is broken, the reverse iterator still yields the
//! well-formed right part first ("Forwarded header sabotage" resistance).

use core::net::IpAddr;
use std::borrow::Cow;

use crate::effective::host_error;
use crate::error::{ForwardedError, HeaderName, LimitKind, Param, SyntaxKind, ValueSource};
use crate::syntax::{
    is_obfuscated, is_ows, is_qdtext, is_quoted_pair_octet, is_scheme, is_tchar, parse_ipv4,
    parse_ipv6, parse_port,
};
use httpsig_uri::Authority;

/// Caps on attacker-controlled sizes; each exceeded cap is [`ForwardedError::TooLarge`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    max_bytes: usize,
    max_elements: usize,
    max_pairs: usize,
}

impl Limits {
    /// Total bytes of all field lines of one header (default 8 KiB: far above any real chain,
    /// small enough to bound the work per request).
    pub const DEFAULT_MAX_BYTES: usize = 8 * 1024;
    /// List members of one header, empty ones included (default 64 hops).
    pub const DEFAULT_MAX_ELEMENTS: usize = 64;
    /// `;`-separated pairs per element, empty ones included (default 16; RFC 7239 defines 4).
    pub const DEFAULT_MAX_PAIRS: usize = 16;

    /// Limits with explicit values.
    pub const fn new(max_bytes: usize, max_elements: usize, max_pairs: usize) -> Self {
        Self {
            max_bytes,
            max_elements,
            max_pairs,
        }
    }

    /// The byte cap.
    pub const fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// The element cap.
    pub const fn max_elements(&self) -> usize {
        self.max_elements
    }

    /// The pair cap.
    pub const fn max_pairs(&self) -> usize {
        self.max_pairs
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new(
            Self::DEFAULT_MAX_BYTES,
            Self::DEFAULT_MAX_ELEMENTS,
            Self::DEFAULT_MAX_PAIRS,
        )
    }
}

/// A parameter value as written: a token, or the inside of a quoted-string (escapes kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Value<'a> {
    raw: &'a [u8],
    quoted: bool,
    /// Whether a quoted-pair occurs (so unescaping can borrow without rescanning).
    escaped: bool,
    index: usize,
}

impl<'a> Value<'a> {
    /// A value without quoted-pairs, as the one-pass scanner in `scan.rs` finds it.
    pub(crate) const fn unescaped_at(raw: &'a [u8], quoted: bool, index: usize) -> Self {
        Self {
            raw,
            quoted,
            escaped: false,
            index,
        }
    }

    /// The bytes as written (without the surrounding quotes, quoted-pairs not yet resolved).
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Whether the value was a quoted-string.
    pub const fn is_quoted(&self) -> bool {
        self.quoted
    }

    /// Byte offset of the value (of its opening quote, if quoted) within its field line.
    pub const fn index(&self) -> usize {
        self.index
    }

    /// The value with quoted-pairs resolved (RFC 9110 §5.6.4); borrows unless `\` occurs.
    pub fn unescaped(&self) -> Cow<'a, [u8]> {
        if !self.escaped {
            return Cow::Borrowed(self.raw);
        }
        let mut out = Vec::with_capacity(self.raw.len());
        let mut escaped = false;
        for &b in self.raw {
            if b == b'\\' && !escaped {
                escaped = true;
            } else {
                out.push(b);
                escaped = false;
            }
        }
        Cow::Owned(out)
    }
}

/// A `for` / `by` node (RFC 7239 §6): `nodename [ ":" node-port ]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Node {
    name: NodeName,
    port: Option<NodePort>,
}

impl Node {
    /// The node name.
    pub const fn name(&self) -> NodeName {
        self.name
    }

    /// The node port, if any.
    pub const fn port(&self) -> Option<NodePort> {
        self.port
    }

    /// The IP address, with IPv4-mapped IPv6 normalized to IPv4, if the node is an address.
    pub fn ip(&self) -> Option<IpAddr> {
        match self.name {
            NodeName::Ip(ip) => Some(crate::syntax::normalize_ip(ip)),
            _ => None,
        }
    }
}

/// RFC 7239 §6 `nodename`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeName {
    /// `IPv4address` or `"[" IPv6address "]"`.
    Ip(IpAddr),
    /// `unknown` (RFC 7239 §6.2; case-insensitive literal).
    Unknown,
    /// An obfuscated identifier `_...` (RFC 7239 §6.3); its text is in the [`Value`].
    Obfuscated,
}

/// RFC 7239 §6 `node-port`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodePort {
    /// A numeric port (1–5 digits, at most 65535).
    Port(u16),
    /// An obfuscated port `_...`.
    Obfuscated,
}

/// RFC 7239 §6 `node`, applied to an unescaped value.
pub(crate) fn parse_node(v: &[u8]) -> Option<Node> {
    let (name_part, port_part) = if v.first() == Some(&b'[') {
        let close = v.iter().position(|&b| b == b']')?;
        let inner = v.get(1..close)?;
        let name = NodeName::Ip(IpAddr::V6(parse_ipv6(inner)?));
        let rest = v.get(close + 1..).unwrap_or_default();
        let port = match rest.split_first() {
            None => None,
            Some((b':', p)) => Some(p),
            Some(_) => return None,
        };
        (name, port)
    } else {
        let (n, p) = match v.iter().position(|&b| b == b':') {
            Some(c) => (v.get(..c)?, Some(v.get(c + 1..)?)),
            None => (v, None),
        };
        let name = if n.eq_ignore_ascii_case(b"unknown") {
            NodeName::Unknown
        } else if is_obfuscated(n) {
            NodeName::Obfuscated
        } else {
            NodeName::Ip(IpAddr::V4(parse_ipv4(n)?))
        };
        (name, p)
    };
    let port = match port_part {
        None => None,
        Some(p) if is_obfuscated(p) => Some(NodePort::Obfuscated),
        Some(p) => Some(NodePort::Port(parse_port(p, true)?)),
    };
    Some(Node {
        name: name_part,
        port,
    })
}

/// One `forwarded-element`: the pairs one proxy added, validated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Element<'a> {
    raw: &'a [u8],
    line: usize,
    start: usize,
    by: Option<Value<'a>>,
    for_: Option<Value<'a>>,
    host: Option<Value<'a>>,
    proto: Option<Value<'a>>,
    for_node: Option<Node>,
    by_node: Option<Node>,
}

impl<'a> Element<'a> {
    /// The element's bytes as written.
    pub const fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Index of the field line the element is on.
    pub const fn line(&self) -> usize {
        self.line
    }

    /// Byte offset of the element within its field line.
    pub const fn start(&self) -> usize {
        self.start
    }

    /// The `by` value (RFC 7239 §5.1).
    pub const fn by(&self) -> Option<Value<'a>> {
        self.by
    }

    /// The `for` value (RFC 7239 §5.2).
    pub const fn for_(&self) -> Option<Value<'a>> {
        self.for_
    }

    /// The `host` value (RFC 7239 §5.3).
    pub const fn host(&self) -> Option<Value<'a>> {
        self.host
    }

    /// The `proto` value (RFC 7239 §5.4).
    pub const fn proto(&self) -> Option<Value<'a>> {
        self.proto
    }

    /// The `for` node (validated while tokenizing, so `None` only when `for` is absent).
    pub const fn for_node(&self) -> Option<Node> {
        self.for_node
    }

    /// The `by` node (validated while tokenizing, so `None` only when `by` is absent).
    pub const fn by_node(&self) -> Option<Node> {
        self.by_node
    }

    /// All pairs in written order (names as written; compare them case-insensitively).
    pub fn pairs(&self) -> Pairs<'a> {
        Pairs {
            raw: self.raw,
            pos: 0,
            base: self.start,
        }
    }
}

/// Iterator over the `(name, value)` pairs of an already validated [`Element`].
#[derive(Clone, Debug)]
pub struct Pairs<'a> {
    raw: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Iterator for Pairs<'a> {
    type Item = (&'a [u8], Value<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        while self.raw.get(self.pos) == Some(&b';') {
            self.pos += 1;
        }
        let name_start = self.pos;
        // The element was validated, so the scan below only meets well-formed pairs; any
        // surprise simply ends the iteration.
        let eq = name_start
            + self
                .raw
                .get(name_start..)?
                .iter()
                .position(|&b| b == b'=')?;
        let name = self.raw.get(name_start..eq)?;
        let (value, next) = scan_value(self.raw, eq + 1).ok()?;
        self.pos = next;
        let value = Value {
            raw: value.raw,
            quoted: value.quoted,
            escaped: value.escaped,
            index: value.index + self.base,
        };
        Some((name, value))
    }
}

/// Scans a `value` (token or quoted-string) starting at `pos`; returns it and the position after.
fn scan_value(buf: &[u8], pos: usize) -> Result<(Value<'_>, usize), (usize, SyntaxKind)> {
    match buf.get(pos) {
        Some(b'"') => {
            let mut i = pos + 1;
            let mut escaped = false;
            loop {
                match buf.get(i) {
                    None => return Err((pos, SyntaxKind::UnbalancedQuote)),
                    Some(b'"') => break,
                    Some(b'\\') => match buf.get(i + 1) {
                        Some(&n) if is_quoted_pair_octet(n) => {
                            escaped = true;
                            i += 2;
                        }
                        Some(_) => return Err((i + 1, SyntaxKind::InvalidByte)),
                        None => return Err((pos, SyntaxKind::UnbalancedQuote)),
                    },
                    Some(&b) if is_qdtext(b) => i += 1,
                    Some(_) => return Err((i, SyntaxKind::InvalidByte)),
                }
            }
            let raw = buf.get(pos + 1..i).unwrap_or_default();
            Ok((
                Value {
                    raw,
                    quoted: true,
                    escaped,
                    index: pos,
                },
                i + 1,
            ))
        }
        Some(&b) if is_tchar(b) => {
            let len = buf
                .get(pos..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&c| is_tchar(c))
                .count();
            Ok((
                Value {
                    raw: buf.get(pos..pos + len).unwrap_or_default(),
                    quoted: false,
                    escaped: false,
                    index: pos,
                },
                pos + len,
            ))
        }
        Some(&b) if is_ows(b) => Err((pos, SyntaxKind::Whitespace)),
        Some(b',' | b';') | None => Err((pos, SyntaxKind::EmptyValue)),
        Some(&b) => Err((pos, classify(b))),
    }
}

const fn classify(b: u8) -> SyntaxKind {
    if b < 0x20 || b >= 0x7F {
        SyntaxKind::InvalidByte
    } else {
        SyntaxKind::UnexpectedByte
    }
}

pub(crate) fn param_of(name: &[u8]) -> Param {
    // The name packed into an integer with ASCII letters lower-cased (`| 0x20` maps only
    // `A`–`Z` and `a`–`z` onto `a`–`z`, so no other byte can make a registered name).
    const fn key(name: &[u8]) -> u64 {
        let mut k = 0u64;
        let mut i = 0usize;
        while i < name.len() {
            // `i` < `name.len()`; `get` is not `const`.
            k = (k << 8) | (name[i] | 0x20) as u64;
            i += 1;
        }
        k
    }
    const FOR: u64 = key(b"for");
    const BY: u64 = key(b"by");
    const HOST: u64 = key(b"host");
    const PROTO: u64 = key(b"proto");
    if name.len() > 5 {
        return Param::Extension;
    }
    match key(name) {
        FOR => Param::For,
        BY => Param::By,
        HOST => Param::Host,
        PROTO => Param::Proto,
        _ => Param::Extension,
    }
}

fn syntax(line: usize, index: usize, kind: SyntaxKind) -> ForwardedError {
    ForwardedError::Syntax {
        header: HeaderName::Forwarded,
        line,
        index,
        kind,
    }
}

/// RFC 7239 §4 `forwarded-element`, parsed forward from `start` on one field line.
/// Stops at `,`, OWS or the end of the line; returns the element and the stop position.
fn parse_element(
    buf: &[u8],
    line: usize,
    start: usize,
    max_pairs: usize,
) -> Result<(Element<'_>, usize), ForwardedError> {
    let mut el = Element {
        raw: &[],
        line,
        start,
        by: None,
        for_: None,
        host: None,
        proto: None,
        for_node: None,
        by_node: None,
    };
    let mut pos = start;
    let mut pieces = 1usize;
    loop {
        // At the start of an optional forwarded-pair.
        match buf.get(pos) {
            None | Some(b',') => break,
            Some(&b) if is_ows(b) => {
                // OWS may only precede the list comma or the end of the line (RFC 7239 §7.1).
                let mut look = pos;
                while buf.get(look).is_some_and(|&c| is_ows(c)) {
                    look += 1;
                }
                match buf.get(look) {
                    None | Some(b',') => break,
                    Some(_) => return Err(syntax(line, pos, SyntaxKind::Whitespace)),
                }
            }
            Some(b';') => {
                pieces += 1;
                if pieces > max_pairs {
                    return Err(ForwardedError::TooLarge {
                        header: HeaderName::Forwarded,
                        limit: LimitKind::Pairs,
                    });
                }
                pos += 1;
                continue;
            }
            Some(_) => {}
        }
        let name_start = pos;
        while buf.get(pos).is_some_and(|&b| is_tchar(b)) {
            pos += 1;
        }
        let name = buf.get(name_start..pos).unwrap_or_default();
        if name.is_empty() {
            let kind = match buf.get(pos) {
                Some(b'=') => SyntaxKind::EmptyName,
                Some(&b) => classify(b),
                None => SyntaxKind::UnexpectedByte,
            };
            return Err(syntax(line, pos, kind));
        }
        match buf.get(pos) {
            Some(b'=') => pos += 1,
            Some(&b) if is_ows(b) => return Err(syntax(line, pos, SyntaxKind::Whitespace)),
            _ => return Err(syntax(line, pos, SyntaxKind::MissingEquals)),
        }
        let (value, next) = scan_value(buf, pos).map_err(|(i, k)| syntax(line, i, k))?;
        let param = param_of(name);
        let slot = match param {
            Param::By => Some(&mut el.by),
            Param::For => Some(&mut el.for_),
            Param::Host => Some(&mut el.host),
            Param::Proto => Some(&mut el.proto),
            Param::Extension => None,
        };
        match slot {
            Some(slot) => {
                if slot.is_some() {
                    return Err(ForwardedError::DuplicateParameter {
                        param,
                        line,
                        index: name_start,
                    });
                }
                let node = validate_param(param, &value, line)?;
                *slot = Some(value);
                match param {
                    Param::For => el.for_node = node,
                    Param::By => el.by_node = node,
                    _ => {}
                }
            }
            None => {
                // Extension parameters: syntax only (RFC 7239 §5.5), but duplicates are still
                // forbidden (§4). Rescan the already validated part of this element.
                let earlier = Element {
                    raw: buf.get(start..name_start).unwrap_or_default(),
                    ..el
                };
                if earlier.pairs().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    return Err(ForwardedError::DuplicateParameter {
                        param,
                        line,
                        index: name_start,
                    });
                }
            }
        }
        pos = next;
        match buf.get(pos) {
            None | Some(b',' | b';') => {}
            Some(&b) if is_ows(b) => {}
            Some(&b) => return Err(syntax(line, pos, classify(b))),
        }
    }
    el.raw = buf.get(start..pos).unwrap_or_default();
    Ok((el, pos))
}

/// RFC 7239 §5: values of the four registered parameters must follow their ABNF.
/// Returns the parsed node for `for` / `by`.
fn validate_param(
    param: Param,
    value: &Value<'_>,
    line: usize,
) -> Result<Option<Node>, ForwardedError> {
    let source = ValueSource::ForwardedParam {
        param,
        line,
        index: value.index,
    };
    let v = value.unescaped();
    match param {
        Param::By | Param::For => {
            return parse_node(&v)
                .map(Some)
                .ok_or(ForwardedError::InvalidNode { source });
        }
        Param::Host => {
            Authority::parse(&v).map_err(|e| host_error(e, source))?;
        }
        Param::Proto => {
            if !is_scheme(&v) {
                return Err(ForwardedError::InvalidProto { source });
            }
        }
        Param::Extension => {}
    }
    Ok(None)
}

/// After an element: list OWS, then `,` or the end of the line.
fn expect_list_separator(
    buf: &[u8],
    line: usize,
    mut pos: usize,
) -> Result<(usize, bool), ForwardedError> {
    let ows_start = pos;
    while buf.get(pos).is_some_and(|&b| is_ows(b)) {
        pos += 1;
    }
    match buf.get(pos) {
        None => Ok((pos, false)),
        Some(b',') => Ok((pos + 1, true)),
        Some(_) if pos > ows_start => Err(syntax(line, ows_start, SyntaxKind::Whitespace)),
        Some(&b) => Err(syntax(line, pos, classify(b))),
    }
}

/// Parsed-on-demand `Forwarded` field lines (all lines of the header, in received order).
#[derive(Clone, Debug)]
pub struct Forwarded<'a, I> {
    lines: I,
    count: usize,
    limits: Limits,
    _marker: core::marker::PhantomData<&'a [u8]>,
}

/// Checks the byte cap and prepares iteration over the `Forwarded` field lines `lines`
/// (each one field line's value, in received order).
///
/// # Errors
/// [`ForwardedError::TooLarge`] if the lines together exceed [`Limits::max_bytes`].
pub fn parse_forwarded<'a, I>(
    lines: I,
    limits: Limits,
) -> Result<Forwarded<'a, I::IntoIter>, ForwardedError>
where
    I: IntoIterator<Item = &'a [u8]>,
    I::IntoIter: DoubleEndedIterator + Clone,
{
    let lines = lines.into_iter();
    let mut count = 0usize;
    let mut bytes = 0usize;
    for l in lines.clone() {
        count += 1;
        bytes = bytes.saturating_add(l.len());
    }
    if bytes > limits.max_bytes {
        return Err(ForwardedError::TooLarge {
            header: HeaderName::Forwarded,
            limit: LimitKind::Bytes,
        });
    }
    Ok(Forwarded {
        lines,
        count,
        limits,
        _marker: core::marker::PhantomData,
    })
}

impl<'a, I> Forwarded<'a, I>
where
    I: DoubleEndedIterator<Item = &'a [u8]> + Clone,
{
    /// Number of field lines.
    pub const fn line_count(&self) -> usize {
        self.count
    }

    /// Elements from the first (client side) to the last; stops after the first error.
    pub fn iter(&self) -> Elements<'a, I> {
        Elements {
            lines: self.lines.clone(),
            current: None,
            line: 0,
            pos: 0,
            members: 0,
            limits: self.limits,
            done: false,
        }
    }

    /// Elements from the last (nearest proxy) to the first; stops after the first error.
    pub fn iter_rev(&self) -> ElementsFromRight<'a, I> {
        ElementsFromRight {
            lines: self.lines.clone(),
            current: None,
            line: self.count,
            end: 0,
            members: 0,
            limits: self.limits,
            done: false,
        }
    }
}

/// Forward element iterator (see [`Forwarded::iter`]).
#[derive(Clone, Debug)]
pub struct Elements<'a, I> {
    lines: I,
    current: Option<&'a [u8]>,
    line: usize,
    pos: usize,
    members: usize,
    limits: Limits,
    done: bool,
}

/// Counts one list slot (a field line, or a comma outside quotes) against the element cap.
/// Both directions count the same slots, so both hit the cap on the same input.
fn count_slot(members: &mut usize, limits: &Limits) -> Result<(), ForwardedError> {
    *members += 1;
    if *members > limits.max_elements {
        return Err(ForwardedError::TooLarge {
            header: HeaderName::Forwarded,
            limit: LimitKind::Elements,
        });
    }
    Ok(())
}

impl<'a, I> Elements<'a, I> {
    fn count_member(&mut self) -> Result<(), ForwardedError> {
        count_slot(&mut self.members, &self.limits)
    }

    fn step(&mut self) -> Result<Option<Element<'a>>, ForwardedError>
    where
        I: Iterator<Item = &'a [u8]>,
    {
        loop {
            let Some(buf) = self.current else {
                match self.lines.next() {
                    Some(l) => {
                        self.count_member()?;
                        self.current = Some(l);
                        self.pos = 0;
                        continue;
                    }
                    None => return Ok(None),
                }
            };
            while buf.get(self.pos).is_some_and(|&b| is_ows(b)) {
                self.pos += 1;
            }
            match buf.get(self.pos) {
                None => {
                    self.current = None;
                    self.line += 1;
                    continue;
                }
                Some(b',') => {
                    self.count_member()?;
                    self.pos += 1;
                    continue;
                }
                Some(_) => {}
            }
            let (el, stop) = parse_element(buf, self.line, self.pos, self.limits.max_pairs)?;
            let (pos, comma) = expect_list_separator(buf, self.line, stop)?;
            if comma {
                self.count_member()?;
            }
            self.pos = pos;
            return Ok(Some(el));
        }
    }
}

impl<'a, I> Iterator for Elements<'a, I>
where
    I: Iterator<Item = &'a [u8]>,
{
    type Item = Result<Element<'a>, ForwardedError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.step();
        fused(&mut self.done, r)
    }
}

/// Reverse element iterator (see [`Forwarded::iter_rev`]).
#[derive(Clone, Debug)]
pub struct ElementsFromRight<'a, I> {
    lines: I,
    current: Option<&'a [u8]>,
    /// Index of the current line + 1 (so 0 means "before the first line").
    line: usize,
    /// Exclusive end of the unread part of the current line.
    end: usize,
    members: usize,
    limits: Limits,
    done: bool,
}

impl<'a, I> ElementsFromRight<'a, I>
where
    I: DoubleEndedIterator<Item = &'a [u8]>,
{
    fn step(&mut self) -> Result<Option<Element<'a>>, ForwardedError> {
        loop {
            let Some(buf) = self.current else {
                match self.lines.next_back() {
                    Some(l) => {
                        count_slot(&mut self.members, &self.limits)?;
                        self.current = Some(l);
                        self.end = l.len();
                        continue;
                    }
                    None => return Ok(None),
                }
            };
            let line = self.line.saturating_sub(1);
            while self.end > 0 && buf.get(self.end - 1).is_some_and(|&b| is_ows(b)) {
                self.end -= 1;
            }
            if self.end == 0 {
                self.current = None;
                self.line = line;
                continue;
            }
            if buf.get(self.end - 1) == Some(&b',') {
                count_slot(&mut self.members, &self.limits)?;
                self.end -= 1;
                continue;
            }
            // Find the element's start: the nearest `,` to the left that is outside quotes.
            let mut i = self.end;
            let mut in_quote = false;
            let mut quote_at = 0usize;
            while i > 0 {
                let b = buf.get(i - 1).copied().unwrap_or(b',');
                if in_quote {
                    if b == b'"' {
                        let run = buf
                            .get(..i - 1)
                            .unwrap_or_default()
                            .iter()
                            .rev()
                            .take_while(|&&c| c == b'\\')
                            .count();
                        if run % 2 == 0 {
                            in_quote = false;
                        }
                    }
                } else if b == b'"' {
                    in_quote = true;
                    quote_at = i - 1;
                } else if b == b',' {
                    break;
                }
                i -= 1;
            }
            if in_quote {
                return Err(syntax(line, quote_at, SyntaxKind::UnbalancedQuote));
            }
            let mut start = i;
            while start < self.end && buf.get(start).is_some_and(|&b| is_ows(b)) {
                start += 1;
            }
            let elem_buf = buf.get(..self.end).unwrap_or_default();
            let (el, stop) = parse_element(elem_buf, line, start, self.limits.max_pairs)?;
            if stop != self.end {
                let kind = match buf.get(stop) {
                    Some(&b) if is_ows(b) => SyntaxKind::Whitespace,
                    Some(&b) => classify(b),
                    None => SyntaxKind::UnexpectedByte,
                };
                return Err(syntax(line, stop, kind));
            }
            // Continue left of the separating comma; at i == 0 the line is finished and the
            // next call moves to the previous line.
            if i > 0 {
                count_slot(&mut self.members, &self.limits)?;
            }
            self.end = i.saturating_sub(1);
            return Ok(Some(el));
        }
    }
}

impl<'a, I> Iterator for ElementsFromRight<'a, I>
where
    I: DoubleEndedIterator<Item = &'a [u8]>,
{
    type Item = Result<Element<'a>, ForwardedError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let r = self.step();
        fused(&mut self.done, r)
    }
}

/// One step of a fused element iterator: an end or an error ends it for good.
fn fused<T>(
    done: &mut bool,
    step: Result<Option<T>, ForwardedError>,
) -> Option<Result<T, ForwardedError>> {
    match step {
        Ok(Some(el)) => Some(Ok(el)),
        Ok(None) => {
            *done = true;
            None
        }
        Err(e) => {
            *done = true;
            Some(Err(e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn param_of_matches_case_insensitive_comparison() {
        fn reference(name: &[u8]) -> Param {
            [
                (&b"for"[..], Param::For),
                (b"by", Param::By),
                (b"host", Param::Host),
                (b"proto", Param::Proto),
            ]
            .into_iter()
            .find(|(n, _)| name.eq_ignore_ascii_case(n))
            .map_or(Param::Extension, |(_, p)| p)
        }
        // Every name of up to 5 bytes over the letters involved and their neighbours.
        const ALPHABET: &[u8] = b"fForRbByhHsStTpP@`[{_\x00\xe6";
        let mut stack = vec![Vec::new()];
        while let Some(name) = stack.pop() {
            assert_eq!(param_of(&name), reference(&name), "{name:?}");
            if name.len() < 5 {
                for &b in ALPHABET {
                    let mut n = name.clone();
                    n.push(b);
                    stack.push(n);
                }
            }
        }
        assert_eq!(param_of(b"protos"), Param::Extension);
        assert_eq!(param_of(b"PROTO"), Param::Proto);
    }
}
