//! The signature base (RFC 9421 §2.5).

use crate::component::value::{self, Context, Memo};
use crate::error::{Error, LimitExceeded};
use crate::limits::Limits;
use crate::message::HttpMessage;
use crate::params::SignatureParams;
use crate::sf::SfTypes;

/// Settings that shape how component values are computed and how much input is accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BaseOptions {
    pub(crate) sf_types: SfTypes,
    pub(crate) max_field_bytes: usize,
    pub(crate) max_base_bytes: usize,
    pub(crate) limits: Limits,
}

impl Default for BaseOptions {
    fn default() -> Self {
        Self {
            sf_types: SfTypes::default(),
            // 16 KiB: above the largest field servers accept by default (nginx 8 KiB per line,
            // 16 KiB total for most), so real traffic never trips it.
            max_field_bytes: 16 * 1024,
            // 32 KiB, two capped fields and the total header size common proxies allow (nginx:
            // 4 × 8 KiB by default); a real base is a few hundred bytes to a few KiB. Without a
            // cap on the whole, one signature covering the same large field under many
            // identifiers (`;bs`, `;sf`, `;key=…`) would have the verifier build and hash a base
            // of up to 64 components × 16 KiB before the signature can be refused.
            max_base_bytes: 32 * 1024,
            limits: Limits::default(),
        }
    }
}

impl BaseOptions {
    /// The structured types of fields outside the built-in registry (for `sf` and `key`).
    #[must_use]
    pub fn with_sf_types(mut self, types: SfTypes) -> Self {
        self.sf_types = types;
        self
    }

    /// Cap on one field's combined value, and on each signature field (default 16 KiB).
    #[must_use]
    pub fn with_max_field_bytes(mut self, max: usize) -> Self {
        self.max_field_bytes = max;
        self
    }

    /// Caps on the number of signatures in a message and of components in one signature
    /// (defaults 16 and 64).
    #[must_use]
    pub fn with_max_counts(mut self, signatures: usize, components: usize) -> Self {
        self.limits = Limits {
            max_signatures: signatures,
            max_components: components,
            ..self.limits
        };
        self
    }

    /// Cap on the parameters of one signature in `Signature-Input` (default 32; RFC 9421
    /// registers six).
    #[must_use]
    pub fn with_max_parameters(mut self, max: usize) -> Self {
        self.limits.max_params = max;
        self
    }

    /// Cap on the length of a signature base (default 32 KiB), checked as it is built, before
    /// any signature crypto.
    #[must_use]
    pub fn with_max_base_bytes(mut self, max: usize) -> Self {
        self.max_base_bytes = max;
        self
    }

    /// The structured field registry in use.
    pub fn sf_types(&self) -> &SfTypes {
        &self.sf_types
    }
}

/// Builds the signature base for `params` over `message` (and `related`, the request a response
/// answers, for `;req` components).
///
/// Every line is `identifier: value\n`; the last is `"@signature-params": ` and the parameters,
/// with no trailing newline.
///
/// # Errors
/// A [`crate::ComponentError`] for the first component that cannot be computed.
///
/// # Examples
/// ```
/// use httpsig_core::{signature_base, BaseOptions, Message, SignatureParams};
/// let msg = Message::request("POST", "https://example.com/foo?param=Value&Pet=dog")?
///     .with_header("Content-Type", "application/json");
/// let params = SignatureParams::parse(r#"("@method" "@authority" "content-type");created=1618884473"#)?;
/// let base = signature_base(&msg, None, &params, &BaseOptions::default())?;
/// assert_eq!(
///     String::from_utf8(base).unwrap(),
///     "\"@method\": POST\n\"@authority\": example.com\n\"content-type\": application/json\n\
///      \"@signature-params\": (\"@method\" \"@authority\" \"content-type\");created=1618884473"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn signature_base(
    message: &dyn HttpMessage,
    related: Option<&dyn HttpMessage>,
    params: &SignatureParams,
    options: &BaseOptions,
) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(params.as_str().len() * 2 + 256);
    write_base(message, related, params, options, &mut out)?;
    Ok(out)
}

pub(crate) fn write_base(
    message: &dyn HttpMessage,
    related: Option<&dyn HttpMessage>,
    params: &SignatureParams,
    options: &BaseOptions,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let mut ctx = Context {
        message,
        related,
        sf_types: &options.sf_types,
        max_field_bytes: options.max_field_bytes,
        memo: Memo::default(),
    };
    for c in params.components() {
        ctx.memo.want(c);
    }
    let start = out.len();
    let max = options.max_base_bytes;
    for c in params.components() {
        out.extend_from_slice(c.identifier().as_bytes());
        out.extend_from_slice(b": ");
        value::write_value(&ctx, c, out)?;
        out.push(b'\n');
        if out.len() - start > max {
            return Err(LimitExceeded::BaseBytes { max }.into());
        }
    }
    out.extend_from_slice(b"\"@signature-params\": ");
    out.extend_from_slice(params.as_str().as_bytes());
    if out.len() - start > max {
        return Err(LimitExceeded::BaseBytes { max }.into());
    }
    Ok(())
}

/// Computes one component line (`identifier: value`) — what the RFC's §2 examples print.
///
/// # Errors
/// A [`crate::ComponentError`] when the component cannot be computed for this message.
pub fn component_line(
    message: &dyn HttpMessage,
    related: Option<&dyn HttpMessage>,
    component: &crate::Component,
    options: &BaseOptions,
) -> Result<Vec<u8>, Error> {
    let mut ctx = Context {
        message,
        related,
        sf_types: &options.sf_types,
        max_field_bytes: options.max_field_bytes,
        memo: Memo::default(),
    };
    let c = component.view();
    ctx.memo.want(c);
    let mut out = Vec::new();
    out.extend_from_slice(c.identifier().as_bytes());
    out.extend_from_slice(b": ");
    value::write_value(&ctx, c, &mut out)?;
    Ok(out)
}
