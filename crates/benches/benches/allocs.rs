//! Heap allocations per sign / verify (group 6), counted with a counting global allocator.
//!
//! Run by `cargo bench -p benches` (the same counts as the `allocs` binary).
#![forbid(unsafe_code)]

use std::alloc::System;

use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

fn snapshot() -> (u64, u64, u64) {
    let s = GLOBAL.stats();
    // usize is at most 64 bits on every target this runs on.
    let n = |v: usize| u64::try_from(v).unwrap_or(u64::MAX);
    (n(s.allocations), n(s.reallocations), n(s.bytes_allocated))
}

fn main() {
    benches::allocs::main_with(&snapshot);
}
