//! Benchmarks for the workspace; filled in by the benchmark issue.
#![forbid(unsafe_code)]
