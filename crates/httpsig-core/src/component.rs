//! Component identifiers and their values (RFC 9421 §2.1, §2.2, §2.4).
//!
//! A covered component is an sf-string name with parameters. Its serialized form is kept exactly
//! as it appears in `Signature-Input` (parameter order included), because the signature base
//! repeats it byte for byte.

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::{ComponentError, ComponentErrorKind as K};
use crate::message::{HttpMessage, TargetUri};
use crate::sf::{SfType, SfTypes};

/// The derived components of RFC 9421 §2.2.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Derived {
    /// `@method` (§2.2.1)
    Method,
    /// `@target-uri` (§2.2.2)
    TargetUri,
    /// `@authority` (§2.2.3)
    Authority,
    /// `@scheme` (§2.2.4)
    Scheme,
    /// `@request-target` (§2.2.5)
    RequestTarget,
    /// `@path` (§2.2.6)
    Path,
    /// `@query` (§2.2.7)
    Query,
    /// `@query-param` (§2.2.8), with its `name` parameter
    QueryParam,
    /// `@status` (§2.2.9)
    Status,
}

impl Derived {
    /// The component name, with its `@`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Method => "@method",
            Self::TargetUri => "@target-uri",
            Self::Authority => "@authority",
            Self::Scheme => "@scheme",
            Self::RequestTarget => "@request-target",
            Self::Path => "@path",
            Self::Query => "@query",
            Self::QueryParam => "@query-param",
            Self::Status => "@status",
        }
    }

    /// Looks a derived component up by name (`@method`, ...).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "@method" => Self::Method,
            "@target-uri" => Self::TargetUri,
            "@authority" => Self::Authority,
            "@scheme" => Self::Scheme,
            "@request-target" => Self::RequestTarget,
            "@path" => Self::Path,
            "@query" => Self::Query,
            "@query-param" => Self::QueryParam,
            "@status" => Self::Status,
            _ => return None,
        })
    }
}

/// Byte range inside a serialized text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Self {
        // Field values are capped far below 4 GiB (see `Limits`), so the casts cannot truncate.
        Self {
            start: start as u32,
            end: end as u32,
        }
    }

    pub(crate) fn get(self, text: &str) -> &str {
        text.get(self.start as usize..self.end as usize)
            .unwrap_or("")
    }

    pub(crate) fn shifted(self, by: usize) -> Self {
        Self::new(self.start as usize + by, self.end as usize + by)
    }
}

pub(crate) const FLAG_SF: u8 = 1;
pub(crate) const FLAG_BS: u8 = 2;
pub(crate) const FLAG_REQ: u8 = 4;
pub(crate) const FLAG_TR: u8 = 8;

/// A parsed component identifier, as ranges into the text that holds its serialization.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ComponentSpec {
    /// The whole serialized identifier, parameters included.
    pub(crate) ident: Span,
    /// The name, without quotes.
    pub(crate) name: Span,
    pub(crate) derived: Option<Derived>,
    pub(crate) flags: u8,
    /// The raw (serialized) content of `key="..."`.
    pub(crate) key: Option<Span>,
    /// The raw (serialized) content of `name="..."`.
    pub(crate) qname: Option<Span>,
}

impl ComponentSpec {
    pub(crate) fn shifted(mut self, by: usize) -> Self {
        self.ident = self.ident.shifted(by);
        self.name = self.name.shifted(by);
        self.key = self.key.map(|s| s.shifted(by));
        self.qname = self.qname.map(|s| s.shifted(by));
        self
    }
}

/// Incremental writer of one component identifier; shared by the parser and the builders so
/// that both produce and validate identifiers the same way.
pub(crate) struct ComponentWriter {
    start: usize,
    spec: ComponentSpec,
    seen: u8,
}

const SEEN_KEY: u8 = 16;
const SEEN_NAME: u8 = 32;

impl ComponentWriter {
    /// Validates `name` and writes `"name"` to `text`.
    pub(crate) fn begin(text: &mut impl TextSink, name: &str) -> Result<Self, ComponentError> {
        let derived = if name.starts_with('@') {
            if name == "@signature-params" {
                return Err(ComponentError::new(
                    &quoted(name),
                    K::SignatureParamsCovered,
                ));
            }
            Some(
                Derived::from_name(name)
                    .ok_or_else(|| ComponentError::new(&quoted(name), K::UnknownDerived))?,
            )
        } else {
            if name.is_empty() || !name.bytes().all(is_lower_tchar) {
                return Err(ComponentError::new(&quoted(name), K::InvalidName));
            }
            None
        };
        let start = text.len();
        text.push('"');
        text.push_str(name);
        text.push('"');
        Ok(Self {
            start,
            spec: ComponentSpec {
                ident: Span::default(),
                name: Span::new(start + 1, start + 1 + name.len()),
                derived,
                flags: 0,
                key: None,
                qname: None,
            },
            seen: 0,
        })
    }

    fn ident_so_far<'t>(&self, text: &'t str) -> &'t str {
        text.get(self.start..).unwrap_or("")
    }

    fn err(&self, text: &str, kind: K) -> ComponentError {
        ComponentError::new(self.ident_so_far(text), kind)
    }

    /// Writes a boolean flag parameter (`sf`, `bs`, `req`, `tr`).
    pub(crate) fn flag(
        &mut self,
        text: &mut impl TextSink,
        key: &str,
        value: bool,
    ) -> Result<(), ComponentError> {
        let bit = match key {
            "sf" => FLAG_SF,
            "bs" => FLAG_BS,
            "req" => FLAG_REQ,
            "tr" => FLAG_TR,
            "key" | "name" => return Err(self.err(text.as_str(), K::InvalidParameterValue)),
            _ => return Err(self.err(text.as_str(), K::UnknownParameter)),
        };
        if !value {
            // `;sf=?0` is not a flag the RFC defines; refuse rather than guess.
            return Err(self.err(text.as_str(), K::InvalidParameterValue));
        }
        if self.seen & bit != 0 {
            return Err(self.err(text.as_str(), K::DuplicateParameter));
        }
        self.seen |= bit;
        self.spec.flags |= bit;
        text.push(';');
        text.push_str(key);
        Ok(())
    }

    /// Writes a string parameter (`key`, `name`); `value` is the unescaped string.
    pub(crate) fn string(
        &mut self,
        text: &mut impl TextSink,
        key: &str,
        value: &str,
    ) -> Result<(), ComponentError> {
        let bit = match key {
            "key" => SEEN_KEY,
            "name" => SEEN_NAME,
            "sf" | "bs" | "req" | "tr" => {
                return Err(self.err(text.as_str(), K::InvalidParameterValue));
            }
            _ => return Err(self.err(text.as_str(), K::UnknownParameter)),
        };
        if self.seen & bit != 0 {
            return Err(self.err(text.as_str(), K::DuplicateParameter));
        }
        self.seen |= bit;
        text.push(';');
        text.push_str(key);
        text.push_str("=\"");
        let at = text.len();
        write_sf_string_content(text, value);
        let span = Span::new(at, text.len());
        text.push('"');
        if bit == SEEN_KEY {
            self.spec.key = Some(span);
        } else {
            self.spec.qname = Some(span);
        }
        Ok(())
    }

    /// Any other parameter type is refused.
    pub(crate) fn other(&self, text: &str, key: &str) -> ComponentError {
        match key {
            "sf" | "bs" | "req" | "tr" | "key" | "name" => self.err(text, K::InvalidParameterValue),
            _ => self.err(text, K::UnknownParameter),
        }
    }

    /// Checks the parameter combination (RFC 9421 §2.1, §2.2.8) and returns the spec.
    pub(crate) fn finish(mut self, text: &str) -> Result<ComponentSpec, ComponentError> {
        self.spec.ident = Span::new(self.start, text.len());
        let s = &self.spec;
        let field_only = s.flags & (FLAG_SF | FLAG_BS | FLAG_TR) != 0 || s.key.is_some();
        match s.derived {
            Some(Derived::QueryParam) => {
                if s.qname.is_none() {
                    return Err(self.err(text, K::QueryParamNameRequired));
                }
                if field_only {
                    return Err(self.err(text, K::ConflictingParameters));
                }
            }
            Some(_) => {
                if field_only || s.qname.is_some() {
                    return Err(self.err(text, K::ConflictingParameters));
                }
            }
            None => {
                if s.qname.is_some() {
                    return Err(self.err(text, K::ConflictingParameters));
                }
                let bs = s.flags & FLAG_BS != 0;
                if bs && (s.flags & FLAG_SF != 0 || s.key.is_some()) {
                    return Err(self.err(text, K::ConflictingParameters));
                }
            }
        }
        Ok(self.spec)
    }
}

fn quoted(name: &str) -> String {
    let mut s = String::with_capacity(name.len() + 2);
    s.push('"');
    write_sf_string_content(&mut s, name);
    s.push('"');
    s
}

/// Escapes `"` and `\` (RFC 8941 §4.1.6); other characters were validated by sfv or the caller.
pub(crate) fn write_sf_string_content(out: &mut impl TextSink, value: &str) {
    let mut rest = value;
    while let Some(at) = memchr::memchr2(b'"', b'\\', rest.as_bytes()) {
        let (run, tail) = rest.split_at(at);
        out.push_str(run);
        out.push('\\');
        let (c, tail) = tail.split_at(1);
        out.push_str(c);
        rest = tail;
    }
    out.push_str(rest);
}

/// Where serialized text is written: a `String`, or the text of received parameters, which is
/// borrowed from the field while it matches byte for byte (`params::CowText`).
pub(crate) trait TextSink {
    /// Appends `s`.
    fn push_str(&mut self, s: &str);
    /// The text written so far.
    fn as_str(&self) -> &str;
    /// Appends one character.
    fn push(&mut self, c: char) {
        self.push_str(c.encode_utf8(&mut [0; 4]));
    }
    /// Bytes written so far.
    fn len(&self) -> usize {
        self.as_str().len()
    }
}

impl TextSink for String {
    fn push_str(&mut self, s: &str) {
        Self::push_str(self, s);
    }
    fn as_str(&self) -> &str {
        self
    }
    fn push(&mut self, c: char) {
        Self::push(self, c);
    }
    fn len(&self) -> usize {
        Self::len(self)
    }
}

/// RFC 9110 §5.6.2 tchar, restricted to lower case (RFC 9421 §2.1: names are lower-cased).
fn is_lower_tchar(b: u8) -> bool {
    !b.is_ascii_uppercase() && is_tchar(b)
}

/// RFC 9110 §5.6.2 tchar, as a table (names are checked byte by byte on the verify path).
fn is_tchar(b: u8) -> bool {
    TCHAR.get(usize::from(b)).copied().unwrap_or(false)
}

/// `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|"
/// / "~" / DIGIT / ALPHA` (RFC 9110 §5.6.2).
static TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    t
};

/// A component identifier to cover when signing, e.g. `"@query-param";name="pet"`.
///
/// # Examples
/// ```
/// use httpsig_core::{Component, Derived};
/// let c = Component::field("signature")?.with_req()?.with_key("sig1")?;
/// assert_eq!(c.as_str(), r#""signature";req;key="sig1""#);
/// let q = Component::query_param("pet")?;
/// assert_eq!(q.as_str(), r#""@query-param";name="pet""#);
/// assert_eq!(Component::derived(Derived::Method).as_str(), r#""@method""#);
/// # Ok::<(), httpsig_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Component {
    text: String,
    spec: ComponentSpec,
}

impl Component {
    /// A derived component without parameters.
    pub fn derived(d: Derived) -> Self {
        let mut text = String::new();
        match ComponentWriter::begin(&mut text, d.name()).and_then(|w| w.finish(&text)) {
            Ok(spec) => Self { text, spec },
            // Only `@query-param` needs a parameter; build it with `query_param` instead. Its
            // bare identifier still serializes, and fails when used, as the RFC requires.
            Err(_) => Self {
                spec: ComponentSpec {
                    ident: Span::new(0, text.len()),
                    name: Span::new(1, text.len() - 1),
                    derived: Some(d),
                    flags: 0,
                    key: None,
                    qname: None,
                },
                text,
            },
        }
    }

    /// An HTTP field, by lower-case name.
    ///
    /// # Errors
    /// `component.invalid_name` when the name is not a lower-case token.
    pub fn field(name: &str) -> Result<Self, ComponentError> {
        let mut text = String::new();
        let w = ComponentWriter::begin(&mut text, name)?;
        if w.spec.derived.is_some() {
            return Err(ComponentError::new(&text, K::InvalidName));
        }
        let spec = w.finish(&text)?;
        Ok(Self { text, spec })
    }

    /// `@query-param` with the given (already encoded) parameter name.
    ///
    /// # Errors
    /// `component.invalid_parameter_value` when the name is not a valid sf-string.
    pub fn query_param(name: &str) -> Result<Self, ComponentError> {
        if !is_sf_string(name) {
            return Err(ComponentError::new(
                "\"@query-param\"",
                K::InvalidParameterValue,
            ));
        }
        let mut text = String::new();
        let mut w = ComponentWriter::begin(&mut text, "@query-param")?;
        w.string(&mut text, "name", name)?;
        let spec = w.finish(&text)?;
        Ok(Self { text, spec })
    }

    /// Parses a serialized component identifier such as `"example-dict";key="a"`.
    ///
    /// # Errors
    /// `parse.inner_list` when it is not a valid sf-item, or a component error.
    pub fn parse(s: &str) -> Result<Self, crate::Error> {
        let mut text = String::new();
        let spec = crate::params::parse_component_item(s, &mut text)?;
        Ok(Self { text, spec })
    }

    fn rebuild(
        self,
        f: impl FnOnce(&mut ComponentWriter, &mut String) -> Result<(), ComponentError>,
    ) -> Result<Self, ComponentError> {
        // Re-run the writer over the existing identifier plus one parameter, so validation is shared.
        let parsed = crate::params::reparse_with(&self.text, f)?;
        Ok(parsed)
    }

    /// Adds `;req`: the value comes from the related request (§2.4).
    ///
    /// # Errors
    /// `component.duplicate_parameter` if already present.
    pub fn with_req(self) -> Result<Self, ComponentError> {
        self.rebuild(|w, t| w.flag(t, "req", true))
    }

    /// Adds `;sf`: re-serialize the field as a structured field (§2.1.1).
    ///
    /// # Errors
    /// `component.conflicting_parameters` on a derived component or with `bs`.
    pub fn with_sf(self) -> Result<Self, ComponentError> {
        self.rebuild(|w, t| w.flag(t, "sf", true))
    }

    /// Adds `;bs`: byte-sequence wrapping of each field line (§2.1.3).
    ///
    /// # Errors
    /// `component.conflicting_parameters` with `sf` or `key`, or on a derived component.
    pub fn with_bs(self) -> Result<Self, ComponentError> {
        self.rebuild(|w, t| w.flag(t, "bs", true))
    }

    /// Adds `;tr`: the value comes from trailers (§2.1.4).
    ///
    /// # Errors
    /// `component.conflicting_parameters` on a derived component.
    pub fn with_tr(self) -> Result<Self, ComponentError> {
        self.rebuild(|w, t| w.flag(t, "tr", true))
    }

    /// Adds `;key="member"`: one member of a Dictionary field (§2.1.2).
    ///
    /// # Errors
    /// `component.invalid_parameter_value` when `member` is not a valid sf-string, or a
    /// combination error.
    pub fn with_key(self, member: &str) -> Result<Self, ComponentError> {
        if !is_sf_string(member) {
            return Err(ComponentError::new(&self.text, K::InvalidParameterValue));
        }
        self.rebuild(|w, t| w.string(t, "key", member))
    }

    /// The serialized identifier, as it appears in `Signature-Input` and the signature base.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    pub(crate) fn from_parts(text: String, spec: ComponentSpec) -> Self {
        Self { text, spec }
    }

    pub(crate) fn spec(&self) -> &ComponentSpec {
        &self.spec
    }

    /// A borrowed view of this component.
    pub fn view(&self) -> CoveredComponent<'_> {
        CoveredComponent {
            text: &self.text,
            spec: &self.spec,
        }
    }
}

impl fmt::Debug for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Component").field(&self.text).finish()
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

pub(crate) fn is_sf_string(s: &str) -> bool {
    s.bytes().all(|b| (0x20..=0x7e).contains(&b))
}

/// A covered component of a parsed or built signature, borrowed from its parameters.
#[derive(Clone, Copy)]
pub struct CoveredComponent<'a> {
    pub(crate) text: &'a str,
    pub(crate) spec: &'a ComponentSpec,
}

impl<'a> CoveredComponent<'a> {
    /// The serialized identifier with its parameters, e.g. `"signature";req;key="sig1"`.
    pub fn identifier(&self) -> &'a str {
        self.spec.ident.get(self.text)
    }

    /// The component name (`@method`, `content-digest`).
    pub fn name(&self) -> &'a str {
        self.spec.name.get(self.text)
    }

    /// The derived component, or `None` for an HTTP field.
    pub fn derived(&self) -> Option<Derived> {
        self.spec.derived
    }

    /// Whether `;req` is set.
    pub fn req(&self) -> bool {
        self.spec.flags & FLAG_REQ != 0
    }

    /// Whether `;sf` is set.
    pub fn sf(&self) -> bool {
        self.spec.flags & FLAG_SF != 0
    }

    /// Whether `;bs` is set.
    pub fn bs(&self) -> bool {
        self.spec.flags & FLAG_BS != 0
    }

    /// Whether `;tr` is set.
    pub fn tr(&self) -> bool {
        self.spec.flags & FLAG_TR != 0
    }

    /// The `key` parameter, as serialized.
    pub fn key(&self) -> Option<&'a str> {
        self.spec.key.map(|s| s.get(self.text))
    }

    /// The `name` parameter of `@query-param`, as serialized.
    pub fn query_name(&self) -> Option<&'a str> {
        self.spec.qname.map(|s| s.get(self.text))
    }

    fn err(&self, kind: K) -> ComponentError {
        ComponentError::new(self.identifier(), kind)
    }
}

impl fmt::Debug for CoveredComponent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.identifier())
    }
}

/// What a component value is computed against.
pub(crate) struct Context<'m> {
    pub(crate) message: &'m dyn HttpMessage,
    pub(crate) related: Option<&'m dyn HttpMessage>,
    pub(crate) sf_types: &'m SfTypes,
    pub(crate) max_field_bytes: usize,
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
            write_request_derived(source, d, c, out)
        }
        None => write_field(ctx, source, c, out),
    }
}

fn write_request_derived(
    source: &dyn HttpMessage,
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
    let uri: TargetUri<'_> = source
        .target_uri()
        .ok_or_else(|| c.err(K::MessageDataMissing))?;
    match d {
        Derived::TargetUri => uri.write_target_uri(out),
        Derived::Authority => uri.write_authority(out),
        Derived::Scheme => uri.write_scheme(out),
        Derived::RequestTarget => uri.write_origin_form(out),
        Derived::Path => uri.write_path(out),
        Derived::Query => uri.write_query(out),
        Derived::QueryParam => {
            let name = c
                .query_name()
                .ok_or_else(|| c.err(K::QueryParamNameRequired))?;
            write_query_param(uri.query().unwrap_or(""), name, out).map_err(|k| c.err(k))?;
        }
        Derived::Method | Derived::Status => {}
    }
    Ok(())
}

/// RFC 9421 §2.2.8: parse the query as `application/x-www-form-urlencoded`, re-encode names and
/// values with the WHATWG percent-encode set (space as `%20`), and pick the one named parameter.
fn write_query_param(query: &str, name: &str, out: &mut Vec<u8>) -> Result<(), K> {
    let mut scratch = Vec::new();
    let mut found: Option<&str> = None;
    for pair in query.split('&') {
        if pair.is_empty() {
            continue;
        }
        let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
        scratch.clear();
        reencode(n, &mut scratch);
        if scratch == name.as_bytes() {
            if found.is_some() {
                return Err(K::QueryParamRepeated);
            }
            found = Some(v);
        }
    }
    let v = found.ok_or(K::QueryParamMissing)?;
    reencode(v, out);
    Ok(())
}

/// Decodes one `application/x-www-form-urlencoded` name or value and re-encodes it.
pub(crate) fn reencode(raw: &str, out: &mut Vec<u8>) {
    // WHATWG URL §5.1 (urlencoded parser): `+` is a space, then percent-decode; the bytes are then
    // UTF-8 decoded with replacement, exactly as a browser would.
    let mut decoded = Vec::with_capacity(raw.len());
    let b = raw.as_bytes();
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
    let text = String::from_utf8_lossy(&decoded);
    // WHATWG URL §1.3: the application/x-www-form-urlencoded percent-encode set leaves only
    // ASCII alphanumerics and `*-._` unencoded; RFC 9421 §2.2.8 writes space as %20.
    for &c in text.as_bytes() {
        if c.is_ascii_alphanumeric() || matches!(c, b'*' | b'-' | b'.' | b'_') {
            out.push(c);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
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
        if out.len() - start > ctx.max_field_bytes {
            too_large = true;
        }
    };
    if c.tr() {
        source.trailer_lines(name, &mut visit);
    } else {
        source.field_lines(name, &mut visit);
    }
    if lines == 0 {
        return Err(c.err(K::FieldAbsent));
    }
    if too_large {
        return Err(c.err(K::FieldTooLarge));
    }
    if bad {
        return Err(c.err(K::InvalidFieldValue));
    }
    if c.sf() || c.key().is_some() {
        let combined = out.split_off(start);
        write_structured(ctx, c, &combined, out)?;
    }
    Ok(())
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
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let mut rest = line;
    while let Some(at) = memchr::memchr3(b'\r', b'\n', 0, rest) {
        let (run, tail) = rest.split_at(at);
        out.extend_from_slice(run);
        if tail.first() == Some(&0) {
            return false;
        }
        let after_eol = tail
            .iter()
            .position(|&c| c != b'\r' && c != b'\n')
            .unwrap_or(tail.len());
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

pub(crate) fn trim_ows(v: &[u8]) -> &[u8] {
    let start = v
        .iter()
        .position(|&b| b != b' ' && b != b'\t')
        .unwrap_or(v.len());
    let end = v
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(start, |e| e + 1);
    v.get(start..end).unwrap_or(&[])
}

/// RFC 9421 §2.1.1 (`sf`) and §2.1.2 (`key`).
fn write_structured(
    ctx: &Context<'_>,
    c: CoveredComponent<'_>,
    combined: &[u8],
    out: &mut Vec<u8>,
) -> Result<(), ComponentError> {
    let ty = if c.key().is_some() {
        // `key` implies a Dictionary; a field registered as another type is an error.
        match ctx.sf_types.type_of(c.name()) {
            Some(SfType::Dictionary) | None => SfType::Dictionary,
            Some(_) => return Err(c.err(K::KeyNotDictionary)),
        }
    } else {
        ctx.sf_types
            .type_of(c.name())
            .ok_or_else(|| c.err(K::SfUnknownType))?
    };
    let parser = sfv::Parser::new(combined);
    let s = match ty {
        SfType::Item => parser.parse::<sfv::Item>().map(|i| {
            sfv::ItemSerializer::new()
                .bare_item(&i.bare_item)
                .parameters(&i.params)
                .finish()
        }),
        SfType::List => parser.parse::<sfv::List>().map(|l| {
            let mut ser = sfv::ListSerializer::new();
            ser.members(&l);
            ser.finish().unwrap_or_default()
        }),
        SfType::Dictionary => {
            let dict = match parser.parse::<sfv::Dictionary>() {
                Ok(d) => d,
                Err(_) if c.key().is_some() && ctx.sf_types.type_of(c.name()).is_none() => {
                    return Err(c.err(K::KeyNotDictionary));
                }
                Err(_) => return Err(c.err(K::SfParse)),
            };
            if let Some(member) = c.key() {
                let entry = dict.get(member).ok_or_else(|| c.err(K::KeyMissingMember))?;
                let mut ser = sfv::ListSerializer::new();
                ser.members(core::iter::once(entry));
                Ok(ser.finish().unwrap_or_default())
            } else {
                let mut ser = sfv::DictSerializer::new();
                ser.members(&dict);
                Ok(ser.finish().unwrap_or_default())
            }
        }
    }
    .map_err(|_| c.err(K::SfParse))?;
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let run = |q: &str, n: &str| {
            let mut out = Vec::new();
            write_query_param(q, n, &mut out).map(|()| String::from_utf8(out).unwrap())
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

    #[test]
    fn builders_validate() {
        assert_eq!(
            Component::field("Content-Type").unwrap_err().code(),
            "component.invalid_name"
        );
        assert_eq!(
            Component::field("@method").unwrap_err().code(),
            "component.invalid_name"
        );
        assert_eq!(
            Component::field("x")
                .unwrap()
                .with_bs()
                .unwrap()
                .with_sf()
                .unwrap_err()
                .code(),
            "component.conflicting_parameters"
        );
        assert_eq!(
            Component::derived(Derived::Method)
                .with_sf()
                .unwrap_err()
                .code(),
            "component.conflicting_parameters"
        );
        assert_eq!(
            Component::field("x")
                .unwrap()
                .with_req()
                .unwrap()
                .with_req()
                .unwrap_err()
                .code(),
            "component.duplicate_parameter"
        );
        assert_eq!(
            Component::field("example-dict")
                .unwrap()
                .with_key("a")
                .unwrap()
                .as_str(),
            "\"example-dict\";key=\"a\""
        );
    }
}
