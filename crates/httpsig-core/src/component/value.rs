//! Component values (RFC 9421 §2.1, §2.2, §2.4): what each covered component contributes to the
//! signature base, read from a message (field lines trimmed and combined, `sf`, `bs`, `key`,
//! `tr`, derived components, `@query-param` re-encoding).

use core::cell::{OnceCell, RefCell};
use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use httpsig_uri::trim_ows;

use super::{CoveredComponent, Derived, is_tchar};
use crate::error::{ComponentError, ComponentErrorKind as K};
use crate::fnv::Fnv;
use crate::message::{HttpMessage, TargetUri};
use crate::sf::{SfType, SfTypes};

/// What a component value is computed against.
pub(crate) struct Context<'m> {
    pub(crate) message: &'m dyn HttpMessage,
    pub(crate) related: Option<&'m dyn HttpMessage>,
    pub(crate) sf_types: &'m SfTypes,
    pub(crate) max_field_bytes: usize,
    pub(crate) memo: Memo<'m>,
}

/// Work done once per signature base however many components need it: a signature may cover
/// up to 64 `@query-param`s of one query, or 64 `;key` members of one Dictionary field, and
/// each must not re-read the whole query or field (issue 10 §3: linear before the crypto).
#[derive(Default)]
pub(crate) struct Memo<'m> {
    /// The `@query-param` names the base covers, of the message (`[0]`) and of the related
    /// request (`[1]`), and what the query holds for them once it has been read.
    wanted: [Vec<Box<[u8]>>; 2],
    queries: [OnceCell<QueryIndex<'m>>; 2],
    /// The `;key` members the base covers, with the field each is read from.
    members: Vec<WantedMember>,
    /// Dictionary fields parsed for `;key`, by `;req`, `;tr` and field name.
    dictionaries: RefCell<Vec<ParsedDictionary>>,
}

/// The `@query-param` names a base needs, re-encoded (RFC 9421 §2.2.8), with what the query
/// holds for each.
type QueryIndex<'m> = HashMap<Box<[u8]>, QueryValue<'m>, core::hash::BuildHasherDefault<Fnv>>;

/// What a query holds for one name.
#[derive(Clone, Copy)]
enum QueryValue<'m> {
    Missing,
    /// The raw value of the only parameter with the name.
    One(&'m str),
    Repeated,
}

impl Memo<'_> {
    /// Notes the `@query-param` names and `;key` members a base will read, before it is
    /// written: only those are kept when the query or the field is read.
    pub(crate) fn want(&mut self, c: CoveredComponent<'_>) {
        if let Some(name) = c.query_name() {
            let [own, related] = &mut self.wanted;
            let list = if c.req() { related } else { own };
            list.push(name.as_bytes().into());
        }
        if let Some(member) = c.key() {
            self.members.push(WantedMember {
                req: c.req(),
                tr: c.tr(),
                name: c.name().into(),
                member: member.into(),
            });
        }
    }
}

/// A `;key` member a base needs, and the field it comes from.
struct WantedMember {
    req: bool,
    tr: bool,
    name: Box<str>,
    member: Box<str>,
}

/// One Dictionary field read for `;key` components — the wanted members found in it — or why
/// it could not be read.
struct ParsedDictionary {
    req: bool,
    tr: bool,
    name: Box<str>,
    members: Result<Vec<(Box<str>, sfv::ListEntry)>, K>,
}

/// The message a component is read from: the related request for `;req` (RFC 9421 §2.4),
/// else the message itself.
pub(crate) fn source_of<'m>(
    message: &'m dyn HttpMessage,
    related: Option<&'m dyn HttpMessage>,
    c: CoveredComponent<'_>,
) -> Result<&'m dyn HttpMessage, ComponentError> {
    if !c.req() {
        return Ok(message);
    }
    if message.status().is_none() {
        return Err(c.err(K::ReqInRequest));
    }
    related.ok_or_else(|| c.err(K::RelatedRequestMissing))
}

/// Appends the value of `c` (without the identifier) to `out`.
pub(crate) fn write_value(
    ctx: &Context<'_>,
    c: CoveredComponent<'_>,
    out: &mut Vec<u8>,
) -> Result<(), ComponentError> {
    let source = source_of(ctx.message, ctx.related, c)?;
    let source_is_request = source.status().is_none();
    match c.derived() {
        Some(Derived::Status) => {
            if source_is_request {
                return Err(c.err(K::StatusInRequest));
            }
            let status = source
                .status()
                .ok_or_else(|| c.err(K::MessageDataMissing))?;
            if !(100..=999).contains(&status) {
                return Err(c.err(K::MessageDataMissing));
            }
            let digits = [
                b'0' + (status / 100) as u8,
                b'0' + (status / 10 % 10) as u8,
                b'0' + (status % 10) as u8,
            ];
            out.extend_from_slice(&digits);
            Ok(())
        }
        Some(d) => {
            if !source_is_request {
                return Err(c.err(K::RequestComponentInResponse));
            }
            write_request_derived(ctx, source, d, c, out)
        }
        None => write_field(ctx, source, c, out),
    }
}

fn write_request_derived<'m>(
    ctx: &Context<'m>,
    source: &'m dyn HttpMessage,
    d: Derived,
    c: CoveredComponent<'_>,
    out: &mut Vec<u8>,
) -> Result<(), ComponentError> {
    // Whatever an `HttpMessage` implementation hands over reaches the base only if it fits
    // its grammar: a line break or space there would forge base lines.
    if d == Derived::Method {
        let m = source
            .method()
            .ok_or_else(|| c.err(K::MessageDataMissing))?;
        // RFC 9110 §9.1: method = token.
        if m.is_empty() || !m.bytes().all(is_tchar) {
            return Err(c.err(K::InvalidMessageData));
        }
        out.extend_from_slice(m.as_bytes());
        return Ok(());
    }
    if d == Derived::RequestTarget
        && let Some(rt) = source.request_target()
    {
        // RFC 9112 §3.2: every form of request-target is visible ASCII without `#` — the
        // rule `TargetUri` applies to the target URI.
        if rt.is_empty() || !rt.bytes().all(|b| b.is_ascii_graphic() && b != b'#') {
            return Err(c.err(K::InvalidMessageData));
        }
        out.extend_from_slice(rt.as_bytes());
        return Ok(());
    }
    let uri: TargetUri<'m> = source
        .target_uri()
        .ok_or_else(|| c.err(K::MessageDataMissing))?;
    match d {
        Derived::TargetUri => write_target_uri(&uri, out),
        Derived::Authority => uri.authority().write_normalized(uri.scheme_kind(), out),
        Derived::Scheme => out.extend_from_slice(uri.scheme_kind().as_str().as_bytes()),
        Derived::RequestTarget => write_origin_form(&uri, out),
        Derived::Path => write_path(&uri, out),
        Derived::Query => write_query(&uri, out),
        Derived::QueryParam => {
            let name = c
                .query_name()
                .ok_or_else(|| c.err(K::QueryParamNameRequired))?;
            let i = usize::from(c.req());
            let (Some(cell), Some(wanted)) = (ctx.memo.queries.get(i), ctx.memo.wanted.get(i))
            else {
                return Err(c.err(K::QueryParamMissing));
            };
            let index = cell.get_or_init(|| query_index(uri.query().unwrap_or(""), wanted));
            // A name the memo was not told about (a caller that skipped `Memo::want`) is
            // missing from the index: refused, never guessed.
            match index.get(name.as_bytes()) {
                None | Some(QueryValue::Missing) => return Err(c.err(K::QueryParamMissing)),
                Some(QueryValue::Repeated) => return Err(c.err(K::QueryParamRepeated)),
                Some(QueryValue::One(v)) => reencode(v, out),
            }
        }
        Derived::Method | Derived::Status => {}
    }
    Ok(())
}

/// RFC 9421 §2.2.8: parse the query as `application/x-www-form-urlencoded`, re-encode each name
/// with the WHATWG percent-encode set (space as `%20`) and note the value of each `wanted` name;
/// a name seen twice cannot be signed. One pass over the query without allocating per
/// parameter, however many `@query-param` components read it; a name whose re-encoded length no
/// wanted name has is not even hashed.
fn query_index<'q>(query: &'q str, wanted: &[Box<[u8]>]) -> QueryIndex<'q> {
    let mut index: QueryIndex<'q> = QueryIndex::default();
    let mut lengths = 0u128;
    for n in wanted {
        index.insert(n.clone(), QueryValue::Missing);
        lengths |= length_bit(n.len());
    }
    let (mut name, mut decoded) = (Vec::new(), Vec::new());
    let mut note = |pair: &'q str, eq: Option<usize>| {
        let (n, v) = match eq {
            Some(at) => (
                pair.get(..at).unwrap_or(""),
                pair.get(at + 1..).unwrap_or(""),
            ),
            None => (pair, ""),
        };
        name.clear();
        reencode_with(n, &mut decoded, &mut name);
        if lengths & length_bit(name.len()) == 0 {
            return;
        }
        if let Some(seen) = index.get_mut(name.as_slice()) {
            *seen = match seen {
                QueryValue::Missing => QueryValue::One(v),
                _ => QueryValue::Repeated,
            };
        }
    };
    // One byte loop finds each pair and its first `=` (both ASCII, so every split is on a
    // char boundary); empty pairs are skipped.
    let (mut start, mut eq) = (0, None);
    for (i, b) in query.bytes().enumerate() {
        match b {
            b'&' => {
                if i > start {
                    note(query.get(start..i).unwrap_or(""), eq);
                }
                (start, eq) = (i + 1, None);
            }
            b'=' if eq.is_none() => eq = Some(i - start),
            _ => {}
        }
    }
    if query.len() > start {
        note(query.get(start..).unwrap_or(""), eq);
    }
    index
}

/// A bit for a name length in the prefilter: lengths from 127 on share the top bit.
fn length_bit(len: usize) -> u128 {
    1u128 << len.min(127)
}

/// Decodes one `application/x-www-form-urlencoded` name or value and re-encodes it.
pub(crate) fn reencode(raw: &str, out: &mut Vec<u8>) {
    reencode_with(raw, &mut Vec::new(), out);
}

/// [`reencode`] with a scratch buffer for the decoded bytes, so that a loop over many names
/// allocates nothing.
fn reencode_with(raw: &str, decoded: &mut Vec<u8>, out: &mut Vec<u8>) {
    // WHATWG URL §5.1 (urlencoded parser): `+` is a space, then percent-decode; the bytes are then
    // UTF-8 decoded with replacement, exactly as a browser would.
    let b = raw.as_bytes();
    if !b.iter().any(|&c| c == b'%' || c == b'+') {
        // Nothing to decode, and `raw` is UTF-8 already.
        encode_form(b, out);
        return;
    }
    decoded.clear();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'+' => decoded.push(b' '),
            b'%' => match (
                b.get(i + 1).and_then(|h| hex(*h)),
                b.get(i + 2).and_then(|l| hex(*l)),
            ) {
                (Some(h), Some(l)) => {
                    decoded.push(h << 4 | l);
                    i += 2;
                }
                _ => decoded.push(b'%'),
            },
            _ => decoded.push(c),
        }
        i += 1;
    }
    // UTF-8 decode with replacement: each invalid sequence becomes U+FFFD.
    for chunk in decoded.utf8_chunks() {
        encode_form(chunk.valid().as_bytes(), out);
        if !chunk.invalid().is_empty() {
            encode_form("\u{fffd}".as_bytes(), out);
        }
    }
}

/// WHATWG URL §1.3: the application/x-www-form-urlencoded percent-encode set leaves only ASCII
/// alphanumerics and `*-._` unencoded; RFC 9421 §2.2.8 writes space as `%20`.
fn encode_form(bytes: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for &c in bytes {
        if c.is_ascii_alphanumeric() || matches!(c, b'*' | b'-' | b'.' | b'_') {
            out.push(c);
        } else {
            out.extend_from_slice(&[b'%', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]);
        }
    }
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn write_field(
    ctx: &Context<'_>,
    source: &dyn HttpMessage,
    c: CoveredComponent<'_>,
    out: &mut Vec<u8>,
) -> Result<(), ComponentError> {
    if let Some(member) = c.key() {
        return write_member(ctx, source, c, member, out);
    }
    let start = out.len();
    write_lines(ctx, source, c, out).map_err(|k| c.err(k))?;
    if c.sf() {
        let combined = out.split_off(start);
        write_structured(ctx, c, &combined, out)?;
    }
    Ok(())
}

/// The field's lines (header or trailer section), trimmed, unfolded and joined with `", "`
/// (RFC 9421 §2.1), or each wrapped as a Byte Sequence for `;bs` (§2.1.3).
fn write_lines(
    ctx: &Context<'_>,
    source: &dyn HttpMessage,
    c: CoveredComponent<'_>,
    out: &mut Vec<u8>,
) -> Result<(), K> {
    let name = c.name();
    let start = out.len();
    let mut lines = 0usize;
    let mut too_large = false;
    let mut bad = false;
    let bs = c.bs();
    let mut visit = |line: &[u8]| {
        if too_large || bad {
            return;
        }
        if lines > 0 {
            out.extend_from_slice(b", ");
        }
        lines += 1;
        if bs {
            out.push(b':');
            let trimmed = trim_ows(line);
            let at = out.len();
            out.resize(
                at + base64::encoded_len(trimmed.len(), true).unwrap_or(0),
                0,
            );
            if let Some(dst) = out.get_mut(at..) {
                let n = STANDARD.encode_slice(trimmed, dst).unwrap_or(0);
                out.truncate(at + n);
            }
            out.push(b':');
        } else if !write_trimmed_unfolded(line, out) {
            bad = true;
        }
        if out.len().saturating_sub(start) > ctx.max_field_bytes {
            too_large = true;
        }
    };
    if c.tr() {
        source.trailer_lines(name, &mut visit);
    } else {
        source.field_lines(name, &mut visit);
    }
    if lines == 0 {
        return Err(K::FieldAbsent);
    }
    if too_large {
        return Err(K::FieldTooLarge);
    }
    if bad {
        return Err(K::InvalidFieldValue);
    }
    Ok(())
}

/// RFC 9421 §2.1.2: one member of a Dictionary field, serialized. The field is read and parsed
/// once per base (see [`Memo`]) and each `;key` component picks its member.
fn write_member(
    ctx: &Context<'_>,
    source: &dyn HttpMessage,
    c: CoveredComponent<'_>,
    member: &str,
    out: &mut Vec<u8>,
) -> Result<(), ComponentError> {
    let mut parsed = ctx.memo.dictionaries.borrow_mut();
    let found = parsed
        .iter()
        .position(|p| p.req == c.req() && p.tr == c.tr() && *p.name == *c.name());
    let at = match found {
        Some(at) => at,
        None => {
            parsed.push(ParsedDictionary {
                req: c.req(),
                tr: c.tr(),
                name: c.name().into(),
                members: parse_dictionary(ctx, source, c),
            });
            parsed.len() - 1
        }
    };
    let members = match parsed.get(at).map(|p| &p.members) {
        Some(Ok(members)) => members,
        Some(Err(k)) => return Err(c.err(*k)),
        // Invariant: `at` indexes an entry found or just pushed.
        None => return Err(c.err(K::SfParse)),
    };
    let entry = members
        .iter()
        .find(|(m, _)| **m == *member)
        .map(|(_, e)| e)
        .ok_or_else(|| c.err(K::KeyMissingMember))?;
    let mut ser = sfv::ListSerializer::new();
    ser.members(core::iter::once(entry));
    // A list of one member always serializes.
    out.extend_from_slice(ser.finish().unwrap_or_default().as_bytes());
    Ok(())
}

/// The field `c` names, combined and parsed as a Dictionary (`key` implies one), keeping only
/// the members the base wants (a Dictionary of hundreds of members is not copied into a map): a
/// field registered as another structured type is [`K::KeyNotDictionary`], as is an
/// unregistered field that does not parse as one; a registered Dictionary that does not parse
/// is [`K::SfParse`]. A repeated key keeps its last value (RFC 8941 §4.2.2).
fn parse_dictionary(
    ctx: &Context<'_>,
    source: &dyn HttpMessage,
    c: CoveredComponent<'_>,
) -> Result<Vec<(Box<str>, sfv::ListEntry)>, K> {
    let registered = match ctx.sf_types.type_of(c.name()) {
        Some(SfType::Dictionary) => true,
        None => false,
        Some(_) => return Err(K::KeyNotDictionary),
    };
    let mut combined = Vec::new();
    write_lines(ctx, source, c, &mut combined)?;
    // Each wanted member once, numbered densely: a member covered twice (`;key="a"` and
    // `;key="a";sf`) must not leave a gap in the numbering (second adversarial pass, N1).
    let mut wanted: HashMap<&str, usize, core::hash::BuildHasherDefault<Fnv>> = HashMap::default();
    for w in ctx
        .memo
        .members
        .iter()
        .filter(|w| w.req == c.req() && w.tr == c.tr() && *w.name == *c.name())
    {
        let next = wanted.len();
        wanted.entry(&*w.member).or_insert(next);
    }
    let mut found: Vec<Option<sfv::ListEntry>> = vec![None; wanted.len()];
    sfv::Parser::new(&combined)
        .parse_dictionary_with_visitor(Members {
            wanted: &wanted,
            found: &mut found,
        })
        .map_err(|_| {
            if registered {
                K::SfParse
            } else {
                K::KeyNotDictionary
            }
        })?;
    let mut out = Vec::new();
    for (member, i) in wanted {
        if let Some(Some(entry)) = found.get_mut(i).map(Option::take) {
            out.push((member.into(), entry));
        }
    }
    Ok(out)
}

/// Keeps the Dictionary members whose keys are wanted, as owned entries; the others are only
/// syntax-checked.
struct Members<'a, 'w> {
    wanted: &'a HashMap<&'w str, usize, core::hash::BuildHasherDefault<Fnv>>,
    found: &'a mut Vec<Option<sfv::ListEntry>>,
}

impl<'de> sfv::visitor::DictionaryVisitor<'de> for Members<'_, '_> {
    type Out = ();
    type Error = core::convert::Infallible;

    fn entry(
        &mut self,
        key: &'de sfv::KeyRef,
    ) -> Result<impl sfv::visitor::EntryVisitor<'de>, Self::Error> {
        Ok(self
            .wanted
            .get(key.as_str())
            .and_then(|&i| self.found.get_mut(i))
            .map(MemberEntry))
    }

    fn finish(self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// The slot of one wanted member; a later member with the same key overwrites it.
struct MemberEntry<'a>(&'a mut Option<sfv::ListEntry>);

impl<'de> sfv::visitor::EntryVisitor<'de> for MemberEntry<'_> {
    type Error = core::convert::Infallible;

    fn item(self) -> Result<impl sfv::visitor::ItemVisitor<'de>, Self::Error> {
        Ok(self)
    }

    fn inner_list(self) -> Result<impl sfv::visitor::InnerListVisitor<'de>, Self::Error> {
        let slot = self
            .0
            .insert(sfv::ListEntry::InnerList(sfv::InnerList::default()));
        Ok(match slot {
            sfv::ListEntry::InnerList(list) => Some(InnerListEntry(list)),
            sfv::ListEntry::Item(_) => None,
        })
    }
}

impl<'de> sfv::visitor::ItemVisitor<'de> for MemberEntry<'_> {
    type Out = Option<()>;
    type Error = core::convert::Infallible;

    fn bare_item(
        self,
        bare_item: sfv::BareItemFromInput<'de>,
    ) -> Result<impl sfv::visitor::ParameterVisitor<'de, Out = Self::Out>, Self::Error> {
        let slot = self
            .0
            .insert(sfv::ListEntry::Item(sfv::Item::new(bare_item)));
        Ok(match slot {
            sfv::ListEntry::Item(item) => Some(Params(&mut item.params)),
            sfv::ListEntry::InnerList(_) => None,
        })
    }
}

struct InnerListEntry<'a>(&'a mut sfv::InnerList);

impl<'de> sfv::visitor::InnerListVisitor<'de> for InnerListEntry<'_> {
    type Error = core::convert::Infallible;

    fn item(&mut self) -> Result<impl sfv::visitor::ItemVisitor<'de>, Self::Error> {
        Ok(InnerItem(&mut *self.0))
    }

    fn finish(self) -> Result<impl sfv::visitor::ParameterVisitor<'de>, Self::Error> {
        Ok(Params(&mut self.0.params))
    }
}

struct InnerItem<'a>(&'a mut sfv::InnerList);

impl<'de> sfv::visitor::ItemVisitor<'de> for InnerItem<'_> {
    type Out = Option<()>;
    type Error = core::convert::Infallible;

    fn bare_item(
        self,
        bare_item: sfv::BareItemFromInput<'de>,
    ) -> Result<impl sfv::visitor::ParameterVisitor<'de, Out = Self::Out>, Self::Error> {
        self.0.items.push(sfv::Item::new(bare_item));
        Ok(self.0.items.last_mut().map(|i| Params(&mut i.params)))
    }
}

struct Params<'a>(&'a mut sfv::Parameters);

impl<'de> sfv::visitor::ParameterVisitor<'de> for Params<'_> {
    type Out = ();
    type Error = core::convert::Infallible;

    fn parameter(
        &mut self,
        key: &'de sfv::KeyRef,
        value: sfv::BareItemFromInput<'de>,
    ) -> Result<(), Self::Error> {
        // RFC 8941 §4.2.3.2: a repeated parameter key keeps its last value.
        self.0.insert(key.to_owned(), value.into());
        Ok(())
    }

    fn finish(self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// RFC 9421 §2.1: replace obsolete line folding with one space, then trim leading and trailing
/// whitespace. Returns false when the value holds a NUL or a line break that is not folding
/// (never valid in a field). Only what this call writes is touched.
fn write_trimmed_unfolded(line: &[u8], out: &mut Vec<u8>) -> bool {
    // Values from `http` never contain CR or LF: one trimmed copy.
    if memchr::memchr3(b'\r', b'\n', 0, line).is_none() {
        out.extend_from_slice(trim_ows(line));
        return true;
    }
    let floor = out.len();
    let is_ows = |b: &u8| httpsig_uri::is_ows(*b);
    let mut rest = line;
    while let Some(at) = memchr::memchr3(b'\r', b'\n', 0, rest) {
        let (run, tail) = rest.split_at(at);
        out.extend_from_slice(run);
        if tail.first() == Some(&0) {
            return false;
        }
        // Exactly one line end: CRLF, or a bare LF (RFC 9112 §2.2 lets a recipient take LF
        // as one). A bare CR, or two line ends in a row, is not folding.
        let after_eol = match tail {
            [b'\r', b'\n', ..] => 2,
            [b'\n', ..] => 1,
            _ => return false,
        };
        let tail = tail.get(after_eol..).unwrap_or(&[]);
        let after_ws = tail.iter().position(|c| !is_ows(c)).unwrap_or(tail.len());
        if after_ws == 0 {
            // A line break not followed by whitespace is not folding.
            return false;
        }
        // obs-fold = OWS CRLF RWS (RFC 9112 §5.2): one SP in place of all of it.
        while out.len() > floor && out.last().is_some_and(is_ows) {
            out.pop();
        }
        out.push(b' ');
        rest = tail.get(after_ws..).unwrap_or(&[]);
    }
    out.extend_from_slice(rest);
    // Trim the unfolded value (a fold at either end is whitespace there).
    while out.len() > floor && out.last().is_some_and(is_ows) {
        out.pop();
    }
    let lead = out
        .get(floor..)
        .and_then(|v| v.iter().position(|c| !is_ows(c)))
        .unwrap_or(0);
    if lead > 0 {
        out.drain(floor..floor + lead);
    }
    true
}

/// RFC 9421 §2.1.1 (`sf`): the field re-serialized as its structured type.
fn write_structured(
    ctx: &Context<'_>,
    c: CoveredComponent<'_>,
    combined: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), ComponentError> {
    let ty = ctx
        .sf_types
        .type_of(c.name())
        .ok_or_else(|| c.err(K::SfUnknownType))?;
    let parser = sfv::Parser::new(combined);
    let s = match ty {
        SfType::Item => parser.parse::<sfv::Item>().map(|i| {
            sfv::ItemSerializer::new()
                .bare_item(&i.bare_item)
                .parameters(&i.params)
                .finish()
        }),
        // An empty List or Dictionary serializes to nothing (RFC 8941 §4.1.1, §4.1.2): the
        // line's value is empty, which is what `unwrap_or_default` gives.
        SfType::List => parser.parse::<sfv::List>().map(|l| {
            let mut ser = sfv::ListSerializer::new();
            ser.members(&l);
            ser.finish().unwrap_or_default()
        }),
        SfType::Dictionary => parser.parse::<sfv::Dictionary>().map(|d| {
            let mut ser = sfv::DictSerializer::new();
            ser.members(&d);
            ser.finish().unwrap_or_default()
        }),
    }
    .map_err(|_| c.err(K::SfParse))?;
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

/// `@target-uri`: the URI exactly as given (RFC 9421 §2.2.2 defines no normalization, unlike
/// `@authority` and `@scheme`; every peer implementation tested agrees).
fn write_target_uri(uri: &TargetUri<'_>, out: &mut Vec<u8>) {
    out.extend_from_slice(uri.scheme().as_bytes());
    out.extend_from_slice(b"://");
    out.extend_from_slice(uri.authority_str().as_bytes());
    out.extend_from_slice(uri.path().as_bytes());
    if let Some(q) = uri.query() {
        out.push(b'?');
        out.extend_from_slice(q.as_bytes());
    }
}

/// `@path`: the path as received, `/` when empty (RFC 9421 §2.2.6).
fn write_path(uri: &TargetUri<'_>, out: &mut Vec<u8>) {
    if uri.path().is_empty() {
        out.push(b'/');
    } else {
        out.extend_from_slice(uri.path().as_bytes());
    }
}

/// `@query`: `?` and the query as received; `?` alone when absent (RFC 9421 §2.2.7).
fn write_query(uri: &TargetUri<'_>, out: &mut Vec<u8>) {
    out.push(b'?');
    if let Some(q) = uri.query() {
        out.extend_from_slice(q.as_bytes());
    }
}

/// The origin-form request target (`path?query`) for `@request-target` (RFC 9421 §2.2.5).
fn write_origin_form(uri: &TargetUri<'_>, out: &mut Vec<u8>) {
    write_path(uri, out);
    if let Some(q) = uri.query() {
        out.push(b'?');
        out.extend_from_slice(q.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::component::Component;

    fn enc(s: &str) -> String {
        let mut v = Vec::new();
        reencode(s, &mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn whatwg_reencoding() {
        // RFC 9421 §2.2.8 and the WHATWG application/x-www-form-urlencoded percent-encode set.
        let cases = [
            ("dog", "dog"),
            ("a+b", "a%20b"),
            ("a%20b", "a%20b"),
            ("%2a", "*"),
            ("!'()~", "%21%27%28%29%7E"),
            ("*-._", "*-._"),
            ("%e2%82%ac", "%E2%82%AC"),
            ("%zz", "%25zz"),
            ("%", "%25"),
            ("%ff", "%EF%BF%BD"),
            ("", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(enc(raw), want, "{raw}");
        }
    }

    #[test]
    fn query_param_selection() {
        let run = |q: &str, n: &str| match query_index(q, &[n.as_bytes().into()])
            .get(n.as_bytes())
            .copied()
        {
            None | Some(QueryValue::Missing) => Err(K::QueryParamMissing),
            Some(QueryValue::Repeated) => Err(K::QueryParamRepeated),
            Some(QueryValue::One(v)) => {
                let mut out = Vec::new();
                reencode(v, &mut out);
                Ok(String::from_utf8(out).unwrap())
            }
        };
        assert_eq!(
            run("param=value&foo=bar&baz=batman&qux=", "qux"),
            Ok(String::new())
        );
        assert_eq!(
            run("param=value&foo=bar&baz=batman&qux=", "baz"),
            Ok("batman".into())
        );
        assert_eq!(run("a=1&a=2", "a"), Err(K::QueryParamRepeated));
        assert_eq!(run("a=1", "b"), Err(K::QueryParamMissing));
        assert_eq!(run("a+b=1", "a%20b"), Ok("1".into()));
        assert_eq!(run("flag", "flag"), Ok(String::new()));
        assert_eq!(run("", "x"), Err(K::QueryParamMissing));
        // Repeated after re-encoding, and three times.
        assert_eq!(run("a%20b=1&a+b=2", "a%20b"), Err(K::QueryParamRepeated));
        assert_eq!(run("a=1&b=2&a=3&a=4", "a"), Err(K::QueryParamRepeated));
        assert_eq!(run("a=1&b=2&a=3&a=4", "b"), Ok("2".into()));
    }

    /// `;key` reads the field once and keeps only the wanted members (RFC 9421 §2.1.2); the
    /// values must be what an owned parse of the whole Dictionary gives.
    #[test]
    fn key_members_from_one_parse() {
        let msg = crate::Message::request("GET", "https://example.com/")
            .unwrap()
            .with_header("X-D", "a=1, b=(x y);p=?0, c=:AQ==:;q=\"s\", a=3;r, d")
            .with_header("X-D", "e=@1659578233, f=%\"caf%c3%a9\"");
        let line = |member: &str| {
            let c = Component::field("x-d").unwrap().with_key(member).unwrap();
            crate::component_line(&msg, None, &c, &crate::BaseOptions::default())
                .map(|l| String::from_utf8(l).unwrap())
                .map_err(|e| e.code())
        };
        assert_eq!(line("a"), Ok("\"x-d\";key=\"a\": 3;r".into()));
        assert_eq!(line("b"), Ok("\"x-d\";key=\"b\": (x y);p=?0".into()));
        assert_eq!(line("c"), Ok("\"x-d\";key=\"c\": :AQ==:;q=\"s\"".into()));
        assert_eq!(line("d"), Ok("\"x-d\";key=\"d\": ?1".into()));
        assert_eq!(line("e"), Ok("\"x-d\";key=\"e\": @1659578233".into()));
        assert_eq!(line("f"), Ok("\"x-d\";key=\"f\": %\"caf%c3%a9\"".into()));
        assert_eq!(line("z"), Err("component.key_missing_member"));
        // One member covered twice (with and without `;sf`) beside another (second
        // adversarial pass, N1: the second member went missing).
        let params = crate::SignatureParams::parse(
            r#"("x-d";key="a" "x-d";key="a";sf "x-d";key="b" "x-d";key="c")"#,
        )
        .unwrap();
        let base = crate::signature_base(&msg, None, &params, &crate::BaseOptions::default())
            .map(|b| String::from_utf8(b).unwrap());
        let base = base.unwrap();
        assert!(
            base.starts_with(
                "\"x-d\";key=\"a\": 3;r\n\"x-d\";key=\"a\";sf: 3;r\n\"x-d\";key=\"b\": (x y);p=?0\n\
                 \"x-d\";key=\"c\": :AQ==:;q=\"s\"\n"
            ),
            "{base}"
        );
        let bad = crate::Message::request("GET", "https://example.com/")
            .unwrap()
            .with_header("X-D", "a=1, (b)");
        let c = Component::field("x-d").unwrap().with_key("a").unwrap();
        let e = crate::component_line(&bad, None, &c, &crate::BaseOptions::default());
        assert_eq!(e.map_err(|e| e.code()), Err("component.key_not_dictionary"));
    }

    #[test]
    fn unfolding_and_trimming() {
        let run = |v: &[u8]| {
            let mut out = Vec::new();
            write_trimmed_unfolded(v, &mut out).then(|| String::from_utf8(out).unwrap())
        };
        assert_eq!(run(b"  value  "), Some("value".into()));
        assert_eq!(
            run(b"Obsolete\r\n    line folding."),
            Some("Obsolete line folding.".into())
        );
        assert_eq!(run(b"a \n\tb"), Some("a b".into()));
        assert_eq!(run(b"a\rb"), None);
        // Only OWS (CR)LF RWS is folding (RFC 9112 §5.2); a bare CR or two line ends are not
        // (second adversarial pass, N4).
        for not_a_fold in [
            &b"a\r b"[..],
            b"a\r\r\n b",
            b"a\n\r b",
            b"a\r\n\r\n b",
            b"a\n\n b",
        ] {
            assert_eq!(run(not_a_fold), None, "{not_a_fold:?}");
        }
        assert_eq!(run(b"a\0b"), None);
        assert_eq!(run(b""), Some(String::new()));
        // What was written before the value is never touched (a fuzz finding: a fold at the
        // start used to pop the base's own `": "` space, and a lone line end underflowed).
        let after_prefix = |v: &[u8]| {
            let mut out = b"\"x\": ".to_vec();
            let ok = write_trimmed_unfolded(v, &mut out);
            assert!(out.starts_with(b"\"x\": "), "{out:?}");
            ok.then(|| String::from_utf8(out).unwrap())
        };
        assert_eq!(after_prefix(b"\r\n y"), Some("\"x\": y".into()));
        assert_eq!(after_prefix(b"\r\n \r\n\ty z"), Some("\"x\": y z".into()));
        assert_eq!(after_prefix(b"\r\n"), None);
        assert_eq!(after_prefix(b"\r\n   "), Some("\"x\": ".into()));
        assert_eq!(after_prefix(b"a\r\n   "), Some("\"x\": a".into()));
        assert_eq!(
            after_prefix(b" \t a \r\n\t b \t"),
            Some("\"x\": a b".into())
        );
        assert_eq!(after_prefix(b"\n"), None);
        assert_eq!(after_prefix(b"a\r\n b"), Some("\"x\": a b".into()));
    }

    fn render(uri: &str, which: &str) -> String {
        let t = TargetUri::parse(uri).unwrap();
        let mut out = Vec::new();
        match which {
            "authority" => t.authority().write_normalized(t.scheme_kind(), &mut out),
            "path" => write_path(&t, &mut out),
            "query" => write_query(&t, &mut out),
            _ => write_target_uri(&t, &mut out),
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn authority_normalization() {
        let cases = [
            ("https://www.example.com/", "www.example.com"),
            ("https://WWW.Example.COM:443/", "www.example.com"),
            ("http://example.com:80/", "example.com"),
            ("http://example.com:443/", "example.com:443"),
            ("https://example.com:8443/", "example.com:8443"),
            ("https://example.com:/", "example.com"),
            ("https://[2001:DB8::1]:443/x", "[2001:db8::1]"),
            ("https://[2001:db8::1]:8443/x", "[2001:db8::1]:8443"),
        ];
        for (uri, want) in cases {
            assert_eq!(render(uri, "authority"), want, "{uri}");
        }
    }

    #[test]
    fn path_query_target() {
        assert_eq!(render("https://a.example", "path"), "/");
        assert_eq!(render("https://a.example", "query"), "?");
        assert_eq!(render("https://a.example/p?", "query"), "?");
        assert_eq!(render("https://a.example/p?a=b", "query"), "?a=b");
        assert_eq!(
            render("HTTPS://A.example:443/p%2Fq?x=%41", "target"),
            "HTTPS://A.example:443/p%2Fq?x=%41"
        );
        assert_eq!(render("https://a.example", "target"), "https://a.example");
    }
}
