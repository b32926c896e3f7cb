//! The crate's one public error type, its detail enums, stable codes and HTTP status hints.
//!
//! Callers branch on the variant or on [`Error::code`]; no variant carries a `String` that must
//! be matched on. Context (a component identifier, a parameter name, timestamps) is carried for
//! the message only.

use core::fmt;

use crate::crypto::Algorithm;
use crate::digest::DigestError;
use crate::keys::KeyError;

/// Every failure of signing, verifying or parsing.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// `Signature-Input`, `Signature` or `Accept-Signature` is not well-formed.
    Parse(ParseError),
    /// A covered component cannot be computed for this message.
    Component(ComponentError),
    /// A signature parameter has the wrong type or is repeated.
    Params(ParamsError),
    /// A key could not be loaded or used.
    Key(KeyError),
    /// A `Content-Digest` is malformed or does not match the content.
    Digest(DigestError),
    /// The message carries no `Signature-Input` / `Signature` fields at all.
    MissingSignature,
    /// The requested label is absent from `Signature-Input` or `Signature`.
    LabelNotFound {
        /// Which field lacked the label.
        field: SignatureField,
    },
    /// No signature matched the selection (label or tag).
    NoMatchingSignature,
    /// More than one signature matched where exactly one was asked for.
    AmbiguousSelection,
    /// A covered `content-digest` must be checked, but no body was supplied.
    BodyRequired,
    /// A covered `"content-digest";req` must be checked against the related request's content,
    /// but none was supplied ([`crate::VerifyInput::related_body`]).
    RelatedBodyRequired,
    /// The label chosen for a new signature is already present on the message.
    LabelExists,
    /// The key resolver knows no key for this signature.
    KeyNotFound,
    /// The key resolver could not look keys up now (e.g. a JWKS endpoint unreachable and the
    /// cached set too old to serve): not the signer's fault, retry later.
    KeyUnavailable,
    /// The `alg` parameter names an algorithm that this crate does not implement.
    UnknownAlgorithm,
    /// The `alg` parameter disagrees with the key's algorithm (RFC 9421 §3.2 step 6).
    AlgorithmMismatch {
        /// The key's algorithm.
        key: Algorithm,
    },
    /// The signature bytes do not verify. Deliberately carries no detail.
    InvalidSignature,
    /// The verification policy was violated; every violation is listed.
    Policy(Violations),
    /// An attacker-controlled count or size exceeded its cap.
    Limit(LimitExceeded),
}

impl Error {
    /// A stable, machine-readable code such as `verify.invalid_signature`.
    ///
    /// For [`Error::Policy`] this is the code of the first violation.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Parse(e) => e.code(),
            Self::Component(e) => e.code(),
            Self::Params(e) => e.code(),
            Self::Key(e) => e.code(),
            Self::Digest(e) => e.code(),
            Self::MissingSignature => "signature.missing",
            Self::LabelNotFound { .. } => "signature.label_not_found",
            Self::NoMatchingSignature => "signature.no_match",
            Self::AmbiguousSelection => "signature.ambiguous",
            Self::BodyRequired => "verify.body_required",
            Self::RelatedBodyRequired => "verify.related_body_required",
            Self::LabelExists => "sign.label_exists",
            Self::KeyNotFound => "verify.key_not_found",
            Self::KeyUnavailable => "key.unavailable",
            Self::UnknownAlgorithm => "verify.unknown_algorithm",
            Self::AlgorithmMismatch { .. } => "verify.alg_mismatch",
            Self::InvalidSignature => "verify.invalid_signature",
            Self::Policy(v) => v.first().map_or("policy.violation", Violation::code),
            Self::Limit(l) => l.code(),
        }
    }

    /// The HTTP status a server should answer with when verifying a request fails with this error.
    ///
    /// Signature failures are `401` (FAPI 2.0 HTTP Signatures §5.3.1.2 item 3); an over-large body
    /// is `413`; a key that could not be loaded is a server fault, `500`; keys that could not be
    /// looked up now (an unreachable JWKS) are `503`, never a `401` for a forgery.
    pub fn http_status(&self) -> u16 {
        match self {
            Self::Key(_) => 500,
            Self::KeyUnavailable => 503,
            Self::Digest(DigestError::BodyTooLarge { .. }) => 413,
            _ => 401,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse(e) => e.fmt(f),
            Self::Component(e) => e.fmt(f),
            Self::Params(e) => e.fmt(f),
            Self::Key(e) => write!(f, "key: {e}"),
            Self::Digest(e) => write!(f, "content digest: {e}"),
            Self::MissingSignature => {
                f.write_str("message has no Signature-Input and Signature fields")
            }
            Self::LabelNotFound { field } => write!(f, "signature label not found in {field}"),
            Self::NoMatchingSignature => {
                f.write_str("no signature matches the requested label or tag")
            }
            Self::AmbiguousSelection => {
                f.write_str("more than one signature matches; select one by label or tag")
            }
            Self::BodyRequired => f.write_str(
                "content-digest is covered but no body was supplied to check it against",
            ),
            Self::RelatedBodyRequired => f.write_str(
                "content-digest;req is covered but the request's body was not supplied to check it against",
            ),
            Self::LabelExists => {
                f.write_str("a signature with this label already exists on the message")
            }
            Self::KeyNotFound => f.write_str("no key is known for this signature"),
            Self::KeyUnavailable => f.write_str("the verification keys are unavailable"),
            Self::UnknownAlgorithm => {
                f.write_str("the alg parameter names an unsupported algorithm")
            }
            Self::AlgorithmMismatch { key } => {
                write!(
                    f,
                    "the alg parameter disagrees with the key's algorithm {key:?}"
                )
            }
            Self::InvalidSignature => f.write_str("invalid signature"),
            Self::Policy(v) => v.fmt(f),
            Self::Limit(l) => l.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Self::Parse(e)
    }
}
impl From<ComponentError> for Error {
    fn from(e: ComponentError) -> Self {
        Self::Component(e)
    }
}
impl From<ParamsError> for Error {
    fn from(e: ParamsError) -> Self {
        Self::Params(e)
    }
}
impl From<KeyError> for Error {
    fn from(e: KeyError) -> Self {
        Self::Key(e)
    }
}
impl From<DigestError> for Error {
    fn from(e: DigestError) -> Self {
        Self::Digest(e)
    }
}
impl From<LimitExceeded> for Error {
    fn from(e: LimitExceeded) -> Self {
        Self::Limit(e)
    }
}

/// The signature-related fields, for error context.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureField {
    /// `Signature-Input` (RFC 9421 §4.1).
    SignatureInput,
    /// `Signature` (RFC 9421 §4.2).
    Signature,
    /// `Accept-Signature` (RFC 9421 §5.1).
    AcceptSignature,
    /// A bare inner list of covered components with parameters (e.g. from the command line).
    InnerList,
}

impl fmt::Display for SignatureField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::SignatureInput => "Signature-Input",
            Self::Signature => "Signature",
            Self::AcceptSignature => "Accept-Signature",
            Self::InnerList => "inner list",
        })
    }
}

/// A syntax or shape error in a signature field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub(crate) field: SignatureField,
    pub(crate) kind: ParseErrorKind,
    pub(crate) index: Option<usize>,
}

/// What was wrong with a signature field.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseErrorKind {
    /// Not a valid RFC 8941 / RFC 9651 structured field of the expected type.
    Syntax,
    /// The same label appears twice (RFC 8941 would let the last win; we refuse the ambiguity).
    DuplicateLabel,
    /// A `Signature-Input` member is not an inner list.
    NotInnerList,
    /// A `Signature` member is not a byte sequence.
    NotByteSequence,
    /// A covered component is not a string.
    ComponentNotString,
    /// A `Signature` member carries parameters (RFC 9421 §4.2 defines none).
    UnexpectedParameters,
}

impl ParseError {
    pub(crate) fn new(field: SignatureField, kind: ParseErrorKind, index: Option<usize>) -> Self {
        Self { field, kind, index }
    }

    /// Which field failed to parse.
    pub fn field(&self) -> SignatureField {
        self.field
    }

    /// What was wrong.
    pub fn kind(&self) -> ParseErrorKind {
        self.kind
    }

    /// Byte index in the combined field value, when known.
    pub fn index(&self) -> Option<usize> {
        self.index
    }

    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match (self.kind, self.field) {
            (ParseErrorKind::Syntax, SignatureField::SignatureInput) => "parse.signature_input",
            (ParseErrorKind::Syntax, SignatureField::Signature) => "parse.signature",
            (ParseErrorKind::Syntax, SignatureField::AcceptSignature) => "parse.accept_signature",
            (ParseErrorKind::Syntax, SignatureField::InnerList) => "parse.inner_list",
            (ParseErrorKind::DuplicateLabel, _) => "parse.duplicate_label",
            (ParseErrorKind::NotInnerList, _) => "parse.not_inner_list",
            (ParseErrorKind::NotByteSequence, _) => "parse.not_byte_sequence",
            (ParseErrorKind::ComponentNotString, _) => "parse.component_not_string",
            (ParseErrorKind::UnexpectedParameters, _) => "parse.unexpected_parameters",
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ParseErrorKind::Syntax => "invalid structured field",
            ParseErrorKind::DuplicateLabel => "duplicate label",
            ParseErrorKind::NotInnerList => "member is not an inner list",
            ParseErrorKind::NotByteSequence => "member is not a byte sequence",
            ParseErrorKind::ComponentNotString => "covered component is not a string",
            ParseErrorKind::UnexpectedParameters => "member has unexpected parameters",
        };
        write!(f, "{}: {what}", self.field)?;
        if let Some(i) = self.index {
            write!(f, " at index {i}")?;
        }
        Ok(())
    }
}

/// A covered component that cannot be computed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ComponentError {
    pub(crate) component: Box<str>,
    pub(crate) kind: ComponentErrorKind,
}

/// Why a component could not be computed (RFC 9421 §2).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComponentErrorKind {
    /// The covered field is absent from the message (§2.5: an error for signer and verifier).
    FieldAbsent,
    /// A name starting with `@` that is not a derived component.
    UnknownDerived,
    /// `@signature-params` may not be listed as a covered component (§2.3).
    SignatureParamsCovered,
    /// A field name that is not a lower-case token.
    InvalidName,
    /// A component parameter this implementation does not understand (§2.5: an error).
    UnknownParameter,
    /// Parameters that cannot be combined (`sf` with `bs`, `key` with `bs`, `name` off `@query-param`,
    /// `sf`/`key`/`bs`/`tr` on a derived component).
    ConflictingParameters,
    /// A component parameter with a value of the wrong type.
    InvalidParameterValue,
    /// The same component parameter twice on one identifier.
    DuplicateParameter,
    /// `@query-param` without its `name` parameter.
    QueryParamNameRequired,
    /// The named query parameter is not in the query.
    QueryParamMissing,
    /// The named query parameter occurs more than once (§2.2.8: must not be signed).
    QueryParamRepeated,
    /// `@status` in a request signature (§2.2.9).
    StatusInRequest,
    /// A request-only derived component in a response signature without `req`.
    RequestComponentInResponse,
    /// `req` in a signature over a request (§2.4).
    ReqInRequest,
    /// `req` used but no related request was supplied.
    RelatedRequestMissing,
    /// The message view has no method, target URI or status for a derived component.
    MessageDataMissing,
    /// The target URI is not an absolute `http`/`https` URI without userinfo or fragment.
    InvalidTargetUri,
    /// The message view's method is not a token (RFC 9110 §9.1), or its request-target is not
    /// visible ASCII without `#` (RFC 9112 §3.2): refused so that no adapter can put a line
    /// break into the signature base.
    InvalidMessageData,
    /// `sf` or `key` on a field whose structured type is not known (register it or pass an override).
    SfUnknownType,
    /// The field value does not parse as its structured type.
    SfParse,
    /// `key` on a field that is not a Dictionary.
    KeyNotDictionary,
    /// `key` names a member that the Dictionary lacks.
    KeyMissingMember,
    /// The same component identifier twice in one signature (§2.3).
    Duplicate,
    /// A field value contains a byte that cannot appear in a signature base (CR, LF, NUL).
    InvalidFieldValue,
    /// The field's value is longer than the configured cap.
    FieldTooLarge,
}

impl ComponentError {
    pub(crate) fn new(component: &str, kind: ComponentErrorKind) -> Self {
        Self {
            component: component.into(),
            kind,
        }
    }

    /// An error for a component identifier and a kind (for profiles built on the core).
    pub fn from_kind(component: &str, kind: ComponentErrorKind) -> Self {
        Self::new(component, kind)
    }

    /// The serialized component identifier, e.g. `"@query-param";name="pet"`.
    pub fn component(&self) -> &str {
        &self.component
    }

    /// What was wrong.
    pub fn kind(&self) -> ComponentErrorKind {
        self.kind
    }

    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        use ComponentErrorKind as K;
        match self.kind {
            K::FieldAbsent => "component.field_absent",
            K::UnknownDerived => "component.unknown_derived",
            K::SignatureParamsCovered => "component.signature_params_covered",
            K::InvalidName => "component.invalid_name",
            K::UnknownParameter => "component.unknown_parameter",
            K::ConflictingParameters => "component.conflicting_parameters",
            K::InvalidParameterValue => "component.invalid_parameter_value",
            K::DuplicateParameter => "component.duplicate_parameter",
            K::QueryParamNameRequired => "component.query_param_name_required",
            K::QueryParamMissing => "component.query_param_missing",
            K::QueryParamRepeated => "component.query_param_repeated",
            K::StatusInRequest => "component.status_in_request",
            K::RequestComponentInResponse => "component.request_component_in_response",
            K::ReqInRequest => "component.req_in_request",
            K::RelatedRequestMissing => "component.related_request_missing",
            K::MessageDataMissing => "component.message_data_missing",
            K::InvalidTargetUri => "component.invalid_target_uri",
            K::InvalidMessageData => "component.invalid_message_data",
            K::SfUnknownType => "component.sf_unknown_type",
            K::SfParse => "component.sf_parse",
            K::KeyNotDictionary => "component.key_not_dictionary",
            K::KeyMissingMember => "component.key_missing_member",
            K::Duplicate => "component.duplicate",
            K::InvalidFieldValue => "component.invalid_field_value",
            K::FieldTooLarge => "limits.field_too_large",
        }
    }
}

impl fmt::Display for ComponentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ComponentErrorKind as K;
        let what = match self.kind {
            K::FieldAbsent => "field is absent from the message",
            K::UnknownDerived => "unknown derived component",
            K::SignatureParamsCovered => "@signature-params cannot be a covered component",
            K::InvalidName => "field name is not a lower-case token",
            K::UnknownParameter => "unknown component parameter",
            K::ConflictingParameters => "component parameters cannot be combined",
            K::InvalidParameterValue => "component parameter has a value of the wrong type",
            K::DuplicateParameter => "component parameter repeated",
            K::QueryParamNameRequired => "requires a name parameter",
            K::QueryParamMissing => "query parameter is absent",
            K::QueryParamRepeated => "query parameter occurs more than once and cannot be signed",
            K::StatusInRequest => "@status cannot be used in a request",
            K::RequestComponentInResponse => "request component used in a response without req",
            K::ReqInRequest => "req cannot be used in a signature over a request",
            K::RelatedRequestMissing => "req used but no related request was supplied",
            K::MessageDataMissing => "the message lacks the data for this derived component",
            K::InvalidTargetUri => "target URI is not a valid absolute http(s) URI",
            K::InvalidMessageData => {
                "the message's method is not a token or its request-target is malformed"
            }
            K::SfUnknownType => "structured type of the field is unknown",
            K::SfParse => "field value is not a valid structured field",
            K::KeyNotDictionary => "key parameter used on a field that is not a dictionary",
            K::KeyMissingMember => "dictionary member named by key is absent",
            K::Duplicate => "component covered twice",
            K::InvalidFieldValue => "field value contains CR, LF or NUL",
            K::FieldTooLarge => "field value is longer than the configured cap",
        };
        write!(f, "component {}: {what}", self.component)
    }
}

/// The signature parameters of RFC 9421 §2.3, for error context.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamName {
    /// `created`
    Created,
    /// `expires`
    Expires,
    /// `nonce`
    Nonce,
    /// `alg`
    Alg,
    /// `keyid`
    KeyId,
    /// `tag`
    Tag,
    /// A parameter outside the registry.
    Extension,
}

impl ParamName {
    /// The parameter's name as it appears on the wire.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Expires => "expires",
            Self::Nonce => "nonce",
            Self::Alg => "alg",
            Self::KeyId => "keyid",
            Self::Tag => "tag",
            Self::Extension => "extension parameter",
        }
    }
}

/// A signature parameter with the wrong type, or repeated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamsError {
    pub(crate) param: ParamName,
    pub(crate) kind: ParamsErrorKind,
}

/// What was wrong with a signature parameter.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamsErrorKind {
    /// `created`/`expires` not an Integer, or `nonce`/`alg`/`keyid`/`tag` not a String.
    WrongType,
    /// The same parameter twice.
    Duplicate,
    /// A timestamp outside 0..=2^53 (RFC 8941 integers reach 10^15; negative times are not times).
    OutOfRange,
}

impl ParamsError {
    pub(crate) fn new(param: ParamName, kind: ParamsErrorKind) -> Self {
        Self { param, kind }
    }

    /// The parameter at fault.
    pub fn param(&self) -> ParamName {
        self.param
    }

    /// What was wrong.
    pub fn kind(&self) -> ParamsErrorKind {
        self.kind
    }

    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self.kind {
            ParamsErrorKind::WrongType => "params.wrong_type",
            ParamsErrorKind::Duplicate => "params.duplicate",
            ParamsErrorKind::OutOfRange => "params.out_of_range",
        }
    }
}

impl fmt::Display for ParamsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            ParamsErrorKind::WrongType => "has the wrong type",
            ParamsErrorKind::Duplicate => "is repeated",
            ParamsErrorKind::OutOfRange => "is out of range",
        };
        write!(f, "signature parameter {} {what}", self.param.as_str())
    }
}

/// A cap on attacker-controlled input that was exceeded.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitExceeded {
    /// More signatures in `Signature-Input` than the policy allows.
    Signatures {
        /// The cap.
        max: usize,
    },
    /// More covered components in one signature than the policy allows.
    Components {
        /// The cap.
        max: usize,
    },
    /// More parameters on one signature than the policy allows.
    Parameters {
        /// The cap.
        max: usize,
    },
    /// The signature base would be longer than the policy allows.
    BaseBytes {
        /// The cap.
        max: usize,
    },
    /// A field (all its lines together) is longer than the policy allows.
    FieldBytes {
        /// The cap.
        max: usize,
    },
}

impl LimitExceeded {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Signatures { .. } => "limits.too_many_signatures",
            Self::Components { .. } => "limits.too_many_components",
            Self::Parameters { .. } => "limits.too_many_parameters",
            Self::BaseBytes { .. } => "limits.base_too_large",
            Self::FieldBytes { .. } => "limits.field_too_large",
        }
    }
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Signatures { max } => write!(f, "more than {max} signatures"),
            Self::Components { max } => write!(f, "more than {max} covered components"),
            Self::Parameters { max } => write!(f, "more than {max} signature parameters"),
            Self::BaseBytes { max } => write!(f, "signature base longer than {max} bytes"),
            Self::FieldBytes { max } => write!(f, "field longer than {max} bytes"),
        }
    }
}

/// One violated rule of a [`crate::VerifyPolicy`].
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Violation {
    /// A required component is not covered (its serialized identifier).
    MissingComponent(Box<str>),
    /// A required signature parameter is absent.
    MissingParameter(ParamName),
    /// `created` is older than the allowed age.
    CreatedTooOld {
        /// The `created` value.
        created: i64,
        /// The verifier's clock.
        now: i64,
        /// The allowed age in seconds.
        max_age: u64,
    },
    /// `created` lies further in the future than the allowed skew.
    CreatedInFuture {
        /// The `created` value.
        created: i64,
        /// The verifier's clock.
        now: i64,
        /// The allowed skew in seconds.
        skew: u64,
    },
    /// `expires` has passed (RFC 9421 §3.2.1).
    Expired {
        /// The `expires` value.
        expires: i64,
        /// The verifier's clock.
        now: i64,
    },
    /// The key's algorithm is not on the allow-list.
    AlgorithmNotAllowed(Algorithm),
    /// The `tag` parameter is absent or not on the allow-list.
    TagNotAllowed,
    /// The nonce hook refused the `nonce` (replayed, unknown or missing).
    NonceRejected,
}

impl Violation {
    /// A stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::MissingComponent(_) => "policy.missing_component",
            Self::MissingParameter(_) => "policy.missing_parameter",
            Self::CreatedTooOld { .. } => "policy.created_too_old",
            Self::CreatedInFuture { .. } => "policy.created_in_future",
            Self::Expired { .. } => "policy.expired",
            Self::AlgorithmNotAllowed(_) => "policy.alg_not_allowed",
            Self::TagNotAllowed => "policy.tag_not_allowed",
            Self::NonceRejected => "policy.nonce_rejected",
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingComponent(c) => write!(f, "required component {c} is not covered"),
            Self::MissingParameter(p) => write!(f, "required parameter {} is absent", p.as_str()),
            Self::CreatedTooOld {
                created,
                now,
                max_age,
            } => write!(
                f,
                "created {created} is more than {max_age} s before now ({now})"
            ),
            Self::CreatedInFuture { created, now, skew } => write!(
                f,
                "created {created} is more than {skew} s after now ({now})"
            ),
            Self::Expired { expires, now } => write!(f, "expired at {expires} (now {now})"),
            Self::AlgorithmNotAllowed(a) => write!(f, "algorithm {a:?} is not allowed"),
            Self::TagNotAllowed => f.write_str("tag is absent or not allowed"),
            Self::NonceRejected => f.write_str("nonce rejected"),
        }
    }
}

/// All violations of a policy, in the order they were checked.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Violations(pub(crate) Vec<Violation>);

impl Violations {
    /// The violations, in check order.
    pub fn as_slice(&self) -> &[Violation] {
        &self.0
    }

    /// The first violation.
    pub fn first(&self) -> Option<&Violation> {
        self.0.first()
    }

    /// Whether any violation carries this code.
    pub fn contains_code(&self, code: &str) -> bool {
        self.0.iter().any(|v| v.code() == code)
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("policy violated: ")?;
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            v.fmt(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}
impl std::error::Error for ComponentError {}
impl std::error::Error for ParamsError {}
impl std::error::Error for LimitExceeded {}
impl std::error::Error for Violations {}
