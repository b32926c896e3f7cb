//! Signature parameters (RFC 9421 §2.3): the covered components and parameters of one signature.
//!
//! The type lives here; [`SignatureParamsBuilder`] builds one for signing (`params/builder.rs`),
//! `params/assemble.rs` accumulates one while it is parsed or built (duplicate checks), and
//! `params/text.rs` holds the `@signature-params` text sink. Parsing a `Signature-Input` field is
//! in `signature_input.rs`.

use core::fmt;
use std::borrow::Cow;

use smallvec::SmallVec;

use crate::component::{ComponentSpec, CoveredComponent, Span};

mod assemble;
mod builder;
mod text;

pub(crate) use assemble::Builder;
pub use builder::SignatureParamsBuilder;
pub(crate) use text::CowText;

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

    /// The `@signature-params` value (RFC 9421 §2.3).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the text is borrowed from the received field (tests of the zero-copy path).
    #[cfg(test)]
    pub(crate) fn is_borrowed(&self) -> bool {
        matches!(self.text, Cow::Borrowed(_))
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

    /// `alg`, as given (see [`Algorithm::from_name`](crate::Algorithm::from_name)).
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
