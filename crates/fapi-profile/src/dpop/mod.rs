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
//! | `nonce` not used before, with [`NonceMode::RequireSingleUse`], at [`PendingProof::commit`] | `dpop.nonce_reused`, `store.*` |
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
//! In an async service, build the verifier with an [`AsyncReplayStore`]
//! ([`DpopVerifier::new_async`]) and commit with [`PendingProof::commit_async`] (or
//! [`PendingProof::commit_for_client_async`]): verification stays synchronous and does no I/O;
//! only the commit awaits the store, so no blocking call runs on an executor thread.
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
//! let proof = DpopProofBuilder::with_jwk(&key, &jwk)?
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
//! [`AsyncReplayStore`]: crate::store::AsyncReplayStore

use core::fmt;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use httpsig_core::crypto::CryptoProvider;
use httpsig_core::keys::{Jwk, KeyError, PrivateKey, PublicKey};
// The one OWS rule of the workspace (also used by `crate::token`).
pub(crate) use httpsig_core::uri::trim_ows;
use httpsig_core::{Algorithm, JwsAlgorithm, SigningKey, VerifyingKey};
use serde_json::{Map, Value};

use crate::jws::{CompactJws, FAPI_ALGORITHMS, JwsError, sign_compact};
use crate::store::{AsyncReplayStore, MAX_TTL, ReplayStore, StoreError};
use crate::token::{PresentedToken, TokenError, TokenScheme};

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
///
/// `Send + Sync`, so that a [`DpopRequest`] (which borrows one) can live across an `.await` in
/// a task (the async replay store is awaited after verification).
pub trait HtuCheck: Send + Sync {
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
    /// `use_dpop_nonce` with a fresh nonce ([`DpopVerifier::challenge`]). A nonce may be used
    /// until it expires.
    Require(Arc<dyn NonceValidator>),
    /// As [`Require`](Self::Require), and each nonce is accepted once (RFC 9449 §8, §9): the
    /// commit ([`PendingProof::commit`], [`PendingProof::commit_async`]) records the nonce in
    /// the verifier's replay store, under its own scope, for
    /// [`NonceValidator::max_validity`], before it records the `jti`; a nonce already recorded
    /// gets `dpop.nonce_reused`, answered with `use_dpop_nonce` and a fresh nonce. Instances
    /// sharing the nonce secret and the store (Redis) share the record. Send a fresh nonce with
    /// every successful response ([`DpopVerifier::next_nonce`]): the client's next request needs
    /// it.
    RequireSingleUse(Arc<dyn NonceValidator>),
}

impl NonceMode {
    /// The validator, when nonces are on.
    fn validator(&self) -> Option<&Arc<dyn NonceValidator>> {
        match self {
            Self::Off => None,
            Self::Require(v) | Self::RequireSingleUse(v) => Some(v),
        }
    }
}

impl fmt::Debug for NonceMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Off => "Off",
            Self::Require(_) => "Require",
            Self::RequireSingleUse(_) => "RequireSingleUse",
        })
    }
}

/// The parts of a request that DPoP verification reads.
///
/// Build it from an `http` request with [`from_request`](Self::from_request) (or from its
/// [`HeaderMap`](http::HeaderMap) with [`from_headers`](Self::from_headers)): it borrows the
/// header map, nothing is copied. Message text and tests pass field lines directly with
/// [`new`](Self::new), [`dpop_fields`](Self::dpop_fields) and
/// [`authorization_fields`](Self::authorization_fields).
/// `Debug` redacts the field values (tokens and proofs are secrets).
#[derive(Clone, Copy)]
pub struct DpopRequest<'a> {
    method: &'a str,
    htu: &'a dyn HtuCheck,
    now: i64,
    dpop: Lines<'a>,
    authorization: Lines<'a>,
    token_jkt: Option<&'a str>,
}

/// Field lines, as slices or still in a header map.
#[derive(Clone, Copy)]
enum Lines<'a> {
    Slices(&'a [&'a [u8]]),
    Map(&'a http::HeaderMap, &'static str),
}

impl<'a> Lines<'a> {
    const NONE: Self = Self::Slices(&[]);

    fn count(&self) -> usize {
        match self {
            Self::Slices(s) => s.len(),
            Self::Map(m, name) => m.get_all(*name).iter().count(),
        }
    }

    /// The only line, `Err(count)` when there are none or several.
    fn single(&self) -> Result<&'a [u8], usize> {
        match self {
            Self::Slices([one]) => Ok(one),
            Self::Slices(s) => Err(s.len()),
            Self::Map(m, name) => {
                let mut all = m.get_all(*name).iter();
                match (all.next(), all.next()) {
                    (Some(one), None) => Ok(one.as_bytes()),
                    _ => Err(self.count()),
                }
            }
        }
    }

    fn presented_token(&self) -> Result<PresentedToken<'a>, TokenError> {
        match self {
            Self::Slices(s) => PresentedToken::from_lines(s),
            Self::Map(m, _) => PresentedToken::from_headers(m),
        }
    }
}

impl fmt::Debug for DpopRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopRequest")
            .field("method", &self.method)
            .field("now", &self.now)
            .field("dpop_lines", &self.dpop.count())
            .field("authorization_lines", &self.authorization.count())
            .field("token_jkt", &self.token_jkt)
            .finish_non_exhaustive()
    }
}

impl<'a> DpopRequest<'a> {
    /// A request with `method`, a target-URI matcher and the current time (Unix seconds);
    /// no fields yet.
    pub fn new(method: &'a str, htu: &'a dyn HtuCheck, now: i64) -> Self {
        Self {
            method,
            htu,
            now,
            dpop: Lines::NONE,
            authorization: Lines::NONE,
            token_jkt: None,
        }
    }

    /// The method, `DPoP` and `Authorization` fields of an `http` request, borrowed.
    ///
    /// `htu` matches the client-facing target URI: behind a proxy, build it with
    /// `forwarded-parser` (`forwarded_parser::HtuMatcher`), never from `Host` alone.
    pub fn from_request<B>(req: &'a http::Request<B>, htu: &'a dyn HtuCheck, now: i64) -> Self {
        Self::from_headers(req.method().as_str(), req.headers(), htu, now)
    }

    /// As [`from_request`](Self::from_request), from a method and a header map
    /// (`http::request::Parts`, a framework's own request type).
    pub fn from_headers(
        method: &'a str,
        headers: &'a http::HeaderMap,
        htu: &'a dyn HtuCheck,
        now: i64,
    ) -> Self {
        Self {
            dpop: Lines::Map(headers, "dpop"),
            authorization: Lines::Map(headers, "authorization"),
            ..Self::new(method, htu, now)
        }
    }

    /// The `DPoP` field lines (the name is case-insensitive: `DPOP` is the same field).
    #[must_use]
    pub fn dpop_fields(mut self, lines: &'a [&'a [u8]]) -> Self {
        self.dpop = Lines::Slices(lines);
        self
    }

    /// The `Authorization` field lines.
    #[must_use]
    pub fn authorization_fields(mut self, lines: &'a [&'a [u8]]) -> Self {
        self.authorization = Lines::Slices(lines);
        self
    }

    /// The access token's `cnf.jkt` (from the JWT or introspection); `None` if it has none,
    /// which fails verification (`dpop.token_not_bound`).
    #[must_use]
    pub fn token_jkt(mut self, jkt: Option<&'a str>) -> Self {
        self.token_jkt = jkt;
        self
    }

    /// The access token as presented (the same reader the verifier uses), so the token layer
    /// can validate it and find its `cnf.jkt` before DPoP verification.
    ///
    /// # Errors
    /// [`TokenError`] when `Authorization` is missing, repeated or malformed.
    pub fn presented_token(&self) -> Result<PresentedToken<'a>, TokenError> {
        self.authorization.presented_token()
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
    replay: Replay,
    /// Set in [`NonceMode::RequireSingleUse`]: the nonce's store key and how long to keep it.
    nonce_record: Option<([u8; 32], Duration)>,
}

/// The verifier's replay store: sync ([`DpopVerifier::new`]) or async
/// ([`DpopVerifier::new_async`]).
#[derive(Clone)]
enum Replay {
    Sync(Arc<dyn ReplayStore>),
    Async(Arc<dyn AsyncReplayStore>),
}

/// The store key of a single-use nonce: SHA-256 over a label and the nonce, so it can never be
/// equal to a [`replay_key`] (which starts with a length, never with this label).
fn nonce_key(provider: &CryptoProvider, nonce: &str) -> [u8; 32] {
    const LABEL: &[u8] = b"fapi-profile dpop nonce use\0";
    let mut input = Vec::with_capacity(LABEL.len() + nonce.len());
    input.extend_from_slice(LABEL);
    input.extend_from_slice(nonce.as_bytes());
    provider.sha256(&input)
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
    /// the verified proof. With [`NonceMode::RequireSingleUse`] the nonce is recorded first.
    ///
    /// For a verifier with a sync store ([`DpopVerifier::new`]); in async code use
    /// [`commit_async`](Self::commit_async), which never blocks the executor.
    ///
    /// # Errors
    /// `dpop.replay` if a proof with the same key, `jti`, `htm` and `htu` was committed within
    /// the window; `dpop.nonce_reused` (single-use nonces) if the proof's nonce was used before;
    /// `store.quota_exceeded` (HTTP 429) when this key holds as many live entries
    /// as the store allows one scope; `store.full`, `store.unavailable` and the other `store.*`
    /// codes (HTTP 503) when the store cannot record it; `store.invalid_config` when the
    /// verifier was built with an async store ([`DpopVerifier::new_async`]), which this sync
    /// call cannot await. Every error refuses the request.
    pub fn commit(self) -> Result<VerifiedProof, DpopError> {
        self.commit_scoped(b"jkt", None)
    }

    /// As [`commit`](Self::commit), with the quota counted per client instead of per key:
    /// `client_id` comes from the validated access token. Prefer it when the token layer knows
    /// the client: a client can make new DPoP keys at will, but not new client ids. The replay
    /// key is the same either way.
    ///
    /// # Errors
    /// As [`commit`](Self::commit).
    pub fn commit_for_client(self, client_id: &str) -> Result<VerifiedProof, DpopError> {
        self.commit_scoped(b"client", Some(client_id))
    }

    /// As [`commit`](Self::commit), awaiting the verifier's store: an async store
    /// ([`DpopVerifier::new_async`], e.g. `AsyncRedisReplayStore`) is awaited; a sync store is
    /// called in place (fine for [`crate::store::MemoryReplayStore`], whose only wait is a short
    /// mutex; a sync store doing network I/O would block the executor thread).
    ///
    /// # Errors
    /// As [`commit`](Self::commit), except that both kinds of store are accepted.
    pub async fn commit_async(self) -> Result<VerifiedProof, DpopError> {
        self.commit_scoped_async(b"jkt", None).await
    }

    /// As [`commit_for_client`](Self::commit_for_client), awaiting the verifier's store (see
    /// [`commit_async`](Self::commit_async)).
    ///
    /// # Errors
    /// As [`commit_async`](Self::commit_async).
    pub async fn commit_for_client_async(
        self,
        client_id: &str,
    ) -> Result<VerifiedProof, DpopError> {
        self.commit_scoped_async(b"client", Some(client_id)).await
    }

    /// The scope of the `jti` record: `kind` with `client_id`, or with the proof key's
    /// thumbprint when there is none.
    fn scope(&self, kind: &[u8], client_id: Option<&str>) -> Vec<u8> {
        scope_bytes(kind, client_id.unwrap_or(&self.proof.jkt))
    }

    /// The scope of the nonce record: its own kind in front of the `jti` record's scope, so
    /// nonce records count against a quota of their own.
    fn nonce_scope(scope: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(6 + scope.len());
        out.extend_from_slice(b"nonce\0");
        out.extend_from_slice(scope);
        out
    }

    fn commit_scoped(
        self,
        kind: &[u8],
        client_id: Option<&str>,
    ) -> Result<VerifiedProof, DpopError> {
        let Replay::Sync(store) = &self.replay else {
            return Err(DpopError::Store(StoreError::InvalidConfig));
        };
        let scope = self.scope(kind, client_id);
        if let Some((key, ttl)) = &self.nonce_record {
            let nonce_scope = Self::nonce_scope(&scope);
            self.nonce_outcome(store.check_and_record_scoped(&nonce_scope, key, *ttl))?;
        }
        let recorded = store.check_and_record_scoped(&scope, &self.replay_key, self.ttl);
        self.jti_outcome(recorded)
    }

    async fn commit_scoped_async(
        self,
        kind: &[u8],
        client_id: Option<&str>,
    ) -> Result<VerifiedProof, DpopError> {
        let scope = self.scope(kind, client_id);
        if let Some((key, ttl)) = &self.nonce_record {
            let nonce_scope = Self::nonce_scope(&scope);
            let recorded = match &self.replay {
                Replay::Sync(store) => store.check_and_record_scoped(&nonce_scope, key, *ttl),
                Replay::Async(store) => {
                    store
                        .check_and_record_scoped_async(&nonce_scope, key, *ttl)
                        .await
                }
            };
            self.nonce_outcome(recorded)?;
        }
        let recorded = match &self.replay {
            Replay::Sync(store) => {
                store.check_and_record_scoped(&scope, &self.replay_key, self.ttl)
            }
            Replay::Async(store) => {
                store
                    .check_and_record_scoped_async(&scope, &self.replay_key, self.ttl)
                    .await
            }
        };
        self.jti_outcome(recorded)
    }

    fn nonce_outcome(&self, recorded: Result<bool, StoreError>) -> Result<(), DpopError> {
        match recorded {
            Ok(true) => Ok(()),
            Ok(false) => Err(DpopError::NonceReused {
                jkt: Thumbprint::new(&self.proof.jkt),
            }),
            Err(e) => Err(DpopError::Store(e)),
        }
    }

    fn jti_outcome(self, recorded: Result<bool, StoreError>) -> Result<VerifiedProof, DpopError> {
        match recorded {
            Ok(true) => Ok(self.proof),
            Ok(false) => Err(DpopError::Replay),
            Err(e) => Err(DpopError::Store(e)),
        }
    }
}

/// The FAPI JWS algorithm a key signs DPoP proofs with: its own JWS algorithm, or the JWS name
/// of the same scheme for a key loaded under its RFC 9421 name.
fn dpop_algorithm(alg: Algorithm) -> Result<JwsAlgorithm, DpopBuildError> {
    let jws = match alg {
        Algorithm::Jws(a) => a,
        Algorithm::Ed25519 => JwsAlgorithm::EdDsa,
        Algorithm::EcdsaP256Sha256 => JwsAlgorithm::Es256,
        _ => return Err(DpopBuildError::Algorithm),
    };
    if FAPI_ALGORITHMS.contains(&jws) {
        Ok(jws)
    } else {
        Err(DpopBuildError::Algorithm)
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
    replay: Replay,
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

    /// A verifier with the FAPI defaults and `replay` as its `jti` store (and nonce store, for
    /// [`NonceMode::RequireSingleUse`]). Commit with [`PendingProof::commit`] (or
    /// [`PendingProof::commit_async`]).
    pub fn new(replay: Arc<dyn ReplayStore>) -> Self {
        Self::with_replay(Replay::Sync(replay))
    }

    /// A verifier with the FAPI defaults and the async `replay` store, for services on an
    /// async runtime: commit with [`PendingProof::commit_async`] (the sync
    /// [`PendingProof::commit`] cannot await it and fails closed with `store.invalid_config`).
    /// Verification itself ([`Self::verify`]) stays synchronous: it does no I/O.
    pub fn new_async(replay: Arc<dyn AsyncReplayStore>) -> Self {
        Self::with_replay(Replay::Async(replay))
    }

    fn with_replay(replay: Replay) -> Self {
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
    pub fn challenge(&self, err: &DpopError, now: i64) -> Challenge {
        let nonce = match (self.nonces.validator(), err) {
            (
                Some(v),
                DpopError::NonceRequired { jkt }
                | DpopError::NonceInvalid { jkt }
                | DpopError::NonceReused { jkt },
            ) => v.issue(jkt.as_str(), now),
            _ => None,
        };
        err.challenge(&self.allowed, nonce)
    }

    /// A fresh nonce for the key `jkt` (from [`VerifiedProof::jkt`]) to send in `DPoP-Nonce`
    /// with a successful response (RFC 9449 §8.2), or `None` when nonces are off or none can
    /// be made.
    pub fn next_nonce(&self, jkt: &str, now: i64) -> Option<String> {
        self.nonces.validator().and_then(|v| v.issue(jkt, now))
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
        let token = access_token(req.authorization.presented_token())?;

        // RFC 9449 §4.3 check 1: exactly one DPoP field line.
        let proof = match req.dpop.single() {
            Ok(one) => trim_ows(one),
            Err(0) => return Err(DpopError::Missing),
            Err(count) => return Err(DpopError::Multiple { count }),
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
        match self.nonces.validator() {
            None => {}
            Some(v) => match nonce {
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
            replay_key: replay_key_with(&self.provider, &jkt, jti, htm, htu),
            ttl: Duration::from_secs(Self::replay_ttl_secs(self.max_age, self.max_future)),
            replay: self.replay.clone(),
            nonce_record: match (&self.nonces, nonce) {
                (NonceMode::RequireSingleUse(v), Some(n)) => {
                    Some((nonce_key(&self.provider, n), v.max_validity()))
                }
                _ => None,
            },
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

    fn check_iat(&self, iat: i64, now: i64) -> Result<(), DpopError> {
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
    replay_key_with(&CryptoProvider::default(), jkt, jti, htm, htu)
}

/// [`replay_key`], hashed by `provider` (the verifier's).
pub fn replay_key_with(
    provider: &CryptoProvider,
    jkt: &str,
    jti: &str,
    htm: &str,
    htu: &str,
) -> [u8; 32] {
    let mut input = Vec::with_capacity(jkt.len() + jti.len() + htm.len() + htu.len() + 32);
    for part in [jkt, jti, htm, htu] {
        input.extend_from_slice(&(part.len() as u64).to_be_bytes());
        input.extend_from_slice(part.as_bytes());
    }
    provider.sha256(&input)
}

/// RFC 9449 §7.1 / RFC 9110 §11.4: `Authorization: DPoP 1*SP token68`, scheme
/// case-insensitive.
fn access_token(presented: Result<PresentedToken<'_>, TokenError>) -> Result<&str, DpopError> {
    match presented {
        Ok(p) if p.scheme() == TokenScheme::Dpop => Ok(p.token()),
        Ok(_) => Err(DpopError::Scheme(AuthScheme::Bearer)),
        Err(TokenError::Missing) => Err(DpopError::NoCredentials),
        Err(TokenError::Multiple) => Err(DpopError::AuthorizationMultiple),
        Err(TokenError::UnsupportedScheme) => Err(DpopError::Scheme(AuthScheme::Other)),
        Err(_) => Err(DpopError::AuthorizationMalformed),
    }
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
/// let proof = DpopProofBuilder::with_jwk(&key, &jwk)?
///     .htm("POST")
///     .htu("https://server.example.com/token")
///     .build()?;
/// assert_eq!(proof.split('.').count(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct DpopProofBuilder<'k> {
    key: &'k PrivateKey,
    provider: CryptoProvider,
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
    /// A builder signing with `key` and announcing its public half, derived from the key itself
    /// ([`PrivateKey::public_jwk`]): the pair cannot mismatch.
    ///
    /// The key may be loaded under its JWS name (PS256, ES256, EdDSA, Ed25519) or under the
    /// RFC 9421 name of the same signature scheme (`ed25519` signs as EdDSA,
    /// `ecdsa-p256-sha256` as ES256: the same bytes), so one loaded key serves HTTP signatures
    /// and DPoP alike.
    ///
    /// # Errors
    /// `dpop_build.algorithm` (no FAPI JWS algorithm for the key), `dpop_build.jwk`.
    pub fn new(key: &'k PrivateKey) -> Result<Self, DpopBuildError> {
        let alg = dpop_algorithm(key.algorithm())?;
        let json = key.public_jwk_json().map_err(DpopBuildError::Jwk)?;
        let value = crate::jws::json_object(json.as_bytes(), crate::jws::JwsPart::Header)
            .map(Value::Object)
            .map_err(|_| {
                DpopBuildError::Jwk(KeyError::JwkJson(httpsig_core::keys::JwkJsonError::Syntax))
            })?;
        Ok(Self::from_parts(key, alg, value))
    }

    /// A builder signing with `key` and announcing exactly `public_jwk_json` (for callers that
    /// must send a given JWK text, such as test vectors), which must be the matching public
    /// key. Prefer [`new`](Self::new).
    ///
    /// # Errors
    /// `dpop_build.algorithm`, `dpop_build.jwk`, `dpop_build.jwk_private`,
    /// `dpop_build.key_mismatch` (checked by signing and verifying a probe),
    /// `dpop_build.signing`.
    pub fn with_jwk(key: &'k PrivateKey, public_jwk_json: &[u8]) -> Result<Self, DpopBuildError> {
        let alg = dpop_algorithm(key.algorithm())?;
        let jwk = Jwk::from_json(public_jwk_json).map_err(DpopBuildError::Jwk)?;
        if jwk.is_private() {
            return Err(DpopBuildError::JwkPrivate);
        }
        let public =
            PublicKey::from_jwk(&jwk, Some(Algorithm::Jws(alg))).map_err(DpopBuildError::Jwk)?;
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
        Ok(Self::from_parts(key, alg, value))
    }

    fn from_parts(key: &'k PrivateKey, alg: JwsAlgorithm, jwk: Value) -> Self {
        Self {
            key,
            provider: CryptoProvider::default(),
            alg,
            jwk,
            htm: None,
            htu: None,
            ath: None,
            nonce: None,
            iat: None,
            jti: None,
            extra_header: Map::new(),
            extra_claims: Map::new(),
        }
    }

    /// The crypto provider whose random generator makes the `jti` (default ring; the key
    /// signs with the provider it was loaded with).
    #[must_use]
    pub fn with_provider(mut self, provider: CryptoProvider) -> Self {
        self.provider = provider;
        self
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
                self.provider
                    .random_bytes(&mut r)
                    .map_err(DpopBuildError::Signing)?;
                URL_SAFE_NO_PAD.encode(r)
            }
        };
        let iat = self.iat.unwrap_or_else(httpsig_core::unix_now);
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
