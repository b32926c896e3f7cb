//! The command line, as `clap` parses it.
//!
//! Options are grouped by concern and flattened into the subcommands that use them, so each
//! option is spelled and documented once.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// HTTP Message Signatures (RFC 9421) and Content-Digest (RFC 9530) from the command line.
///
/// Messages are HTTP/1.1 text: a request line (origin-form with Host, or absolute-form) or a
/// status line, header lines, a blank line, then the body taken verbatim. Exit codes: 0 ok,
/// 1 verification (or vectors) failed, 2 usage or input error.
#[derive(Parser, Debug)]
#[command(name = "httpsig", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the bundled vector suites (embedded in the binary) or the given vector files.
    Vectors {
        /// Vector files; their parent directory names the suite (rfc9421, rfc9530, ...).
        paths: Vec<PathBuf>,
        /// The crypto provider every suite loads keys, signs, verifies and hashes with.
        #[command(flatten)]
        provider: ProviderArgs,
    },
    /// Print the signature base for --components and parameters, or for --label of a signed
    /// message.
    Base(BaseArgs),
    /// Sign a message; print it with Signature-Input and Signature added (existing ones kept).
    Sign(SignArgs),
    /// Verify a signature: exit 0 if valid, 1 if not (reason and error code on stderr).
    Verify(VerifyArgs),
    /// Print the Content-Digest of a message's body, or add it to the message.
    Digest(DigestArgs),
    /// Print a request's client-facing target URI and DPoP htu, rebuilt behind proxies
    /// (RFC 7239 Forwarded, X-Forwarded-*) under an explicit trust policy; exit 1 if the
    /// request cannot be resolved under it.
    TargetUri(TargetUriArgs),
    /// Create or verify DPoP proofs (RFC 9449) under the FAPI 2.0 rules.
    Dpop(DpopArgs),
}

/// Where the message comes from and how to read it.
#[derive(Args, Debug, Clone)]
pub struct InputArgs {
    /// The message: a file, or `-` (or nothing) for stdin.
    #[arg(value_name = "MESSAGE")]
    pub message: Option<PathBuf>,
    /// Undo RFC 8792 `\` line wrapping (as printed in RFCs) before parsing. Applies to every
    /// text input: the message, --request and --expected-base.
    #[arg(long)]
    pub unwrap: bool,
    /// The scheme of an origin-form request's target URI.
    #[arg(long, default_value = "https", value_parser = ["http", "https"])]
    pub scheme: String,
    /// Print a machine-readable JSON result on stdout.
    #[arg(long)]
    pub json: bool,
}

/// How component values are computed.
#[derive(Args, Debug, Clone, Default)]
pub struct ContextArgs {
    /// The related request (a file), for `;req` components of a response.
    #[arg(long, value_name = "FILE")]
    pub request: Option<PathBuf>,
    /// Declare a field's structured type for `;sf` (repeatable; `;key` implies a Dictionary), e.g.
    /// `example-dict=dictionary`; types: item, list, dictionary.
    #[arg(long = "sf-type", value_name = "NAME=TYPE")]
    pub sf_types: Vec<String>,
}

/// The covered components and signature parameters of a new signature.
#[derive(Args, Debug, Clone, Default)]
pub struct ParamArgs {
    /// Covered components in inner-list syntax, parameters allowed:
    /// '"@method" "@authority" "content-digest" "@query-param";name="Pet"'.
    #[arg(long, value_name = "COMPONENTS", allow_hyphen_values = true)]
    pub components: Option<String>,
    /// The `created` parameter: Unix seconds, or `now`. Omitted unless given.
    #[arg(long, value_name = "N|now")]
    pub created: Option<String>,
    /// The `expires` parameter, Unix seconds.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub expires: Option<i64>,
    /// The `nonce` parameter.
    #[arg(long, value_name = "S")]
    pub nonce: Option<String>,
    /// The `keyid` parameter (and, with --jwks, the key to sign with).
    #[arg(long, value_name = "ID")]
    pub keyid: Option<String>,
    /// The `tag` parameter.
    #[arg(long, value_name = "T")]
    pub tag: Option<String>,
    /// Emit the `alg` parameter (the RFC 9421 name of --alg or of the key's algorithm).
    #[arg(long = "include-alg")]
    pub include_alg: bool,
}

/// The crypto provider, chosen by name.
#[derive(Args, Debug, Clone, Copy, Default)]
pub struct ProviderArgs {
    /// The crypto provider that loads keys, signs, verifies and hashes.
    #[arg(long, value_enum, value_name = "NAME", default_value_t = ProviderName::Ring)]
    pub provider: ProviderName,
}

impl ProviderArgs {
    /// The chosen provider.
    pub fn get(&self) -> httpsig_core::crypto::CryptoProvider {
        self.provider.provider()
    }
}

/// The names `--provider` takes; anything else is a usage error (exit 2).
#[derive(ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProviderName {
    /// *ring* (the default).
    #[default]
    Ring,
    /// AWS-LC through aws-lc-rs (its FIPS module when built with `--features fips`).
    #[value(name = "aws-lc-rs")]
    AwsLcRs,
}

impl ProviderName {
    /// The provider of this name (both are always compiled into the command line).
    pub fn provider(self) -> httpsig_core::crypto::CryptoProvider {
        match self {
            Self::Ring => httpsig_core::crypto::ring::provider(),
            Self::AwsLcRs => httpsig_core::crypto::aws_lc_rs::provider(),
        }
    }
}

impl core::fmt::Display for ProviderName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.provider().name)
    }
}

/// Key material.
#[derive(Args, Debug, Clone, Default)]
pub struct KeyArgs {
    /// A key file: PEM (PKCS#8, PKCS#1, SEC1, SPKI), a JWK (JSON), or, with
    /// `--alg hmac-sha256` (or HS256), a base64 shared secret. For verify a private key may be
    /// given; its public half is used.
    #[arg(long, value_name = "FILE", conflicts_with = "jwks")]
    pub key: Option<PathBuf>,
    /// A JWK Set (JSON). verify: the key is chosen by the signature's keyid (and its alg
    /// parameter among members sharing the kid; an RSA member without alg needs --alg, as
    /// with --key); sign: by --keyid.
    #[arg(long, value_name = "FILE")]
    pub jwks: Option<PathBuf>,
    /// The algorithm: an RFC 9421 name (ed25519, rsa-pss-sha512, ...) or a JWS name (ES256,
    /// PS256, EdDSA, ...; RFC 9421 §3.3.7). Default: implied by the key where unambiguous.
    #[arg(long, value_name = "NAME")]
    pub alg: Option<String>,
    /// The crypto provider.
    #[command(flatten)]
    pub provider: ProviderArgs,
}

/// `httpsig base`.
#[derive(Args, Debug, Clone)]
pub struct BaseArgs {
    /// The message and how to read it.
    #[command(flatten)]
    pub input: InputArgs,
    /// The signature to rebuild the base for (when --components is absent); with
    /// --components, only echoed in --json output.
    #[arg(long, value_name = "L")]
    pub label: Option<String>,
    /// Components and parameters of a new signature.
    #[command(flatten)]
    pub params: ParamArgs,
    /// The algorithm named by --include-alg.
    #[arg(long, value_name = "NAME")]
    pub alg: Option<String>,
    /// Component context.
    #[command(flatten)]
    pub context: ContextArgs,
}

/// `httpsig sign`.
#[derive(Args, Debug, Clone)]
pub struct SignArgs {
    /// The message and how to read it.
    #[command(flatten)]
    pub input: InputArgs,
    /// The new signature's label; refused if already present. Default: the first free of
    /// sig1, sig2, ...
    #[arg(long, value_name = "L")]
    pub label: Option<String>,
    /// Components and parameters.
    #[command(flatten)]
    pub params: ParamArgs,
    /// The signing key.
    #[command(flatten)]
    pub key: KeyArgs,
    /// Component context.
    #[command(flatten)]
    pub context: ContextArgs,
}

/// `httpsig verify`.
#[derive(Args, Debug, Clone)]
pub struct VerifyArgs {
    /// The message and how to read it.
    #[command(flatten)]
    pub input: InputArgs,
    /// Verify the signature with this label. With --profile, only the signature to report
    /// and explain: it must carry the profile's tag, and every signature with that tag is
    /// still verified.
    #[arg(long, value_name = "L", conflicts_with = "tag")]
    pub label: Option<String>,
    /// Verify the signature whose tag parameter is this.
    #[arg(long, value_name = "T")]
    pub tag: Option<String>,
    /// Key material (the verification key, or keys by keyid).
    #[command(flatten)]
    pub key: KeyArgs,
    /// Only accept the key id this (with --key: the signature's keyid must match if present).
    #[arg(long, value_name = "ID")]
    pub keyid: Option<String>,
    /// The clock for verification, Unix seconds. Default: the system clock.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub now: Option<i64>,
    /// Refuse signatures whose `created` is older than this many seconds. Default: no limit.
    #[arg(long = "max-age", value_name = "S")]
    pub max_age: Option<u64>,
    /// Components that must be covered, in inner-list syntax (as --components).
    #[arg(long, value_name = "COMPONENTS", allow_hyphen_values = true)]
    pub require: Option<String>,
    /// On failure, print the signature base that was verified and, with --expected-base, a
    /// per-line diff against the signer's base.
    #[arg(long)]
    pub explain: bool,
    /// The signer's signature base (a text file), compared line by line under --explain.
    #[arg(long = "expected-base", value_name = "FILE")]
    pub expected_base: Option<PathBuf>,
    /// Apply a FAPI 2.0 profile: its tag, required components, algorithm allow-list and
    /// `created` window (60 s old, 10 s ahead, relative to --now). Every signature with the
    /// profile's tag must verify, and at least one must be present (D-4). `fapi-response`
    /// needs --request.
    #[arg(long, value_enum, value_name = "PROFILE", conflicts_with_all = ["max_age", "tag"])]
    pub profile: Option<Profile>,
    /// Component context.
    #[command(flatten)]
    pub context: ContextArgs,
}

/// A verification profile.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// FAPI 2.0 request signature rules (tag `fapi-2-request`).
    FapiRequest,
    /// FAPI 2.0 response signature rules (tag `fapi-2-response`), request binding required.
    FapiResponse,
}

/// A Content-Digest algorithm (RFC 9530 §5, active entries).
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DigestAlg {
    /// `sha-256`.
    #[default]
    #[value(name = "sha-256")]
    Sha256,
    /// `sha-512`.
    #[value(name = "sha-512")]
    Sha512,
}

/// `httpsig digest`.
#[derive(Args, Debug, Clone)]
pub struct DigestArgs {
    /// The message and how to read it.
    #[command(flatten)]
    pub input: InputArgs,
    /// The digest algorithm.
    #[arg(long, value_enum, default_value_t = DigestAlg::Sha256)]
    pub alg: DigestAlg,
    /// Print the message with Content-Digest added (or replaced) instead of the value alone.
    #[arg(long)]
    pub add: bool,
}

/// Where the client-facing origin comes from (one source, as `forwarded_parser::Config`).
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// The connection: `--tls` and the `Host` field (or an absolute-form target); forwarding
    /// fields are ignored.
    #[default]
    Connection,
    /// A configured external origin (`--origin`).
    Fixed,
    /// RFC 7239 `Forwarded`, walked from `--peer` through trusted proxies.
    Forwarded,
    /// `X-Forwarded-Proto` and `X-Forwarded-Host` from a trusted `--peer`.
    XForwarded,
}

/// The trusted-proxy policy for rebuilding the client-facing request.
#[derive(Args, Debug, Clone, Default)]
pub struct ResolveArgs {
    /// The socket peer address (the proxy the request came from). Required with
    /// `--source forwarded` and `x-forwarded`.
    #[arg(long, value_name = "IP")]
    pub peer: Option<IpAddr>,
    /// Where the client-facing origin comes from.
    #[arg(long, value_enum, default_value_t = Source::Connection)]
    pub source: Source,
    /// A trusted proxy network, e.g. `10.0.0.0/8` or `192.0.2.7` (repeatable).
    #[arg(long = "trust", value_name = "CIDR", conflicts_with = "trust_hops")]
    pub trust: Vec<String>,
    /// Trust this many proxy hops instead of networks.
    #[arg(long = "trust-hops", value_name = "N")]
    pub trust_hops: Option<u8>,
    /// The external origin for `--source fixed`, e.g. `https://api.example.com`.
    #[arg(long, value_name = "URL")]
    pub origin: Option<String>,
    /// Only accept this host (repeatable; `*.example.com` matches subdomains).
    #[arg(long = "allow-host", value_name = "H")]
    pub allow_hosts: Vec<String>,
    /// The connection to us was TLS (the scheme with `--source connection`; an absolute-form
    /// target naming the other scheme is refused, RFC 9110 §7.4).
    #[arg(long)]
    pub tls: bool,
}

/// `httpsig target-uri`.
#[derive(Args, Debug, Clone)]
pub struct TargetUriArgs {
    /// The request (HTTP/1.1 text as received by the backend): a file, or `-` (or nothing)
    /// for stdin.
    #[arg(value_name = "MESSAGE")]
    pub message: Option<PathBuf>,
    /// The trust policy.
    #[command(flatten)]
    pub resolve: ResolveArgs,
    /// Print `{"target_uri","htu","authority","scheme","warnings"}` (or `{"error"}`) as JSON.
    #[arg(long)]
    pub json: bool,
}

/// `httpsig dpop`.
#[derive(Args, Debug, Clone)]
pub struct DpopArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: DpopCommand,
}

/// The `dpop` subcommands.
#[derive(Subcommand, Debug, Clone)]
pub enum DpopCommand {
    /// Build and print a DPoP proof (a compact JWS).
    Create(DpopCreateArgs),
    /// Verify a DPoP proof as a FAPI 2.0 resource server: exit 0 if it passes, 1 if not
    /// (with the error code and the challenge the server would send).
    Verify(DpopVerifyArgs),
}

/// `httpsig dpop create`.
#[derive(Args, Debug, Clone)]
pub struct DpopCreateArgs {
    /// The crypto provider that loads the key and signs.
    #[command(flatten)]
    pub provider: ProviderArgs,
    /// The private key (PEM); its type picks the algorithm (ES256, EdDSA, or PS256 for RSA)
    /// unless `--alg` is given.
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    /// The public JWK (JSON) to announce in the proof header, verbatim; must be the key's
    /// public half. Without it the JWK is derived from the key.
    #[arg(long, value_name = "FILE")]
    pub jwk: Option<PathBuf>,
    /// The JWS algorithm: PS256, ES256, EdDSA or Ed25519.
    #[arg(long, value_name = "NAME")]
    pub alg: Option<String>,
    /// The `htm` claim (the request method).
    #[arg(long, value_name = "METHOD")]
    pub htm: String,
    /// The `htu` claim (the target URI without query and fragment).
    #[arg(long, value_name = "URI")]
    pub htu: String,
    /// The access token, for the `ath` claim.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// The `nonce` claim (from the server's `DPoP-Nonce`).
    #[arg(long, value_name = "S")]
    pub nonce: Option<String>,
    /// The `iat` claim: Unix seconds, or `now` (the default).
    #[arg(long, value_name = "N|now", allow_hyphen_values = true)]
    pub iat: Option<String>,
    /// A fixed `jti` (default: 128 random bits).
    #[arg(long, value_name = "ID")]
    pub jti: Option<String>,
}

/// `httpsig dpop verify`.
#[derive(Args, Debug, Clone)]
pub struct DpopVerifyArgs {
    /// The crypto provider that loads the proof key, verifies and hashes.
    #[command(flatten)]
    pub provider: ProviderArgs,
    /// The request carrying the proof (HTTP/1.1 text): its `DPoP` and `Authorization` fields,
    /// method and target URI are used where the options below are absent. A file, or `-` (or
    /// nothing) for stdin; not read when `--proof`, `--htm` and `--htu` are all given.
    #[arg(value_name = "MESSAGE")]
    pub message: Option<PathBuf>,
    /// The proof (compact JWS) instead of the message's `DPoP` field.
    #[arg(long, value_name = "JWS")]
    pub proof: Option<String>,
    /// The request method instead of the message's.
    #[arg(long, value_name = "METHOD")]
    pub htm: Option<String>,
    /// The request's client-facing target URI instead of the message's (see `target-uri` for
    /// requests behind proxies).
    #[arg(long, value_name = "URI")]
    pub htu: Option<String>,
    /// The scheme of the connection the message came on: an origin-form target's, and the one
    /// an absolute-form target must name (RFC 9110 §7.4).
    #[arg(long, default_value = "https", value_parser = ["http", "https"])]
    pub scheme: String,
    /// The access token (sent as `Authorization: DPoP TOKEN`) instead of the message's
    /// `Authorization` field.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// The access token's `cnf.jkt`; without it the token is not DPoP-bound and verification
    /// fails (`dpop.token_not_bound`).
    #[arg(long, value_name = "JKT")]
    pub jkt: Option<String>,
    /// The clock for verification, Unix seconds. Default: the system clock.
    #[arg(long, value_name = "N")]
    pub now: Option<i64>,
    /// Print `{"valid","jkt","jti","iat","alg","error","challenge"}` as JSON.
    #[arg(long)]
    pub json: bool,
}
