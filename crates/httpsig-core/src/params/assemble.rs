//! Accumulates one signature's components and parameters while it is parsed or built, with the
//! duplicate checks RFC 9421 §2.3 asks for.

use sfv::{BareItemFromInput, KeyRef};
use smallvec::SmallVec;

use super::text::CowText;
use super::text::itoa_i64;
use super::{Components, SignatureParams, Text};
use crate::component::{ComponentSpec, CoveredComponent, Span, TextSink, write_sf_string_content};
use crate::error::{ComponentError, Error, ParamName, ParamsError, ParamsErrorKind};

/// Accumulates one signature's serialization while it is parsed or built.
#[derive(Default)]
pub(crate) struct Builder<'de> {
    pub(crate) text: CowText<'de>,
    pub(crate) components: Components,
    created: Option<i64>,
    expires: Option<i64>,
    nonce: Option<Text>,
    alg: Option<Text>,
    keyid: Option<Text>,
    tag: Option<Text>,
    extension_keys: Vec<Box<str>>,
    /// Parameters read so far, for the cap ([`Limits::max_params`]).
    pub(crate) param_count: usize,
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
    let mut h = crate::fnv::Fnv::default();
    h.write(ident.as_bytes());
    h.finish()
}

impl<'de> Builder<'de> {
    pub(crate) fn push_component(&mut self, spec: ComponentSpec) -> Result<(), Error> {
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
    pub(crate) fn param(&mut self, key: &KeyRef, v: BareItemFromInput<'_>) -> Result<(), Error> {
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

    pub(crate) fn finish(self) -> SignatureParams<'de> {
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
