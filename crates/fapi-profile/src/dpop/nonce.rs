//! Resource-server DPoP nonces (RFC 9449 §8, §9): a validator seam and a stateless,
//! HMAC-protected implementation.
//!
//! A nonce of the form `base64url(random || time)` would let any client mint "server" nonces
//! with whatever time it likes; the value needs integrity. [`HmacNonces`] therefore issues
//!
//! ```text
//! base64url( version (1 byte, 0x02) || issued-at (u64, big-endian seconds)
//!            || 16 random bytes
//!            || HMAC-SHA-256(key, label || the 25 bytes before || jkt) )
//! ```
//!
//! 57 bytes, 76 base64url characters: only `NQCHAR`s (RFC 9449 §8.1), unpredictable (the
//! random part), and checkable without server state: the tag is verified in constant time
//! (`httpsig-core`'s `HmacKey`), then the age against the lifetime.
//!
//! - **Bound to the key.** The tag covers the RFC 7638 thumbprint (`jkt`) of the DPoP key the
//!   nonce was issued to, which the proof itself carries: a nonce handed to one client is
//!   refused in another client's proofs, so nonces cannot be collected from one key and spent
//!   with another (the `jkt` is not in the nonce; the verifier supplies it).
//! - **Clock skew.** Servers sharing the secret compare their own clock with the issuer's: a
//!   nonce stamped up to [`HmacNonces::max_skew`] (default 5 s) in the future is accepted, so a
//!   peer running a second ahead does not send the client into a `use_dpop_nonce` loop. The
//!   age limit is the lifetime, counted from the stamp.
//! - **Statelessness.** No state is kept here, so a nonce stays usable until it expires; replay
//!   of a whole proof is still caught by the `jti` check. Where a nonce must be used once
//!   (RFC 9449 §8: the server decides how often a nonce may be used), choose
//!   [`NonceMode::RequireSingleUse`](super::NonceMode::RequireSingleUse): the HMAC still
//!   proves authenticity, age and key binding, and the verifier's replay store records each
//!   nonce at its first use (for [`NonceValidator::max_validity`]), so a second use is refused
//!   with `dpop.nonce_reused` and a fresh nonce, on every instance that shares the secret and
//!   the store. Rotating the secret invalidates all
//!   outstanding nonces (clients then receive `use_dpop_nonce` once and retry). Run several
//!   servers with the same secret, or give each its own (nonces are then only valid on the
//!   server that issued them).
//!
//! Version 1 nonces (no key binding) are refused: a client holding one gets `use_dpop_nonce`
//! and a fresh nonce once.

use core::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use httpsig_core::crypto::CryptoProvider;
use httpsig_core::keys::{HmacKey, KeyError};
use httpsig_core::{SigningKey, VerifyingKey};

/// Checks (and issues) server-provided DPoP nonces, bound to the proof key's thumbprint.
pub trait NonceValidator: Send + Sync {
    /// True if `nonce` was issued by this server (or a peer sharing its secret) for the key
    /// whose RFC 7638 thumbprint is `jkt`, and is still fresh at `now` (Unix seconds).
    fn is_valid(&self, nonce: &str, jkt: &str, now: i64) -> bool;

    /// A fresh nonce for the key `jkt`, to send in `DPoP-Nonce`, or `None` if none can be made
    /// (e.g. no randomness); callers then answer without a nonce.
    fn issue(&self, jkt: &str, now: i64) -> Option<String>;

    /// The longest time a nonce can stay valid after it was first accepted (its lifetime plus
    /// any clock skew allowed), so that a single-use record
    /// ([`NonceMode::RequireSingleUse`](super::NonceMode::RequireSingleUse)) outlives the nonce
    /// it refuses. A record must not expire before the nonce does, so round up; a value of
    /// zero or above [`crate::store::MAX_TTL`] makes every single-use commit fail closed
    /// (`store.invalid_ttl`).
    fn max_validity(&self) -> Duration;
}

const VERSION: u8 = 2;
const LABEL: &[u8] = b"fapi-profile dpop nonce v2\0";
const BODY_LEN: usize = 1 + 8 + 16;
const NONCE_LEN: usize = BODY_LEN + 32;
/// base64url length of [`NONCE_LEN`] bytes without padding.
const NONCE_TEXT_LEN: usize = 76;

/// Stateless HMAC-protected nonces bound to a key thumbprint (see the module docs for the
/// format).
pub struct HmacNonces {
    key: HmacKey,
    provider: CryptoProvider,
    lifetime: u64,
    max_skew: u64,
}

impl fmt::Debug for HmacNonces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacNonces")
            .field("lifetime", &self.lifetime)
            .field("max_skew", &self.max_skew)
            .finish_non_exhaustive()
    }
}

impl HmacNonces {
    /// The accepted clock difference between servers sharing the secret, unless
    /// [`Self::with_max_skew`] sets another.
    pub const DEFAULT_MAX_SKEW: Duration = Duration::from_secs(5);
    /// The largest skew [`Self::with_max_skew`] accepts; larger values are clamped (clocks
    /// further apart than a minute are a fault to fix, not to tolerate).
    pub const MAX_SKEW_CAP: Duration = Duration::from_secs(60);

    /// Nonces MACed with `secret` (at least 32 bytes), valid for `lifetime` after issue, with
    /// [`Self::DEFAULT_MAX_SKEW`].
    ///
    /// # Errors
    /// `key.hmac_too_short` if `secret` is shorter than
    /// [`HmacKey::MIN_SECRET_LEN`].
    pub fn new(secret: &[u8], lifetime: Duration) -> Result<Self, KeyError> {
        Self::new_with(&CryptoProvider::default(), secret, lifetime)
    }

    /// As [`new`](Self::new), with `provider` for the MAC and the random part of each nonce.
    ///
    /// # Errors
    /// As [`new`](Self::new).
    pub fn new_with(
        provider: &CryptoProvider,
        secret: &[u8],
        lifetime: Duration,
    ) -> Result<Self, KeyError> {
        Ok(Self {
            key: HmacKey::new_with(provider, secret)?,
            provider: *provider,
            lifetime: lifetime.as_secs(),
            max_skew: Self::DEFAULT_MAX_SKEW.as_secs(),
        })
    }

    /// Accepts nonces stamped up to `skew` ahead of this server's clock (whole seconds,
    /// clamped to [`Self::MAX_SKEW_CAP`]).
    #[must_use]
    pub fn with_max_skew(mut self, skew: Duration) -> Self {
        self.max_skew = skew.min(Self::MAX_SKEW_CAP).as_secs();
        self
    }

    /// The accepted clock skew, in whole seconds.
    pub fn max_skew(&self) -> Duration {
        Duration::from_secs(self.max_skew)
    }

    /// Issues a nonce for the key `jkt`, stamped with `now`.
    ///
    /// # Errors
    /// `key.random` if the random generator fails.
    pub fn issue_at(&self, jkt: &str, now: i64) -> Result<String, KeyError> {
        // A clock before 1970 stamps 0: such a nonce is simply expired, never accepted early.
        let now = u64::try_from(now).unwrap_or(0);
        let mut body = [0u8; BODY_LEN];
        let mut random = [0u8; 16];
        self.provider.random_bytes(&mut random)?;
        body[0] = VERSION;
        body[1..9].copy_from_slice(&now.to_be_bytes());
        body[9..].copy_from_slice(&random);
        let tag = self.key.sign(&Self::mac_input(&body, jkt))?;
        let mut out = body.to_vec();
        out.extend_from_slice(&tag);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    /// When `nonce` (valid or not) was issued, if its tag verifies for `jkt`.
    fn issued_at(&self, nonce: &str, jkt: &str) -> Option<u64> {
        if nonce.len() != NONCE_TEXT_LEN {
            return None;
        }
        let raw = URL_SAFE_NO_PAD.decode(nonce).ok()?;
        if raw.len() != NONCE_LEN {
            return None;
        }
        let (body, tag) = raw.split_at(BODY_LEN);
        if body.first() != Some(&VERSION) {
            return None;
        }
        self.key.verify(&Self::mac_input(body, jkt), tag).ok()?;
        let time: [u8; 8] = body.get(1..9)?.try_into().ok()?;
        Some(u64::from_be_bytes(time))
    }

    /// True if `nonce` is not a valid nonce for `jkt`, or is past half its lifetime: send a
    /// fresh `DPoP-Nonce` with the successful response (RFC 9449 §8.2) so the client never
    /// hits expiry.
    pub fn needs_refresh(&self, nonce: &str, jkt: &str, now: i64) -> bool {
        let Ok(now) = u64::try_from(now) else {
            return true;
        };
        self.issued_at(nonce, jkt)
            .is_none_or(|t| now.saturating_sub(t) > self.lifetime / 2)
    }

    /// The MAC input: label, body, then the thumbprint (its length first, so no byte moves
    /// between body and thumbprint; the body has a fixed length anyway).
    fn mac_input(body: &[u8], jkt: &str) -> Vec<u8> {
        let mut input = Vec::with_capacity(LABEL.len() + body.len() + 8 + jkt.len());
        input.extend_from_slice(LABEL);
        input.extend_from_slice(body);
        input.extend_from_slice(&(jkt.len() as u64).to_be_bytes());
        input.extend_from_slice(jkt.as_bytes());
        input
    }
}

impl NonceValidator for HmacNonces {
    fn is_valid(&self, nonce: &str, jkt: &str, now: i64) -> bool {
        // A clock before 1970 validates nothing (fail closed).
        let Ok(now) = u64::try_from(now) else {
            return false;
        };
        // Stamped at most `max_skew` ahead of this server's clock (a peer's clock may run
        // ahead); at most `lifetime` old.
        self.issued_at(nonce, jkt).is_some_and(|t| {
            t <= now.saturating_add(self.max_skew) && now.saturating_sub(t) <= self.lifetime
        })
    }

    fn issue(&self, jkt: &str, now: i64) -> Option<String> {
        self.issue_at(jkt, now).ok()
    }

    /// The lifetime, plus the skew (a peer's nonce may be stamped that far ahead), plus one
    /// second for the whole-second clock.
    fn max_validity(&self) -> Duration {
        Duration::from_secs(
            self.lifetime
                .saturating_add(self.max_skew)
                .saturating_add(1),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
    /// RFC 9449 §6.1 and RFC 7638 thumbprints: two different keys.
    const JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";
    const OTHER: &str = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    #[test]
    fn issue_validate_expire() {
        let n = HmacNonces::new(SECRET, Duration::from_secs(300)).expect("key");
        let nonce = n.issue_at(JKT, 1_000).expect("issue");
        assert_eq!(nonce.len(), NONCE_TEXT_LEN);
        // RFC 9449 §8.1: NQCHAR = %x21 / %x23-5B / %x5D-7E.
        assert!(
            nonce
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
        );
        // (now, valid?) with lifetime 300 s and the default 5 s skew.
        for (now, ok) in [
            (1_000, true),
            (1_300, true),
            (1_301, false), // expired
            (995, true),    // issued by a peer up to 5 s ahead
            (994, false),   // 6 s ahead: beyond the skew
            (0, false),
        ] {
            assert_eq!(n.is_valid(&nonce, JKT, now), ok, "now {now}");
        }
        assert!(!n.needs_refresh(&nonce, JKT, 1_150));
        assert!(n.needs_refresh(&nonce, JKT, 1_151));
        assert!(
            n.needs_refresh(&nonce, OTHER, 1_000),
            "not this key's nonce"
        );
        assert_ne!(nonce, n.issue_at(JKT, 1_000).expect("issue"), "random part");
        // Valid from 995 (skew) to 1_300: a record made at 995 must last until after 1_300.
        assert_eq!(n.max_validity(), Duration::from_secs(306));
    }

    #[test]
    fn skew_is_configurable_and_capped() {
        let n = HmacNonces::new(SECRET, Duration::from_secs(300)).expect("key");
        let nonce = n.issue_at(JKT, 1_000).expect("issue");
        let strict = HmacNonces::new(SECRET, Duration::from_secs(300))
            .expect("key")
            .with_max_skew(Duration::ZERO);
        assert!(strict.is_valid(&nonce, JKT, 1_000));
        assert!(!strict.is_valid(&nonce, JKT, 999), "1 s ahead, no skew");
        let wide = HmacNonces::new(SECRET, Duration::from_secs(300))
            .expect("key")
            .with_max_skew(Duration::from_secs(3600));
        assert_eq!(wide.max_skew(), HmacNonces::MAX_SKEW_CAP);
        assert!(wide.is_valid(&nonce, JKT, 940));
        assert!(!wide.is_valid(&nonce, JKT, 939));
        // A stamp near i64::MAX neither overflows nor validates.
        let late = n.issue_at(JKT, i64::MAX).expect("issue");
        assert!(!n.is_valid(&late, JKT, 1_000));
        assert!(n.is_valid(&late, JKT, i64::MAX));
    }

    #[test]
    fn forged_foreign_or_other_key_nonces_fail() {
        let n = HmacNonces::new(SECRET, Duration::from_secs(300)).expect("key");
        let other = HmacNonces::new(&[7u8; 32], Duration::from_secs(300)).expect("key");
        let nonce = other.issue_at(JKT, 1_000).expect("issue");
        assert!(!n.is_valid(&nonce, JKT, 1_000), "other secret");
        let good = n.issue_at(JKT, 1_000).expect("issue");
        assert!(n.is_valid(&good, JKT, 1_000));
        assert!(!n.is_valid(&good, OTHER, 1_000), "issued to another key");
        assert!(!n.is_valid(&good, "", 1_000), "no key");
        // Change the time without the key: decode, bump, re-encode.
        let mut raw = URL_SAFE_NO_PAD.decode(&good).expect("b64");
        raw[8] ^= 1;
        assert!(!n.is_valid(&URL_SAFE_NO_PAD.encode(&raw), JKT, 1_001));
        // The version byte is covered by the tag: a nonce relabelled as version 1 fails.
        let mut v1 = raw.clone();
        v1[8] ^= 1;
        v1[0] = 1;
        assert!(!n.is_valid(&URL_SAFE_NO_PAD.encode(&v1), JKT, 1_000));
        for bad in ["", "abc", &good[1..], &format!("{good}A")] {
            assert!(!n.is_valid(bad, JKT, 1_000), "{bad:?}");
        }
        assert!(HmacNonces::new(b"short", Duration::from_secs(1)).is_err());
    }
}
