//! Creating a signature (RFC 9421 §3.1) and attaching it (§4).

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::base::{BaseOptions, write_base};
use crate::crypto::{Algorithm, SigningKey};
use crate::error::{Error, SignatureField};
use crate::message::{HttpMessage, combined_field};
use crate::params::SignatureParams;
use crate::signature_input::parse_signature_input;

/// A signature made by [`sign`], ready to attach.
#[derive(Clone)]
pub struct Signed {
    label: String,
    params: SignatureParams<'static>,
    signature: Vec<u8>,
    base: Vec<u8>,
}

impl Signed {
    /// The label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The signature parameters (the `@signature-params` value).
    pub fn params(&self) -> &SignatureParams<'static> {
        &self.params
    }

    /// The raw signature bytes.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The signature base that was signed.
    pub fn base(&self) -> &[u8] {
        &self.base
    }

    /// The `Signature-Input` dictionary member: `label=(...);params`.
    pub fn signature_input_member(&self) -> String {
        format!("{}={}", self.label, self.params.as_str())
    }

    /// The `Signature` dictionary member: `label=:base64:`.
    pub fn signature_member(&self) -> String {
        format!("{}=:{}:", self.label, STANDARD.encode(&self.signature))
    }
}

impl fmt::Debug for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Signature bytes are kept out of debug output (they are bearer-like in replay windows).
        f.debug_struct("Signed")
            .field("label", &self.label)
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

/// Signs `message` (with `related`, the request a response answers, for `;req` components).
///
/// The label must be a valid dictionary key and must not be in use on the message already:
/// an existing signature is never replaced (use [`fresh_label`] to pick one). An `alg`
/// parameter, when present, must name the key's algorithm.
///
/// # Errors
/// `sign.label_exists`, `verify.alg_mismatch`, `parse.signature_input` (a bad label or a
/// malformed existing `Signature-Input`), component errors, and key errors from the signer.
pub fn sign(
    message: &dyn HttpMessage,
    related: Option<&dyn HttpMessage>,
    label: &str,
    params: SignatureParams<'_>,
    key: &dyn SigningKey,
    options: &BaseOptions,
) -> Result<Signed, Error> {
    if sfv::KeyRef::from_str(label).is_err() {
        return Err(crate::error::ParseError::new(
            SignatureField::SignatureInput,
            crate::error::ParseErrorKind::Syntax,
            None,
        )
        .into());
    }
    if label_in_use(message, label, options)? {
        return Err(Error::LabelExists);
    }
    check_alg(params.alg(), key.algorithm())?;
    let mut base = Vec::with_capacity(512);
    write_base(message, related, &params, options, &mut base)?;
    let signature = key.sign(&base)?;
    Ok(Signed {
        label: label.to_owned(),
        params: params.into_owned(),
        signature,
        base,
    })
}

/// RFC 9421 §3.2 step 6 (and its mirror when signing): a present `alg` must name the key's
/// algorithm; a JWS key never matches an `alg` parameter (§3.3.7).
pub(crate) fn check_alg(alg: Option<&str>, key: Algorithm) -> Result<(), Error> {
    let Some(name) = alg else { return Ok(()) };
    let named = Algorithm::from_name(name).ok_or(Error::UnknownAlgorithm)?;
    if named == key {
        Ok(())
    } else {
        Err(Error::AlgorithmMismatch { key })
    }
}

fn label_in_use(
    message: &dyn HttpMessage,
    label: &str,
    options: &BaseOptions,
) -> Result<bool, Error> {
    let Some(existing) = combined_field(message, "signature-input") else {
        return Ok(false);
    };
    let found = parse_signature_input(
        &existing,
        Some(label),
        options.limits,
        SignatureField::SignatureInput,
    )?;
    if !found.is_empty() {
        return Ok(true);
    }
    // A malformed `Signature` field is an error, not "label free": a new member appended to it
    // would only make the whole field unreadable.
    match combined_field(message, "signature") {
        Some(s) => Ok(crate::signature::parse_signature(&s, label, options.limits)?.is_some()),
        None => Ok(false),
    }
}

/// Picks the first of `prefix1`, `prefix2`, ... not used by a signature on the message.
///
/// # Errors
/// `parse.signature_input` when the existing `Signature-Input` is malformed.
pub fn fresh_label(
    message: &dyn HttpMessage,
    prefix: &str,
    options: &BaseOptions,
) -> Result<String, Error> {
    for i in 1..=options.limits.max_signatures + 1 {
        let label = format!("{prefix}{i}");
        if !label_in_use(message, &label, options)? {
            return Ok(label);
        }
    }
    Err(crate::error::LimitExceeded::Signatures {
        max: options.limits.max_signatures,
    }
    .into())
}

/// Appends a dictionary member to an existing field value (or starts one), keeping what was there.
pub fn append_member(existing: Option<&[u8]>, member: &str) -> Vec<u8> {
    let mut v = Vec::new();
    if let Some(e) = existing.filter(|e| !httpsig_uri::trim_ows(e).is_empty()) {
        v.extend_from_slice(httpsig_uri::trim_ows(e));
        v.extend_from_slice(b", ");
    }
    v.extend_from_slice(member.as_bytes());
    v
}
