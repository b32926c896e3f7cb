//! `httpsig verify`: verify a signature (RFC 9421 §3.2) under a policy built from the options.

use httpsig_core::{
    Algorithm, Error, MaxAge, Selection, SignatureParams, VerifyInput, VerifyPolicy, signature_base,
};
use serde_json::json;

use fapi_profile::signatures::{CreatedWindow, DEFAULT_ALGORITHMS};

use super::args::{Profile, VerifyArgs};
use super::error::{CliError, InputKind, OptionProblem};
use super::explain::render_diff;
use super::io::{
    Stream, colour_enabled, load_message, load_request, maybe_unwrap, read_input, write_stdout,
};
use super::keys::{Wanted, verifying_keys};
use super::params::{base_options, parse_components};

/// Runs `verify` and returns 0 (valid), 1 (not valid) or 2 (the signature to verify is
/// ambiguous: select it with `--label` or `--tag`).
///
/// Policy: the accepted algorithms are those of the given keys; `created` may be at most
/// `--max-age` seconds old (no limit without it) and up to 5 s in the future; a present
/// `expires` is enforced against `--now` (default: the system clock); `--require` components
/// must be covered; a covered `content-digest` is checked against the body.
///
/// With `--profile`, the profile decides what must verify, as the library's verifiers do:
/// every signature with the profile's tag, at least one (D-4). `--label` then only names the
/// signature to report and explain; it must be one of those, and never narrows the set.
///
/// Output: a `valid: LABEL (ALG)` line per verified signature on stdout, or the error on
/// stderr; `--json` prints `{"valid", "label", "labels", "error": {"code", "message"} | null,
/// "base"}` on stdout (`labels`: every verified signature). With `--explain`, a failure also
/// prints the base that was verified and, with `--expected-base`, the per-line diff.
///
/// # Errors
/// Input, option and key errors ([`CliError`], exit 2), including a `--label` that names no
/// signature the profile verifies. Verification failures are not errors here: they are
/// reported and give status 1.
pub fn run(args: &VerifyArgs) -> Result<u8, CliError> {
    let inp = &args.input;
    let msg = load_message(
        inp.message.as_deref(),
        InputKind::Message,
        inp.unwrap,
        &inp.scheme,
    )?;
    let request = load_request(args.context.request.as_ref(), inp.unwrap, &inp.scheme)?;
    let options = base_options(&args.context)?;
    let required = match &args.require {
        Some(r) => parse_components("--require", r)?,
        None => Vec::new(),
    };
    let expected = args
        .expected_base
        .as_ref()
        .map(|p| read_expected_base(p, inp.unwrap))
        .transpose()?;
    let profile_tag = args.profile.map(|p| match p {
        Profile::FapiRequest => fapi_profile::signatures::REQUEST_TAG,
        Profile::FapiResponse => fapi_profile::signatures::RESPONSE_TAG,
    });

    // The signatures this run must verify, to load their keys and to name them. A malformed
    // Signature-Input is left for the verifier to report.
    let parsed = super::signatures(&msg.message, &options);
    let entries = parsed.as_deref().unwrap_or_default();
    let targets: Vec<&(String, SignatureParams<'static>)> = match profile_tag {
        Some(tag) => {
            let tagged: Vec<_> = entries
                .iter()
                .filter(|(_, p)| p.tag() == Some(tag))
                .collect();
            if let (Some(l), Ok(_)) = (&args.label, &parsed)
                && !tagged.iter().any(|(x, _)| x == l)
            {
                return Err(CliError::Option {
                    option: "--label",
                    problem: OptionProblem::NotInProfile(tag),
                });
            }
            tagged
        }
        None => match super::select(entries, args.label.as_deref(), args.tag.as_deref()) {
            Some(one) => vec![one],
            None => entries.iter().collect(),
        },
    };
    let wanted: Vec<Wanted> = targets.iter().copied().filter_map(wanted).collect();
    let keys = verifying_keys(&args.key, args.keyid.as_deref(), &wanted)?;

    let max_age = args.max_age.map_or(MaxAge::Unlimited, MaxAge::Seconds);
    let mut policy = match args.profile {
        None => VerifyPolicy::new(keys.algorithms(), max_age),
        Some(Profile::FapiRequest) => {
            fapi_profile::signatures::request_policy(&DEFAULT_ALGORITHMS, CreatedWindow::default())
        }
        Some(Profile::FapiResponse) => {
            let req = request
                .as_ref()
                .ok_or(CliError::Missing(super::error::Missing::Request))?;
            fapi_profile::signatures::response_policy(
                &DEFAULT_ALGORITHMS,
                CreatedWindow::default(),
                req,
                !req.body().is_empty(),
                true,
            )
            .map_err(CliError::Core)?
        }
    };
    policy = policy
        .base_options(options.clone())
        .with_provider(args.key.provider.get());
    for c in required {
        policy = policy.require_component(c);
    }
    if let Some(now) = args.now {
        policy = policy.at(now);
    }
    let mut input = VerifyInput::new(&msg.message).body(msg.message.body());
    if let Some(r) = &request {
        input = input.related(r).related_body(r.body());
    }
    let result: Result<Vec<(String, Algorithm)>, Error> = match profile_tag {
        // D-4 / RSV: every signature with the profile's tag, as the library's verifiers do.
        Some(tag) => policy
            .verify_all(input.select(Selection::Tag(tag)), keys.resolver())
            .map(|all| {
                all.iter()
                    .map(|v| (v.label().to_owned(), v.algorithm()))
                    .collect()
            }),
        None => {
            let selection = match (&args.label, &args.tag) {
                (Some(l), _) => Selection::Label(l),
                (None, Some(t)) => Selection::Tag(t),
                (None, None) => Selection::Any,
            };
            policy
                .verify(input.select(selection), keys.resolver())
                .map(|v| vec![(v.label().to_owned(), v.algorithm())])
        }
    };

    // The signature to name and explain: on success the given label (or the first verified);
    // on failure under a profile the first of its signatures that fails alone (found by
    // verifying them one by one, for the report only: the outcome is `result`'s), else the
    // given label or the only target.
    let label: Option<&str> = match (&result, profile_tag) {
        (Ok(verified), _) => args
            .label
            .as_deref()
            .or_else(|| verified.first().map(|(l, _)| l.as_str())),
        (Err(_), Some(_)) => targets.iter().map(|(l, _)| l.as_str()).find(|l| {
            policy
                .verify(input.select(Selection::Label(l)), keys.resolver())
                .is_err()
        }),
        (Err(_), None) => args.label.as_deref().or(match targets.as_slice() {
            [(l, _)] => Some(l.as_str()),
            _ => None,
        }),
    };
    let params = label.and_then(|l| entries.iter().find(|(x, _)| x == l).map(|(_, p)| p));
    let base = params.map(|p| {
        signature_base(&msg.message, super::related(request.as_ref()), p, &options)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    });

    if inp.json {
        let error = result
            .as_ref()
            .err()
            .map(|e| json!({ "code": e.code(), "message": e.to_string() }));
        let labels: Vec<&str> = result
            .as_ref()
            .map(|v| v.iter().map(|(l, _)| l.as_str()).collect())
            .unwrap_or_default();
        let base = base.as_ref().and_then(|b| b.as_ref().ok());
        write_stdout(&super::json_line(&json!({
            "valid": result.is_ok(),
            "label": label,
            "labels": labels,
            "error": error,
            "base": base,
        })))?;
    }
    match &result {
        Ok(verified) => {
            if !inp.json {
                let mut out = String::new();
                for (l, alg) in verified {
                    out.push_str(&format!("valid: {l} ({alg})\n"));
                }
                write_stdout(out.as_bytes())?;
            }
            Ok(0)
        }
        Err(e) => {
            match label {
                Some(l) => eprintln!("httpsig: error[{}]: {e} (signature {l:?})", e.code()),
                None => eprintln!("httpsig: error[{}]: {e}", e.code()),
            }
            if args.explain && !inp.json {
                write_stdout(explain(label, base.as_ref(), expected.as_deref()).as_bytes())?;
            }
            Ok(if matches!(e, Error::AmbiguousSelection) {
                2
            } else {
                1
            })
        }
    }
}

/// What choosing a signature's key needs: its `keyid` and `alg` parameters.
fn wanted((_, p): &(String, SignatureParams<'static>)) -> Option<Wanted> {
    Some(Wanted {
        keyid: p.keyid()?.to_owned(),
        alg: p.alg().map(str::to_owned),
    })
}

/// Reads `--expected-base`: unwrapped with `--unwrap`, CRLF read as LF, one final line end
/// dropped (a base has none; text files usually do).
fn read_expected_base(path: &std::path::Path, unwrap: bool) -> Result<String, CliError> {
    let input = InputKind::ExpectedBase;
    let bytes = maybe_unwrap(read_input(Some(path), input)?, unwrap, input)?;
    let text = String::from_utf8(bytes).map_err(|_| CliError::NotUtf8 { input })?;
    let text = text.replace("\r\n", "\n");
    Ok(text.strip_suffix('\n').unwrap_or(&text).to_owned())
}

/// The `--explain` text: the base that was verified, then the diff against the signer's base.
fn explain(
    label: Option<&str>,
    base: Option<&Result<String, Error>>,
    expected: Option<&str>,
) -> String {
    let mut s = String::new();
    match (label, base) {
        (Some(l), Some(Ok(b))) => {
            s.push_str(&format!("signature base verified for {l:?}:\n{b}\n"));
            if let Some(exp) = expected {
                s.push('\n');
                s.push_str(&render_diff(exp, b, colour_enabled(Stream::Stdout)));
            }
        }
        (Some(l), Some(Err(e))) => s.push_str(&format!(
            "the signature base for {l:?} cannot be computed: error[{}]: {e}\n",
            e.code()
        )),
        _ => s.push_str("no single signature was selected; nothing to explain (use --label)\n"),
    }
    s
}
