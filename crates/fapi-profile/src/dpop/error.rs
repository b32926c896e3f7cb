//! DPoP errors, their stable codes, and the HTTP challenge each one maps to (RFC 9449 §7.1,
//! §9, §12.2; RFC 6750 §3).

use core::fmt;

use httpsig_core::JwsAlgorithm;
use httpsig_core::keys::KeyError;

use crate::jws::JwsError;
use crate::store::StoreError;

/// A member of a DPoP proof: a JOSE header parameter or a claim (RFC 9449 §4.2).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProofMember {
    /// Header `typ`.
    Typ,
    /// Header `alg`.
    Alg,
    /// Header `jwk`.
    Jwk,
    /// Claim `jti`.
    Jti,
    /// Claim `htm`.
    Htm,
    /// Claim `htu`.
    Htu,
    /// Claim `iat`.
    Iat,
    /// Claim `ath`.
    Ath,
    /// Claim `nonce`.
    Nonce,
}

impl ProofMember {
    /// The member name as it appears in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Typ => "typ",
            Self::Alg => "alg",
            Self::Jwk => "jwk",
            Self::Jti => "jti",
            Self::Htm => "htm",
            Self::Htu => "htu",
            Self::Iat => "iat",
            Self::Ath => "ath",
            Self::Nonce => "nonce",
        }
    }
}

impl fmt::Display for ProofMember {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The RFC 7638 SHA-256 thumbprint of a DPoP proof key (base64url, as in `cnf.jkt`), carried
/// by the nonce errors so that the challenge can issue a nonce bound to that key.
///
/// A thumbprint is public (it is in the access token); it names a key, it is no secret.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Thumbprint(Box<str>);

impl Thumbprint {
    /// Wraps a thumbprint as computed by `httpsig_core::keys::Jwk::thumbprint_sha256`
    /// (not validated: it is only ever handed back to a [`NonceValidator`](super::NonceValidator)).
    pub fn new(jkt: &str) -> Self {
        Self(jkt.into())
    }

    /// The base64url text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The authentication scheme of an `Authorization` field that is not `DPoP`.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AuthScheme {
    /// `Bearer` (RFC 6750): refused for DPoP-bound tokens (RFC 9449 §7.2).
    Bearer,
    /// Any other scheme.
    Other,
}

/// Why a request's DPoP proof or token presentation was refused.
///
/// No variant carries the token, the proof or key material. Map a failure to an HTTP
/// response with [`DpopError::challenge`] (or
/// [`DpopVerifier::challenge`](super::DpopVerifier::challenge), which also issues a nonce).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DpopError {
    /// No `Authorization` field: the request carries no credentials (code
    /// `dpop.no_credentials`).
    NoCredentials,
    /// More than one `Authorization` field line, e.g. `Bearer` and `DPoP` together
    /// (RFC 9449 §7.2 Fig. 19) (code `dpop.authorization_multiple`).
    AuthorizationMultiple,
    /// The `Authorization` value is not `DPoP <token68>` syntax (code
    /// `dpop.authorization_malformed`).
    AuthorizationMalformed,
    /// The token was presented with a scheme other than `DPoP` (RFC 9449 §7.1, §7.2) (code
    /// `dpop.scheme`).
    Scheme(AuthScheme),
    /// No `DPoP` field (RFC 9449 §7.1) (code `dpop.missing`).
    Missing,
    /// More than one `DPoP` field line (RFC 9449 §4.3 check 1) (code `dpop.multiple`).
    Multiple {
        /// How many field lines were received.
        count: usize,
    },
    /// The proof is not a well-formed JWS/JWT (RFC 9449 §4.3 check 2) (code `dpop.malformed`).
    Malformed(JwsError),
    /// A required header parameter or claim is absent (RFC 9449 §4.3 check 3) (code
    /// `dpop.missing_claim`).
    MissingClaim(ProofMember),
    /// A claim has the wrong JSON type, is empty, or is longer than accepted (code
    /// `dpop.invalid_claim`).
    InvalidClaim(ProofMember),
    /// `typ` is not the media type `application/dpop+jwt` (RFC 9449 §4.3 check 4; see
    /// [`is_dpop_typ`](super::is_dpop_typ)) (code `dpop.typ`).
    Typ,
    /// `alg` is `none`, a MAC, unknown, or not allowed by policy (RFC 9449 §4.3 check 5,
    /// FAPI SP §5.4.1); `None` when it names no known algorithm (code `dpop.alg_not_allowed`).
    AlgNotAllowed(Option<JwsAlgorithm>),
    /// `jwk` contains a private or secret member (RFC 9449 §4.3 check 7) (code
    /// `dpop.jwk_private`).
    JwkPrivate,
    /// `jwk` is not a usable public key for `alg`: wrong shape, unsupported type or curve,
    /// `alg` mismatch, RSA below 2048 bits (FAPI SP §5.4.1) (code `dpop.jwk_invalid`).
    JwkInvalid(KeyError),
    /// `jwk` is an RSA key with a modulus over
    /// [`DpopVerifier::MAX_RSA_BITS`](super::DpopVerifier::MAX_RSA_BITS) (code
    /// `dpop.jwk_too_large`): the client picks the proof key, and an 8192-bit key would make
    /// each check cost many times an ES256 one.
    JwkTooLarge {
        /// The modulus size in bits.
        bits: usize,
        /// The limit.
        max: usize,
    },
    /// The signature does not verify with `jwk` (RFC 9449 §4.3 check 6) (code
    /// `dpop.signature`).
    Signature,
    /// `htm` differs from the request method (RFC 9449 §4.3 check 8) (code `dpop.htm`).
    Htm,
    /// `htu` does not match the request target URI (RFC 9449 §4.3 check 9) (code
    /// `dpop.htu`).
    Htu,
    /// `iat` is older than the window allows (RFC 9449 §4.3 check 11) (code
    /// `dpop.iat_too_old`).
    IatTooOld {
        /// Seconds between `iat` and now.
        age: u64,
        /// The accepted maximum, in seconds.
        max: u64,
    },
    /// `iat` is further in the future than the window allows (FAPI SP §5.3.2.1-13) (code
    /// `dpop.iat_in_future`).
    IatInFuture {
        /// Seconds `iat` is ahead of now.
        ahead: u64,
        /// The accepted maximum, in seconds.
        max: u64,
    },
    /// The `jti` was seen before (RFC 9449 §11.1) (code `dpop.replay`).
    Replay,
    /// `ath` is not the hash of the presented access token (RFC 9449 §4.3 check 12) (code
    /// `dpop.ath`).
    Ath,
    /// The access token carries no `cnf.jkt`, so it cannot be used with DPoP (code
    /// `dpop.token_not_bound`).
    TokenNotBound,
    /// The proof key's RFC 7638 thumbprint differs from the token's `cnf.jkt`
    /// (RFC 9449 §4.3 check 12, §6) (code `dpop.jkt_mismatch`).
    JktMismatch,
    /// The server requires a nonce and the proof has none (RFC 9449 §9) (code
    /// `dpop.nonce_required`).
    NonceRequired {
        /// The proof key, for a nonce bound to it in the challenge.
        jkt: Thumbprint,
    },
    /// The proof's nonce is not one the server issued for this key, or has expired
    /// (RFC 9449 §4.3 check 10) (code `dpop.nonce_invalid`).
    NonceInvalid {
        /// The proof key, for a nonce bound to it in the challenge.
        jkt: Thumbprint,
    },
    /// The proof's nonce is valid but was already used, and the server asked for single-use
    /// nonces ([`NonceMode::RequireSingleUse`](super::NonceMode::RequireSingleUse); RFC 9449
    /// §8, §9) (code `dpop.nonce_reused`). Answered like the other nonce errors:
    /// `use_dpop_nonce` with a fresh nonce.
    NonceReused {
        /// The proof key, for a nonce bound to it in the challenge.
        jkt: Thumbprint,
    },
    /// The replay store could not record the `jti`; the verifier fails closed (code: the
    /// store's, e.g. `store.unavailable`, `store.full`, `store.quota_exceeded`).
    Store(StoreError),
}

impl DpopError {
    /// A stable machine-readable code such as `"dpop.htu"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoCredentials => "dpop.no_credentials",
            Self::AuthorizationMultiple => "dpop.authorization_multiple",
            Self::AuthorizationMalformed => "dpop.authorization_malformed",
            Self::Scheme(_) => "dpop.scheme",
            Self::Missing => "dpop.missing",
            Self::Multiple { .. } => "dpop.multiple",
            Self::Malformed(_) => "dpop.malformed",
            Self::MissingClaim(_) => "dpop.missing_claim",
            Self::InvalidClaim(_) => "dpop.invalid_claim",
            Self::Typ => "dpop.typ",
            Self::AlgNotAllowed(_) => "dpop.alg_not_allowed",
            Self::JwkPrivate => "dpop.jwk_private",
            Self::JwkInvalid(_) => "dpop.jwk_invalid",
            Self::JwkTooLarge { .. } => "dpop.jwk_too_large",
            Self::Signature => "dpop.signature",
            Self::Htm => "dpop.htm",
            Self::Htu => "dpop.htu",
            Self::IatTooOld { .. } => "dpop.iat_too_old",
            Self::IatInFuture { .. } => "dpop.iat_in_future",
            Self::Replay => "dpop.replay",
            Self::Ath => "dpop.ath",
            Self::TokenNotBound => "dpop.token_not_bound",
            Self::JktMismatch => "dpop.jkt_mismatch",
            Self::NonceRequired { .. } => "dpop.nonce_required",
            Self::NonceInvalid { .. } => "dpop.nonce_invalid",
            Self::NonceReused { .. } => "dpop.nonce_reused",
            Self::Store(e) => e.code(),
        }
    }

    /// The OAuth error code for the `WWW-Authenticate` challenge (RFC 9449 §7.1, §12.2;
    /// RFC 6750 §3.1), or `None` when the response carries no error code.
    pub fn oauth_error(&self) -> Option<&'static str> {
        match self {
            Self::NoCredentials | Self::Store(_) => None,
            Self::AuthorizationMultiple | Self::AuthorizationMalformed => Some("invalid_request"),
            Self::Scheme(_) | Self::TokenNotBound | Self::JktMismatch => Some("invalid_token"),
            Self::NonceRequired { .. } | Self::NonceInvalid { .. } | Self::NonceReused { .. } => {
                Some("use_dpop_nonce")
            }
            _ => Some("invalid_dpop_proof"),
        }
    }

    /// The HTTP status: 400 for a malformed `Authorization`, 429 when the client's (or key's)
    /// share of the replay store is used up (RFC 6585 §4), 503 when the replay store cannot
    /// record the proof, 401 otherwise (RFC 9449 §7.1, §9).
    pub fn status(&self) -> u16 {
        match self {
            Self::AuthorizationMultiple | Self::AuthorizationMalformed => 400,
            Self::Store(StoreError::QuotaExceeded) => 429,
            Self::Store(_) => 503,
            _ => 401,
        }
    }

    /// A short fixed description for `error_description` (no request data, no quotes).
    fn description(&self) -> &'static str {
        match self {
            Self::NoCredentials | Self::Store(_) => "",
            Self::AuthorizationMultiple => "Multiple methods used to include access token",
            Self::AuthorizationMalformed => "Malformed Authorization header",
            Self::Scheme(_) => "DPoP-bound access token requires the DPoP scheme",
            Self::Missing => "DPoP proof missing",
            Self::Multiple { .. } => "Multiple DPoP proofs",
            Self::Malformed(_) => "Malformed DPoP proof",
            Self::MissingClaim(_) => "DPoP proof lacks a required member",
            Self::InvalidClaim(_) => "DPoP proof has an invalid member",
            Self::Typ => "Invalid DPoP proof type",
            Self::AlgNotAllowed(_) => "DPoP proof algorithm not allowed",
            Self::JwkPrivate | Self::JwkInvalid(_) | Self::JwkTooLarge { .. } => {
                "Invalid DPoP proof key"
            }
            Self::Signature => "Invalid DPoP proof signature",
            Self::Htm => "DPoP proof htm mismatch",
            Self::Htu => "DPoP proof htu mismatch",
            Self::IatTooOld { .. } | Self::IatInFuture { .. } => "DPoP proof iat out of range",
            Self::Replay => "DPoP proof replayed",
            Self::Ath => "DPoP proof ath mismatch",
            Self::TokenNotBound | Self::JktMismatch => "Invalid DPoP key binding",
            // RFC 9449 §9 Figure 24, verbatim.
            Self::NonceRequired { .. } | Self::NonceInvalid { .. } | Self::NonceReused { .. } => {
                "Resource server requires nonce in DPoP proof"
            }
        }
    }

    /// The response for this error (RFC 9449 §7.1, §9):
    ///
    /// - no credentials: `401`, `WWW-Authenticate: DPoP algs="…"`;
    /// - nonce errors with `fresh_nonce`: `401`, `WWW-Authenticate: DPoP
    ///   error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP
    ///   proof"` and `DPoP-Nonce` (without a nonce to send, the proof is reported as
    ///   `invalid_dpop_proof` instead, since the client could not recover);
    /// - other errors: `error="…", error_description="…", algs="…"`;
    /// - replay store unavailable or full: `503`, quota of this client used up: `429`, both
    ///   without a challenge.
    ///
    /// `algs` lists the accepted algorithms (RFC 9449 §7.1 `algs` parameter); an empty slice
    /// omits the parameter.
    pub fn challenge(&self, algs: &[JwsAlgorithm], fresh_nonce: Option<String>) -> Challenge {
        let algs_param = if algs.is_empty() {
            None
        } else {
            let names: Vec<&str> = algs.iter().map(JwsAlgorithm::name).collect();
            Some(format!("algs=\"{}\"", names.join(" ")))
        };
        let status = self.status();
        let is_nonce = matches!(
            self,
            Self::NonceRequired { .. } | Self::NonceInvalid { .. } | Self::NonceReused { .. }
        );
        let (error, description, dpop_nonce) = match (self.oauth_error(), fresh_nonce) {
            (Some("use_dpop_nonce"), Some(n)) => {
                (Some("use_dpop_nonce"), self.description(), Some(n))
            }
            (Some(_), None) if is_nonce => (Some("invalid_dpop_proof"), "Invalid DPoP nonce", None),
            (e, _) => (e, self.description(), None),
        };
        let www_authenticate = match error {
            None if matches!(self, Self::Store(_)) => None,
            None => Some(match algs_param {
                Some(a) => format!("DPoP {a}"),
                None => "DPoP".to_owned(),
            }),
            // RFC 9449 §9 Figure 24 is reproduced exactly: no algs after it.
            Some("use_dpop_nonce") => Some(format!(
                "DPoP error=\"use_dpop_nonce\", error_description=\"{description}\""
            )),
            Some(e) => Some(match algs_param {
                Some(a) => format!("DPoP error=\"{e}\", error_description=\"{description}\", {a}"),
                None => format!("DPoP error=\"{e}\", error_description=\"{description}\""),
            }),
        };
        Challenge {
            status,
            www_authenticate,
            dpop_nonce,
        }
    }
}

impl fmt::Display for DpopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoCredentials => f.write_str("request has no Authorization field"),
            Self::AuthorizationMultiple => f.write_str("request has several Authorization fields"),
            Self::AuthorizationMalformed => {
                f.write_str("Authorization field is not \"DPoP\" followed by a token68")
            }
            Self::Scheme(AuthScheme::Bearer) => {
                f.write_str("DPoP-bound token presented with the Bearer scheme")
            }
            Self::Scheme(AuthScheme::Other) => {
                f.write_str("token presented with a scheme other than DPoP")
            }
            Self::Missing => f.write_str("request has no DPoP field"),
            Self::Multiple { count } => write!(f, "request has {count} DPoP fields, expected 1"),
            Self::Malformed(e) => write!(f, "DPoP proof is malformed: {e}"),
            Self::MissingClaim(m) => write!(f, "DPoP proof has no \"{m}\""),
            Self::InvalidClaim(m) => write!(f, "DPoP proof \"{m}\" has an invalid value"),
            Self::Typ => f.write_str("DPoP proof \"typ\" is not \"dpop+jwt\""),
            Self::AlgNotAllowed(Some(alg)) => {
                write!(f, "DPoP proof algorithm {alg} is not allowed")
            }
            Self::AlgNotAllowed(None) => {
                f.write_str("DPoP proof \"alg\" is \"none\", unknown, or not allowed")
            }
            Self::JwkPrivate => f.write_str("DPoP proof \"jwk\" contains private key members"),
            Self::JwkInvalid(e) => write!(f, "DPoP proof \"jwk\" is not usable: {e}"),
            Self::JwkTooLarge { bits, max } => write!(
                f,
                "DPoP proof \"jwk\" is a {bits}-bit RSA key, over the {max}-bit limit"
            ),
            Self::Signature => f.write_str("DPoP proof signature is invalid"),
            Self::Htm => f.write_str("DPoP proof \"htm\" does not match the request method"),
            Self::Htu => f.write_str("DPoP proof \"htu\" does not match the request URI"),
            Self::IatTooOld { age, max } => {
                write!(
                    f,
                    "DPoP proof \"iat\" is {age} s old, at most {max} s accepted"
                )
            }
            Self::IatInFuture { ahead, max } => write!(
                f,
                "DPoP proof \"iat\" is {ahead} s in the future, at most {max} s accepted"
            ),
            Self::Replay => f.write_str("DPoP proof \"jti\" was already used"),
            Self::Ath => f.write_str("DPoP proof \"ath\" does not match the access token"),
            Self::TokenNotBound => f.write_str("access token has no \"cnf\" \"jkt\" binding"),
            Self::JktMismatch => {
                f.write_str("DPoP proof key thumbprint differs from the token's \"cnf\" \"jkt\"")
            }
            Self::NonceRequired { .. } => {
                f.write_str("DPoP proof has no \"nonce\", one is required")
            }
            Self::NonceInvalid { .. } => {
                f.write_str("DPoP proof \"nonce\" is invalid, expired or for another key")
            }
            Self::NonceReused { .. } => {
                f.write_str("DPoP proof \"nonce\" was already used, nonces are single use")
            }
            Self::Store(e) => write!(f, "DPoP replay check failed: {e}"),
        }
    }
}

impl std::error::Error for DpopError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Malformed(e) => Some(e),
            Self::JwkInvalid(e) => Some(e),
            Self::Store(e) => Some(e),
            _ => None,
        }
    }
}

/// What to send back for a refused request: status, `WWW-Authenticate` and `DPoP-Nonce`
/// values. Add `WWW-Authenticate` and `DPoP-Nonce` to `Access-Control-Expose-Headers` for
/// browser clients (RFC 9449 §7.1, §8).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Challenge {
    /// HTTP status code.
    pub status: u16,
    /// The `WWW-Authenticate` field value, if any.
    pub www_authenticate: Option<String>,
    /// The `DPoP-Nonce` field value, if any (at most one, RFC 9449 §8).
    pub dpop_nonce: Option<String>,
}

/// Why a [`DpopVerifier`](super::DpopVerifier) configuration was refused.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DpopConfigError {
    /// The `iat` window (`max_age + max_future + 1` s, the time a `jti` is kept) is longer
    /// than a replay store accepts (code `dpop_config.iat_window`).
    IatWindowTooLong {
        /// The longest accepted replay window, in seconds ([`crate::store::MAX_TTL`]).
        max_secs: u64,
    },
}

impl DpopConfigError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::IatWindowTooLong { .. } => "dpop_config.iat_window",
        }
    }
}

impl fmt::Display for DpopConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::IatWindowTooLong { max_secs } => write!(
                f,
                "DPoP iat window is longer than the {max_secs} s a replay store keeps a jti"
            ),
        }
    }
}

impl std::error::Error for DpopConfigError {}

/// Why [`DpopProofBuilder`](super::DpopProofBuilder) could not build a proof.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DpopBuildError {
    /// The signing key's algorithm is not a FAPI JWS algorithm (code `dpop_build.algorithm`).
    Algorithm,
    /// The public JWK is not usable (code `dpop_build.jwk`).
    Jwk(KeyError),
    /// The JWK given as public holds private members (code `dpop_build.jwk_private`).
    JwkPrivate,
    /// The public JWK does not belong to the signing key (code `dpop_build.key_mismatch`).
    KeyMismatch,
    /// `htm` or `htu` was not set (code `dpop_build.missing_claim`).
    MissingClaim(ProofMember),
    /// Signing or random generation failed (code `dpop_build.signing`).
    Signing(KeyError),
}

impl DpopBuildError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Algorithm => "dpop_build.algorithm",
            Self::Jwk(_) => "dpop_build.jwk",
            Self::JwkPrivate => "dpop_build.jwk_private",
            Self::KeyMismatch => "dpop_build.key_mismatch",
            Self::MissingClaim(_) => "dpop_build.missing_claim",
            Self::Signing(_) => "dpop_build.signing",
        }
    }
}

impl fmt::Display for DpopBuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Algorithm => {
                f.write_str("signing key algorithm is not PS256, ES256, EdDSA or Ed25519")
            }
            Self::Jwk(e) => write!(f, "public JWK is not usable: {e}"),
            Self::JwkPrivate => f.write_str("public JWK holds private members"),
            Self::KeyMismatch => f.write_str("public JWK does not match the signing key"),
            Self::MissingClaim(m) => write!(f, "proof claim \"{m}\" was not set"),
            Self::Signing(e) => write!(f, "signing the proof failed: {e}"),
        }
    }
}

impl std::error::Error for DpopBuildError {}
