//! `httpsig base`: print a signature base (RFC 9421 §2.5).

use httpsig_core::signature_base;
use serde_json::json;

use super::args::BaseArgs;
use super::error::{CliError, InputKind, Missing};
use super::io::{load_message, load_request, write_stdout};
use super::keys::parse_alg;
use super::params::{base_options, build_params};

/// Runs `base`: with `--components`, the base of a new signature with those components and
/// parameters; otherwise the base of the message's signature named by `--label` (or its only
/// signature). Prints the base and a newline (the base itself has no final newline), or
/// `{"label": ..., "base": ...}` with `--json`.
///
/// # Errors
/// Input, option and component errors ([`CliError`]).
pub fn run(args: &BaseArgs) -> Result<u8, CliError> {
    let inp = &args.input;
    let msg = load_message(
        inp.message.as_deref(),
        InputKind::Message,
        inp.unwrap,
        &inp.scheme,
    )?;
    let request = load_request(args.context.request.as_ref(), inp.unwrap, &inp.scheme)?;
    let options = base_options(&args.context)?;
    let (label, params) = if args.params.components.is_some() {
        let alg = args.alg.as_deref().map(parse_alg).transpose()?;
        (args.label.clone(), build_params(&args.params, alg)?)
    } else {
        let entries = super::signatures(&msg.message, &options)?;
        if let Some(l) = &args.label
            && !entries.iter().any(|(x, _)| x == l)
        {
            return Err(httpsig_core::Error::LabelNotFound {
                field: httpsig_core::SignatureField::SignatureInput,
            }
            .into());
        }
        let (l, p) = super::select(&entries, args.label.as_deref(), None)
            .ok_or(CliError::Missing(Missing::Selection))?;
        (Some(l.clone()), p.clone())
    };
    let base = signature_base(
        &msg.message,
        super::related(request.as_ref()),
        &params,
        &options,
    )?;
    if inp.json {
        write_stdout(&super::json_line(&json!({
            "label": label,
            "base": String::from_utf8_lossy(&base),
        })))?;
    } else {
        let mut out = base;
        out.push(b'\n');
        write_stdout(&out)?;
    }
    Ok(0)
}
