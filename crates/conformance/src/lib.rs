//! Conformance vectors for the workspace, their runner, and the `httpsig` command-line tool.
//!
//! Vectors are JSON data files under `testdata/` (each names its source: an RFC section, a
//! reference document, an independent implementation, or "ours"). They are embedded in the
//! binary, so `httpsig vectors` runs from any directory with no setup. The format of each suite
//! is documented in the README beside its files.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

pub mod cli;
pub mod http1;
pub mod suites;

/// The embedded `testdata/` tree.
pub mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));

    /// An embedded file by its path relative to `testdata/`.
    pub fn get(path: &str) -> Option<&'static [u8]> {
        FILES.iter().find(|(p, _)| *p == path).map(|(_, b)| *b)
    }
}

pub use suites::{CaseOutcome, Report, run_embedded, run_embedded_with, run_files, run_files_with};
