//! Resource-server DPoP nonces (RFC 9449 §8, §9): a validator seam and a stateless,
//! HMAC-protected implementation.
//!
//! A nonce of the form `base64url(random || time)` would let any client mint "server" nonces
//! with whatever time it likes; the value needs integrity. [`HmacNonces`] therefore issues
//!
//! ```text
//! base64url( version (1 byte, 0x01) || issued-at (u64, big-endian seconds)
//!            || 16 random bytes || HMAC-SHA-256(key, label || the 25 bytes before) )
//! ```
//!
//! 57 bytes, 76 base64url characters: only `NQCHAR`s (RFC 9449 §8.1), unpredictable (the
//! random part), and checkable without server state: the tag is verified in constant time
//! (`httpsig-core`'s `HmacKey`), then the age against the lifetime. Because no state is kept,
//! a nonce stays usable until it expires; replay of a whole proof is still caught by the
//! `jti` check. Rotating the secret invalidates all outstanding nonces (clients then receive
//! `use_dpop_nonce` once and retry). Run several servers with the same secret, or give each
//! its own (nonces are then only valid on the server that issued them).

use core::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use httpsig_core::crypto::random_bytes;
use httpsig_core::keys::{HmacKey, KeyError};
use httpsig_core::{SigningKey, VerifyingKey};

/// Checks (and issues) server-provided DPoP nonces.
pub trait NonceValidator: Send + Sync {
    /// True if `nonce` was issued by this server and is still fresh at `now` (Unix seconds).
    fn is_valid(&self, nonce: &str, now: u64) -> bool;

    /// A fresh nonce to send in `DPoP-Nonce`, or `None` if none can be made (e.g. no
    /// randomness); callers then answer without a nonce.
    fn issue(&self, now: u64) -> Option<String>;
}

const VERSION: u8 = 1;
const LABEL: &[u8] = b"fapi-profile dpop nonce v1\0";
const BODY_LEN: usize = 1 + 8 + 16;
const NONCE_LEN: usize = BODY_LEN + 32;
/// base64url length of [`NONCE_LEN`] bytes without padding.
const NONCE_TEXT_LEN: usize = 76;

/// Stateless HMAC-protected nonces (see the module docs for the format).
pub struct HmacNonces {
    key: HmacKey,
    lifetime: u64,
}

impl fmt::Debug for HmacNonces {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacNonces")
            .field("lifetime", &self.lifetime)
            .finish_non_exhaustive()
    }
}

impl HmacNonces {
    /// Nonces MACed with `secret` (at least 32 bytes), valid for `lifetime` after issue.
    ///
    /// # Errors
    /// `key.hmac_too_short` if `secret` is shorter than
    /// [`HmacKey::MIN_SECRET_LEN`].
    pub fn new(secret: &[u8], lifetime: Duration) -> Result<Self, KeyError> {
        Ok(Self {
            key: HmacKey::new(secret)?,
            lifetime: lifetime.as_secs(),
        })
    }

    /// Issues a nonce stamped with `now`.
    ///
    /// # Errors
    /// `key.random` if the random generator fails.
    pub fn issue_at(&self, now: u64) -> Result<String, KeyError> {
        let mut body = [0u8; BODY_LEN];
        let mut random = [0u8; 16];
        random_bytes(&mut random)?;
        body[0] = VERSION;
        body[1..9].copy_from_slice(&now.to_be_bytes());
        body[9..].copy_from_slice(&random);
        let tag = self.key.sign(&Self::mac_input(&body))?;
        let mut out = body.to_vec();
        out.extend_from_slice(&tag);
        Ok(URL_SAFE_NO_PAD.encode(out))
    }

    /// When `nonce` (valid or not) was issued, if its tag verifies.
    fn issued_at(&self, nonce: &str) -> Option<u64> {
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
        self.key.verify(&Self::mac_input(body), tag).ok()?;
        let time: [u8; 8] = body.get(1..9)?.try_into().ok()?;
        Some(u64::from_be_bytes(time))
    }

    /// True if `nonce` is valid but past half its lifetime: send a fresh `DPoP-Nonce` with
    /// the successful response (RFC 9449 §8.2) so the client never hits expiry.
    pub fn needs_refresh(&self, nonce: &str, now: u64) -> bool {
        self.issued_at(nonce)
            .is_none_or(|t| now.saturating_sub(t) > self.lifetime / 2)
    }

    fn mac_input(body: &[u8]) -> Vec<u8> {
        let mut input = Vec::with_capacity(LABEL.len() + body.len());
        input.extend_from_slice(LABEL);
        input.extend_from_slice(body);
        input
    }
}

impl NonceValidator for HmacNonces {
    fn is_valid(&self, nonce: &str, now: u64) -> bool {
        // Issued in the future (by this server's clock) is never valid.
        self.issued_at(nonce)
            .is_some_and(|t| t <= now && now - t <= self.lifetime)
    }

    fn issue(&self, now: u64) -> Option<String> {
        self.issue_at(now).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8; 32] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn issue_validate_expire() {
        let n = HmacNonces::new(SECRET, Duration::from_secs(300)).expect("key");
        let nonce = n.issue_at(1_000).expect("issue");
        assert_eq!(nonce.len(), NONCE_TEXT_LEN);
        // RFC 9449 §8.1: NQCHAR = %x21 / %x23-5B / %x5D-7E.
        assert!(
            nonce
                .bytes()
                .all(|b| b == 0x21 || (0x23..=0x5b).contains(&b) || (0x5d..=0x7e).contains(&b))
        );
        assert!(n.is_valid(&nonce, 1_000));
        assert!(n.is_valid(&nonce, 1_300));
        assert!(!n.is_valid(&nonce, 1_301), "expired");
        assert!(!n.is_valid(&nonce, 999), "issued in the future");
        assert!(!n.needs_refresh(&nonce, 1_150));
        assert!(n.needs_refresh(&nonce, 1_151));
        assert_ne!(nonce, n.issue_at(1_000).expect("issue"), "random part");
    }

    #[test]
    fn forged_or_foreign_nonces_fail() {
        let n = HmacNonces::new(SECRET, Duration::from_secs(300)).expect("key");
        let other = HmacNonces::new(&[7u8; 32], Duration::from_secs(300)).expect("key");
        let nonce = other.issue_at(1_000).expect("issue");
        assert!(!n.is_valid(&nonce, 1_000), "other secret");
        // Change the time without the key: decode, bump, re-encode.
        let good = n.issue_at(1_000).expect("issue");
        let mut raw = URL_SAFE_NO_PAD.decode(&good).expect("b64");
        raw[8] ^= 1;
        assert!(!n.is_valid(&URL_SAFE_NO_PAD.encode(&raw), 1_001));
        for bad in ["", "abc", &good[1..], &format!("{good}A")] {
            assert!(!n.is_valid(bad, 1_000), "{bad:?}");
        }
        assert!(HmacNonces::new(b"short", Duration::from_secs(1)).is_err());
    }
}
