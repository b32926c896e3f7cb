//! [`SignatureParamsBuilder`]: builds [`SignatureParams`] for signing.

use std::borrow::Cow;

use sfv::{BareItemFromInput, KeyRef};

use super::{Builder, ParamValue, SignatureParams};
use crate::component::{Component, TextSink};
use crate::crypto::Algorithm;
use crate::error::{Error, ParseError, ParseErrorKind, SignatureField};

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
        self.created(crate::time::unix_now())
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
