//! The command-line tool's error type: what failed, its stable code, and its exit status.

use core::fmt;
use std::path::PathBuf;

use httpsig_core::keys::KeyError;

use crate::http1::TextError;

/// Which input an error is about.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// The message (MESSAGE argument or stdin).
    Message,
    /// The related request (`--request`).
    Request,
    /// The key file (`--key`).
    Key,
    /// The key set (`--jwks`).
    Jwks,
    /// The signer's signature base (`--expected-base`).
    ExpectedBase,
    /// The public JWK (`--jwk`).
    Jwk,
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Message => "message",
            Self::Request => "related request (--request)",
            Self::Key => "key (--key)",
            Self::Jwks => "key set (--jwks)",
            Self::ExpectedBase => "expected base (--expected-base)",
            Self::Jwk => "public JWK (--jwk)",
        })
    }
}

/// What is wrong with an option value.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OptionProblem {
    /// Not an integer (or `now` where allowed).
    NotAnInteger,
    /// Not an RFC 9421 or JWS algorithm name.
    UnknownAlgorithm,
    /// Not `NAME=item|list|dictionary`.
    BadSfType,
    /// Not a valid component list; the core's reason.
    Components(httpsig_core::Error),
    /// `--include-alg` with a JWS algorithm, which has no `alg` parameter (RFC 9421 §3.3.7),
    /// or with no algorithm known.
    NoAlgParameter,
    /// The value is not usable as a signature parameter (e.g. a nonce with control characters);
    /// the core's reason.
    Params(httpsig_core::Error),
    /// Not a network (`--trust`); forwarded-parser's reason.
    Cidr(forwarded_parser::CidrError),
    /// Not usable in the trust policy (`--origin`, `--allow-host`); forwarded-parser's reason.
    Policy(forwarded_parser::ForwardedError),
    /// Zero where at least one is required (`--trust-hops`).
    Zero,
    /// Not a DPoP algorithm (PS256, ES256, EdDSA, Ed25519) for this key.
    DpopAlgorithm,
    /// `--label` with `--profile`: the label names no signature with the profile's tag (the
    /// tag given), and the profile verifies every signature with that tag, never fewer.
    NotInProfile(&'static str),
}

impl fmt::Display for OptionProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAnInteger => f.write_str("expected an integer"),
            Self::UnknownAlgorithm => f.write_str(
                "unknown algorithm (expected an RFC 9421 name such as ed25519, or a JWS name such as ES256)",
            ),
            Self::BadSfType => f.write_str("expected NAME=item, NAME=list or NAME=dictionary"),
            Self::Components(e) => write!(f, "invalid component list: {e}"),
            Self::NoAlgParameter => f.write_str(
                "no alg parameter to emit: give an RFC 9421 algorithm (JWS algorithms have none, RFC 9421 §3.3.7)",
            ),
            Self::Params(e) => write!(f, "invalid signature parameter: {e}"),
            Self::Cidr(e) => write!(f, "invalid network: {e}"),
            Self::Policy(e) => e.fmt(f),
            Self::Zero => f.write_str("must be at least 1"),
            Self::DpopAlgorithm => f.write_str(
                "not a DPoP algorithm for this key (expected PS256, ES256, EdDSA or Ed25519)",
            ),
            Self::NotInProfile(tag) => write!(
                f,
                "names no signature tagged {tag:?}; the profile verifies every signature with that tag, and only those"
            ),
        }
    }
}

/// Something the user must supply that is missing.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Missing {
    /// No `--key` or `--jwks`.
    Key,
    /// `--jwks` for signing without `--keyid`.
    KeyId,
    /// `--jwks` has no key with the requested id that may sign.
    JwksKey,
    /// A raw (non-PEM, non-JSON) key file without `--alg hmac-sha256` or `HS256`.
    SecretAlgorithm,
    /// `base` without `--components`, and the message's signature cannot be chosen.
    Selection,
    /// `--profile fapi-response` without `--request`.
    Request,
    /// A header source (`--source forwarded|x-forwarded`) without `--trust` or `--trust-hops`.
    Trust,
    /// A header source without `--peer`.
    Peer,
    /// `--source fixed` without `--origin`.
    Origin,
    /// The message is a response, where a request is needed.
    RequestMessage,
}

impl fmt::Display for Missing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Key => "a key is required: give --key FILE or --jwks FILE",
            Self::KeyId => "--jwks needs --keyid to choose the signing key",
            Self::JwksKey => {
                "the key set has no key with the requested keyid whose use and key_ops allow signing"
            }
            Self::SecretAlgorithm => {
                "the key file is neither PEM nor JSON; for a base64 shared secret give --alg hmac-sha256 (or HS256)"
            }
            Self::Selection => {
                "give --components, or --label of one of the message's signatures (it has none, or several)"
            }
            Self::Request => "--profile fapi-response needs the request it answers: give --request FILE",
            Self::Trust => "a header source needs a trust policy: give --trust CIDR or --trust-hops N",
            Self::Peer => "a header source needs the socket peer: give --peer IP",
            Self::Origin => "--source fixed needs --origin URL",
            Self::RequestMessage => "the message is a response; a request is needed",
        })
    }
}

/// Every failure of the command-line tool other than a verification result.
///
/// Each has a stable [`code`](Self::code) and maps to exit status 2 (usage or input error);
/// errors of the core (and of fapi-profile and forwarded-parser) keep their code.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CliError {
    /// A file (or stdin) could not be read.
    Read {
        /// Which input.
        input: InputKind,
        /// The path, `None` for stdin.
        path: Option<PathBuf>,
        /// The I/O error kind.
        kind: std::io::ErrorKind,
    },
    /// A text input is not valid UTF-8 where text is required.
    NotUtf8 {
        /// Which input.
        input: InputKind,
    },
    /// Message text could not be parsed.
    Message {
        /// Which input (the message or the related request).
        input: InputKind,
        /// The parser's reason.
        error: TextError,
    },
    /// An option value is malformed.
    Option {
        /// The option, e.g. `--created`.
        option: &'static str,
        /// What is wrong.
        problem: OptionProblem,
    },
    /// Something required is missing.
    Missing(Missing),
    /// A key could not be loaded.
    Key {
        /// Which input held it.
        input: InputKind,
        /// The core's reason.
        error: KeyError,
    },
    /// A base64 shared secret could not be decoded.
    SecretBase64,
    /// The core refused (a label in use, a component that cannot be computed, a malformed
    /// existing signature field, ...).
    Core(httpsig_core::Error),
    /// Writing the output failed.
    Write(std::io::ErrorKind),
    /// The message's client-facing target URI could not be rebuilt; forwarded-parser's
    /// reason.
    Target(forwarded_parser::ForwardedError),
    /// A DPoP proof could not be built (`dpop create`).
    DpopBuild(fapi_profile::dpop::DpopBuildError),
}

impl CliError {
    /// A stable, machine-readable code: `cli.*` for the tool's own errors, the core's code
    /// (`sign.label_exists`, `key.pem`, ...) for the core's, and the message parser's
    /// ([`TextError::code`]: `http1.*`, or forwarded-parser's `forwarded.*` for the request
    /// head) for unreadable message text.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Read { .. } => "cli.read",
            Self::NotUtf8 { .. } => "cli.not_utf8",
            Self::Message { error, .. } => error.code(),
            Self::Option { .. } => "cli.option",
            Self::Missing(_) => "cli.missing",
            Self::Key { error, .. } => error.code(),
            Self::SecretBase64 => "cli.secret_base64",
            Self::Core(e) => e.code(),
            Self::Write(_) => "cli.write",
            Self::Target(e) => e.code(),
            Self::DpopBuild(e) => e.code(),
        }
    }

    /// The process exit status: always 2 (usage or input error).
    pub fn exit_status(&self) -> u8 {
        2
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { input, path, kind } => match path {
                Some(p) => write!(f, "cannot read {input} from {}: {kind}", p.display()),
                None => write!(f, "cannot read {input} from stdin: {kind}"),
            },
            Self::NotUtf8 { input } => write!(f, "{input} is not UTF-8 text"),
            Self::Message { input, error } => write!(f, "cannot parse {input}: {error}"),
            Self::Option { option, problem } => write!(f, "{option}: {problem}"),
            Self::Missing(m) => m.fmt(f),
            Self::Key { input, error } => write!(f, "cannot load {input}: {error}"),
            Self::SecretBase64 => {
                f.write_str("cannot load key (--key): the shared secret is not valid base64")
            }
            Self::Core(e) => e.fmt(f),
            Self::Write(kind) => write!(f, "cannot write output: {kind}"),
            Self::Target(e) => write!(f, "cannot rebuild the message's target URI: {e}"),
            Self::DpopBuild(e) => write!(f, "cannot build the DPoP proof: {e}"),
        }
    }
}

impl std::error::Error for CliError {}

impl From<httpsig_core::Error> for CliError {
    fn from(e: httpsig_core::Error) -> Self {
        Self::Core(e)
    }
}
