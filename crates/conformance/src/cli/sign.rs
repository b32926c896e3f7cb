//! `httpsig sign`: sign a message and print it with the signature attached (RFC 9421 §3.1, §4).

use httpsig_core::{append_member, fresh_label, sign};
use serde_json::json;

use super::args::SignArgs;
use super::error::{CliError, InputKind};
use super::io::{RawMessage, load_message, load_request, write_stdout};
use super::keys::signing_key;
use super::params::{base_options, build_params};

/// Runs `sign`. The label is `--label` (refused with `sign.label_exists` if the message already
/// has it) or the first free `sig1`, `sig2`, ... The new members are appended to existing
/// `Signature-Input` / `Signature` fields (each written back as one line where its first line
/// was) or added after the last header; everything else in the text is printed unchanged.
/// `--json` prints `{"signature_input": MEMBER, "signature": MEMBER, "base": BASE}`.
///
/// # Errors
/// Input, option and key errors, and the core's signing errors ([`CliError`]).
pub fn run(args: &SignArgs) -> Result<u8, CliError> {
    let inp = &args.input;
    let msg = load_message(
        inp.message.as_deref(),
        InputKind::Message,
        inp.unwrap,
        &inp.scheme,
    )?;
    let request = load_request(args.context.request.as_ref(), inp.unwrap, &inp.scheme)?;
    let options = base_options(&args.context)?;
    let key = signing_key(&args.key, args.params.keyid.as_deref())?;
    let params = build_params(&args.params, Some(key.algorithm()))?;
    let label = match &args.label {
        Some(l) => l.clone(),
        None => fresh_label(&msg.message, "sig", &options)?,
    };
    let signed = sign(
        &msg.message,
        super::related(request.as_ref()),
        &label,
        params,
        key.as_ref(),
        &options,
    )?;
    let input_member = signed.signature_input_member();
    let sig_member = signed.signature_member();
    if inp.json {
        write_stdout(&super::json_line(&json!({
            "signature_input": input_member,
            "signature": sig_member,
            "base": String::from_utf8_lossy(signed.base()),
        })))?;
        return Ok(0);
    }
    let mut raw = RawMessage::split(&msg.text)?;
    for (name, member) in [
        ("Signature-Input", &input_member),
        ("Signature", &sig_member),
    ] {
        let existing = msg.message.header(name);
        let value = append_member(existing.as_deref(), member);
        raw.set_field(name, &String::from_utf8_lossy(&value));
    }
    write_stdout(&raw.to_bytes())?;
    Ok(0)
}
