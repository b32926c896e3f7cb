//! Glue between `sfv`'s visitor parser and our typed errors.

use core::fmt;

use sfv::visitor::Ignored;

use crate::error::{Error, ParseError, ParseErrorKind, SignatureField};

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

/// The top-level structured type being parsed, for the syntax re-check.
#[derive(Clone, Copy)]
pub(crate) enum Shape {
    Dictionary,
    List,
    Item,
}

/// The outcome of a visitor parse of `field`: the typed error a visitor `recorded`, unless the
/// field is not even syntactically valid. A syntax error anywhere wins (RFC 8941 §4.2: the
/// whole field fails to parse), since the streaming visitor may have stopped at a semantic
/// problem before reaching it.
pub(crate) fn settle(
    r: Result<(), sfv::Error>,
    recorded: Option<Error>,
    input: &[u8],
    shape: Shape,
    field: SignatureField,
) -> Result<(), Error> {
    if let Some(e) = recorded {
        let p = sfv::Parser::new(input);
        let syntax = match shape {
            Shape::Dictionary => p.parse_dictionary_with_visitor(Ignored),
            Shape::List => p.parse_list_with_visitor(Ignored),
            Shape::Item => p.parse_item_with_visitor(Ignored),
        };
        return Err(match syntax {
            Err(se) => ParseError::new(field, ParseErrorKind::Syntax, se.index()).into(),
            Ok(()) => e,
        });
    }
    r.map_err(|e| ParseError::new(field, ParseErrorKind::Syntax, e.index()).into())
}
