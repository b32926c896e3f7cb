//! `httpsig`: run conformance vectors, and sign, verify and debug HTTP message signatures.
//!
//! Everything is in [`conformance::cli`]; see `httpsig --help`.
#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    conformance::cli::main()
}
