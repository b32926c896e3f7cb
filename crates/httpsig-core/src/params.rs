//! Signature parameters (RFC 9421 §2.3) and the `Signature-Input` / `Signature` /
//! `Accept-Signature` dictionaries (§4.1, §4.2, §5.1).
//!
//! Parsing goes through `sfv`'s visitor API: the inner list is re-serialized as it is read, so
//! the `@signature-params` value keeps the received parameter order and every extension
//! parameter, and component names and unescaped strings are ranges into that one string instead
//! of separate allocations. Duplicate labels and duplicate parameters, which RFC 8941 would
//! silently resolve to the last one, are refused: in a signed context that ambiguity is an attack
//! surface.

use core::fmt;
use std::borrow::Cow;

use sfv::visitor::{
    DictionaryVisitor, EntryVisitor, Ignored, InnerListVisitor, ItemVisitor, ListVisitor,
    ParameterVisitor,
};
use sfv::{BareItemFromInput, KeyRef};

use smallvec::SmallVec;

use crate::component::{
    Component, ComponentSpec, ComponentWriter, CoveredComponent, Span, TextSink,
    write_sf_string_content,
};
use crate::crypto::Algorithm;
use crate::error::{
    ComponentError, Error, LimitExceeded, ParamName, ParamsError, ParamsErrorKind, ParseError,
    ParseErrorKind, SignatureField,
};

/// A string parameter value: a range into the serialized text when it needed no escaping.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Text {
    Span(Span),
    Owned(Box<str>),
}

/// Covered components kept inline: FAPI covers 5 (7 with `;req` on a response).
type Components = SmallVec<[ComponentSpec; 8]>;

/// The covered components and parameters of one signature.
///
/// Its [`as_str`](SignatureParams::as_str) is the `@signature-params` value: the inner list with
/// its parameters in the order received (or built), unknown parameters included.
///
/// Parsed parameters borrow the received field (`'a`) when its member is serialized canonically,
/// as every signer emits it; otherwise, and when built, they own their text
/// (`SignatureParams<'static>`). [`SignatureParams::into_owned`] detaches them from the field.
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureParams<'a> {
    text: Cow<'a, str>,
    components: Components,
    created: Option<i64>,
    expires: Option<i64>,
    nonce: Option<Text>,
    alg: Option<Text>,
    keyid: Option<Text>,
    tag: Option<Text>,
}

impl<'a> SignatureParams<'a> {
    /// Starts building parameters for a new signature.
    pub fn builder() -> SignatureParamsBuilder {
        SignatureParamsBuilder::default()
    }

    /// Parses a bare inner list with parameters, e.g. `("@method" "@path");created=1618884473`.
    ///
    /// # Errors
    /// `parse.inner_list` on a syntax error; component and parameter errors as in
    /// `Signature-Input`.
    pub fn parse(s: &'a str) -> Result<Self, Error> {
        let mut st = State::new(
            SignatureField::InnerList,
            None,
            Limits::default(),
            s.as_bytes(),
        );
        let r = sfv::Parser::new(s).parse_list_with_visitor(ListV(&mut st));
        st.finish(r, s.as_bytes(), Shape::List)?;
        match (st.entries.pop(), st.seen.len()) {
            (Some((_, p)), 1) => Ok(p),
            _ => Err(ParseError::new(
                SignatureField::InnerList,
                ParseErrorKind::NotInnerList,
                None,
            )
            .into()),
        }
    }

    /// The `@signature-params` value (RFC 9421 §2.3).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The same parameters, owning their text.
    #[must_use]
    pub fn into_owned(self) -> SignatureParams<'static> {
        SignatureParams {
            text: Cow::Owned(self.text.into_owned()),
            components: self.components,
            created: self.created,
            expires: self.expires,
            nonce: self.nonce,
            alg: self.alg,
            keyid: self.keyid,
            tag: self.tag,
        }
    }

    /// The covered components, in order.
    pub fn components(&self) -> impl ExactSizeIterator<Item = CoveredComponent<'_>> + '_ {
        self.components.iter().map(|spec| CoveredComponent {
            text: &self.text,
            spec,
        })
    }

    /// Whether a component with exactly this serialized identifier is covered.
    pub fn covers(&self, identifier: &str) -> bool {
        self.components().any(|c| c.identifier() == identifier)
    }

    /// `created`, seconds since the Unix epoch.
    pub fn created(&self) -> Option<i64> {
        self.created
    }

    /// `expires`, seconds since the Unix epoch.
    pub fn expires(&self) -> Option<i64> {
        self.expires
    }

    fn text<'s>(&'s self, t: &'s Option<Text>) -> Option<&'s str> {
        t.as_ref().map(|t| match t {
            Text::Span(s) => s.get(&self.text),
            Text::Owned(b) => b,
        })
    }

    /// `nonce`.
    pub fn nonce(&self) -> Option<&str> {
        self.text(&self.nonce)
    }

    /// `alg`, as given (see [`Algorithm::from_name`]).
    pub fn alg(&self) -> Option<&str> {
        self.text(&self.alg)
    }

    /// `keyid`.
    pub fn keyid(&self) -> Option<&str> {
        self.text(&self.keyid)
    }

    /// `tag`.
    pub fn tag(&self) -> Option<&str> {
        self.text(&self.tag)
    }
}

impl fmt::Debug for SignatureParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SignatureParams").field(&self.text).finish()
    }
}

impl fmt::Display for SignatureParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A value for an extension signature parameter.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamValue {
    /// An Integer.
    Integer(i64),
    /// A String.
    String(String),
    /// A Token.
    Token(String),
    /// A Boolean.
    Boolean(bool),
}

/// Builds [`SignatureParams`] for signing; parameters are serialized in the order they are set.
///
/// # Examples
/// ```
/// use httpsig_core::{Component, Derived, SignatureParams};
/// let p = SignatureParams::builder()
///     .component(Component::derived(Derived::Method))
///     .component(Component::field("content-digest")?)
///     .created(1618884473)
///     .keyid("test-key-ed25519")
///     .tag("fapi-2-request")
///     .build()?;
/// assert_eq!(
///     p.as_str(),
///     r#"("@method" "content-digest");created=1618884473;keyid="test-key-ed25519";tag="fapi-2-request""#
/// );
/// # Ok::<(), httpsig_core::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct SignatureParamsBuilder {
    components: Vec<Component>,
    params: Vec<(String, ParamValue)>,
}

impl SignatureParamsBuilder {
    /// Adds a covered component.
    #[must_use]
    pub fn component(mut self, c: Component) -> Self {
        self.components.push(c);
        self
    }

    /// Adds covered components.
    #[must_use]
    pub fn components(mut self, cs: impl IntoIterator<Item = Component>) -> Self {
        self.components.extend(cs);
        self
    }

    fn set(mut self, name: &str, v: ParamValue) -> Self {
        self.params.retain(|(n, _)| n != name);
        self.params.push((name.to_owned(), v));
        self
    }

    /// Sets `created`.
    #[must_use]
    pub fn created(self, t: i64) -> Self {
        self.set("created", ParamValue::Integer(t))
    }

    /// Sets `created` from the system clock.
    #[must_use]
    pub fn created_now(self) -> Self {
        self.created(crate::verify::unix_now())
    }

    /// Sets `expires`.
    #[must_use]
    pub fn expires(self, t: i64) -> Self {
        self.set("expires", ParamValue::Integer(t))
    }

    /// Sets `nonce`.
    #[must_use]
    pub fn nonce(self, n: &str) -> Self {
        self.set("nonce", ParamValue::String(n.to_owned()))
    }

    /// Sets `alg` to the RFC 9421 name of `a` (JWS algorithms have none and are not emitted,
    /// RFC 9421 §3.3.7).
    #[must_use]
    pub fn alg(self, a: Algorithm) -> Self {
        match a.name() {
            Some(n) => self.set("alg", ParamValue::String(n.to_owned())),
            None => self,
        }
    }

    /// Sets `keyid`.
    #[must_use]
    pub fn keyid(self, k: &str) -> Self {
        self.set("keyid", ParamValue::String(k.to_owned()))
    }

    /// Sets `tag`.
    #[must_use]
    pub fn tag(self, t: &str) -> Self {
        self.set("tag", ParamValue::String(t.to_owned()))
    }

    /// Sets an extension parameter (or a registered one by name).
    #[must_use]
    pub fn param(self, name: &str, v: ParamValue) -> Self {
        self.set(name, v)
    }

    /// Serializes and validates the parameters.
    ///
    /// # Errors
    /// `component.duplicate` when a component is listed twice; `params.wrong_type` when a
    /// registered parameter is given a value of the wrong type; `parse.inner_list` when an
    /// extension parameter name or value is not valid structured-field syntax.
    pub fn build(self) -> Result<SignatureParams<'static>, Error> {
        let mut b = Builder::default();
        b.text.push('(');
        for (i, c) in self.components.iter().enumerate() {
            if i > 0 {
                b.text.push(' ');
            }
            let at = b.text.len();
            b.text.push_str(c.as_str());
            b.push_component(c.spec().shifted(at))?;
        }
        b.text.push(')');
        for (name, v) in &self.params {
            let bad = || {
                Error::from(ParseError::new(
                    SignatureField::InnerList,
                    ParseErrorKind::Syntax,
                    None,
                ))
            };
            let key = KeyRef::from_str(name).map_err(|_| bad())?;
            let item = match v {
                ParamValue::Integer(i) => {
                    BareItemFromInput::Integer(sfv::Integer::try_from(*i).map_err(|_| bad())?)
                }
                ParamValue::String(s) => BareItemFromInput::String(Cow::Borrowed(
                    sfv::StringRef::from_str(s).map_err(|_| bad())?,
                )),
                ParamValue::Token(t) => {
                    BareItemFromInput::Token(sfv::TokenRef::from_str(t).map_err(|_| bad())?)
                }
                ParamValue::Boolean(x) => BareItemFromInput::Boolean(*x),
            };
            b.param(key, item)?;
        }
        Ok(b.finish())
    }
}

/// The `@signature-params` text of a member being parsed: borrowed from the received field while
/// what is written matches it byte for byte (a canonically serialized member, which is what
/// signers emit), copied only from the first difference. Which bytes are borrowed never depends
/// on trusting `src`: only bytes equal to what would have been written are.
#[derive(Default)]
struct CowText<'de> {
    src: &'de str,
    len: usize,
    owned: Option<String>,
}

impl<'de> CowText<'de> {
    fn borrowing(src: &'de str) -> Self {
        Self {
            src,
            len: 0,
            owned: None,
        }
    }

    fn into_cow(self) -> Cow<'de, str> {
        match self.owned {
            Some(s) => Cow::Owned(s),
            None => Cow::Borrowed(self.src.get(..self.len).unwrap_or("")),
        }
    }
}

impl TextSink for CowText<'_> {
    fn push(&mut self, c: char) {
        // Most of what is written is single ASCII punctuation: compare it in place.
        if self.owned.is_none()
            && c.is_ascii()
            && self.src.as_bytes().get(self.len) == Some(&(c as u8))
        {
            self.len += 1;
        } else {
            self.push_str(c.encode_utf8(&mut [0; 4]));
        }
    }

    fn push_str(&mut self, s: &str) {
        if let Some(o) = &mut self.owned {
            o.push_str(s);
            return;
        }
        let end = self.len + s.len();
        let same = self.src.as_bytes().get(self.len..end).is_some_and(|r| {
            // Short pieces (names, keys, numbers) compare inline rather than through memcmp.
            r.iter().zip(s.as_bytes()).all(|(a, b)| a == b)
        });
        if same {
            self.len = end;
            return;
        }
        let mut o = String::with_capacity(self.src.len().max(end) + 16);
        o.push_str(self.src.get(..self.len).unwrap_or(""));
        o.push_str(s);
        self.owned = Some(o);
    }

    fn as_str(&self) -> &str {
        match &self.owned {
            Some(o) => o,
            None => self.src.get(..self.len).unwrap_or(""),
        }
    }

    fn len(&self) -> usize {
        self.owned.as_ref().map_or(self.len, String::len)
    }
}

/// Accumulates one signature's serialization while it is parsed or built.
#[derive(Default)]
struct Builder<'de> {
    text: CowText<'de>,
    components: Components,
    created: Option<i64>,
    expires: Option<i64>,
    nonce: Option<Text>,
    alg: Option<Text>,
    keyid: Option<Text>,
    tag: Option<Text>,
    extension_keys: Vec<Box<str>>,
    /// Parameters read so far, for the cap ([`Limits::max_params`]).
    param_count: usize,
    /// A hash of each component's identifier, in `components` order, so that the duplicate
    /// check compares identifiers only when their hashes are equal.
    ident_hashes: SmallVec<[u64; 8]>,
    /// A 1024-bit filter of the hashes seen: a component whose bit is clear is new, and the
    /// duplicate check skips its scan (at most 64 bits are ever set, so a scan is rare).
    ident_filter: [u64; 16],
}

/// A cheap hash of a component identifier for the duplicate check (a collision only costs a
/// full comparison).
fn ident_hash(ident: &str) -> u64 {
    use core::hash::Hasher as _;
    let mut h = crate::component::Fnv::default();
    h.write(ident.as_bytes());
    h.finish()
}

impl<'de> Builder<'de> {
    fn push_component(&mut self, spec: ComponentSpec) -> Result<(), Error> {
        let text = self.text.as_str();
        let new = CoveredComponent { text, spec: &spec };
        let hash = ident_hash(new.identifier());
        // RFC 9421 §2.3: a component may not be listed twice. Up to 64 components (the cap)
        // would mean up to 2016 comparisons per signature; the filter and the hashes keep it
        // linear in practice.
        let bit = hash % 1024;
        let (word, mask) = (usize::try_from(bit / 64).unwrap_or(0), 1u64 << (bit % 64));
        let seen = self.ident_filter.get(word).is_some_and(|w| w & mask != 0);
        let dup = seen
            && self
                .components
                .iter()
                .zip(&self.ident_hashes)
                .any(|(s, &h)| {
                    h == hash && CoveredComponent { text, spec: s }.identifier() == new.identifier()
                });
        if dup {
            return Err(ComponentError::new(
                new.identifier(),
                crate::error::ComponentErrorKind::Duplicate,
            )
            .into());
        }
        self.components.push(spec);
        self.ident_hashes.push(hash);
        if let Some(w) = self.ident_filter.get_mut(word) {
            *w |= mask;
        }
        Ok(())
    }

    fn string_param(
        &mut self,
        name: ParamName,
        v: &BareItemFromInput<'_>,
    ) -> Result<Text, ParamsError> {
        let s = v
            .as_string()
            .ok_or_else(|| ParamsError::new(name, ParamsErrorKind::WrongType))?
            .as_str();
        self.text.push('=');
        self.text.push('"');
        let at = self.text.len();
        write_sf_string_content(&mut self.text, s);
        let end = self.text.len();
        self.text.push('"');
        Ok(if end - at == s.len() {
            Text::Span(Span::new(at, end))
        } else {
            Text::Owned(s.into())
        })
    }

    fn time_param(
        &mut self,
        name: ParamName,
        v: &BareItemFromInput<'_>,
    ) -> Result<i64, ParamsError> {
        let i = i64::from(
            v.as_integer()
                .ok_or_else(|| ParamsError::new(name, ParamsErrorKind::WrongType))?,
        );
        if i < 0 {
            return Err(ParamsError::new(name, ParamsErrorKind::OutOfRange));
        }
        self.text.push('=');
        self.text.push_str(itoa_i64(i).as_str());
        Ok(i)
    }

    // RFC 9421 §2.3
    fn param(&mut self, key: &KeyRef, v: BareItemFromInput<'_>) -> Result<(), Error> {
        let name = match key.as_str() {
            "created" => ParamName::Created,
            "expires" => ParamName::Expires,
            "nonce" => ParamName::Nonce,
            "alg" => ParamName::Alg,
            "keyid" => ParamName::KeyId,
            "tag" => ParamName::Tag,
            _ => ParamName::Extension,
        };
        let dup = match name {
            ParamName::Created => self.created.is_some(),
            ParamName::Expires => self.expires.is_some(),
            ParamName::Nonce => self.nonce.is_some(),
            ParamName::Alg => self.alg.is_some(),
            ParamName::KeyId => self.keyid.is_some(),
            ParamName::Tag => self.tag.is_some(),
            _ => self.extension_keys.iter().any(|k| **k == *key.as_str()),
        };
        if dup {
            return Err(ParamsError::new(name, ParamsErrorKind::Duplicate).into());
        }
        self.text.push(';');
        self.text.push_str(key.as_str());
        match name {
            ParamName::Created => self.created = Some(self.time_param(name, &v)?),
            ParamName::Expires => self.expires = Some(self.time_param(name, &v)?),
            ParamName::Nonce => self.nonce = Some(self.string_param(name, &v)?),
            ParamName::Alg => self.alg = Some(self.string_param(name, &v)?),
            ParamName::KeyId => self.keyid = Some(self.string_param(name, &v)?),
            ParamName::Tag => self.tag = Some(self.string_param(name, &v)?),
            _ => {
                self.extension_keys.push(key.as_str().into());
                if v.as_boolean() != Some(true) {
                    self.text.push('=');
                    let mut value = String::new();
                    let _ = sfv::ItemSerializer::with_buffer(&mut value).bare_item(&v);
                    self.text.push_str(&value);
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> SignatureParams<'de> {
        SignatureParams {
            text: self.text.into_cow(),
            components: self.components,
            created: self.created,
            expires: self.expires,
            nonce: self.nonce,
            alg: self.alg,
            keyid: self.keyid,
            tag: self.tag,
        }
    }
}

/// A small stack buffer for integer formatting without allocation.
struct IntBuf {
    buf: [u8; 20],
    start: usize,
}

impl IntBuf {
    fn as_str(&self) -> &str {
        core::str::from_utf8(self.buf.get(self.start..).unwrap_or(&[])).unwrap_or("")
    }
}

fn itoa_i64(mut v: i64) -> IntBuf {
    // Only called with non-negative values.
    let mut b = IntBuf {
        buf: [0; 20],
        start: 20,
    };
    loop {
        b.start -= 1;
        if let Some(slot) = b.buf.get_mut(b.start) {
            *slot = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || b.start == 0 {
            break;
        }
    }
    b
}

/// Caps on attacker-controlled counts while parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Limits {
    pub(crate) max_signatures: usize,
    pub(crate) max_components: usize,
    pub(crate) max_params: usize,
}

impl Default for Limits {
    fn default() -> Self {
        // Far above any real use (RFC 9421's examples carry two signatures and a dozen
        // components; §6.3 registers six signature parameters), low enough that a hostile field
        // cannot make us build large structures, and that the duplicate-parameter check (a scan
        // of the extension names seen) stays bounded however the field is shaped.
        Self {
            max_signatures: 16,
            max_components: 64,
            max_params: 32,
        }
    }
}

/// Labels seen so far in one dictionary, kept without allocation up to 16 (the default cap).
pub(crate) struct Labels<'de> {
    small: [&'de str; 16],
    len: usize,
    more: Vec<&'de str>,
}

impl<'de> Labels<'de> {
    pub(crate) fn new() -> Self {
        Self {
            small: [""; 16],
            len: 0,
            more: Vec::new(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len + self.more.len()
    }

    pub(crate) fn contains(&self, label: &str) -> bool {
        self.small.iter().take(self.len).any(|l| *l == label) || self.more.contains(&label)
    }

    pub(crate) fn push(&mut self, label: &'de str) {
        match self.small.get_mut(self.len) {
            Some(slot) => {
                *slot = label;
                self.len += 1;
            }
            None => self.more.push(label),
        }
    }
}

/// Parse state shared by the visitors of one field.
struct State<'de, 'w> {
    field: SignatureField,
    want: Option<&'w str>,
    limits: Limits,
    seen: Labels<'de>,
    active: bool,
    /// The field as text, up to its first byte that is not UTF-8 (where sfv fails anyway).
    input: &'de str,
    cur: Builder<'de>,
    comp: Option<ComponentWriter>,
    entries: Entries<'de>,
    err: Option<Error>,
}

/// Parsed signatures, inline for the common single selected one.
pub(crate) type Entries<'de> = SmallVec<[(&'de str, SignatureParams<'de>); 1]>;

/// The top-level structured type being parsed, for the syntax re-check.
#[derive(Clone, Copy)]
enum Shape {
    Dictionary,
    List,
    Item,
}

/// The marker error handed to sfv; the typed error waits beside it (`State::err` here, the
/// `Accept-Signature` shape check's own slot there).
#[derive(Debug)]
pub(crate) struct Stop;

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("rejected")
    }
}

impl std::error::Error for Stop {}

impl<'de, 'w> State<'de, 'w> {
    fn new(field: SignatureField, want: Option<&'w str>, limits: Limits, input: &'de [u8]) -> Self {
        Self {
            field,
            want,
            limits,
            seen: Labels::new(),
            active: false,
            input: match core::str::from_utf8(input) {
                Ok(s) => s,
                Err(e) => core::str::from_utf8(input.get(..e.valid_up_to()).unwrap_or_default())
                    .unwrap_or_default(),
            },
            cur: Builder::default(),
            comp: None,
            entries: SmallVec::new(),
            err: None,
        }
    }

    /// The received text from where the member labelled `label` starts to the end of the
    /// field (from the first non-space byte for a bare list). `label` is borrowed from the input,
    /// so its address gives its position; anything unexpected gives `""`, which only means the
    /// member's text is copied instead of borrowed.
    fn member_src(&self, label: &'de str) -> &'de str {
        let input = self.input;
        let start = if label.is_empty() {
            input.bytes().position(|b| b != b' ')
        } else {
            (label.as_ptr() as usize)
                .checked_sub(input.as_ptr() as usize)
                .map(|at| at + label.len())
                .filter(|&at| input.as_bytes().get(at) == Some(&b'='))
                .map(|at| at + 1)
        };
        start.and_then(|at| input.get(at..)).unwrap_or("")
    }

    fn fail(&mut self, e: impl Into<Error>) -> Stop {
        if self.err.is_none() {
            self.err = Some(e.into());
        }
        Stop
    }

    fn shape(&mut self, kind: ParseErrorKind) -> Stop {
        let f = self.field;
        self.fail(ParseError::new(f, kind, None))
    }

    /// The typed error a visitor recorded, unless the field is not even syntactically valid:
    /// a syntax error anywhere wins (RFC 8941 §4.2: the whole field fails to parse), since the
    /// streaming visitor may have stopped at a semantic problem before reaching it.
    fn finish(
        &mut self,
        r: Result<(), sfv::Error>,
        input: &[u8],
        shape: Shape,
    ) -> Result<(), Error> {
        if let Some(e) = self.err.take() {
            let p = sfv::Parser::new(input);
            let syntax = match shape {
                Shape::Dictionary => p.parse_dictionary_with_visitor(Ignored),
                Shape::List => p.parse_list_with_visitor(Ignored),
                Shape::Item => p.parse_item_with_visitor(Ignored),
            };
            return Err(match syntax {
                Err(se) => ParseError::new(self.field, ParseErrorKind::Syntax, se.index()).into(),
                Ok(()) => e,
            });
        }
        r.map_err(|e| ParseError::new(self.field, ParseErrorKind::Syntax, e.index()).into())
    }

    fn start_entry(&mut self, label: &'de str) -> Result<(), Stop> {
        if self.seen.contains(label) {
            return Err(self.shape(ParseErrorKind::DuplicateLabel));
        }
        if self.seen.len() >= self.limits.max_signatures {
            let max = self.limits.max_signatures;
            return Err(self.fail(LimitExceeded::Signatures { max }));
        }
        self.seen.push(label);
        self.active = self.want.is_none_or(|w| w == label);
        Ok(())
    }
}

struct DictV<'a, 'de, 'w>(&'a mut State<'de, 'w>);
struct ListV<'a, 'de, 'w>(&'a mut State<'de, 'w>);
struct EntryV<'a, 'de, 'w>(&'a mut State<'de, 'w>, &'de str);
struct InnerV<'a, 'de, 'w>(&'a mut State<'de, 'w>, &'de str);
struct CompItemV<'a, 'de, 'w>(&'a mut State<'de, 'w>);
struct CompParamV<'a, 'de, 'w>(&'a mut State<'de, 'w>);
struct SigParamV<'a, 'de, 'w>(&'a mut State<'de, 'w>, &'de str);

impl<'de> DictionaryVisitor<'de> for DictV<'_, 'de, '_> {
    type Out = ();
    type Error = Stop;

    fn entry(&mut self, key: &'de KeyRef) -> Result<impl EntryVisitor<'de>, Stop> {
        self.0.start_entry(key.as_str())?;
        Ok(EntryV(&mut *self.0, key.as_str()))
    }

    fn finish(self) -> Result<(), Stop> {
        Ok(())
    }
}

impl<'de> ListVisitor<'de> for ListV<'_, 'de, '_> {
    type Out = ();
    type Error = Stop;

    fn entry(&mut self) -> Result<impl EntryVisitor<'de>, Stop> {
        self.0.start_entry("")?;
        Ok(EntryV(&mut *self.0, ""))
    }

    fn finish(self) -> Result<(), Stop> {
        Ok(())
    }
}

impl<'de> EntryVisitor<'de> for EntryV<'_, 'de, '_> {
    type Error = Stop;

    fn item(self) -> Result<impl ItemVisitor<'de>, Stop> {
        Err::<Ignored, _>(self.0.shape(ParseErrorKind::NotInnerList))
    }

    fn inner_list(self) -> Result<impl InnerListVisitor<'de>, Stop> {
        self.0.cur = Builder::default();
        if self.0.active {
            self.0.cur.text = CowText::borrowing(self.0.member_src(self.1));
            self.0.cur.text.push('(');
        }
        Ok(InnerV(self.0, self.1))
    }
}

impl<'de> InnerListVisitor<'de> for InnerV<'_, 'de, '_> {
    type Error = Stop;

    fn item(&mut self) -> Result<impl ItemVisitor<'de>, Stop> {
        let st = &mut *self.0;
        if st.active {
            if st.cur.components.len() >= st.limits.max_components {
                let max = st.limits.max_components;
                return Err(st.fail(LimitExceeded::Components { max }));
            }
            if st.cur.text.len() > 1 {
                st.cur.text.push(' ');
            }
        }
        Ok(CompItemV(st))
    }

    fn finish(self) -> Result<impl ParameterVisitor<'de>, Stop> {
        if self.0.active {
            self.0.cur.text.push(')');
        }
        Ok(SigParamV(self.0, self.1))
    }
}

impl<'de> ItemVisitor<'de> for CompItemV<'_, 'de, '_> {
    type Out = ();
    type Error = Stop;

    fn bare_item(
        self,
        bare_item: BareItemFromInput<'de>,
    ) -> Result<impl ParameterVisitor<'de, Out = ()>, Stop> {
        let st = self.0;
        let Some(name) = bare_item.as_string() else {
            return Err(st.shape(ParseErrorKind::ComponentNotString));
        };
        if st.active {
            match ComponentWriter::begin(&mut st.cur.text, name.as_str()) {
                Ok(w) => st.comp = Some(w),
                Err(e) => return Err(st.fail(e)),
            }
        }
        Ok(CompParamV(st))
    }
}

impl<'de> ParameterVisitor<'de> for CompParamV<'_, 'de, '_> {
    type Out = ();
    type Error = Stop;

    fn parameter(&mut self, key: &'de KeyRef, value: BareItemFromInput<'de>) -> Result<(), Stop> {
        let st = &mut *self.0;
        let Some(w) = st.comp.as_mut() else {
            return Ok(());
        };
        let r = if let Some(b) = value.as_boolean() {
            w.flag(&mut st.cur.text, key.as_str(), b)
        } else if let Some(s) = value.as_string() {
            w.string(&mut st.cur.text, key.as_str(), s.as_str())
        } else {
            Err(w.other(st.cur.text.as_str(), key.as_str()))
        };
        r.map_err(|e| st.fail(e))
    }

    fn finish(self) -> Result<(), Stop> {
        let st = self.0;
        if let Some(w) = st.comp.take() {
            let spec = w.finish(st.cur.text.as_str()).map_err(|e| st.fail(e))?;
            st.cur.push_component(spec).map_err(|e| st.fail(e))?;
        }
        Ok(())
    }
}

impl<'de> ParameterVisitor<'de> for SigParamV<'_, 'de, '_> {
    type Out = ();
    type Error = Stop;

    fn parameter(&mut self, key: &'de KeyRef, value: BareItemFromInput<'de>) -> Result<(), Stop> {
        let st = &mut *self.0;
        if !st.active {
            return Ok(());
        }
        if st.cur.param_count >= st.limits.max_params {
            let max = st.limits.max_params;
            return Err(st.fail(LimitExceeded::Parameters { max }));
        }
        st.cur.param_count += 1;
        st.cur.param(key, value).map_err(|e| st.fail(e))
    }

    fn finish(self) -> Result<(), Stop> {
        let st = self.0;
        if st.active {
            let b = core::mem::take(&mut st.cur);
            st.entries.push((self.1, b.finish()));
        }
        Ok(())
    }
}

/// Parses a single component identifier item (`"name";param...`) into `text`.
pub(crate) fn parse_component_item(s: &str, text: &mut String) -> Result<ComponentSpec, Error> {
    let mut st = State::new(
        SignatureField::InnerList,
        None,
        Limits::default(),
        s.as_bytes(),
    );
    st.active = true;
    let r = sfv::Parser::new(s).parse_item_with_visitor(CompItemV(&mut st));
    st.finish(r, s.as_bytes(), Shape::Item)?;
    match (st.cur.components.pop(), st.cur.components.is_empty()) {
        (Some(spec), true) => {
            *text = core::mem::take(&mut st.cur.text).into_cow().into_owned();
            Ok(spec)
        }
        _ => Err(ParseError::new(SignatureField::InnerList, ParseErrorKind::Syntax, None).into()),
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

/// Parses a `Signature-Input` field value (all lines combined with `", "`) into its labels and
/// parameters, in field order. Both borrow `value` (see [`SignatureParams::into_owned`]).
///
/// # Errors
/// `parse.*`, `component.*`, `params.*` and `limits.*` errors, as during verification.
pub fn parse_signature_input_field<'v>(
    value: &'v [u8],
    options: &crate::BaseOptions,
) -> Result<Vec<(&'v str, SignatureParams<'v>)>, Error> {
    Ok(
        parse_signature_input(value, None, options.limits, SignatureField::SignatureInput)?
            .into_vec(),
    )
}

/// Parses a `Signature` field value (all lines combined) and returns the signature bytes for
/// `label`, `None` when the label is absent.
///
/// # Errors
/// `parse.signature`, `parse.duplicate_label`, `parse.not_byte_sequence`,
/// `parse.unexpected_parameters`, `limits.too_many_signatures`.
pub fn signature_value(
    value: &[u8],
    label: &str,
    options: &crate::BaseOptions,
) -> Result<Option<Vec<u8>>, Error> {
    parse_signature(value, label, options.limits)
}

/// Parses `Signature-Input` (all its lines combined) and returns each signature's parameters in
/// field order; with `want`, only that label's.
pub(crate) fn parse_signature_input<'de>(
    combined: &'de [u8],
    want: Option<&str>,
    limits: Limits,
    field: SignatureField,
) -> Result<Entries<'de>, Error> {
    let mut st = State::new(field, want, limits, combined);
    let r = sfv::Parser::new(combined).parse_dictionary_with_visitor(DictV(&mut st));
    st.finish(r, combined, Shape::Dictionary)?;
    Ok(core::mem::take(&mut st.entries))
}

/// Parses `Signature` (all its lines combined) and returns the bytes for `label`.
pub(crate) fn parse_signature(
    combined: &[u8],
    label: &str,
    limits: Limits,
) -> Result<Option<Vec<u8>>, Error> {
    struct SigDict<'a, 'de> {
        label: &'a str,
        seen: Labels<'de>,
        found: Option<Vec<u8>>,
        limits: Limits,
        err: Option<Error>,
    }
    struct SigEntry<'a, 'b, 'de>(&'b mut SigDict<'a, 'de>, bool);
    struct SigItem<'a, 'b, 'de>(&'b mut SigDict<'a, 'de>, bool);
    struct NoParams<'a, 'b, 'de>(&'b mut SigDict<'a, 'de>);
    fn shape(d: &mut SigDict<'_, '_>, kind: ParseErrorKind) -> Stop {
        d.err
            .get_or_insert(ParseError::new(SignatureField::Signature, kind, None).into());
        Stop
    }
    impl<'de> DictionaryVisitor<'de> for &mut SigDict<'_, 'de> {
        type Out = ();
        type Error = Stop;
        fn entry(&mut self, key: &'de KeyRef) -> Result<impl EntryVisitor<'de>, Stop> {
            if self.seen.contains(key.as_str()) {
                return Err(shape(self, ParseErrorKind::DuplicateLabel));
            }
            if self.seen.len() >= self.limits.max_signatures {
                let max = self.limits.max_signatures;
                self.err
                    .get_or_insert(LimitExceeded::Signatures { max }.into());
                return Err(Stop);
            }
            self.seen.push(key.as_str());
            let hit = key.as_str() == self.label;
            Ok(SigEntry(self, hit))
        }
        fn finish(self) -> Result<(), Stop> {
            Ok(())
        }
    }
    impl<'de> EntryVisitor<'de> for SigEntry<'_, '_, 'de> {
        type Error = Stop;
        fn item(self) -> Result<impl ItemVisitor<'de>, Stop> {
            Ok(SigItem(self.0, self.1))
        }
        fn inner_list(self) -> Result<impl InnerListVisitor<'de>, Stop> {
            Err::<Ignored, _>(shape(self.0, ParseErrorKind::NotByteSequence))
        }
    }
    impl<'de> ItemVisitor<'de> for SigItem<'_, '_, 'de> {
        type Out = ();
        type Error = Stop;
        fn bare_item(
            self,
            bare_item: BareItemFromInput<'de>,
        ) -> Result<impl ParameterVisitor<'de, Out = ()>, Stop> {
            match bare_item {
                sfv::GenericBareItem::ByteSequence(b) => {
                    if self.1 {
                        self.0.found = Some(b);
                    }
                    Ok(NoParams(self.0))
                }
                _ => Err(shape(self.0, ParseErrorKind::NotByteSequence)),
            }
        }
    }
    impl<'de> ParameterVisitor<'de> for NoParams<'_, '_, 'de> {
        type Out = ();
        type Error = Stop;
        fn parameter(
            &mut self,
            _key: &'de KeyRef,
            _value: BareItemFromInput<'de>,
        ) -> Result<(), Stop> {
            Err(shape(self.0, ParseErrorKind::UnexpectedParameters))
        }
        fn finish(self) -> Result<(), Stop> {
            Ok(())
        }
    }
    let mut d = SigDict {
        label,
        seen: Labels::new(),
        found: None,
        limits,
        err: None,
    };
    let r = sfv::Parser::new(combined).parse_dictionary_with_visitor(&mut d);
    if let Some(e) = d.err.take() {
        // As for Signature-Input: a syntax error anywhere in the field wins.
        if let Err(se) = sfv::Parser::new(combined).parse_dictionary_with_visitor(Ignored) {
            return Err(ParseError::new(
                SignatureField::Signature,
                ParseErrorKind::Syntax,
                se.index(),
            )
            .into());
        }
        return Err(e);
    }
    r.map_err(|e| ParseError::new(SignatureField::Signature, ParseErrorKind::Syntax, e.index()))?;
    Ok(d.found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn si(s: &str) -> Result<Vec<(String, String)>, String> {
        parse_signature_input(
            s.as_bytes(),
            None,
            Limits::default(),
            SignatureField::SignatureInput,
        )
        .map(|v| {
            v.into_iter()
                .map(|(l, p)| (l.to_owned(), p.as_str().to_owned()))
                .collect()
        })
        .map_err(|e| e.code().to_owned())
    }

    fn parsed(field: &str) -> Vec<(&str, SignatureParams<'_>)> {
        parse_signature_input(
            field.as_bytes(),
            None,
            Limits::default(),
            SignatureField::SignatureInput,
        )
        .unwrap()
        .into_vec()
    }

    #[test]
    fn canonical_members_are_borrowed_from_the_field() {
        let field = concat!(
            r#"sig1=("@method" "@target-uri" "authorization" "dpop" "content-digest");"#,
            r#"created=1618884473;keyid="k1";tag="fapi-2-request", "#,
            r#"sig2=("@query-param";name="pet" "example-dict";key="a" "x";bs);created=1;ext=?0;dec=1.5"#
        );
        let all = parsed(field);
        assert_eq!(all.len(), 2);
        for (label, p) in &all {
            assert!(matches!(p.text, Cow::Borrowed(_)), "{label} was copied");
            let member = format!("{label}={}", p.as_str());
            assert!(field.contains(&member), "{member}");
        }
        assert_eq!(all[0].1.tag(), Some("fapi-2-request"));
        assert_eq!(all[1].1.components().len(), 3);
    }

    #[test]
    fn non_canonical_members_are_copied_and_canonicalized() {
        // (received, canonical): each differs from its serialization at a different point.
        let cases = [
            (
                r#"("@method"  "@path");created=1"#,
                r#"("@method" "@path");created=1"#,
            ),
            (r#"( "@method");created=1"#, r#"("@method");created=1"#),
            (r#"("@method");created=01"#, r#"("@method");created=1"#),
            (r#"("@method");flag=?1"#, r#"("@method");flag"#),
            (r#"("@method"); created=1"#, r#"("@method");created=1"#),
            (r#"("x";sf=?1)"#, r#"("x";sf)"#),
            (r#"("@method");dec=1.50"#, r#"("@method");dec=1.5"#),
        ];
        for (received, canonical) in cases {
            let field = format!("a=(\"@status\");created=2, sig={received}");
            let all = parsed(&field);
            let (_, p) = &all[1];
            // A canonical prefix (`;flag=?1` ends as `;flag`) may stay borrowed; anything else
            // that differs must have been copied.
            if !received.starts_with(canonical) {
                assert!(matches!(p.text, Cow::Owned(_)), "{received} was borrowed");
            }
            assert_eq!(p.as_str(), canonical, "{received}");
            let canonical_field = format!("sig={canonical}");
            let again = parsed(&canonical_field);
            assert!(matches!(again[0].1.text, Cow::Borrowed(_)), "{canonical}");
            assert_eq!(again[0].1, p.clone().into_owned(), "{received}");
            assert!(matches!(all[0].1.text, Cow::Borrowed(_)), "{field}");
        }
    }

    #[test]
    fn escaped_strings_are_read_unescaped_from_borrowed_text() {
        let field = r#"sig=("@method");keyid="a\"b\\c";tag="t""#;
        let all = parsed(field);
        let p = &all[0].1;
        assert!(matches!(p.text, Cow::Borrowed(_)));
        assert_eq!(p.keyid(), Some(r#"a"b\c"#));
        assert_eq!(p.tag(), Some("t"));
    }

    #[test]
    fn round_trips_in_received_order() {
        let cases = [
            r#"sig-b21=();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd""#,
            r#"sig1=("@method" "@authority");keyid="k";created=1"#,
            r#"sig1=("@method");created=1;ext="x";foo=1;flag;dec=1.5;tok=abc;bin=:AQID:"#,
            r#"sig1=("signature";req;key="sig1" "@query-param";name="pet" "example-dict";sf)"#,
        ];
        for c in cases {
            let (label, value) = c.split_once('=').unwrap();
            assert_eq!(si(c), Ok(vec![(label.to_owned(), value.to_owned())]), "{c}");
        }
    }

    #[test]
    fn refusals() {
        let cases = [
            (
                r#"sig1=("@method"), sig1=("@path")"#,
                "parse.duplicate_label",
            ),
            (r#"sig1="@method""#, "parse.not_inner_list"),
            (r#"sig1=(@method)"#, "parse.signature_input"),
            (r#"sig1=(method)"#, "parse.component_not_string"),
            (r#"sig1=("@method" "@method")"#, "component.duplicate"),
            (r#"sig1=("@nope")"#, "component.unknown_derived"),
            (
                r#"sig1=("@signature-params")"#,
                "component.signature_params_covered",
            ),
            (r#"sig1=("Content-Type")"#, "component.invalid_name"),
            (r#"sig1=("x";foo)"#, "component.unknown_parameter"),
            (r#"sig1=("x";sf=?0)"#, "component.invalid_parameter_value"),
            (r#"sig1=("x";key=1)"#, "component.invalid_parameter_value"),
            (r#"sig1=("x";sf;bs)"#, "component.conflicting_parameters"),
            (
                r#"sig1=("@query-param")"#,
                "component.query_param_name_required",
            ),
            (
                r#"sig1=("@method";name="a")"#,
                "component.conflicting_parameters",
            ),
            (r#"sig1=();created="1""#, "params.wrong_type"),
            (r#"sig1=();created=1;created=2"#, "params.duplicate"),
            (r#"sig1=();created=-1"#, "params.out_of_range"),
            (r#"sig1=();keyid=k"#, "params.wrong_type"),
            (r#"sig1=();x=1;x=2"#, "params.duplicate"),
            ("", "ok-empty"),
        ];
        for (input, code) in cases {
            let got = si(input);
            if code == "ok-empty" {
                assert_eq!(got, Ok(vec![]));
            } else {
                assert_eq!(got, Err(code.to_owned()), "{input}");
            }
        }
    }

    #[test]
    fn caps() {
        let many: Vec<String> = (0..17).map(|i| format!("s{i}=()")).collect();
        assert_eq!(
            si(&many.join(", ")),
            Err("limits.too_many_signatures".into())
        );
        let comps: Vec<String> = (0..65).map(|i| format!("\"h{i}\"")).collect();
        assert_eq!(
            si(&format!("s=({})", comps.join(" "))),
            Err("limits.too_many_components".into())
        );
    }

    #[test]
    fn signature_dictionary() {
        let l = Limits::default();
        assert_eq!(
            parse_signature(b"a=:AQID:, b=:BAU=:", "b", l).unwrap(),
            Some(vec![4, 5])
        );
        assert_eq!(parse_signature(b"a=:AQID:", "b", l).unwrap(), None);
        let code = |s: &str| parse_signature(s.as_bytes(), "a", l).unwrap_err().code();
        assert_eq!(code("a=:AQID:, a=:AQID:"), "parse.duplicate_label");
        assert_eq!(code("a=abc"), "parse.not_byte_sequence");
        assert_eq!(code("a=(:AQID:)"), "parse.not_byte_sequence");
        assert_eq!(code("a=:AQID:;x=1"), "parse.unexpected_parameters");
        assert_eq!(code("a=:AQ$D:"), "parse.signature");
    }

    #[test]
    fn escaped_strings_are_owned() {
        let p = SignatureParams::parse(r#"("@method");keyid="a\"b";tag="t""#).unwrap();
        assert_eq!(p.keyid(), Some("a\"b"));
        assert_eq!(p.tag(), Some("t"));
        assert_eq!(p.as_str(), r#"("@method");keyid="a\"b";tag="t""#);
    }
}
