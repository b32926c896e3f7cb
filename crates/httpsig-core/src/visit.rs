//! Glue between `sfv`'s visitor parser and our typed errors.

use core::fmt;

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
