//! `httpsig`: run conformance vectors, and sign, verify and debug HTTP message signatures.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// HTTP Message Signatures (RFC 9421) from the command line.
#[derive(Parser, Debug)]
#[command(name = "httpsig", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the bundled vector suites (embedded in the binary) or the given vector files.
    Vectors {
        /// Vector files; their parent directory names the suite (rfc9421, rfc9530, ...).
        paths: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Vectors { paths } => {
            let report = if paths.is_empty() {
                conformance::run_embedded()
            } else {
                conformance::run_files(&paths)
            };
            print!("{}", report.render());
            if report.all_passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
