//! DPoP (RFC 9449) at a FAPI 2.0 resource server: proof verification, token binding, server
//! nonces, error challenges, and a client-side proof builder.
//!
//! [`DpopVerifier::verify`] runs every check of RFC 9449 §4.3 and §7.1 (reference table
//! DP-1..DP-17) and grants access only if all pass:
//!
//! | Check | Error code |
//! |---|---|
//! | one `Authorization: DPoP <token68>` line (scheme case-insensitive; `Bearer` refused) | `dpop.no_credentials`, `dpop.authorization_multiple`, `dpop.authorization_malformed`, `dpop.scheme` |
//! | exactly one `DPoP` field line | `dpop.missing`, `dpop.multiple` |
//! | a 3-part JWS of at most 8 KiB, JSON header and claims | `dpop.malformed` |
//! | `typ` is the media type `application/dpop+jwt` (`dpop+jwt` short form, any ASCII case; [`is_dpop_typ`]) | `dpop.typ`, `dpop.missing_claim` |
//! | `alg` in the allowed set (default PS256, ES256, EdDSA, Ed25519) | `dpop.alg_not_allowed` |
//! | `jwk` public, fits `alg`, RSA ≥ 2048 bits | `dpop.jwk_private`, `dpop.jwk_invalid` |
//! | `jti`, `htm`, `htu`, `iat`, `ath` present and typed | `dpop.missing_claim`, `dpop.invalid_claim` |
//! | `htm` equals the method (case-sensitive) | `dpop.htm` |
//! | `htu` matches the target URI ([`HtuCheck`]) | `dpop.htu` |
//! | `iat` within [now − max_age, now + max_future] (default 60 s / 10 s, FAPI SP §5.3.2.1-13) | `dpop.iat_too_old`, `dpop.iat_in_future` |
//! | `ath` = base64url(SHA-256(token)) | `dpop.ath` |
//! | signature verifies with `jwk` | `dpop.signature` |
//! | RFC 7638 thumbprint of `jwk` = token `cnf.jkt` | `dpop.token_not_bound`, `dpop.jkt_mismatch` |
//! | `nonce` issued by this server for this key, when nonces are on ([`NonceMode`]) | `dpop.nonce_required`, `dpop.nonce_invalid` |
//! | `jti` not seen before for this key, target and method, at [`PendingProof::commit`] ([`ReplayStore`]) | `dpop.replay`, `store.*` |
//!
//! Cheap checks run first, then the signature, then the key binding and nonce. Unknown header
//! parameters and claims (including `nbf`, `exp`) are ignored (RFC 9449 §4.2).
//!
//! # Single use: verify, validate the token, then commit
//!
//! [`DpopVerifier::verify`] does not touch the replay store. It returns a [`PendingProof`]:
//! everything about the proof checked, its `jti` not yet recorded. Validate the access token
//! (and whatever else the request needs: an HTTP signature, scopes) and only then call
//! [`PendingProof::commit`], which records the `jti` (RFC 9449 §11.1) and hands out the
//! [`VerifiedProof`]. So forged proofs, and valid proofs sent with a token that turns out
//! invalid, never occupy the store; only requests that are otherwise granted do. A pending
//! proof that is dropped leaves no trace; one that is never committed was never checked for
//! replay, so grant nothing before `commit` succeeds.
//!
//! The replay key is the proof key's RFC 7638 thumbprint with `jti`, `htm` and `htu`
//! ([`replay_key`]): a `jti` only collides with proofs signed by the same key (RFC 9449 §11.1
//! lets the server scope it), so another client that learns a victim's `jti` cannot burn it
//! with its own key. Nothing is keyed on signature bytes, so re-encoding an ECDSA signature
//! (`s` → `n − s`) does not make a proof new. Entries are recorded for a scope (the key
//! thumbprint, or the client id with [`PendingProof::commit_for_client`]) so that a store
//! with quotas ([`crate::store::MemoryReplayStore`]) bounds what one client occupies; see
//! [`crate::store`] for the capacity a request rate needs.
//!
//! Out of scope here: refusing access tokens in the query string (FAPI SP §5.3.4-2, RFC 6750
//! §2.3) belongs to the request router; validating the access token itself (expiry,
//! revocation, introspection `token_type`) belongs to the token layer, which passes
//! `cnf.jkt` in.
//!
//! # Examples
//! ```
//! use std::sync::Arc;
//! use fapi_profile::dpop::{DpopProofBuilder, DpopRequest, DpopVerifier, HtuCheck};
//! use fapi_profile::store::{ReplayStore, StoreError};
//! use httpsig_core::{keys::PrivateKey, Algorithm, JwsAlgorithm};
//! # use std::{collections::HashSet, sync::Mutex, time::Duration};
//! # #[derive(Default)] struct Seen(Mutex<HashSet<Vec<u8>>>);
//! # impl ReplayStore for Seen {
//! #     fn check_and_record(&self, key: &[u8], _: Duration) -> Result<bool, StoreError> {
//! #         Ok(self.0.lock().map_err(|_| StoreError::Unavailable)?.insert(key.to_vec()))
//! #     }
//! # }
//! struct Exact(&'static str);
//! impl HtuCheck for Exact {
//!     fn htu_matches(&self, claim: &str) -> bool { claim == self.0 }
//! }
//!
//! // Client side.
//! let pem = std::fs::read("../conformance/testdata/keys/test-key-ecc-p256.pem")?;
//! let key = PrivateKey::from_pem(&pem, Algorithm::Jws(JwsAlgorithm::Es256))?;
//! let jwk = std::fs::read("../conformance/testdata/dpop/keys/test-key-ecc-p256.pub.jwk.json")?;
//! let token = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
//! let proof = DpopProofBuilder::new(&key, &jwk)?
//!     .htm("GET")
//!     .htu("https://rs.example.com/accounts")
//!     .ath(token)
//!     .iat(1_700_000_000)
//!     .build()?;
//!
//! // Resource server side.
//! let verifier = DpopVerifier::new(Arc::new(Seen::default()));
//! let authorization = format!("DPoP {token}");
//! let dpop = [proof.as_bytes()];
//! let auth = [authorization.as_bytes()];
//! let htu = Exact("https://rs.example.com/accounts");
//! let jkt = "ydQXMtvbsOsZyFir-Y7A8t7fKEM1gbKPvyFkdpu4fvI";
//! let request = DpopRequest::new("GET", &htu, 1_700_000_001)
//!     .dpop_fields(&dpop)
//!     .authorization_fields(&auth)
//!     .token_jkt(Some(jkt));
//! let pending = verifier.verify(&request)?;
//! assert_eq!(pending.jkt(), jkt);
//! // ... validate the access token here, then record the jti:
//! let verified = pending.commit()?;
//! assert_eq!(verified.jkt, jkt);
//! let again = verifier.verify(&request)?; // the proof itself is still fine...
//! assert!(again.commit().is_err(), "...but the same jti twice is a replay");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`ReplayStore`]: crate::store::ReplayStore

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use httpsig_core::crypto::{CryptoProvider, random_bytes, sha256};
use httpsig_core::keys::{Jwk, KeyError, PrivateKey, PublicKey};
use httpsig_core::{Algorithm, JwsAlgorithm, SigningKey, VerifyingKey};
use serde_json::{Map, Value};

use crate::jws::{CompactJws, FAPI_ALGORITHMS, JwsError, sign_compact};
use crate::store::{MAX_TTL, ReplayStore};

mod error;
mod htu;
mod nonce;

pub use error::{
    AuthScheme, Challenge, DpopBuildError, DpopConfigError, DpopError, ProofMember, Thumbprint,
};
pub use nonce::{HmacNonces, NonceValidator};

/// The required `typ` (RFC 9449 §4.2, §11.5), as proofs are built.
///
/// The verifier reads `typ` as the media type it is ([`is_dpop_typ`]).
pub const DPOP_TYP: &str = "dpop+jwt";

/// Whether a `typ` header value names the media type `application/dpop+jwt` (RFC 9449 §4.3
/// check 4, §12.5).
///
/// - RFC 7515 §4.1.9: a `typ` without `/` is read as if `application/` were prepended, so
///   `dpop+jwt` and `application/dpop+jwt` are the same value.
/// - RFC 6838 §4.2 (and RFC 2045 §5.1): type and subtype names are case-insensitive, so
///   `DPoP+JWT` and `Application/DPOP+JWT` are too (ASCII case only: media type names are
///   ASCII, and no Unicode case folding applies).
/// - Nothing else: no parameters (`; charset=…`), whitespace, other type (`text/dpop+jwt`) or
///   suffix (`dpop+jwt+wrongyousee`, `dpop+json`); RFC 9449 defines the bare type, and
///   explicit typing (RFC 8725 §3.11) only helps if confusable values are refused.
pub fn is_dpop_typ(typ: &str) -> bool {
    let subtype = match typ.split_once('/') {
        None => typ,
        Some((ty, sub)) if ty.eq_ignore_ascii_case("application") => sub,
        Some(_) => return false,
    };
    subtype.eq_ignore_ascii_case(DPOP_TYP)
}

/// Decides whether an `htu` claim names the request's target URI (RFC 9449 §4.3 check 9).
///
/// The implementation must compare against the *externally visible* URI (behind a
/// TLS-terminating proxy), ignore the query and fragment of both, and should apply
/// RFC 3986 §6.2.2 / §6.2.3 normalization. The production implementation comes from the
/// `forwarded-parser` crate: `impl HtuCheck for forwarded_parser::HtuMatcher`.
pub trait HtuCheck {
    /// True if `claim` matches the request's target URI.
    fn htu_matches(&self, claim: &str) -> bool;
}

/// Whether the resource server uses DPoP nonces (RFC 9449 §9).
///
/// There is no "nonce optional" mode: RFC 9449 §4.3 check 10 (reference DP-10) requires the
/// `nonce` claim once the server has provided a nonce to the client, and a stateless server
/// cannot tell which clients it has provided one to. Accepting a proof without `nonce` after
/// nonces were handed out would let proofs pre-generated by an attacker with temporary access
/// to the key (RFC 9449 §11.3) outlive any nonce. FAPI 2.0 clients must support server nonces
/// (Security Profile §5.3.3.1, reference SP-3), so [`NonceMode::Require`] is the mode for them.
#[derive(Clone, Default)]
#[non_exhaustive]
pub enum NonceMode {
    /// No nonces: none is issued, and a `nonce` claim is ignored.
    #[default]
    Off,
    /// Every proof must carry a valid nonce issued for its key; a missing or invalid one gets
    /// `use_dpop_nonce` with a fresh nonce ([`DpopVerifier::challenge`]).
    Require(Arc<dyn NonceValidator>),
}

impl fmt::Debug for NonceMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Off => "Off",
            Self::Require(_) => "Require",
        })
    }
}

/// The parts of a request that DPoP verification reads.
///
/// Field lines are passed as received, one slice element per line, in message order.
/// `Debug` redacts their values (tokens and proofs are secrets).
#[derive(Clone, Copy)]
pub struct DpopRequest<'a> {
    method: &'a str,
    htu: &'a dyn HtuCheck,
    now: u64,
    dpop: &'a [&'a [u8]],
    authorization: &'a [&'a [u8]],
    token_jkt: Option<&'a str>,
}

impl fmt::Debug for DpopRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopRequest")
            .field("method", &self.method)
            .field("now", &self.now)
            .field("dpop_lines", &self.dpop.len())
            .field("authorization_lines", &self.authorization.len())
            .field("token_jkt", &self.token_jkt)
            .finish_non_exhaustive()
    }
}

impl<'a> DpopRequest<'a> {
    /// A request with `method`, a target-URI matcher and the current time (Unix seconds);
    /// no fields yet.
    pub fn new(method: &'a str, htu: &'a dyn HtuCheck, now: u64) -> Self {
        Self {
            method,
            htu,
            now,
            dpop: &[],
            authorization: &[],
            token_jkt: None,
        }
    }

    /// The `DPoP` field lines (the name is case-insensitive: `DPOP` is the same field).
    #[must_use]
    pub fn dpop_fields(mut self, lines: &'a [&'a [u8]]) -> Self {
        self.dpop = lines;
        self
    }

    /// The `Authorization` field lines.
    #[must_use]
    pub fn authorization_fields(mut self, lines: &'a [&'a [u8]]) -> Self {
        self.authorization = lines;
        self
    }

    /// The access token's `cnf.jkt` (from the JWT or introspection); `None` if it has none,
    /// which fails verification (`dpop.token_not_bound`).
    #[must_use]
    pub fn token_jkt(mut self, jkt: Option<&'a str>) -> Self {
        self.token_jkt = jkt;
        self
    }
}

/// A proof that passed every check, single use included ([`PendingProof::commit`]).
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct VerifiedProof {
    /// RFC 7638 SHA-256 thumbprint of the proof key (equal to the token's `cnf.jkt`).
    pub jkt: String,
    /// The proof's `jti`.
    pub jti: String,
    /// The proof's `iat` (Unix seconds).
    pub iat: i64,
    /// The proof's algorithm.
    pub alg: JwsAlgorithm,
    /// The proof's `nonce`, if it had one.
    pub nonce: Option<String>,
    /// The proof's public key, for binding the HTTP-signature key to it (D-6, strict mode).
    pub jwk: Jwk,
}

/// A proof that passed every check except single use: its `jti` is not recorded yet.
///
/// Returned by [`DpopVerifier::verify`]. Validate the access token and the rest of the request,
/// then call [`commit`](Self::commit) (or [`commit_for_client`](Self::commit_for_client)) and
/// grant access only if it succeeds. Dropping a pending proof records nothing.
#[must_use = "the proof's jti is only checked for replay by `commit`; grant nothing before it succeeds"]
pub struct PendingProof {
    proof: VerifiedProof,
    replay_key: [u8; 32],
    ttl: Duration,
    replay: Arc<dyn ReplayStore>,
}

impl fmt::Debug for PendingProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingProof")
            .field("proof", &self.proof)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl PendingProof {
    /// RFC 7638 SHA-256 thumbprint of the proof key (equal to the token's `cnf.jkt`).
    pub fn jkt(&self) -> &str {
        &self.proof.jkt
    }

    /// The proof's `jti`.
    pub fn jti(&self) -> &str {
        &self.proof.jti
    }

    /// The proof's `iat` (Unix seconds).
    pub fn iat(&self) -> i64 {
        self.proof.iat
    }

    /// The proof's algorithm.
    pub fn alg(&self) -> JwsAlgorithm {
        self.proof.alg
    }

    /// The proof's public key (for [`crate::signatures::RequestVerifier::verify_bound_to_dpop_key`]
    /// before committing).
    pub fn jwk(&self) -> &Jwk {
        &self.proof.jwk
    }

    /// Records the `jti` (RFC 9449 §11.1), counted against the proof key's quota, and returns
    /// the verified proof.
    ///
    /// # Errors
    /// `dpop.replay` if a proof with the same key, `jti`, `htm` and `htu` was committed within
    /// the window; `store.quota_exceeded` (HTTP 429) when this key holds as many live entries
    /// as the store allows one scope; `store.full`, `store.unavailable` and the other `store.*`
    /// codes (HTTP 503) when the store cannot record it. Every error refuses the request.
    pub fn commit(self) -> Result<VerifiedProof, DpopError> {
        let scope = scope_bytes(b"jkt", &self.proof.jkt);
        self.commit_scoped(&scope)
    }

    /// As [`commit`](Self::commit), with the quota counted per client instead of per key:
    /// `client_id` comes from the validated access token. Prefer it when the token layer knows
    /// the client: a client can make new DPoP keys at will, but not new client ids. The replay
    /// key is the same either way.
    ///
    /// # Errors
    /// As [`commit`](Self::commit).
    pub fn commit_for_client(self, client_id: &str) -> Result<VerifiedProof, DpopError> {
        let scope = scope_bytes(b"client", client_id);
        self.commit_scoped(&scope)
    }

    fn commit_scoped(self, scope: &[u8]) -> Result<VerifiedProof, DpopError> {
        if self
            .replay
            .check_and_record_scoped(scope, &self.replay_key, self.ttl)
            .map_err(DpopError::Store)?
        {
            Ok(self.proof)
        } else {
            Err(DpopError::Replay)
        }
    }
}

/// A replay-store scope: a kind label, a NUL, the identifier (kinds never contain NUL, so a
/// key thumbprint and a client id with the same text are different scopes).
fn scope_bytes(kind: &[u8], id: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(kind.len() + 1 + id.len());
    out.extend_from_slice(kind);
    out.push(0);
    out.extend_from_slice(id.as_bytes());
    out
}

/// Verifies DPoP proofs at a resource server under a FAPI 2.0 policy.
///
/// Defaults: algorithms PS256, ES256, EdDSA, Ed25519; `iat` at most 60 s old and 10 s in the
/// future (FAPI SP §5.3.2.1-13: "shall accept … between 0 and 10 seconds in the future");
/// proofs up to 8 KiB; nonces off.
#[derive(Clone)]
pub struct DpopVerifier {
    allowed: Vec<JwsAlgorithm>,
    max_age: u64,
    max_future: u64,
    max_proof_len: usize,
    replay: Arc<dyn ReplayStore>,
    nonces: NonceMode,
    provider: CryptoProvider,
}

impl fmt::Debug for DpopVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopVerifier")
            .field("allowed", &self.allowed)
            .field("max_age", &self.max_age)
            .field("max_future", &self.max_future)
            .field("max_proof_len", &self.max_proof_len)
            .field("nonces", &self.nonces)
            .field("provider", &self.provider.name)
            .finish_non_exhaustive()
    }
}

impl DpopVerifier {
    /// Default oldest accepted `iat`.
    pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(60);
    /// Default furthest-future accepted `iat` (FAPI SP §5.3.2.1-13 floor).
    pub const DEFAULT_MAX_FUTURE: Duration = Duration::from_secs(10);
    /// Upper bound for the future window: FAPI SP §5.3.2.1-13 requires rejecting `iat` more
    /// than 60 s ahead, so the check can never be switched off (its NOTE 3).
    pub const MAX_FUTURE_CAP: Duration = Duration::from_secs(60);
    /// Largest proof accepted, and the default: a PS256 proof with a 4096-bit key is about
    /// 2 KiB, so 8 KiB leaves room without letting a header field pin memory.
    pub const MAX_PROOF_LEN: usize = 8 * 1024;
    /// Longest `jti` accepted, in bytes (RFC 9449 asks for ≥ 96 bits of randomness; a UUID is
    /// 36 characters). Longer values are refused rather than stored.
    pub const MAX_JTI_LEN: usize = 256;
    /// Largest RSA modulus accepted for a proof key, in bits. The client chooses its DPoP key;
    /// a verifier that took any size would let one proof with an 8192-bit key and a large
    /// exponent cost ~17 ES256 checks (measured by the adversarial pass of issue 10). FAPI
    /// asks for at least 2048 bits; 4096 is the largest size in common use.
    pub const MAX_RSA_BITS: usize = 4096;

    /// A verifier with the FAPI defaults and `replay` as its `jti` store.
    pub fn new(replay: Arc<dyn ReplayStore>) -> Self {
        Self {
            allowed: FAPI_ALGORITHMS.to_vec(),
            max_age: Self::DEFAULT_MAX_AGE.as_secs(),
            max_future: Self::DEFAULT_MAX_FUTURE.as_secs(),
            max_proof_len: Self::MAX_PROOF_LEN,
            replay,
            nonces: NonceMode::Off,
            provider: CryptoProvider::default(),
        }
    }

    /// The crypto provider that loads proof keys and computes thumbprints and `ath`
    /// (default: *ring*).
    #[must_use]
    pub fn with_provider(mut self, provider: CryptoProvider) -> Self {
        self.provider = provider;
        self
    }

    /// Restricts the accepted algorithms. Algorithms outside the FAPI set
    /// ([`FAPI_ALGORITHMS`]) are dropped: this setting can only narrow.
    #[must_use]
    pub fn allowed_algorithms(mut self, algs: &[JwsAlgorithm]) -> Self {
        self.allowed = FAPI_ALGORITHMS
            .iter()
            .copied()
            .filter(|a| algs.contains(a))
            .collect();
        self
    }

    /// Sets the `iat` window: at most `max_age` old, at most `max_future` ahead (clamped to
    /// [`Self::MAX_FUTURE_CAP`]). Whole seconds are used.
    ///
    /// A committed `jti` is kept for the whole window (`max_age + max_future + 1` s), so the
    /// window may not exceed what a replay store accepts ([`crate::store::MAX_TTL`]): such a
    /// verifier could never record a proof and would refuse every request at run time.
    ///
    /// # Errors
    /// `dpop_config.iat_window` when `max_age + max_future + 1` s exceeds
    /// [`crate::store::MAX_TTL`].
    ///
    /// # Examples
    /// ```
    /// use std::{sync::Arc, time::Duration};
    /// use fapi_profile::dpop::DpopVerifier;
    /// # use fapi_profile::store::{ReplayStore, StoreError};
    /// # struct S;
    /// # impl ReplayStore for S {
    /// #     fn check_and_record(&self, _: &[u8], _: Duration) -> Result<bool, StoreError> { Ok(true) }
    /// # }
    /// let v = DpopVerifier::new(Arc::new(S)).iat_window(Duration::from_secs(300), Duration::from_secs(10))?;
    /// let year = Duration::from_secs(400 * 24 * 3600);
    /// assert!(DpopVerifier::new(Arc::new(S)).iat_window(year, Duration::ZERO).is_err());
    /// # Ok::<(), fapi_profile::dpop::DpopConfigError>(())
    /// ```
    pub fn iat_window(
        mut self,
        max_age: Duration,
        max_future: Duration,
    ) -> Result<Self, DpopConfigError> {
        let max_age = max_age.as_secs();
        let max_future = max_future.min(Self::MAX_FUTURE_CAP).as_secs();
        if Self::replay_ttl_secs(max_age, max_future) > MAX_TTL.as_secs() {
            return Err(DpopConfigError::IatWindowTooLong {
                max_secs: MAX_TTL.as_secs(),
            });
        }
        self.max_age = max_age;
        self.max_future = max_future;
        Ok(self)
    }

    /// How long a committed `jti` is kept: the whole `iat` window, plus one second for
    /// rounding (a proof with `iat = now + max_future` stays acceptable until
    /// `now + max_future + max_age`).
    const fn replay_ttl_secs(max_age: u64, max_future: u64) -> u64 {
        max_age.saturating_add(max_future).saturating_add(1)
    }

    /// Lowers the proof size cap (values above [`Self::MAX_PROOF_LEN`] are clamped).
    #[must_use]
    pub fn max_proof_len(mut self, len: usize) -> Self {
        self.max_proof_len = len.min(Self::MAX_PROOF_LEN);
        self
    }

    /// Sets the nonce mode (RFC 9449 §9).
    #[must_use]
    pub fn nonce_mode(mut self, mode: NonceMode) -> Self {
        self.nonces = mode;
        self
    }

    /// The accepted algorithms, in challenge order.
    pub fn algorithms(&self) -> &[JwsAlgorithm] {
        &self.allowed
    }

    /// The response for `err`: see [`DpopError::challenge`]. For nonce errors a fresh nonce
    /// bound to the proof's key is issued from the configured validator.
    pub fn challenge(&self, err: &DpopError, now: u64) -> Challenge {
        let nonce = match (&self.nonces, err) {
            (
                NonceMode::Require(v),
                DpopError::NonceRequired { jkt } | DpopError::NonceInvalid { jkt },
            ) => v.issue(jkt.as_str(), now),
            _ => None,
        };
        err.challenge(&self.allowed, nonce)
    }

    /// A fresh nonce for the key `jkt` (from [`VerifiedProof::jkt`]) to send in `DPoP-Nonce`
    /// with a successful response (RFC 9449 §8.2), or `None` when nonces are off or none can
    /// be made.
    pub fn next_nonce(&self, jkt: &str, now: u64) -> Option<String> {
        match &self.nonces {
            NonceMode::Off => None,
            NonceMode::Require(v) => v.issue(jkt, now),
        }
    }

    /// Verifies the request's token presentation and DPoP proof (RFC 9449 §4.3, §7.1), all
    /// but single use: commit the returned [`PendingProof`] once the access token and the rest
    /// of the request are validated (see the module docs).
    ///
    /// The replay store is not consulted here, so a replayed proof is reported by
    /// [`PendingProof::commit`] (`dpop.replay`).
    ///
    /// # Errors
    /// Every [`DpopError`] except `dpop.replay` and `store.*`; see the module table for which
    /// check gives which code.
    pub fn verify(&self, req: &DpopRequest<'_>) -> Result<PendingProof, DpopError> {
        // RFC 9449 §7.1: `Authorization: DPoP <token68>`.
        let token = access_token(req.authorization)?;

        // RFC 9449 §4.3 check 1: exactly one DPoP field line.
        let proof = match req.dpop {
            [] => return Err(DpopError::Missing),
            [one] => trim_ows(one),
            more => return Err(DpopError::Multiple { count: more.len() }),
        };

        // Check 2: a well-formed JWS.
        let jws = CompactJws::parse(proof, self.max_proof_len).map_err(DpopError::Malformed)?;

        // Check 4: typ.
        match jws.header().get("typ") {
            None => return Err(DpopError::MissingClaim(ProofMember::Typ)),
            Some(Value::String(t)) if is_dpop_typ(t) => {}
            Some(_) => return Err(DpopError::Typ),
        }
        // Check 5: alg.
        let alg = jws.algorithm(&self.allowed).map_err(|e| match e {
            JwsError::AlgNotAllowed(a) => DpopError::AlgNotAllowed(a),
            _ => DpopError::MissingClaim(ProofMember::Alg),
        })?;
        // Check 7 and the key for check 6.
        let jwk_value = jws
            .header()
            .get("jwk")
            .ok_or(DpopError::MissingClaim(ProofMember::Jwk))?;
        let (public, jkt, jwk) = proof_key(&self.provider, jwk_value, alg)?;

        // Check 3: required claims, typed.
        let claims = jws.payload_json().map_err(DpopError::Malformed)?;
        let jti = string_claim(&claims, ProofMember::Jti)?;
        if jti.len() > Self::MAX_JTI_LEN {
            return Err(DpopError::InvalidClaim(ProofMember::Jti));
        }
        let htm = string_claim(&claims, ProofMember::Htm)?;
        let htu = string_claim(&claims, ProofMember::Htu)?;
        let iat = time_claim(&claims)?;
        let ath = string_claim(&claims, ProofMember::Ath)?;
        let nonce = match claims.get("nonce") {
            None => None,
            Some(Value::String(n)) => Some(n.as_str()),
            Some(_) => return Err(DpopError::InvalidClaim(ProofMember::Nonce)),
        };

        // Check 8: htm, case-sensitive.
        if htm != req.method {
            return Err(DpopError::Htm);
        }
        // Check 9: htu.
        if !req.htu.htu_matches(htu) {
            return Err(DpopError::Htu);
        }
        // Check 11: iat window (FAPI SP §5.3.2.1-13).
        self.check_iat(iat, req.now)?;
        // Check 12 (first half): ath over the ASCII token.
        if ath != ath_for_with(&self.provider, token) {
            return Err(DpopError::Ath);
        }
        // Check 12 (second half): key binding (RFC 9449 §6.1), before the signature: the
        // thumbprint is known now, and a proof for a key the token is not bound to must not
        // cost a signature check (the client chooses the key).
        match req.token_jkt {
            None => return Err(DpopError::TokenNotBound),
            Some(bound) if bound != jkt => return Err(DpopError::JktMismatch),
            Some(_) => {}
        }
        // Check 6: signature.
        jws.verify(&public).map_err(|_| DpopError::Signature)?;
        // Check 10: nonce, bound to this key (RFC 9449 §4.3 check 10, §9).
        match &self.nonces {
            NonceMode::Off => {}
            NonceMode::Require(v) => match nonce {
                None => {
                    return Err(DpopError::NonceRequired {
                        jkt: Thumbprint::new(&jkt),
                    });
                }
                Some(n) if !v.is_valid(n, &jkt, req.now) => {
                    return Err(DpopError::NonceInvalid {
                        jkt: Thumbprint::new(&jkt),
                    });
                }
                Some(_) => {}
            },
        }
        // RFC 9449 §11.1: jti single use, recorded by `PendingProof::commit` once the caller
        // has validated the rest of the request; scoped by the proof key.
        Ok(PendingProof {
            replay_key: replay_key(&jkt, jti, htm, htu),
            ttl: Duration::from_secs(Self::replay_ttl_secs(self.max_age, self.max_future)),
            replay: Arc::clone(&self.replay),
            proof: VerifiedProof {
                jkt,
                jti: jti.to_owned(),
                iat,
                alg,
                nonce: nonce.map(str::to_owned),
                jwk,
            },
        })
    }

    fn check_iat(&self, iat: i64, now: u64) -> Result<(), DpopError> {
        let diff = i128::from(iat) - i128::from(now);
        let clamp = |v: i128| u64::try_from(v).unwrap_or(u64::MAX);
        if diff > i128::from(self.max_future) {
            return Err(DpopError::IatInFuture {
                ahead: clamp(diff),
                max: self.max_future,
            });
        }
        if -diff > i128::from(self.max_age) {
            return Err(DpopError::IatTooOld {
                age: clamp(-diff),
                max: self.max_age,
            });
        }
        Ok(())
    }
}

/// `ath`: base64url(SHA-256(ASCII(token))) (RFC 9449 §4.2), hashed by *ring*.
pub fn ath_for(token: &str) -> String {
    ath_for_with(&CryptoProvider::default(), token)
}

/// [`ath_for`], hashed by `provider`.
pub fn ath_for_with(provider: &CryptoProvider, token: &str) -> String {
    URL_SAFE_NO_PAD.encode(provider.sha256(token.as_bytes()))
}

/// The replay-store key for a proof: SHA-256 over the length-prefixed proof-key thumbprint
/// (`jkt`), `jti`, `htm` and `htu` exactly as signed.
///
/// A replayed proof carries the same key and byte-identical claims, so no URI normalization is
/// needed to detect it. `htm`/`htu` scope `jti` values per target (RFC 9449 §11.1), and `jkt`
/// per key: a client that learns another's `jti` cannot use it up with its own key. The
/// signature is not part of the key, so a re-encoded signature (ECDSA `s` → `n − s`) is the
/// same proof. The length prefixes keep `("ab","c")` and `("a","bc")` apart; hashing bounds the
/// stored size.
pub fn replay_key(jkt: &str, jti: &str, htm: &str, htu: &str) -> [u8; 32] {
    let mut input = Vec::with_capacity(jkt.len() + jti.len() + htm.len() + htu.len() + 32);
    for part in [jkt, jti, htm, htu] {
        input.extend_from_slice(&(part.len() as u64).to_be_bytes());
        input.extend_from_slice(part.as_bytes());
    }
    sha256(&input)
}

/// RFC 9110 §5.6.3 OWS around a field line value.
fn trim_ows(v: &[u8]) -> &[u8] {
    let is_ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = v.iter().position(|b| !is_ows(b)).unwrap_or(v.len());
    let end = v.iter().rposition(|b| !is_ows(b)).map_or(start, |i| i + 1);
    v.get(start..end).unwrap_or_default()
}

/// RFC 9449 §7.1 / RFC 9110 §11.4: `Authorization: DPoP 1*SP token68`, scheme
/// case-insensitive.
fn access_token<'a>(lines: &[&'a [u8]]) -> Result<&'a str, DpopError> {
    let line = match lines {
        [] => return Err(DpopError::NoCredentials),
        [one] => trim_ows(one),
        _ => return Err(DpopError::AuthorizationMultiple),
    };
    let value = core::str::from_utf8(line).map_err(|_| DpopError::AuthorizationMalformed)?;
    let (scheme, rest) = value.split_once(' ').unwrap_or((value, ""));
    if scheme.eq_ignore_ascii_case("Bearer") {
        return Err(DpopError::Scheme(AuthScheme::Bearer));
    }
    if !scheme.eq_ignore_ascii_case("DPoP") {
        return Err(DpopError::Scheme(AuthScheme::Other));
    }
    let token = rest.trim_start_matches(' ');
    if is_token68(token) {
        Ok(token)
    } else {
        Err(DpopError::AuthorizationMalformed)
    }
}

/// RFC 9110 §11.2: `token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn is_token68(s: &str) -> bool {
    let body = s.trim_end_matches('=');
    !body.is_empty()
        && body
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
}

/// Parses the header `jwk` into a public key for `alg` and its RFC 7638 thumbprint.
fn proof_key(
    provider: &CryptoProvider,
    value: &Value,
    alg: JwsAlgorithm,
) -> Result<(PublicKey, String, Jwk), DpopError> {
    let jwk = Jwk::from_json_value(value).map_err(DpopError::JwkInvalid)?;
    // RFC 9449 §4.3 check 7.
    if jwk.is_private() {
        return Err(DpopError::JwkPrivate);
    }
    // The modulus size from its unpadded base64url length (RFC 7518 §6.3.1.1: no leading zero
    // octet, which the key loader enforces), before the key is loaded.
    if jwk.kty() == "RSA"
        && let Some(Value::String(n)) = value.get("n")
    {
        let bits = n.len() / 4 * 24 + [0, 0, 8, 16].get(n.len() % 4).copied().unwrap_or(0);
        if bits > DpopVerifier::MAX_RSA_BITS {
            return Err(DpopError::JwkTooLarge {
                bits,
                max: DpopVerifier::MAX_RSA_BITS,
            });
        }
    }
    let public = PublicKey::from_jwk_with(provider, &jwk, Some(Algorithm::Jws(alg)))
        .map_err(DpopError::JwkInvalid)?;
    let jkt = jwk
        .thumbprint_sha256_with(provider)
        .map_err(DpopError::JwkInvalid)?;
    Ok((public, jkt, jwk))
}

fn string_claim(claims: &Map<String, Value>, m: ProofMember) -> Result<&str, DpopError> {
    match claims.get(m.as_str()) {
        None => Err(DpopError::MissingClaim(m)),
        Some(Value::String(s)) if !s.is_empty() => Ok(s),
        Some(_) => Err(DpopError::InvalidClaim(m)),
    }
}

/// `iat` as a JSON number (RFC 7519 NumericDate; fractions are truncated toward the past).
fn time_claim(claims: &Map<String, Value>) -> Result<i64, DpopError> {
    let v = claims
        .get("iat")
        .ok_or(DpopError::MissingClaim(ProofMember::Iat))?;
    let invalid = DpopError::InvalidClaim(ProofMember::Iat);
    let Value::Number(n) = v else {
        return Err(invalid);
    };
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    match n.as_f64() {
        // |f| < 9e15 < 2^63: the float-to-int cast is in range (and below 2^53, exact).
        Some(f) if f.is_finite() && f.abs() < 9.0e15 => Ok(f.floor() as i64),
        _ => Err(invalid),
    }
}

/// Builds DPoP proofs on the client side (RFC 9449 §4.2).
///
/// The header is `{"alg":…,"jwk":…,"typ":"dpop+jwt"}` (members sorted); claims are `jti`
/// (16 random bytes, base64url, unless set), `htm`, `htu`, `iat` (the system clock unless
/// set), and `ath`/`nonce` when given. Extra members can be added with
/// [`header_param`](Self::header_param) and [`claim`](Self::claim).
///
/// # Examples
/// ```
/// use fapi_profile::dpop::DpopProofBuilder;
/// use httpsig_core::{keys::PrivateKey, Algorithm, JwsAlgorithm};
/// let pem = std::fs::read("../conformance/testdata/keys/test-key-ecc-p256.pem")?;
/// let key = PrivateKey::from_pem(&pem, Algorithm::Jws(JwsAlgorithm::Es256))?;
/// let jwk = std::fs::read("../conformance/testdata/dpop/keys/test-key-ecc-p256.pub.jwk.json")?;
/// let proof = DpopProofBuilder::new(&key, &jwk)?
///     .htm("POST")
///     .htu("https://server.example.com/token")
///     .build()?;
/// assert_eq!(proof.split('.').count(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DpopProofBuilder<'k> {
    key: &'k PrivateKey,
    alg: JwsAlgorithm,
    jwk: Value,
    htm: Option<String>,
    htu: Option<String>,
    ath: Option<String>,
    nonce: Option<String>,
    iat: Option<i64>,
    jti: Option<String>,
    extra_header: Map<String, Value>,
    extra_claims: Map<String, Value>,
}

impl fmt::Debug for DpopProofBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopProofBuilder")
            .field("alg", &self.alg)
            .field("htm", &self.htm)
            .field("htu", &self.htu)
            .field("iat", &self.iat)
            .finish_non_exhaustive()
    }
}

impl<'k> DpopProofBuilder<'k> {
    /// A builder signing with `key` (whose algorithm must be JWS PS256, ES256, EdDSA or
    /// Ed25519) and announcing `public_jwk_json`, which must be the matching public key.
    ///
    /// # Errors
    /// `dpop_build.algorithm`, `dpop_build.jwk`, `dpop_build.jwk_private`,
    /// `dpop_build.key_mismatch` (checked by signing and verifying a probe),
    /// `dpop_build.signing`.
    pub fn new(key: &'k PrivateKey, public_jwk_json: &[u8]) -> Result<Self, DpopBuildError> {
        let alg = match key.algorithm() {
            Algorithm::Jws(a) if FAPI_ALGORITHMS.contains(&a) => a,
            _ => return Err(DpopBuildError::Algorithm),
        };
        let jwk = Jwk::from_json(public_jwk_json).map_err(DpopBuildError::Jwk)?;
        if jwk.is_private() {
            return Err(DpopBuildError::JwkPrivate);
        }
        let public =
            PublicKey::from_jwk(&jwk, Some(key.algorithm())).map_err(DpopBuildError::Jwk)?;
        let probe = b"fapi-profile dpop key probe";
        let sig = key.sign(probe).map_err(DpopBuildError::Signing)?;
        if public.verify(probe, &sig).is_err() {
            return Err(DpopBuildError::KeyMismatch);
        }
        // The header carries exactly this JSON; read it with the verifier's rule (no member
        // name repeated at any depth), so a proof we build is never one the verifier refuses.
        let value = crate::jws::json_object(public_jwk_json, crate::jws::JwsPart::Header)
            .map(Value::Object)
            .map_err(|_| {
                DpopBuildError::Jwk(KeyError::JwkJson(httpsig_core::keys::JwkJsonError::Syntax))
            })?;
        Ok(Self {
            key,
            alg,
            jwk: value,
            htm: None,
            htu: None,
            ath: None,
            nonce: None,
            iat: None,
            jti: None,
            extra_header: Map::new(),
            extra_claims: Map::new(),
        })
    }

    /// `htm`: the request method.
    #[must_use]
    pub fn htm(mut self, method: &str) -> Self {
        self.htm = Some(method.to_owned());
        self
    }

    /// `htu`: the target URI without query and fragment.
    #[must_use]
    pub fn htu(mut self, uri: &str) -> Self {
        self.htu = Some(uri.to_owned());
        self
    }

    /// `ath` for `access_token`.
    #[must_use]
    pub fn ath(mut self, access_token: &str) -> Self {
        self.ath = Some(ath_for(access_token));
        self
    }

    /// `nonce` from the server's `DPoP-Nonce`.
    #[must_use]
    pub fn nonce(mut self, nonce: &str) -> Self {
        self.nonce = Some(nonce.to_owned());
        self
    }

    /// `iat` in Unix seconds (default: the system clock).
    #[must_use]
    pub fn iat(mut self, iat: i64) -> Self {
        self.iat = Some(iat);
        self
    }

    /// A fixed `jti` (default: 128 random bits, base64url).
    #[must_use]
    pub fn jti(mut self, jti: &str) -> Self {
        self.jti = Some(jti.to_owned());
        self
    }

    /// Adds a header parameter; `typ`, `alg` and `jwk` cannot be overridden.
    #[must_use]
    pub fn header_param(mut self, name: &str, value: Value) -> Self {
        self.extra_header.insert(name.to_owned(), value);
        self
    }

    /// Adds a claim; the standard claims set with the other methods win over it.
    #[must_use]
    pub fn claim(mut self, name: &str, value: Value) -> Self {
        self.extra_claims.insert(name.to_owned(), value);
        self
    }

    /// Signs and returns the compact JWS.
    ///
    /// # Errors
    /// `dpop_build.missing_claim` (`htm`, `htu`), `dpop_build.signing`.
    pub fn build(&self) -> Result<String, DpopBuildError> {
        let htm = self
            .htm
            .as_ref()
            .ok_or(DpopBuildError::MissingClaim(ProofMember::Htm))?;
        let htu = self
            .htu
            .as_ref()
            .ok_or(DpopBuildError::MissingClaim(ProofMember::Htu))?;
        let jti = match &self.jti {
            Some(j) => j.clone(),
            None => {
                let mut r = [0u8; 16];
                random_bytes(&mut r).map_err(DpopBuildError::Signing)?;
                URL_SAFE_NO_PAD.encode(r)
            }
        };
        let iat = self.iat.unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        });
        let mut header = self.extra_header.clone();
        header.insert("typ".into(), Value::from(DPOP_TYP));
        header.insert("alg".into(), Value::from(self.alg.name()));
        header.insert("jwk".into(), self.jwk.clone());
        let mut claims = self.extra_claims.clone();
        claims.insert("jti".into(), Value::from(jti));
        claims.insert("htm".into(), Value::from(htm.as_str()));
        claims.insert("htu".into(), Value::from(htu.as_str()));
        claims.insert("iat".into(), Value::from(iat));
        if let Some(a) = &self.ath {
            claims.insert("ath".into(), Value::from(a.as_str()));
        }
        if let Some(n) = &self.nonce {
            claims.insert("nonce".into(), Value::from(n.as_str()));
        }
        let header = Value::Object(header).to_string();
        let claims = Value::Object(claims).to_string();
        sign_compact(header.as_bytes(), claims.as_bytes(), self.key)
            .map_err(DpopBuildError::Signing)
    }
}
