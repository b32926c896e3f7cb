//! Verifying signatures (RFC 9421 §3.2) under an application policy (§3.2.1).
//!
//! Everything the policy requires runs inside [`VerifyPolicy::verify`]: parsing, selection, the
//! cheap checks (components, parameters, times, tags, algorithm), the Content-Digest check, and
//! only then the signature crypto. A nonce hook runs last, after the signature is known to be
//! genuine, so a forger cannot make a store burn nonces.

use core::fmt;
use std::borrow::Cow;
use std::sync::Arc;

use smallvec::SmallVec;

use crate::base::{BaseOptions, write_base};
use crate::component::value::source_of;
use crate::crypto::{Algorithm, CryptoProvider};
use crate::digest::{ContentDigest, ContentHashes, DigestError, DigestPolicy, verify_covered};
use crate::error::{ComponentError, ComponentErrorKind};
use crate::error::{Error, LimitExceeded, ParamName, SignatureField, Violation, Violations};
use crate::message::{HttpMessage, combined_field};
use crate::params::SignatureParams;
use crate::resolve::{KeyLookup, KeyResolver};
use crate::sign::check_alg;
use crate::signature::parse_signature;
use crate::signature_input::parse_signature_input;
use crate::{Component, SfTypes};

pub(crate) use crate::time::unix_now;

/// A hook that decides whether a signature's `nonce` is acceptable (RFC 9421 §7.2.2). It runs
/// after the signature verified; a replay store records the nonce here.
///
/// Key a replay cache by the `nonce` (or by a digest of the signature base), never by the
/// signature bytes: ECDSA signatures are malleable — `(r, s)` and `(r, n − s)` both verify for
/// the same base — so a cache keyed by signature bytes lets every signature be replayed once
/// more under its twin. Nothing in this workspace keys a cache by signature bytes.
pub trait NonceCheck: Send + Sync {
    /// `true` to accept. `nonce` is `None` when the signature has none.
    fn check(&self, nonce: Option<&str>, params: &SignatureParams<'_>) -> bool;
}

/// How old `created` may be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaxAge {
    /// At most this many seconds before now.
    Seconds(u64),
    /// No age limit (expiry is still enforced).
    Unlimited,
}

/// Which signatures on the message to verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Selection<'a> {
    /// The one with this label.
    Label(&'a str),
    /// Those whose `tag` parameter equals this.
    Tag(&'a str),
    /// Every signature on the message (by default: the only one; with `verify_all`: all).
    Any,
}

/// What a message carries that verification reads besides its fields.
#[derive(Clone, Copy)]
pub struct VerifyInput<'a> {
    message: &'a dyn HttpMessage,
    related: Option<&'a dyn HttpMessage>,
    body: Option<&'a [u8]>,
    related_body: Option<&'a [u8]>,
    selection: Selection<'a>,
}

impl<'a> VerifyInput<'a> {
    /// Verify `message`, selecting signatures by the policy's tags or, without tags, the only one.
    pub fn new(message: &'a dyn HttpMessage) -> Self {
        Self {
            message,
            related: None,
            body: None,
            related_body: None,
            selection: Selection::Any,
        }
    }

    /// The request that a response answers, for `;req` components.
    #[must_use]
    pub fn related(mut self, request: &'a dyn HttpMessage) -> Self {
        self.related = Some(request);
        self
    }

    /// The content (body), against which a covered `content-digest` is checked.
    #[must_use]
    pub fn body(mut self, body: &'a [u8]) -> Self {
        self.body = Some(body);
        self
    }

    /// The content of the related request, against which a covered `"content-digest";req`
    /// is checked (a client verifying a response has the body it sent).
    #[must_use]
    pub fn related_body(mut self, body: &'a [u8]) -> Self {
        self.related_body = Some(body);
        self
    }

    /// Which signatures to verify.
    #[must_use]
    pub fn select(mut self, s: Selection<'a>) -> Self {
        self.selection = s;
        self
    }
}

impl fmt::Debug for VerifyInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyInput")
            .field("has_related", &self.related.is_some())
            .field("body_len", &self.body.map(<[u8]>::len))
            .field("related_body_len", &self.related_body.map(<[u8]>::len))
            .field("selection", &self.selection)
            .finish()
    }
}

/// A signature that verified. Its label and parameters borrow the message's fields (`'a`)
/// when they can; [`VerifiedSignature::into_owned`] detaches them.
#[derive(Clone, Debug)]
pub struct VerifiedSignature<'a> {
    label: Cow<'a, str>,
    params: SignatureParams<'a>,
    algorithm: Algorithm,
}

impl VerifiedSignature<'_> {
    /// Its label.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// Its parameters.
    pub fn params(&self) -> &SignatureParams<'_> {
        &self.params
    }

    /// The same result, owning its label and parameters.
    #[must_use]
    pub fn into_owned(self) -> VerifiedSignature<'static> {
        VerifiedSignature {
            label: Cow::Owned(self.label.into_owned()),
            params: self.params.into_owned(),
            algorithm: self.algorithm,
        }
    }

    /// The algorithm that verified it (the key's).
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }
}

/// The signatures that verified, in `Signature-Input` order; one is kept without allocating.
#[derive(Clone, Debug)]
pub struct VerifiedSignatures<'a>(SmallVec<[VerifiedSignature<'a>; 1]>);

impl<'a> VerifiedSignatures<'a> {
    /// The same results, owning their labels and parameters.
    #[must_use]
    pub fn into_owned(self) -> VerifiedSignatures<'static> {
        VerifiedSignatures(
            self.0
                .into_iter()
                .map(VerifiedSignature::into_owned)
                .collect(),
        )
    }

    /// The results as a vector.
    #[must_use]
    pub fn into_vec(self) -> Vec<VerifiedSignature<'a>> {
        self.0.into_vec()
    }
}

impl<'a> core::ops::Deref for VerifiedSignatures<'a> {
    type Target = [VerifiedSignature<'a>];

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'s, 'a> IntoIterator for &'s VerifiedSignatures<'a> {
    type Item = &'s VerifiedSignature<'a>;
    type IntoIter = core::slice::Iter<'s, VerifiedSignature<'a>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// How `content-digest` is treated when it is covered.
#[derive(Clone, Debug, PartialEq, Eq)]
enum DigestMode {
    /// Check against the body given in [`VerifyInput::body`]; without a body, fail.
    Check(DigestPolicy),
    /// The caller checks it (e.g. while streaming the body) and takes responsibility.
    CheckedByCaller,
}

/// The verifier's rules (RFC 9421 §3.2.1). Its constructor forces the essential choices: which
/// algorithms are acceptable and how old a signature may be.
///
/// # Examples
/// ```
/// use httpsig_core::{Algorithm, Component, Derived, MaxAge, VerifyPolicy};
/// let policy = VerifyPolicy::new(&[Algorithm::Ed25519], MaxAge::Seconds(60))
///     .require_component(Component::derived(Derived::Method))
///     .require_created()
///     .allow_tags(&["fapi-2-request"]);
/// # let _ = policy;
/// ```
#[derive(Clone)]
pub struct VerifyPolicy {
    algorithms: Vec<Algorithm>,
    max_age: MaxAge,
    future_skew: u64,
    required_components: Vec<Component>,
    required_if_present: Vec<Component>,
    digest_for_body: bool,
    required_params: Vec<ParamName>,
    tags: Option<Vec<String>>,
    nonce: Option<Arc<dyn NonceCheck>>,
    now: Option<i64>,
    digest: DigestMode,
    options: BaseOptions,
    provider: CryptoProvider,
}

impl fmt::Debug for VerifyPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyPolicy")
            .field("algorithms", &self.algorithms)
            .field("max_age", &self.max_age)
            .field("future_skew", &self.future_skew)
            .field("required_components", &self.required_components)
            .field("required_if_present", &self.required_if_present)
            .field("digest_for_body", &self.digest_for_body)
            .field("required_params", &self.required_params)
            .field("tags", &self.tags)
            .field("has_nonce_check", &self.nonce.is_some())
            .field("now", &self.now)
            .field("provider", &self.provider.name)
            .finish_non_exhaustive()
    }
}

impl VerifyPolicy {
    /// A policy accepting `algorithms` and signatures whose `created` is at most `max_age` old.
    ///
    /// Defaults: `created` may lie up to 5 s in the future; `expires`, when present, is always
    /// enforced; every covered `content-digest` / `repr-digest` component (header or `;tr`
    /// trailer, `;key` member, `;req` request field) is checked against the content with
    /// [`DigestPolicy::default`] and must carry an accepted digest that matches; no
    /// components, parameters or tags are required.
    ///
    /// `repr-digest` is checked only where the content is the representation data (no content
    /// coding but `identity`, no `Content-Range`, not 206/304, not an answer to `HEAD`); elsewhere
    /// a covered `repr-digest` fails with `digest.repr_unverifiable` unless the caller checks it
    /// ([`VerifyPolicy::digest_checked_by_caller`]).
    pub fn new(algorithms: &[Algorithm], max_age: MaxAge) -> Self {
        Self {
            algorithms: algorithms.to_vec(),
            max_age,
            future_skew: 5,
            required_components: Vec::new(),
            required_if_present: Vec::new(),
            digest_for_body: false,
            required_params: Vec::new(),
            tags: None,
            nonce: None,
            now: None,
            digest: DigestMode::Check(DigestPolicy::default()),
            provider: CryptoProvider::default(),
            options: BaseOptions::default(),
        }
    }

    /// Requires a covered component (compared by serialized identifier).
    #[must_use]
    pub fn require_component(mut self, c: Component) -> Self {
        self.required_components.push(c);
        self
    }

    /// Requires a field component to be covered whenever the message carries that field
    /// (e.g. FAPI: `dpop` when a `DPoP` header is present).
    #[must_use]
    pub fn require_component_if_present(mut self, c: Component) -> Self {
        self.required_if_present.push(c);
        self
    }

    /// Requires `content-digest` to be covered whenever the body given in
    /// [`VerifyInput::body`] is non-empty (FAPI: a request or response with content).
    #[must_use]
    pub fn require_content_digest_for_body(mut self) -> Self {
        self.digest_for_body = true;
        self
    }

    /// Requires a signature parameter. [`ParamName::Extension`] names no parameter in
    /// particular and can never be satisfied: every signature then fails the policy.
    #[must_use]
    pub fn require_param(mut self, p: ParamName) -> Self {
        if !self.required_params.contains(&p) {
            self.required_params.push(p);
        }
        self
    }

    /// Requires `created` (the RFC recommends it; FAPI mandates it).
    #[must_use]
    pub fn require_created(self) -> Self {
        self.require_param(ParamName::Created)
    }

    /// How far in the future `created` may lie (default 5 s).
    #[must_use]
    pub fn future_skew(mut self, seconds: u64) -> Self {
        self.future_skew = seconds;
        self
    }

    /// Only signatures whose `tag` is one of these are selected and accepted.
    #[must_use]
    pub fn allow_tags(mut self, tags: &[&str]) -> Self {
        self.tags = Some(tags.iter().map(|t| (*t).to_owned()).collect());
        self
    }

    /// Installs a nonce hook.
    #[must_use]
    pub fn nonce_check(mut self, check: Arc<dyn NonceCheck>) -> Self {
        self.nonce = Some(check);
        self
    }

    /// Uses a fixed clock (Unix seconds) instead of the system clock.
    #[must_use]
    pub fn at(mut self, now: i64) -> Self {
        self.now = Some(now);
        self
    }

    /// The Content-Digest rules for a covered `content-digest`.
    #[must_use]
    pub fn digest_policy(mut self, p: DigestPolicy) -> Self {
        self.digest = DigestMode::Check(p);
        self
    }

    /// Declares that the caller verifies every covered Integrity field against the content
    /// itself (for example with [`crate::digest::ContentDigestHasher`] while streaming). Without
    /// this, a covered `content-digest` and no body given is an error, never a silent pass.
    ///
    /// The caller then owns what [`VerifyPolicy::verify`] otherwise does: check the field *as
    /// covered* — the trailer for `;tr`, the related request's for `;req`, the member a `;key`
    /// names (which must be an accepted algorithm), `Repr-Digest` as well as `Content-Digest`
    /// (RFC 9421 §7.2.8). Checking the header `Content-Digest` when the signature covered the
    /// trailer accepts swapped bodies.
    #[must_use]
    pub fn digest_checked_by_caller(mut self) -> Self {
        self.digest = DigestMode::CheckedByCaller;
        self
    }

    /// The crypto provider that hashes bodies for covered Integrity fields (default: *ring*).
    /// Keys carry their own provider, chosen when they were loaded
    /// ([`PrivateKey::from_pem_with`](crate::keys::PrivateKey::from_pem_with) and friends).
    #[must_use]
    pub fn with_provider(mut self, provider: CryptoProvider) -> Self {
        self.provider = provider;
        self
    }

    /// The crypto provider this policy hashes with.
    #[must_use]
    pub fn provider(&self) -> CryptoProvider {
        self.provider
    }

    /// Structured types of fields outside the registry, for `sf` and `key`.
    #[must_use]
    pub fn sf_types(mut self, types: SfTypes) -> Self {
        self.options.sf_types = types;
        self
    }

    /// Replaces the base options (structured types and caps).
    #[must_use]
    pub fn base_options(mut self, options: BaseOptions) -> Self {
        self.options = options;
        self
    }

    /// The base options in use.
    pub fn options(&self) -> &BaseOptions {
        &self.options
    }

    /// Verifies exactly one signature: the one named by the selection, the only one carrying an
    /// allowed tag, or the only one on the message.
    ///
    /// The result borrows the message's `Signature-Input` (nothing is copied when it arrived on
    /// one field line); [`VerifiedSignature::into_owned`] keeps it beyond the message.
    ///
    /// # Errors
    /// Any [`Error`]: `signature.missing`, `signature.no_match`, `signature.ambiguous`, parse,
    /// component and parameter errors, `verify.key_not_found`, `key.unavailable` (the resolver
    /// could not look keys up: 503), `key.*` from the resolver, `verify.alg_mismatch`,
    /// `policy.*` (all violations listed), `digest.*`, `verify.invalid_signature`.
    pub fn verify<'a>(
        &self,
        input: VerifyInput<'a>,
        keys: &dyn KeyResolver,
    ) -> Result<VerifiedSignature<'a>, Error> {
        let mut all = self.run(input, keys, false)?;
        all.0.pop().ok_or(Error::NoMatchingSignature)
    }

    /// Verifies every selected signature; all must pass, and at least one must be selected.
    ///
    /// # Errors
    /// As [`VerifyPolicy::verify`]; the first failing signature's error.
    pub fn verify_all<'a>(
        &self,
        input: VerifyInput<'a>,
        keys: &dyn KeyResolver,
    ) -> Result<VerifiedSignatures<'a>, Error> {
        self.run(input, keys, true)
    }

    fn run<'a>(
        &self,
        input: VerifyInput<'a>,
        keys: &dyn KeyResolver,
        all: bool,
    ) -> Result<VerifiedSignatures<'a>, Error> {
        let msg = input.message;
        let max = self.options.max_field_bytes;
        let (Some(si), Some(sig)) = (
            combined_field(msg, "signature-input"),
            combined_field(msg, "signature"),
        ) else {
            return Err(Error::MissingSignature);
        };
        if si.len() > max || sig.len() > max {
            return Err(LimitExceeded::FieldBytes { max }.into());
        }
        // One field line (the common case) is borrowed, and so is the result; lines combined
        // into a new buffer give an owned result.
        match si {
            Cow::Borrowed(si) => self.run_parsed(&input, keys, all, si, &sig),
            Cow::Owned(si) => Ok(VerifiedSignatures(
                self.run_parsed(&input, keys, all, &si, &sig)?
                    .0
                    .into_iter()
                    .map(|v| -> VerifiedSignature<'a> { v.into_owned() })
                    .collect(),
            )),
        }
    }

    fn run_parsed<'s>(
        &self,
        input: &VerifyInput<'_>,
        keys: &dyn KeyResolver,
        all: bool,
        si: &'s [u8],
        sig: &[u8],
    ) -> Result<VerifiedSignatures<'s>, Error> {
        let want = match input.selection {
            Selection::Label(l) => Some(l),
            _ => None,
        };
        let entries = parse_signature_input(
            si,
            want,
            self.options.limits,
            SignatureField::SignatureInput,
        )?;
        if want.is_some() && entries.is_empty() {
            return Err(Error::LabelNotFound {
                field: SignatureField::SignatureInput,
            });
        }
        let mut selected = entries;
        selected.retain(|(_, p)| match input.selection {
            Selection::Tag(t) => p.tag() == Some(t),
            Selection::Label(_) => true,
            Selection::Any => match &self.tags {
                Some(tags) => p.tag().is_some_and(|t| tags.iter().any(|x| x == t)),
                None => true,
            },
        });
        if selected.is_empty() {
            return Err(Error::NoMatchingSignature);
        }
        if !all && selected.len() > 1 {
            return Err(Error::AmbiguousSelection);
        }
        let mut out = SmallVec::with_capacity(selected.len());
        let mut base = Vec::with_capacity(1024 + 2 * si.len());
        for (label, params) in selected.drain(..) {
            let bytes =
                parse_signature(sig, label, self.options.limits)?.ok_or(Error::LabelNotFound {
                    field: SignatureField::Signature,
                })?;
            let algorithm = self.check_one(input, keys, label, &params, &bytes, &mut base)?;
            out.push(VerifiedSignature {
                label: Cow::Borrowed(label),
                params,
                algorithm,
            });
        }
        Ok(VerifiedSignatures(out))
    }

    fn check_one(
        &self,
        input: &VerifyInput<'_>,
        keys: &dyn KeyResolver,
        label: &str,
        params: &SignatureParams<'_>,
        signature: &[u8],
        base: &mut Vec<u8>,
    ) -> Result<Algorithm, Error> {
        // §3.2 step 3 and §3.2.1: application requirements, cheapest first, all reported.
        let mut violations = Vec::new();
        self.check_params(params, &mut violations);
        self.check_conditional(input, params, &mut violations);
        // §3.2 steps 4-6: key and algorithm.
        let lookup = KeyLookup {
            label,
            keyid: params.keyid(),
            alg: params.alg(),
            tag: params.tag(),
        };
        let key = keys.resolve(&lookup)?;
        let algorithm = key.algorithm();
        check_alg(params.alg(), algorithm)?;
        if !self.algorithms.contains(&algorithm) {
            violations.push(Violation::AlgorithmNotAllowed(algorithm));
        }
        if !violations.is_empty() {
            return Err(Error::Policy(Violations(violations)));
        }
        // RFC 9421 §7.2.8, RFC 9530 §6.3, FAPI D-7: a covered digest is recomputed, never trusted.
        if let DigestMode::Check(p) = &self.digest {
            check_covered_digests(input, params, p, self.provider)?;
        }
        // §3.2 steps 7-8: rebuild the base and verify.
        base.clear();
        write_base(input.message, input.related, params, &self.options, base)?;
        key.verify(base, signature)
            .map_err(|_| Error::InvalidSignature)?;
        if let Some(n) = &self.nonce
            && !n.check(params.nonce(), params)
        {
            return Err(Error::Policy(Violations(vec![Violation::NonceRejected])));
        }
        Ok(algorithm)
    }

    fn check_conditional(
        &self,
        input: &VerifyInput<'_>,
        p: &SignatureParams<'_>,
        v: &mut Vec<Violation>,
    ) {
        for c in &self.required_if_present {
            let mut present = false;
            input
                .message
                .field_lines(c.view().name(), &mut |_| present = true);
            if present && !p.covers(c.as_str()) {
                v.push(Violation::MissingComponent(c.as_str().into()));
            }
        }
        if self.digest_for_body
            && input.body.is_some_and(|b| !b.is_empty())
            && !p.covers("\"content-digest\"")
        {
            v.push(Violation::MissingComponent("\"content-digest\"".into()));
        }
    }

    fn check_params(&self, p: &SignatureParams<'_>, v: &mut Vec<Violation>) {
        for c in &self.required_components {
            if !p.covers(c.as_str()) {
                v.push(Violation::MissingComponent(c.as_str().into()));
            }
        }
        for &r in &self.required_params {
            let present = match r {
                ParamName::Created => p.created().is_some(),
                ParamName::Expires => p.expires().is_some(),
                ParamName::Nonce => p.nonce().is_some(),
                ParamName::Alg => p.alg().is_some(),
                ParamName::KeyId => p.keyid().is_some(),
                ParamName::Tag => p.tag().is_some(),
                // No single extension parameter is named, so the requirement cannot be met:
                // fail closed rather than count it as satisfied.
                ParamName::Extension => false,
            };
            if !present {
                v.push(Violation::MissingParameter(r));
            }
        }
        let now = self.now.unwrap_or_else(unix_now);
        if let Some(created) = p.created() {
            if let MaxAge::Seconds(max_age) = self.max_age
                && now.saturating_sub(created) > i64::try_from(max_age).unwrap_or(i64::MAX)
            {
                v.push(Violation::CreatedTooOld {
                    created,
                    now,
                    max_age,
                });
            }
            if created.saturating_sub(now) > i64::try_from(self.future_skew).unwrap_or(i64::MAX) {
                v.push(Violation::CreatedInFuture {
                    created,
                    now,
                    skew: self.future_skew,
                });
            }
        }
        if let Some(expires) = p.expires()
            && expires <= now
        {
            v.push(Violation::Expired { expires, now });
        }
        if let Some(tags) = &self.tags
            && !p.tag().is_some_and(|t| tags.iter().any(|x| x == t))
        {
            v.push(Violation::TagNotAllowed);
        }
    }
}

/// Which Integrity field a component reads: `Repr-Digest` or `Content-Digest`, of the related
/// request or this message, trailer or header.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Which {
    repr: bool,
    req: bool,
    tr: bool,
}

/// Checks every covered Integrity field against the content of the message it was read from
/// (RFC 9421 §7.2.8): the header or the trailer (`;tr`), of this message or of the related
/// request (`;req`), the whole field or the one member a `;key` selects. What cannot be checked
/// fails: a missing body, an unaccepted covered member, a `Repr-Digest` over coded or partial
/// content.
///
/// Each distinct field is parsed once and each body hashed at most once per algorithm, however
/// many times a signature covers them.
fn check_covered_digests(
    input: &VerifyInput<'_>,
    params: &SignatureParams<'_>,
    policy: &DigestPolicy,
    provider: CryptoProvider,
) -> Result<(), Error> {
    // The distinct fields seen: at most eight, usually one.
    let mut fields: SmallVec<[(Which, ContentDigest); 1]> = SmallVec::new();
    let mut own = input.body.map(|b| ContentHashes::new(provider, b, policy));
    let mut related = input
        .related_body
        .map(|b| ContentHashes::new(provider, b, policy));
    for c in params.components() {
        if c.derived().is_some() {
            continue;
        }
        let repr = match c.name() {
            "content-digest" => false,
            "repr-digest" => true,
            _ => continue,
        };
        let source = source_of(input.message, input.related, c)?;
        let content = if c.req() {
            related.as_mut().ok_or(Error::RelatedBodyRequired)?
        } else {
            own.as_mut().ok_or(Error::BodyRequired)?
        };
        let which = Which {
            repr,
            req: c.req(),
            tr: c.tr(),
        };
        if let Some((_, field)) = fields.iter().find(|(w, _)| *w == which) {
            verify_covered(field, content, policy, c.key())?;
            continue;
        }
        if repr && !representation_is_content(source, input.related) {
            return Err(DigestError::ReprUnverifiable.into());
        }
        let mut lines: SmallVec<[&[u8]; 2]> = SmallVec::new();
        let mut push = |line| lines.push(line);
        if c.tr() {
            source.trailer_lines(c.name(), &mut push);
        } else {
            source.field_lines(c.name(), &mut push);
        }
        if lines.is_empty() {
            return Err(
                ComponentError::new(c.identifier(), ComponentErrorKind::FieldAbsent).into(),
            );
        }
        let field = ContentDigest::parse(&lines)?;
        verify_covered(&field, content, policy, c.key())?;
        fields.push((which, field));
    }
    Ok(())
}

/// Whether a message's content is its selected representation's data, so that `Repr-Digest`
/// can be checked against it (RFC 9530 §3): no content coding but `identity`, not partial
/// (`Content-Range`, 206), and not a response without content for a representation
/// (304, or an answer to `HEAD`).
fn representation_is_content(message: &dyn HttpMessage, request: Option<&dyn HttpMessage>) -> bool {
    let mut identity = true;
    message.field_lines("content-encoding", &mut |line| {
        for coding in line.split(|&b| b == b',') {
            let coding = httpsig_uri::trim_ows(coding);
            if !coding.is_empty() && !coding.eq_ignore_ascii_case(b"identity") {
                identity = false;
            }
        }
    });
    let mut range = false;
    message.field_lines("content-range", &mut |_| range = true);
    let status_ok = !matches!(message.status(), Some(206 | 304));
    let head = message.status().is_some()
        && request.is_some_and(|r| r.method().is_some_and(|m| m == "HEAD"));
    identity && !range && status_ok && !head
}
