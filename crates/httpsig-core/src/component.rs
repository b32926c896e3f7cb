//! Component identifiers (RFC 9421 §2.1, §2.2, §2.4); their values are in `component/value.rs`.
//!
//! A covered component is an sf-string name with parameters. Its serialized form is kept exactly
//! as it appears in `Signature-Input` (parameter order included), because the signature base
//! repeats it byte for byte.

use core::fmt;

use crate::error::{
    ComponentError, ComponentErrorKind as K, ParseError, ParseErrorKind, SignatureField,
};
use crate::visit::{Shape, Stop, settle};

pub(crate) mod item;
pub(crate) mod value;

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

/// RFC 9110 §5.6.2 tchar, as a table built from `httpsig-uri`'s one statement of the rule
/// (names are checked byte by byte on the verify path).
pub(crate) fn is_tchar(b: u8) -> bool {
    TCHAR.get(usize::from(b)).copied().unwrap_or(false)
}

static TCHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = crate::uri::is_tchar(b as u8);
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
        // The sink of a lone identifier: a `Signature-Input` member takes the same visitors.
        #[derive(Default)]
        struct One {
            text: String,
            writer: Option<ComponentWriter>,
            err: Option<crate::Error>,
            spec: Option<ComponentSpec>,
        }
        impl item::ItemSink for One {
            type Text = String;
            fn active(&self) -> bool {
                true
            }
            fn parts(&mut self) -> (&mut String, &mut Option<ComponentWriter>) {
                (&mut self.text, &mut self.writer)
            }
            fn fail(&mut self, e: crate::Error) -> Stop {
                self.err.get_or_insert(e);
                Stop
            }
            fn shape(&mut self, kind: ParseErrorKind) -> Stop {
                self.fail(ParseError::new(SignatureField::InnerList, kind, None).into())
            }
            fn push(&mut self, spec: ComponentSpec) -> Result<(), crate::Error> {
                self.spec = Some(spec);
                Ok(())
            }
        }
        let mut one = One::default();
        let r = sfv::Parser::new(s).parse_item_with_visitor(item::ItemV(&mut one));
        settle(
            r,
            one.err.take(),
            s.as_bytes(),
            Shape::Item,
            SignatureField::InnerList,
        )?;
        let spec = one.spec.ok_or_else(|| {
            ParseError::new(SignatureField::InnerList, ParseErrorKind::Syntax, None)
        })?;
        Ok(Self {
            text: one.text,
            spec,
        })
    }

    fn rebuild(
        self,
        f: impl FnOnce(&mut ComponentWriter, &mut String) -> Result<(), ComponentError>,
    ) -> Result<Self, ComponentError> {
        // Re-run the writer over the existing identifier plus one parameter, so validation is shared.
        let parsed = reparse_with(&self.text, f)?;
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

/// Re-runs the component writer over `text` plus one more parameter written by `f`.
pub(crate) fn reparse_with(
    text: &str,
    f: impl FnOnce(&mut ComponentWriter, &mut String) -> Result<(), ComponentError>,
) -> Result<Component, ComponentError> {
    // `text` is our own serialization, so it parses; replay it parameter by parameter.
    let item: sfv::Item = sfv::Parser::new(text)
        .parse()
        .map_err(|_| ComponentError::new(text, crate::error::ComponentErrorKind::InvalidName))?;
    let name = item.bare_item.as_string().map(|s| s.as_str()).unwrap_or("");
    let mut out = String::new();
    let mut w = ComponentWriter::begin(&mut out, name)?;
    for (k, v) in &item.params {
        if let Some(b) = v.as_boolean() {
            w.flag(&mut out, k.as_str(), b)?;
        } else if let Some(s) = v.as_string() {
            w.string(&mut out, k.as_str(), s.as_str())?;
        }
    }
    f(&mut w, &mut out)?;
    let spec = w.finish(&out)?;
    Ok(Component::from_parts(out, spec))
}

#[cfg(test)]
mod tests {
    use super::*;

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
