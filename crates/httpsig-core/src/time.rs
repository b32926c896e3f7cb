//! Time, one type for the whole workspace: Unix seconds as `i64`.
//!
//! RFC 9421 `created` and `expires` are RFC 8941 Integers, JWT `iat`/`exp`/`nbf` are JSON
//! numbers of seconds (RFC 7519 §2 NumericDate); both fit `i64`. Every verifier of the
//! workspace — signatures, DPoP proofs, nonces, access tokens — takes `now` as `i64` and can be
//! pinned to a fixed time for tests (`VerifyPolicy::at`, `DpopRequest::new`).

/// The system clock in Unix seconds (0 if the clock is before 1970).
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    #[test]
    fn clock_is_after_this_code_was_written() {
        // 2026-12-01T00:00:00Z.
        assert!(super::unix_now() > 1_796_083_200);
    }
}
