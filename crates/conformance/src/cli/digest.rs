//! `httpsig digest`: compute or add `Content-Digest` (RFC 9530).

use httpsig_core::digest::{DigestAlgorithm, header_value};
use serde_json::json;

use super::args::{DigestAlg, DigestArgs};
use super::error::{CliError, InputKind};
use super::io::{RawMessage, load_message, write_stdout};

/// Runs `digest`: prints the `Content-Digest` value of the body, or with `--add` the message
/// with the field added (replacing any existing lines); `--json` prints
/// `{"content_digest": ...}`.
///
/// # Errors
/// Input errors ([`CliError`]).
pub fn run(args: &DigestArgs) -> Result<u8, CliError> {
    let inp = &args.input;
    let msg = load_message(
        inp.message.as_deref(),
        InputKind::Message,
        inp.unwrap,
        &inp.scheme,
    )?;
    let alg = match args.alg {
        DigestAlg::Sha256 => DigestAlgorithm::Sha256,
        DigestAlg::Sha512 => DigestAlgorithm::Sha512,
    };
    let value = header_value(&[alg], msg.message.body());
    if inp.json {
        write_stdout(&super::json_line(&json!({ "content_digest": value })))?;
    } else if args.add {
        let mut raw = RawMessage::split(&msg.text)?;
        raw.set_field("Content-Digest", &value);
        write_stdout(&raw.to_bytes())?;
    } else {
        write_stdout(format!("{value}\n").as_bytes())?;
    }
    Ok(0)
}
