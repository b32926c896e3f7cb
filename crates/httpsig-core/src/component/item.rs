//! The `sfv` visitors for one component identifier (RFC 9421 §2: an sf-string naming the
//! component, with parameters), written through [`ComponentWriter`] so that every path that reads
//! an identifier — a `Signature-Input` inner list, [`Component::parse`](super::Component::parse)
//! — validates it with the same code.

use sfv::visitor::{ItemVisitor, ParameterVisitor};
use sfv::{BareItemFromInput, KeyRef};

use super::{ComponentSpec, ComponentWriter, TextSink};
use crate::error::{Error, ParseErrorKind};
use crate::visit::Stop;

/// Where the visitors of one component identifier write, and what they report to.
pub(crate) trait ItemSink {
    /// The serialized text the identifier is written into.
    type Text: TextSink;

    /// Whether the identifier is kept; when not, `sfv` only checks its syntax.
    fn active(&self) -> bool;

    /// The text and the writer slot of the identifier being read.
    fn parts(&mut self) -> (&mut Self::Text, &mut Option<ComponentWriter>);

    /// Records `e` as the field's error and returns the marker for `sfv`.
    fn fail(&mut self, e: Error) -> Stop;

    /// Records a shape error (the item is not what the field's grammar allows).
    fn shape(&mut self, kind: ParseErrorKind) -> Stop;

    /// Takes a complete, validated identifier.
    ///
    /// # Errors
    /// Whatever the sink refuses (a duplicate component, ...).
    fn push(&mut self, spec: ComponentSpec) -> Result<(), Error>;
}

/// Visits the item of a component identifier.
pub(crate) struct ItemV<'a, S>(pub(crate) &'a mut S);

/// Visits the parameters of a component identifier.
pub(crate) struct ParamV<'a, S>(&'a mut S);

impl<'de, S: ItemSink> ItemVisitor<'de> for ItemV<'_, S> {
    type Out = ();
    type Error = Stop;

    fn bare_item(
        self,
        bare_item: BareItemFromInput<'de>,
    ) -> Result<impl ParameterVisitor<'de, Out = ()>, Stop> {
        let sink = self.0;
        let Some(name) = bare_item.as_string() else {
            return Err(sink.shape(ParseErrorKind::ComponentNotString));
        };
        if sink.active() {
            let (text, slot) = sink.parts();
            match ComponentWriter::begin(text, name.as_str()) {
                Ok(w) => *slot = Some(w),
                Err(e) => return Err(sink.fail(e.into())),
            }
        }
        Ok(ParamV(sink))
    }
}

impl<'de, S: ItemSink> ParameterVisitor<'de> for ParamV<'_, S> {
    type Out = ();
    type Error = Stop;

    fn parameter(&mut self, key: &'de KeyRef, value: BareItemFromInput<'de>) -> Result<(), Stop> {
        let sink = &mut *self.0;
        let (text, slot) = sink.parts();
        let Some(w) = slot.as_mut() else {
            return Ok(());
        };
        let r = if let Some(b) = value.as_boolean() {
            w.flag(text, key.as_str(), b)
        } else if let Some(s) = value.as_string() {
            w.string(text, key.as_str(), s.as_str())
        } else {
            Err(w.other(text.as_str(), key.as_str()))
        };
        r.map_err(|e| sink.fail(e.into()))
    }

    fn finish(self) -> Result<(), Stop> {
        let sink = self.0;
        let (text, slot) = sink.parts();
        if let Some(w) = slot.take() {
            let spec = w.finish(text.as_str()).map_err(|e| sink.fail(e.into()))?;
            sink.push(spec).map_err(|e| sink.fail(e))?;
        }
        Ok(())
    }
}
