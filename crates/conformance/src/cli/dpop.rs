//! `httpsig dpop create|verify`: DPoP proofs (RFC 9449) with fapi-profile's
//! [`DpopProofBuilder`] and [`DpopVerifier`] (FAPI 2.0 defaults: PS256, ES256, EdDSA,
//! Ed25519; `iat` at most 60 s old and 10 s ahead). The `htu` check is forwarded-parser's
//! matcher, the production [`fapi_profile::dpop::HtuCheck`].

use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroUsize;
use std::sync::Arc;

use fapi_profile::dpop::{DpopError, DpopProofBuilder, DpopRequest, DpopVerifier};
use fapi_profile::store::MemoryReplayStore;
use forwarded_parser::{Config, ConnectionFacts, ForwardedError, HtuMatcher, Origin};
use httpsig_core::keys::PrivateKey;
use httpsig_core::{Algorithm, JwsAlgorithm};
use serde_json::json;

use super::args::{DpopArgs, DpopCommand, DpopCreateArgs, DpopVerifyArgs};
use super::error::{CliError, InputKind, Missing, OptionProblem};
use super::io::{read_input, write_stdout};
use super::target_uri::RequestParts;

/// Runs `dpop create` or `dpop verify`.
///
/// # Errors
/// Input and option errors ([`CliError`]).
pub fn run(args: &DpopArgs) -> Result<u8, CliError> {
    match &args.command {
        DpopCommand::Create(a) => create(a),
        DpopCommand::Verify(a) => verify(a),
    }
}

fn now() -> i64 {
    httpsig_core::unix_now()
}

/// The key for `alg`, or for the first DPoP algorithm its type allows.
fn load_key(
    provider: &httpsig_core::crypto::CryptoProvider,
    pem: &[u8],
    alg: Option<&str>,
) -> Result<PrivateKey, CliError> {
    let key_err = |error| CliError::Key {
        input: InputKind::Key,
        error,
    };
    if let Some(name) = alg {
        let alg = JwsAlgorithm::from_name(name).ok_or(CliError::Option {
            option: "--alg",
            problem: OptionProblem::DpopAlgorithm,
        })?;
        return PrivateKey::from_pem_with(provider, pem, Algorithm::Jws(alg)).map_err(key_err);
    }
    // One FAPI algorithm per key type (RSA → PS256, the only RSA algorithm FAPI allows).
    let mut last = None;
    for alg in [
        JwsAlgorithm::Es256,
        JwsAlgorithm::EdDsa,
        JwsAlgorithm::Ps256,
    ] {
        match PrivateKey::from_pem_with(provider, pem, Algorithm::Jws(alg)) {
            Ok(k) => return Ok(k),
            Err(e) => last = Some(e),
        }
    }
    Err(match last {
        Some(e) => key_err(e),
        None => CliError::Option {
            option: "--alg",
            problem: OptionProblem::DpopAlgorithm,
        },
    })
}

/// `dpop create`: prints the proof on one line.
fn create(args: &DpopCreateArgs) -> Result<u8, CliError> {
    let pem = read_input(Some(&args.key), InputKind::Key)?;
    let key = load_key(&args.provider.get(), &pem, args.alg.as_deref())?;
    let iat = match args.iat.as_deref() {
        None | Some("now") => now(),
        Some(n) => n.parse().map_err(|_| CliError::Option {
            option: "--iat",
            problem: OptionProblem::NotAnInteger,
        })?,
    };
    let builder = match &args.jwk {
        Some(path) => DpopProofBuilder::with_jwk(&key, &read_input(Some(path), InputKind::Jwk)?),
        None => DpopProofBuilder::new(&key),
    };
    let mut b = builder
        .map_err(CliError::DpopBuild)?
        .with_provider(args.provider.get())
        .htm(&args.htm)
        .htu(&args.htu)
        .iat(iat);
    if let Some(t) = &args.token {
        b = b.ath(t);
    }
    if let Some(n) = &args.nonce {
        b = b.nonce(n);
    }
    if let Some(j) = &args.jti {
        b = b.jti(j);
    }
    let proof = b.build().map_err(CliError::DpopBuild)?;
    write_stdout(format!("{proof}\n").as_bytes())?;
    Ok(0)
}

/// The htu matcher for an explicit `--htu`: the URI as a fixed origin plus its path.
fn matcher_for_uri(uri: &str) -> Result<HtuMatcher, ForwardedError> {
    let (scheme, rest) = uri.split_once("://").unwrap_or(("", uri));
    let rest = rest.split(['?', '#']).next().unwrap_or("");
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, "/"),
    };
    let origin = Origin::parse(&format!("{scheme}://{authority}"))?;
    let parts = RequestParts {
        method: "GET".into(),
        target: path.to_owned(),
        version: None,
        fields: Vec::new(),
    };
    let conn = ConnectionFacts::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), true);
    Ok(parts.resolve(&Config::fixed(origin), &conn)?.matcher)
}

/// `dpop verify`: prints `valid`, `jkt`, `jti`, `iat`, `alg` and exits 0, or prints the
/// status and `WWW-Authenticate` the resource server would answer with, the error on stderr,
/// and exits 1.
fn verify(args: &DpopVerifyArgs) -> Result<u8, CliError> {
    let needs_message = args.proof.is_none() || args.htm.is_none() || args.htu.is_none();
    let parts = if needs_message {
        let text = read_input(args.message.as_deref(), InputKind::Message)?;
        Some(RequestParts::parse(&text)?)
    } else {
        None
    };
    let lines = |name: &str| -> Vec<String> {
        parts
            .iter()
            .flat_map(|p| p.fields.iter())
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
            .collect()
    };
    let dpop: Vec<String> = match &args.proof {
        Some(p) => vec![p.clone()],
        None => lines("dpop"),
    };
    let auth: Vec<String> = match &args.token {
        Some(t) => vec![format!("DPoP {t}")],
        None => lines("authorization"),
    };
    let method = match (&args.htm, &parts) {
        (Some(m), _) => m.clone(),
        (None, Some(p)) => p.method.clone(),
        (None, None) => String::new(),
    };
    let matcher = match (&args.htu, &parts) {
        (Some(u), _) => matcher_for_uri(u).map_err(|e| CliError::Option {
            option: "--htu",
            problem: OptionProblem::Policy(e),
        })?,
        (None, Some(p)) => {
            let conn =
                ConnectionFacts::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), args.scheme == "https");
            p.resolve(&Config::connection(), &conn)
                .map_err(CliError::Target)?
                .matcher
        }
        // Without --htu the message is always read (needs_message above).
        (None, None) => return Err(CliError::Missing(Missing::RequestMessage)),
    };
    let now = args.now.unwrap_or_else(now);
    let dpop_bytes: Vec<&[u8]> = dpop.iter().map(String::as_bytes).collect();
    let auth_bytes: Vec<&[u8]> = auth.iter().map(String::as_bytes).collect();
    let req = DpopRequest::new(&method, &matcher, now)
        .dpop_fields(&dpop_bytes)
        .authorization_fields(&auth_bytes)
        .token_jkt(args.jkt.as_deref());
    // One proof per run: a fresh store never reports a replay.
    let store = MemoryReplayStore::new(NonZeroUsize::MIN);
    let verifier = DpopVerifier::new(Arc::new(store)).with_provider(args.provider.get());
    // Nothing else to validate here, so the proof is committed at once.
    match verifier
        .verify(&req)
        .and_then(fapi_profile::dpop::PendingProof::commit)
    {
        Ok(v) => {
            let out = if args.json {
                super::json_line(&json!({
                    "valid": true,
                    "jkt": v.jkt,
                    "jti": v.jti,
                    "iat": v.iat,
                    "alg": v.alg.name(),
                    "error": null,
                    "challenge": null,
                }))
            } else {
                format!(
                    "valid: DPoP proof ({})\njkt: {}\njti: {}\niat: {}\n",
                    v.alg.name(),
                    v.jkt,
                    v.jti,
                    v.iat
                )
                .into_bytes()
            };
            write_stdout(&out)?;
            Ok(0)
        }
        Err(e) => {
            refused(&verifier, &e, now, args.json)?;
            Ok(1)
        }
    }
}

/// Prints what the resource server would answer for `e`.
fn refused(verifier: &DpopVerifier, e: &DpopError, now: i64, json: bool) -> Result<(), CliError> {
    let ch = verifier.challenge(e, now);
    let out = if json {
        super::json_line(&json!({
            "valid": false,
            "error": { "code": e.code(), "message": e.to_string() },
            "challenge": {
                "status": ch.status,
                "www_authenticate": ch.www_authenticate,
                "dpop_nonce": ch.dpop_nonce,
            },
        }))
    } else {
        let mut s = format!("status: {}\n", ch.status);
        if let Some(w) = &ch.www_authenticate {
            s.push_str("WWW-Authenticate: ");
            s.push_str(w);
            s.push('\n');
        }
        if let Some(n) = &ch.dpop_nonce {
            s.push_str("DPoP-Nonce: ");
            s.push_str(n);
            s.push('\n');
        }
        s.into_bytes()
    };
    write_stdout(&out)?;
    eprintln!("httpsig: error[{}]: {e}", e.code());
    Ok(())
}
