//! Parsing the `Signature` dictionary (RFC 9421 §4.2): the signature bytes for one label.

use sfv::visitor::{
    DictionaryVisitor, EntryVisitor, Ignored, InnerListVisitor, ItemVisitor, ParameterVisitor,
};
use sfv::{BareItemFromInput, KeyRef};

use crate::error::{Error, LimitExceeded, ParseError, ParseErrorKind, SignatureField};
use crate::labels::Labels;
use crate::limits::Limits;
use crate::visit::{Shape, Stop, settle};

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
    // As for Signature-Input: a syntax error anywhere in the field wins.
    settle(
        r,
        d.err.take(),
        combined,
        Shape::Dictionary,
        SignatureField::Signature,
    )?;
    Ok(d.found)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
