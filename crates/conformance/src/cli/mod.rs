//! The `httpsig` command-line tool: `vectors`, `base`, `sign`, `verify`, `digest`,
//! `target-uri` and `dpop`.
//!
//! The binary only calls [`main`]; everything else lives here so that it is documented and
//! unit-tested like the rest of the crate. Layout: [`args`] (the `clap` definitions), [`io`]
//! (inputs, in-place editing of message text, output), [`keys`] (`--key` / `--jwks` / `--alg`),
//! [`params`] (components and signature parameters from options), [`explain`] (the
//! `verify --explain` diff), and one module per subcommand.
//!
//! Exit status: 0 success; 1 verification failed (or a vector failed); 2 usage or input error
//! (bad option, unreadable file, unparsable message, unusable key). Every error is printed on
//! stderr as `httpsig: error[CODE]: MESSAGE`, where `CODE` is stable (the core's
//! [`httpsig_core::Error::code`], the message reader's `http1.*` / `forwarded.*`
//! ([`crate::http1::TextError::code`]), or `cli.*` for the tool's own errors, see
//! [`CliError::code`]).

use std::process::ExitCode;

use clap::Parser as _;
use httpsig_core::{BaseOptions, HttpMessage, Message, SignatureParams};

pub mod args;
pub mod base;
pub mod digest;
pub mod dpop;
pub mod error;
pub mod explain;
pub mod io;
pub mod keys;
pub mod params;
pub mod sign;
pub mod target_uri;
pub mod verify;

pub use args::{Cli, Command};
pub use error::{CliError, InputKind, Missing, OptionProblem};

/// Parses the process arguments, runs the subcommand, and returns the exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let status = e.exit_code();
            // Help and version go to stdout with status 0; real usage errors get the code.
            let _ = e.print();
            if e.use_stderr() {
                eprintln!("httpsig: error[cli.usage]: invalid command line (see --help)");
            }
            return ExitCode::from(u8::try_from(status).unwrap_or(2));
        }
    };
    ExitCode::from(run(cli.command))
}

/// Runs one subcommand and returns its exit status, printing errors on stderr.
pub fn run(command: Command) -> u8 {
    let result = match command {
        Command::Vectors { paths, provider } => Ok(vectors(&paths, provider.get())),
        Command::Base(a) => base::run(&a),
        Command::Sign(a) => sign::run(&a),
        Command::Verify(a) => verify::run(&a),
        Command::Digest(a) => digest::run(&a),
        Command::TargetUri(a) => target_uri::run(&a),
        Command::Dpop(a) => dpop::run(&a),
    };
    match result {
        Ok(status) => status,
        Err(e) => {
            report(&e);
            e.exit_status()
        }
    }
}

/// Prints an error on stderr as `httpsig: error[CODE]: MESSAGE`.
pub fn report(e: &CliError) {
    eprintln!("httpsig: error[{}]: {e}", e.code());
}

fn vectors(paths: &[std::path::PathBuf], provider: httpsig_core::crypto::CryptoProvider) -> u8 {
    let report = if paths.is_empty() {
        crate::run_embedded_with(provider)
    } else {
        crate::run_files_with(paths, provider)
    };
    let fips = provider == httpsig_core::crypto::aws_lc_rs::provider()
        && httpsig_core::crypto::aws_lc_rs::is_fips();
    println!(
        "crypto provider: {}{}",
        provider.name,
        if fips { " (FIPS 140-3 module)" } else { "" }
    );
    print!("{}", report.render());
    u8::from(!report.all_passed())
}

/// The signatures on a message (`Signature-Input`, all lines combined), in field order.
///
/// # Errors
/// The core's `parse.*` / `component.*` / `params.*` / `limits.*` errors.
pub fn signatures(
    msg: &Message,
    options: &BaseOptions,
) -> Result<Vec<(String, SignatureParams<'static>)>, httpsig_core::Error> {
    match msg.header("signature-input") {
        Some(v) => Ok(httpsig_core::parse_signature_input_field(&v, options)?
            .into_iter()
            .map(|(l, p)| (l.to_owned(), p.into_owned()))
            .collect()),
        None => Ok(Vec::new()),
    }
}

/// Picks one signature: by label, else the one with `tag`, else the only one.
pub fn select<'a>(
    entries: &'a [(String, SignatureParams<'static>)],
    label: Option<&str>,
    tag: Option<&str>,
) -> Option<&'a (String, SignatureParams<'static>)> {
    if let Some(l) = label {
        return entries.iter().find(|(x, _)| x == l);
    }
    let mut it = entries
        .iter()
        .filter(|(_, p)| tag.is_none() || p.tag() == tag);
    match (it.next(), it.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

/// The related request as the core takes it.
pub fn related(request: Option<&Message>) -> Option<&dyn HttpMessage> {
    request.map(|m| m as &dyn HttpMessage)
}

/// Serializes a JSON value with a final newline.
pub fn json_line(v: &serde_json::Value) -> Vec<u8> {
    let mut s = v.to_string();
    s.push('\n');
    s.into_bytes()
}
