//! Turning options into components, signature parameters and base options.

use httpsig_core::{
    Algorithm, BaseOptions, Component, SfType, SfTypes, SignatureParams, SignatureParamsBuilder,
};

use super::args::{ContextArgs, ParamArgs};
use super::error::{CliError, OptionProblem};

/// Parses a component list in inner-list syntax (`"@method" "content-digest";req`), by
/// wrapping it in parentheses and parsing it as signature parameters (RFC 9421 §2.3), so the
/// command line accepts exactly what `Signature-Input` does.
///
/// # Errors
/// [`CliError::Option`] with [`OptionProblem::Components`].
pub fn parse_components(option: &'static str, list: &str) -> Result<Vec<Component>, CliError> {
    let bad = |e| CliError::Option {
        option,
        problem: OptionProblem::Components(e),
    };
    let list = format!("({})", list.trim());
    let params = SignatureParams::parse(&list).map_err(bad)?;
    params
        .components()
        .map(|c| Component::parse(c.identifier()).map_err(bad))
        .collect()
}

/// Parses `--created`: Unix seconds, or `now` (returned as `None`: the builder reads the clock).
///
/// # Errors
/// [`CliError::Option`] with [`OptionProblem::NotAnInteger`].
pub fn parse_created(v: &str) -> Result<Option<i64>, CliError> {
    if v == "now" {
        return Ok(None);
    }
    v.parse().map(Some).map_err(|_| CliError::Option {
        option: "--created",
        problem: OptionProblem::NotAnInteger,
    })
}

/// Builds the signature parameters of a new signature: the components in the order given,
/// then `created`, `expires`, `keyid`, `alg`, `nonce`, `tag` (the order of RFC 9421
/// Appendix B.2's examples, e.g. `;created=...;keyid=...;nonce=...`).
///
/// `alg` is the algorithm `--include-alg` names (the key's, or `--alg`).
///
/// # Errors
/// [`CliError::Option`] for a bad component list, time, parameter value, or an `alg` that
/// cannot be emitted.
pub fn build_params(
    args: &ParamArgs,
    alg: Option<Algorithm>,
) -> Result<SignatureParams<'static>, CliError> {
    let components = match &args.components {
        Some(list) => parse_components("--components", list)?,
        None => Vec::new(),
    };
    let mut b: SignatureParamsBuilder = SignatureParams::builder().components(components);
    if let Some(c) = &args.created {
        b = match parse_created(c)? {
            Some(t) => b.created(t),
            None => b.created_now(),
        };
    }
    if let Some(e) = args.expires {
        b = b.expires(e);
    }
    if let Some(k) = &args.keyid {
        b = b.keyid(k);
    }
    if args.include_alg {
        match alg {
            Some(a) if a.name().is_some() => b = b.alg(a),
            _ => {
                return Err(CliError::Option {
                    option: "--include-alg",
                    problem: OptionProblem::NoAlgParameter,
                });
            }
        }
    }
    if let Some(n) = &args.nonce {
        b = b.nonce(n);
    }
    if let Some(t) = &args.tag {
        b = b.tag(t);
    }
    b.build().map_err(|e| CliError::Option {
        option: "--components",
        problem: OptionProblem::Params(e),
    })
}

/// Base options from `--sf-type NAME=TYPE` (repeatable).
///
/// # Errors
/// [`CliError::Option`] with [`OptionProblem::BadSfType`].
pub fn base_options(args: &ContextArgs) -> Result<BaseOptions, CliError> {
    let mut types = SfTypes::default();
    for spec in &args.sf_types {
        let (name, ty) = spec
            .split_once('=')
            .and_then(|(n, t)| Some((n.trim(), SfType::from_name(t.trim())?)))
            .filter(|(n, _)| !n.is_empty())
            .ok_or(CliError::Option {
                option: "--sf-type",
                problem: OptionProblem::BadSfType,
            })?;
        types.insert(name, ty);
    }
    Ok(BaseOptions::default().with_sf_types(types))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_round_trip_with_parameters() {
        let cs = parse_components(
            "--components",
            r#""@method" "@query-param";name="Pet" "x";req"#,
        )
        .unwrap();
        let ids: Vec<&str> = cs.iter().map(Component::as_str).collect();
        assert_eq!(
            ids,
            [r#""@method""#, r#""@query-param";name="Pet""#, r#""x";req"#]
        );
        assert!(parse_components("--components", "").unwrap().is_empty());
        assert!(parse_components("--components", "@method").is_err());
        assert!(parse_components("--components", r#""@method" "@method""#).is_err());
    }

    #[test]
    fn params_order_matches_rfc_examples() {
        // RFC 9421 Appendix B.2.1: ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"
        let args = ParamArgs {
            components: Some(String::new()),
            created: Some("1618884473".into()),
            keyid: Some("test-key-rsa-pss".into()),
            nonce: Some("b3k2pp5k7z-50gnwp.yemd".into()),
            ..ParamArgs::default()
        };
        assert_eq!(
            build_params(&args, None).unwrap().as_str(),
            r#"();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd""#
        );
        let jws = ParamArgs {
            include_alg: true,
            ..ParamArgs::default()
        };
        assert!(
            build_params(
                &jws,
                Some(Algorithm::Jws(httpsig_core::JwsAlgorithm::Es256))
            )
            .is_err()
        );
        assert_eq!(
            build_params(&jws, Some(Algorithm::Ed25519))
                .unwrap()
                .as_str(),
            r#"();alg="ed25519""#
        );
    }

    #[test]
    fn sf_types() {
        let ok = ContextArgs {
            sf_types: vec!["Example-Dict=dictionary".into()],
            ..ContextArgs::default()
        };
        assert_eq!(
            base_options(&ok)
                .unwrap()
                .sf_types()
                .type_of("example-dict"),
            Some(SfType::Dictionary)
        );
        for bad in ["x", "x=map", "=list"] {
            let args = ContextArgs {
                sf_types: vec![bad.into()],
                ..ContextArgs::default()
            };
            assert_eq!(base_options(&args).unwrap_err().code(), "cli.option");
        }
    }
}
