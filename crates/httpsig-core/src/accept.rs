//! `Accept-Signature` (RFC 9421 §5): a request for the peer to sign its next message.

use core::fmt;

use crate::BaseOptions;
use crate::component::Component;
use crate::error::{
    Error, LimitExceeded, ParamName, ParamsError, ParamsErrorKind, ParseError, ParseErrorKind,
    SignatureField,
};
use crate::labels::Labels;
use crate::limits::Limits;
use crate::params::{ParamValue, SignatureParamsBuilder};
use crate::visit::Stop;
use smallvec::SmallVec;

/// One requested signature: a label, the components to cover and the wanted parameters.
///
/// In `Accept-Signature` the time parameters may be bare flags (`;created`), meaning "include
/// it", or values; both are kept as given.
#[derive(Clone, PartialEq, Eq)]
pub struct SignatureRequest {
    label: String,
    components: Vec<Component>,
    params: Vec<(String, RequestedParam)>,
}

/// A requested signature parameter.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestedParam {
    /// Present as a flag: include it with a value of the signer's choosing.
    Flag,
    /// A specific value the signer should use.
    Value(ParamValue),
}

impl SignatureRequest {
    /// A request for a signature labelled `label` over `components`.
    pub fn new(label: &str, components: Vec<Component>) -> Self {
        Self {
            label: label.to_owned(),
            components,
            params: Vec::new(),
        }
    }

    /// Adds a requested parameter (kept in order).
    #[must_use]
    pub fn with_param(mut self, name: &str, p: RequestedParam) -> Self {
        self.params.retain(|(n, _)| n != name);
        self.params.push((name.to_owned(), p));
        self
    }

    /// The label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The requested components.
    pub fn components(&self) -> &[Component] {
        &self.components
    }

    /// The requested parameters, in order.
    pub fn params(&self) -> &[(String, RequestedParam)] {
        &self.params
    }

    /// The requested value or flag of a parameter.
    pub fn param(&self, name: &str) -> Option<&RequestedParam> {
        self.params.iter().find(|(n, _)| n == name).map(|(_, p)| p)
    }

    /// Turns the request into signing parameters: flags for `created`/`expires` become `now`
    /// and `now + expires_in`; a `nonce` flag is refused unless the caller sets one afterwards;
    /// given values are used as they are.
    pub fn to_params(&self, now: i64, expires_in: i64) -> SignatureParamsBuilder {
        let mut b = crate::SignatureParams::builder().components(self.components.iter().cloned());
        for (name, p) in &self.params {
            b = match (name.as_str(), p) {
                ("created", RequestedParam::Flag) => b.created(now),
                ("expires", RequestedParam::Flag) => b.expires(now.saturating_add(expires_in)),
                (_, RequestedParam::Flag) => b,
                (n, RequestedParam::Value(v)) => b.param(n, v.clone()),
            };
        }
        b
    }

    /// The dictionary member for `Accept-Signature`: `label=(...);params`.
    pub fn to_member(&self) -> String {
        let mut s = format!("{}=(", self.label);
        for (i, c) in self.components.iter().enumerate() {
            if i > 0 {
                s.push(' ');
            }
            s.push_str(c.as_str());
        }
        s.push(')');
        for (name, p) in &self.params {
            s.push(';');
            s.push_str(name);
            match p {
                RequestedParam::Flag | RequestedParam::Value(ParamValue::Boolean(true)) => {}
                RequestedParam::Value(v) => {
                    s.push('=');
                    match v {
                        ParamValue::Integer(i) => s.push_str(&i.to_string()),
                        ParamValue::String(t) => {
                            s.push('"');
                            crate::component::write_sf_string_content(&mut s, t);
                            s.push('"');
                        }
                        ParamValue::Token(t) => s.push_str(t),
                        ParamValue::Boolean(_) => s.push_str("?0"),
                    }
                }
            }
        }
        s
    }
}

impl fmt::Debug for SignatureRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_member())
    }
}

/// Parses `Accept-Signature` (all lines combined) under the default caps
/// ([`BaseOptions::default`]).
///
/// # Errors
/// As [`parse_accept_signature_with`].
pub fn parse_accept_signature(value: &[u8]) -> Result<Vec<SignatureRequest>, Error> {
    parse_accept_signature_with(value, &BaseOptions::default())
}

/// Parses `Accept-Signature` (all lines combined). The field comes from the peer, so the caps
/// of `Signature-Input` apply (field bytes, signatures, components, parameters), checked in one
/// pass before anything is built, and a repeated label is refused rather than "last wins".
///
/// # Errors
/// `limits.field_too_large`, `limits.too_many_signatures`, `limits.too_many_components`,
/// `limits.too_many_parameters`; `parse.accept_signature` on syntax errors (which win over the
/// other errors, RFC 8941 §4.2); `parse.duplicate_label`; `parse.not_inner_list`; component
/// errors; `params.wrong_type` for a registered parameter of the wrong type.
pub fn parse_accept_signature_with(
    value: &[u8],
    options: &BaseOptions,
) -> Result<Vec<SignatureRequest>, Error> {
    let syntax = |i| ParseError::new(SignatureField::AcceptSignature, ParseErrorKind::Syntax, i);
    let max = options.max_field_bytes;
    if value.len() > max {
        return Err(LimitExceeded::FieldBytes { max }.into());
    }
    check_shape(value, options.limits)?;
    let dict: sfv::Dictionary = sfv::Parser::new(value)
        .parse()
        .map_err(|e: sfv::Error| syntax(e.index()))?;
    let mut out = Vec::with_capacity(dict.len());
    for (label, entry) in &dict {
        let sfv::ListEntry::InnerList(list) = entry else {
            return Err(ParseError::new(
                SignatureField::AcceptSignature,
                ParseErrorKind::NotInnerList,
                None,
            )
            .into());
        };
        let mut components = Vec::with_capacity(list.items.len());
        for item in &list.items {
            let mut ser = sfv::ItemSerializer::new()
                .bare_item(&item.bare_item)
                .parameters(&item.params)
                .finish();
            if item.bare_item.as_string().is_none() {
                return Err(ParseError::new(
                    SignatureField::AcceptSignature,
                    ParseErrorKind::ComponentNotString,
                    None,
                )
                .into());
            }
            let c = Component::parse(&core::mem::take(&mut ser))?;
            if components
                .iter()
                .any(|x: &Component| x.as_str() == c.as_str())
            {
                return Err(crate::ComponentError::new(
                    c.as_str(),
                    crate::ComponentErrorKind::Duplicate,
                )
                .into());
            }
            components.push(c);
        }
        let mut req = SignatureRequest::new(label.as_str(), components);
        for (k, v) in &list.params {
            let name = k.as_str();
            let wrong = |p| Error::from(ParamsError::new(p, ParamsErrorKind::WrongType));
            let p = match (name, v) {
                (_, sfv::BareItem::Boolean(true)) => RequestedParam::Flag,
                ("created" | "expires", sfv::BareItem::Integer(i)) => {
                    RequestedParam::Value(ParamValue::Integer(i64::from(*i)))
                }
                ("created", _) => return Err(wrong(ParamName::Created)),
                ("expires", _) => return Err(wrong(ParamName::Expires)),
                ("nonce" | "alg" | "keyid" | "tag", sfv::BareItem::String(s)) => {
                    RequestedParam::Value(ParamValue::String(s.as_str().to_owned()))
                }
                ("nonce", _) => return Err(wrong(ParamName::Nonce)),
                ("alg", _) => return Err(wrong(ParamName::Alg)),
                ("keyid", _) => return Err(wrong(ParamName::KeyId)),
                ("tag", _) => return Err(wrong(ParamName::Tag)),
                (_, sfv::BareItem::Integer(i)) => {
                    RequestedParam::Value(ParamValue::Integer(i64::from(*i)))
                }
                (_, sfv::BareItem::String(s)) => {
                    RequestedParam::Value(ParamValue::String(s.as_str().to_owned()))
                }
                (_, sfv::BareItem::Token(t)) => {
                    RequestedParam::Value(ParamValue::Token(t.as_str().to_owned()))
                }
                (_, sfv::BareItem::Boolean(b)) => RequestedParam::Value(ParamValue::Boolean(*b)),
                _ => return Err(wrong(ParamName::Extension)),
            };
            req = req.with_param(name, p);
        }
        out.push(req);
    }
    Ok(out)
}

/// One pass over the field before it is parsed into owned values: counts against the caps
/// and repeated labels. A syntax error anywhere wins over what this pass found.
fn check_shape(value: &[u8], limits: Limits) -> Result<(), Error> {
    use sfv::visitor::{
        DictionaryVisitor, EntryVisitor, Ignored, InnerListVisitor, ItemVisitor, ParameterVisitor,
    };
    use sfv::{BareItemFromInput, KeyRef};

    struct Shape<'de> {
        limits: Limits,
        seen: Labels<'de>,
        err: Option<Error>,
    }
    impl Shape<'_> {
        fn stop(&mut self, e: impl Into<Error>) -> Stop {
            self.err.get_or_insert(e.into());
            Stop
        }
    }
    struct Entry<'a, 'de>(&'a mut Shape<'de>);
    struct Inner<'a, 'de>(&'a mut Shape<'de>, usize);
    struct Params<'a, 'de>(&'a mut Shape<'de>, usize);

    impl<'de> DictionaryVisitor<'de> for &mut Shape<'de> {
        type Out = ();
        type Error = Stop;
        fn entry(&mut self, key: &'de KeyRef) -> Result<impl EntryVisitor<'de>, Stop> {
            if self.seen.contains(key.as_str()) {
                let e = ParseError::new(
                    SignatureField::AcceptSignature,
                    ParseErrorKind::DuplicateLabel,
                    None,
                );
                return Err(self.stop(e));
            }
            if self.seen.len() >= self.limits.max_signatures {
                let max = self.limits.max_signatures;
                return Err(self.stop(LimitExceeded::Signatures { max }));
            }
            self.seen.push(key.as_str());
            Ok(Entry(self))
        }
        fn finish(self) -> Result<(), Stop> {
            Ok(())
        }
    }
    impl<'de> EntryVisitor<'de> for Entry<'_, 'de> {
        type Error = Stop;
        fn item(self) -> Result<impl ItemVisitor<'de>, Stop> {
            // Not an inner list: refused by the parse that follows.
            Ok(Ignored)
        }
        fn inner_list(self) -> Result<impl InnerListVisitor<'de>, Stop> {
            Ok(Inner(self.0, 0))
        }
    }
    impl<'de> InnerListVisitor<'de> for Inner<'_, 'de> {
        type Error = Stop;
        fn item(&mut self) -> Result<impl ItemVisitor<'de>, Stop> {
            if self.1 >= self.0.limits.max_components {
                let max = self.0.limits.max_components;
                return Err(self.0.stop(LimitExceeded::Components { max }));
            }
            self.1 += 1;
            Ok(Component(&mut *self.0))
        }
        fn finish(self) -> Result<impl ParameterVisitor<'de>, Stop> {
            Ok(Params(self.0, 0))
        }
    }
    /// A requested component: its parameters are the component parameters of RFC 9421 §2.1
    /// (`sf`, `key`, `bs`, `req`, `tr`, `name`), each at most once; more than six, or one
    /// twice, is refused here, before the owned parse would collapse the repetition.
    struct Component<'a, 'de>(&'a mut Shape<'de>);
    struct ComponentParams<'a, 'de>(&'a mut Shape<'de>, SmallVec<[&'de str; 6]>);
    impl<'de> ItemVisitor<'de> for Component<'_, 'de> {
        type Out = ();
        type Error = Stop;
        fn bare_item(
            self,
            _: BareItemFromInput<'de>,
        ) -> Result<impl ParameterVisitor<'de, Out = ()>, Stop> {
            Ok(ComponentParams(self.0, SmallVec::new()))
        }
    }
    impl<'de> ParameterVisitor<'de> for ComponentParams<'_, 'de> {
        type Out = ();
        type Error = Stop;
        fn parameter(&mut self, key: &'de KeyRef, _: BareItemFromInput<'de>) -> Result<(), Stop> {
            if self.1.contains(&key.as_str()) {
                let e = crate::ComponentError::new(
                    key.as_str(),
                    crate::ComponentErrorKind::DuplicateParameter,
                );
                return Err(self.0.stop(e));
            }
            if self.1.len() >= 6 {
                let max = 6;
                return Err(self.0.stop(LimitExceeded::Parameters { max }));
            }
            self.1.push(key.as_str());
            Ok(())
        }
        fn finish(self) -> Result<(), Stop> {
            Ok(())
        }
    }

    impl<'de> ParameterVisitor<'de> for Params<'_, 'de> {
        type Out = ();
        type Error = Stop;
        fn parameter(&mut self, _: &'de KeyRef, _: BareItemFromInput<'de>) -> Result<(), Stop> {
            if self.1 >= self.0.limits.max_params {
                let max = self.0.limits.max_params;
                return Err(self.0.stop(LimitExceeded::Parameters { max }));
            }
            self.1 += 1;
            Ok(())
        }
        fn finish(self) -> Result<(), Stop> {
            Ok(())
        }
    }

    let mut shape = Shape {
        limits,
        seen: Labels::new(),
        err: None,
    };
    let r = sfv::Parser::new(value).parse_dictionary_with_visitor(&mut shape);
    let syntax = |i| ParseError::new(SignatureField::AcceptSignature, ParseErrorKind::Syntax, i);
    match (shape.err, r) {
        (None, Ok(())) => Ok(()),
        (None, Err(e)) => Err(syntax(e.index()).into()),
        (Some(e), _) => match sfv::Parser::new(value).parse_dictionary_with_visitor(Ignored) {
            Err(se) => Err(syntax(se.index()).into()),
            Ok(()) => Err(e),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc9421_5_1_example_round_trips() {
        // RFC 9421 §5.1 (unwrapped).
        let v = r#"sig1=("@method" "@target-uri" "@authority" "content-digest" "cache-control");keyid="test-key-rsa-pss";created;tag="app-123""#;
        let reqs = parse_accept_signature(v.as_bytes()).unwrap();
        assert_eq!(reqs.len(), 1);
        assert_eq!(reqs[0].to_member(), v);
        assert_eq!(reqs[0].param("created"), Some(&RequestedParam::Flag));
        let p = reqs[0].to_params(1618884475, 300).build().unwrap();
        assert_eq!(
            p.as_str(),
            r#"("@method" "@target-uri" "@authority" "content-digest" "cache-control");keyid="test-key-rsa-pss";created=1618884475;tag="app-123""#
        );
    }

    #[test]
    fn refusals() {
        let code = |v: &str| parse_accept_signature(v.as_bytes()).unwrap_err().code();
        assert_eq!(code("sig1=\"@method\""), "parse.not_inner_list");
        assert_eq!(code("sig1=(\"@method\";x)"), "component.unknown_parameter");
        assert_eq!(code("sig1=();created=\"x\""), "params.wrong_type");
        assert_eq!(code("sig1=(@"), "parse.accept_signature");
        assert_eq!(code("sig1=(1)"), "parse.component_not_string");
        assert_eq!(
            code("sig1=(\"@method\" \"@method\")"),
            "component.duplicate"
        );
        // The peer's field is capped like Signature-Input, and a label is not read twice.
        assert_eq!(
            code("a=(\"@method\"), a=(\"@status\")"),
            "parse.duplicate_label"
        );
        let labels: Vec<String> = (0..17).map(|i| format!("s{i}=()")).collect();
        assert_eq!(code(&labels.join(", ")), "limits.too_many_signatures");
        let comps: Vec<String> = (0..65).map(|i| format!("\"h{i}\"")).collect();
        assert_eq!(
            code(&format!("a=({})", comps.join(" "))),
            "limits.too_many_components"
        );
        let params: String = (0..33).map(|i| format!(";p{i}")).collect();
        assert_eq!(code(&format!("a=(){params}")), "limits.too_many_parameters");
        assert_eq!(
            code(&format!("a=(){params}, b=(")),
            "parse.accept_signature"
        );
        assert_eq!(code(&"a".repeat(16 * 1024 + 1)), "limits.field_too_large");
        // Component parameters: at most the six RFC 9421 defines, none twice (second
        // adversarial pass, N3: they were collapsed, and not counted).
        assert_eq!(code("a=(\"x\";req;req)"), "component.duplicate_parameter");
        assert_eq!(
            code("a=(\"x\";key=\"a\";key=\"b\")"),
            "component.duplicate_parameter"
        );
        let many: String = (0..3000).map(|i| format!(";p{i}")).collect();
        assert_eq!(code(&format!("a=(\"x\"{many})")), "limits.field_too_large");
        let many: String = (0..7).map(|i| format!(";p{i}")).collect();
        assert_eq!(
            code(&format!("a=(\"x\"{many})")),
            "limits.too_many_parameters"
        );
        let ok: Vec<String> = (0..16).map(|i| format!("s{i}=()")).collect();
        assert!(parse_accept_signature(ok.join(", ").as_bytes()).is_ok());
    }
}
