//! Loading keys from `--key` / `--jwks` with `--alg`.
//!
//! A key file is read by its content: PEM (`-----BEGIN`), a JWK (a JSON object), or else a
//! base64 shared secret, which is only accepted with `--alg hmac-sha256` or `--alg HS256` (a
//! secret is never guessed). For verification a private key may be given; its public half is
//! used.

use core::fmt;
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use httpsig_core::crypto::CryptoProvider;
use httpsig_core::keys::{HmacKey, Jwk, Jwks, KeyError, PrivateKey, PublicKey};
use httpsig_core::{
    Algorithm, JwksKeySet, JwsAlgorithm, KeyLookup, KeyResolver, ResolveError, ResolvedKey,
    SigningKey, SkipReason, VerifyingKey,
};

use super::args::KeyArgs;
use super::error::{CliError, InputKind, Missing, OptionProblem};
use super::io::read_input;

/// Parses `--alg`: an RFC 9421 registry name, or a JWS name (→ [`Algorithm::Jws`]).
///
/// # Errors
/// [`CliError::Option`] with [`OptionProblem::UnknownAlgorithm`].
pub fn parse_alg(name: &str) -> Result<Algorithm, CliError> {
    Algorithm::from_name(name)
        .or_else(|| JwsAlgorithm::from_name(name).map(Algorithm::Jws))
        .ok_or(CliError::Option {
            option: "--alg",
            problem: OptionProblem::UnknownAlgorithm,
        })
}

/// What a key file holds.
enum KeyFile {
    Pem(Vec<u8>),
    Jwk(Box<Jwk>),
    Secret(Vec<u8>),
}

fn key_error(input: InputKind) -> impl Fn(KeyError) -> CliError {
    move |error| CliError::Key { input, error }
}

fn read_key_file(path: &Path, alg: Option<Algorithm>) -> Result<KeyFile, CliError> {
    let bytes = read_input(Some(path), InputKind::Key)?;
    let trimmed = bytes.trim_ascii_start();
    if trimmed.starts_with(b"-----BEGIN") || bytes.windows(10).any(|w| w == b"-----BEGIN") {
        return Ok(KeyFile::Pem(bytes));
    }
    if trimmed.starts_with(b"{") {
        let jwk = Jwk::from_json(&bytes).map_err(key_error(InputKind::Key))?;
        return Ok(KeyFile::Jwk(Box::new(jwk)));
    }
    if !matches!(
        alg,
        Some(Algorithm::HmacSha256 | Algorithm::Jws(JwsAlgorithm::Hs256))
    ) {
        return Err(CliError::Missing(Missing::SecretAlgorithm));
    }
    let compact: Vec<u8> = bytes
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let secret = STANDARD
        .decode(&compact)
        .or_else(|_| URL_SAFE_NO_PAD.decode(&compact))
        .map_err(|_| CliError::SecretBase64)?;
    Ok(KeyFile::Secret(secret))
}

/// An HMAC key from raw secret bytes with `alg` (`hmac-sha256`, or JWS `HS256` through an
/// `oct` JWK, the core's only constructor for that algorithm).
fn hmac_key(
    p: &CryptoProvider,
    secret: &[u8],
    alg: Option<Algorithm>,
) -> Result<HmacKey, KeyError> {
    match alg {
        Some(Algorithm::Jws(JwsAlgorithm::Hs256)) => {
            let json = format!(
                r#"{{"kty":"oct","k":"{}"}}"#,
                URL_SAFE_NO_PAD.encode(secret)
            );
            HmacKey::from_jwk_with(p, &Jwk::from_json(json.as_bytes())?, alg)
        }
        _ => HmacKey::new_with(p, secret),
    }
}

fn signing_from_jwk(
    p: &CryptoProvider,
    jwk: &Jwk,
    alg: Option<Algorithm>,
) -> Result<Box<dyn SigningKey>, KeyError> {
    Ok(if jwk.kty() == "oct" {
        Box::new(HmacKey::from_jwk_with(p, jwk, alg)?)
    } else {
        Box::new(PrivateKey::from_jwk_with(p, jwk, alg)?)
    })
}

fn verifying_from_jwk(
    p: &CryptoProvider,
    jwk: &Jwk,
    alg: Option<Algorithm>,
) -> Result<Box<dyn VerifyingKey>, KeyError> {
    Ok(if jwk.kty() == "oct" {
        Box::new(HmacKey::from_jwk_with(p, jwk, alg)?)
    } else {
        Box::new(PublicKey::from_jwk_with(p, jwk, alg)?)
    })
}

/// A key id to attach, when given.
fn with_id<K>(key: K, id: Option<&str>, set: impl FnOnce(K, String) -> K) -> K {
    match id {
        Some(id) => set(key, id.to_owned()),
        None => key,
    }
}

/// Loads the signing key: `--key`, or the one `--jwks` member with `kid` `keyid` that can sign
/// with `--alg` ([`Jwks::signing_key`]: `use`, `key_ops`, `kty`, `crv` and `alg` decide).
///
/// # Errors
/// [`CliError::Missing`], [`CliError::Read`], [`CliError::Key`], [`CliError::Option`],
/// [`CliError::SecretBase64`].
pub fn signing_key(args: &KeyArgs, keyid: Option<&str>) -> Result<Box<dyn SigningKey>, CliError> {
    let alg = args.alg.as_deref().map(parse_alg).transpose()?;
    let p = &args.provider.get();
    if let Some(path) = &args.jwks {
        let id = keyid.ok_or(CliError::Missing(Missing::KeyId))?;
        return match read_jwks(path, JwksPurpose::Sign)?.signing_key_with(p, id, alg) {
            Err(KeyError::JwksNoKey) => Err(CliError::Missing(Missing::JwksKey)),
            r => r.map_err(key_error(InputKind::Jwks)),
        };
    }
    let path = args.key.as_ref().ok_or(CliError::Missing(Missing::Key))?;
    let err = key_error(InputKind::Key);
    Ok(match read_key_file(path, alg)? {
        KeyFile::Pem(pem) => {
            let key = match alg {
                Some(a) => PrivateKey::from_pem_with(p, &pem, a),
                None => PrivateKey::from_pem_infer_with(p, &pem),
            }
            .map_err(err)?;
            Box::new(with_id(key, keyid, PrivateKey::with_key_id))
        }
        KeyFile::Jwk(jwk) => signing_from_jwk(p, &jwk, alg).map_err(err)?,
        KeyFile::Secret(s) => Box::new(with_id(
            hmac_key(p, &s, alg).map_err(err)?,
            keyid,
            HmacKey::with_key_id,
        )),
    })
}

/// What a `--jwks` set is read for: which members it warns about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum JwksPurpose {
    Sign,
    Verify,
}

/// Reads `--jwks`. A member the toolkit cannot use does not stop the command: one warning line
/// per member no selection can use goes to stderr (`httpsig: warning[CODE]: --jwks key N
/// (kid "…") skipped: …`), as [`JwksKeySet`] reports them, except secrets and RSA members
/// without `alg` (usable here with `--alg`); for signing, only members that are not JWKs at
/// all (the others may be public keys of the same set). Selection itself stays
/// [`Jwks::verifying_key`] / [`Jwks::signing_key`].
fn read_jwks(path: &Path, purpose: JwksPurpose) -> Result<Jwks, CliError> {
    let bytes = read_input(Some(path), InputKind::Jwks)?;
    let set = Jwks::from_json(&bytes).map_err(key_error(InputKind::Jwks))?;
    for w in JwksKeySet::from_jwks(&set).skipped() {
        let warn = match w.reason() {
            SkipReason::NotAJwk(_) => true,
            // A local file may hold secrets (and private keys), and `--alg` may name the
            // algorithm of an RSA member without `alg`: those members stay usable here.
            SkipReason::PrivateMember
            | SkipReason::Unusable(KeyError::SymmetricKey | KeyError::AmbiguousAlgorithm(_)) => {
                false
            }
            _ => purpose == JwksPurpose::Verify,
        };
        if warn {
            eprintln!("httpsig: warning[{}]: --jwks {w}", w.reason().code());
        }
    }
    Ok(set)
}

/// The verification keys and the algorithms they imply (the policy accepts exactly those:
/// the user named the keys, so their algorithms are the trusted ones).
pub struct VerifyKeys {
    resolver: Box<dyn KeyResolver>,
    algorithms: Vec<Algorithm>,
}

impl VerifyKeys {
    /// The resolver to verify with.
    pub fn resolver(&self) -> &dyn KeyResolver {
        self.resolver.as_ref()
    }

    /// The algorithms of the loaded keys.
    pub fn algorithms(&self) -> &[Algorithm] {
        &self.algorithms
    }
}

impl fmt::Debug for VerifyKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyKeys")
            .field("algorithms", &self.algorithms)
            .finish_non_exhaustive()
    }
}

/// A signature to verify, as far as choosing its key goes: its `keyid` and `alg` parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    /// The `keyid` parameter.
    pub keyid: String,
    /// The `alg` parameter, if any (an RFC 9421 algorithm name).
    pub alg: Option<String>,
}

/// Keys chosen from a JWK Set for the signatures to verify: one per (`keyid`, `alg`) pair, so
/// two keys sharing a `kid` can each verify the signature whose `alg` names it.
struct JwksKeys {
    keys: Vec<(Wanted, Box<dyn VerifyingKey>)>,
}

impl KeyResolver for JwksKeys {
    fn resolve<'s>(&'s self, lookup: &KeyLookup<'_>) -> Result<ResolvedKey<'s>, ResolveError> {
        let keyid = lookup.keyid.ok_or(ResolveError::NotFound)?;
        self.keys
            .iter()
            .find(|(w, _)| w.keyid == keyid && w.alg.as_deref() == lookup.alg)
            .map(|(_, k)| ResolvedKey::Borrowed(k.as_ref()))
            .ok_or(ResolveError::NotFound)
    }
}

/// Loads verification keys: `--key` (restricted to `keyid` when given), or for each wanted
/// signature the one `--jwks` member that can verify it ([`Jwks::verifying_key`] with
/// `--alg`, else the signature's `alg`: `use`, `key_ops`, `kty`, `crv` and `alg` decide; with
/// `keyid` only that key id is loaded). Members that are not wanted are not loaded, so one
/// odd key in a set does not stop verification with another; a wanted key id the set lacks
/// is left for the verifier to report (`verify.key_not_found`).
///
/// # Errors
/// As [`signing_key`]; `key.jwks_ambiguous_key` when two members fit one signature.
pub fn verifying_keys(
    args: &KeyArgs,
    keyid: Option<&str>,
    wanted: &[Wanted],
) -> Result<VerifyKeys, CliError> {
    let alg = args.alg.as_deref().map(parse_alg).transpose()?;
    let p = &args.provider.get();
    if let Some(path) = &args.jwks {
        let set = read_jwks(path, JwksPurpose::Verify)?;
        let mut keys: Vec<(Wanted, Box<dyn VerifyingKey>)> = Vec::new();
        let mut algorithms = Vec::new();
        let restricted;
        let wanted = match keyid {
            Some(id) => {
                restricted = restrict(wanted, id);
                restricted.as_slice()
            }
            None => wanted,
        };
        for w in wanted {
            if keys.iter().any(|(k, _)| k == w) {
                continue;
            }
            let from_signature = w.alg.as_deref().and_then(Algorithm::from_name);
            let key = match (alg, from_signature) {
                (Some(a), _) => set.verifying_key_with(p, &w.keyid, Some(a)),
                // The signature's alg picks among members; when none fits it, the member the
                // set gives without it (if exactly one) goes to the verifier, which reports
                // the disagreement (verify.alg_mismatch) as it does with --key. The alg is the
                // message's, so a member it does not fit is not an input error.
                // A plain RSA member without `alg` admits two algorithms; the message must not
                // choose between them (RFC 9421 §3.2 step 6 starts from the application's set):
                // refused as `--key` refuses the same key, unless `--alg` names one.
                (None, Some(_))
                    if set.iter().any(|j| {
                        j.kid() == Some(w.keyid.as_str()) && j.kty() == "RSA" && j.alg().is_none()
                    }) =>
                {
                    Err(KeyError::AmbiguousAlgorithm(
                        httpsig_core::keys::KeyType::Rsa,
                    ))
                }
                (None, Some(a)) => match set.verifying_key_with(p, &w.keyid, Some(a)) {
                    Err(e) if e != KeyError::JwksAmbiguousKey => set
                        .verifying_key_with(p, &w.keyid, None)
                        .or(Err(KeyError::JwksNoKey)),
                    r => r,
                },
                (None, None) => set.verifying_key_with(p, &w.keyid, None),
            };
            match key {
                Ok(key) => {
                    algorithms.push(key.algorithm());
                    keys.push((w.clone(), key));
                }
                Err(KeyError::JwksNoKey) => {}
                Err(e) => return Err(key_error(InputKind::Jwks)(e)),
            }
        }
        return Ok(VerifyKeys {
            resolver: Box::new(JwksKeys { keys }),
            algorithms,
        });
    }
    let path = args.key.as_ref().ok_or(CliError::Missing(Missing::Key))?;
    let err = key_error(InputKind::Key);
    let key: Box<dyn VerifyingKey> = match read_key_file(path, alg)? {
        KeyFile::Pem(pem) => {
            if pem.windows(11).any(|w| w == b"PRIVATE KEY") {
                let key = match alg {
                    Some(a) => PrivateKey::from_pem_with(p, &pem, a),
                    None => PrivateKey::from_pem_infer_with(p, &pem),
                }
                .map_err(err)?;
                Box::new(with_id(key.public_key(), keyid, PublicKey::with_key_id))
            } else {
                let key = match alg {
                    Some(a) => PublicKey::from_pem_with(p, &pem, a),
                    None => PublicKey::from_pem_infer_with(p, &pem),
                }
                .map_err(err)?;
                Box::new(with_id(key, keyid, PublicKey::with_key_id))
            }
        }
        KeyFile::Jwk(jwk) => {
            let key = verifying_from_jwk(p, &jwk, alg).map_err(err)?;
            match keyid {
                Some(id) => Box::new(Restricted { key, id: id.into() }),
                None => key,
            }
        }
        KeyFile::Secret(s) => Box::new(with_id(
            hmac_key(p, &s, alg).map_err(err)?,
            keyid,
            HmacKey::with_key_id,
        )),
    };
    let algorithms = vec![key.algorithm()];
    Ok(VerifyKeys {
        resolver: Box::new(key),
        algorithms,
    })
}

/// The wanted signatures with key id `id`; the key id alone when none has it (the verifier
/// then reports the signatures' key as not found).
fn restrict(wanted: &[Wanted], id: &str) -> Vec<Wanted> {
    let mine: Vec<Wanted> = wanted.iter().filter(|w| w.keyid == id).cloned().collect();
    if mine.is_empty() {
        vec![Wanted {
            keyid: id.to_owned(),
            alg: None,
        }]
    } else {
        mine
    }
}

/// A JWK-loaded key whose id the user overrode with `--keyid`.
#[derive(Debug)]
struct Restricted {
    key: Box<dyn VerifyingKey>,
    id: Box<str>,
}

impl VerifyingKey for Restricted {
    fn algorithm(&self) -> Algorithm {
        self.key.algorithm()
    }
    fn key_id(&self) -> Option<&str> {
        Some(&self.id)
    }
    fn verify(&self, base: &[u8], signature: &[u8]) -> Result<(), httpsig_core::InvalidSignature> {
        self.key.verify(base, signature)
    }
}
