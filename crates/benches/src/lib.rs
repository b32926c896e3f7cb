//! Benchmarks of the workspace, measured side by side with `httpsig-hyper` 0.0.26 and with raw
//! `ring` on the identical bytes.
//!
//! The groups live in [`groups`]; every tool runs the same routines ([`harness::Routine`]):
//! - `cargo bench -p benches`: criterion, every group (`benches/httpsig.rs`);
//! - `cargo run --release -p benches --bin compare [-- --quick] [--json]`: one table of medians
//!   and ratios computed within the run, plus the allocation counts of the `allocs` binary;
//! - `cargo run --release -p benches --bin allocs`: heap allocations per sign / verify,
//!   counted with a counting global allocator;
//! - `cargo run --release -p benches --bin profile -- NAME IMPL ITERS`: one routine in a loop,
//!   for `valgrind --tool=callgrind`.
//!
//! This crate is not published; it holds no API anyone else should use.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

pub mod allocs;
pub mod fixtures;
pub mod groups;
pub mod harness;
pub mod report;
