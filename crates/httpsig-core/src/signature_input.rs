//! Parsing the `Signature-Input` dictionary (RFC 9421 §4.1) and a bare signature-params inner
//! list, through `sfv`'s visitor API.
//!
//! The inner list is re-serialized as it is read, so the `@signature-params` value keeps the
//! received parameter order and every extension parameter, and component names and unescaped
//! strings are ranges into that one string instead of separate allocations. Duplicate labels and
//! duplicate parameters, which RFC 8941 would silently resolve to the last one, are refused: in a
//! signed context that ambiguity is an attack surface.

use sfv::visitor::{
    DictionaryVisitor, EntryVisitor, Ignored, InnerListVisitor, ItemVisitor, ListVisitor,
    ParameterVisitor,
};
use sfv::{BareItemFromInput, KeyRef};
use smallvec::SmallVec;

use crate::component::item::{ItemSink, ItemV};
use crate::component::{ComponentSpec, ComponentWriter, TextSink};
use crate::error::{Error, LimitExceeded, ParseError, ParseErrorKind, SignatureField};
use crate::labels::Labels;
use crate::limits::Limits;
use crate::params::{Builder, CowText, SignatureParams};
use crate::visit::{Shape, Stop, settle};

impl<'a> SignatureParams<'a> {
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

    fn finish(
        &mut self,
        r: Result<(), sfv::Error>,
        input: &[u8],
        shape: Shape,
    ) -> Result<(), Error> {
        settle(r, self.err.take(), input, shape, self.field)
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

/// A `Signature-Input` member's component identifiers go into the member being assembled.
impl<'de> ItemSink for State<'de, '_> {
    type Text = CowText<'de>;

    fn active(&self) -> bool {
        self.active
    }

    fn parts(&mut self) -> (&mut CowText<'de>, &mut Option<ComponentWriter>) {
        (&mut self.cur.text, &mut self.comp)
    }

    fn fail(&mut self, e: Error) -> Stop {
        Self::fail(self, e)
    }

    fn shape(&mut self, kind: ParseErrorKind) -> Stop {
        Self::shape(self, kind)
    }

    fn push(&mut self, spec: ComponentSpec) -> Result<(), Error> {
        self.cur.push_component(spec)
    }
}

struct DictV<'a, 'de, 'w>(&'a mut State<'de, 'w>);
struct ListV<'a, 'de, 'w>(&'a mut State<'de, 'w>);
struct EntryV<'a, 'de, 'w>(&'a mut State<'de, 'w>, &'de str);
struct InnerV<'a, 'de, 'w>(&'a mut State<'de, 'w>, &'de str);
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
        Ok(ItemV(st))
    }

    fn finish(self) -> Result<impl ParameterVisitor<'de>, Stop> {
        if self.0.active {
            self.0.cur.text.push(')');
        }
        Ok(SigParamV(self.0, self.1))
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
            assert!(p.is_borrowed(), "{label} was copied");
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
                assert!(!p.is_borrowed(), "{received} was borrowed");
            }
            assert_eq!(p.as_str(), canonical, "{received}");
            let canonical_field = format!("sig={canonical}");
            let again = parsed(&canonical_field);
            assert!(again[0].1.is_borrowed(), "{canonical}");
            assert_eq!(again[0].1, p.clone().into_owned(), "{received}");
            assert!(all[0].1.is_borrowed(), "{field}");
        }
    }

    #[test]
    fn escaped_strings_are_read_unescaped_from_borrowed_text() {
        let field = r#"sig=("@method");keyid="a\"b\\c";tag="t""#;
        let all = parsed(field);
        let p = &all[0].1;
        assert!(p.is_borrowed());
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
    fn escaped_strings_are_owned() {
        let p = SignatureParams::parse(r#"("@method");keyid="a\"b";tag="t""#).unwrap();
        assert_eq!(p.keyid(), Some("a\"b"));
        assert_eq!(p.tag(), Some("t"));
        assert_eq!(p.as_str(), r#"("@method");keyid="a\"b";tag="t""#);
    }
}
