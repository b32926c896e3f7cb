//! Ed25519 public keys that must never be loaded: small-order points and non-canonical
//! encodings.
//!
//! RFC 8032 §5.1.7 verification is cofactorless in `ring` (`[S]B = R + [k]A`). For a public key
//! `A` of small order (1, 2, 4 or 8) the signature `R = identity, S = 0` satisfies the equation
//! whenever `[k]A` is the identity: for every message when `A` is the identity, for a fraction
//! of messages otherwise (grind any free field, such as a DPoP `jti`, until `k` is a multiple of
//! `A`'s order). A key like that lets anyone "sign" without a private key, so it is refused where
//! a public key is loaded, before it can vouch for anything. Non-canonical encodings (y ≥ p, or
//! the sign bit set on a point whose x is 0) are refused as well: the same point has a second
//! spelling, which breaks thumbprint and key-id equality, and RFC 8032 §5.1.3 decoding fails on
//! them.
//!
//! The list is the one libsodium and the "Taming the many EdDSAs" survey (Chalkias et al., 2020)
//! use: the y-coordinates of the small-order points, with the sign bit masked off, including
//! their non-canonical spellings `p` and `p + 1`. This module is backend-neutral; no crypto
//! backend is asked.

use crate::key_error::{KeyError, WeakEd25519};

/// Encodings (sign bit cleared) of the small-order points of edwards25519 and of their
/// non-canonical spellings.
const SMALL_ORDER: [[u8; 32]; 7] = [
    // y = 0: the two points of order 4, (±sqrt(-1), 0).
    [0; 32],
    // y = 1: the identity (order 1).
    {
        let mut y = [0; 32];
        y[0] = 1;
        y
    },
    // The two y-coordinates of the four points of order 8.
    [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ],
    [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ],
    // y = p − 1: the point of order 2, (0, −1).
    p_plus(-1),
    // y = p, a non-canonical spelling of y = 0.
    p_plus(0),
    // y = p + 1, a non-canonical spelling of y = 1.
    p_plus(1),
];

/// The little-endian encoding of `p + delta` (p = 2^255 − 19) for a small `delta`.
const fn p_plus(delta: i8) -> [u8; 32] {
    let mut y = [0xff; 32];
    y[31] = 0x7f;
    // p = 2^255 − 19: the low byte is 0xed, every other byte 0xff but the top one (0x7f).
    y[0] = (0xed_i16 + delta as i16) as u8;
    y
}

/// Checks a 32-byte Ed25519 public key before it is loaded.
///
/// # Errors
/// [`KeyError::WeakEd25519`] with [`WeakEd25519::SmallOrder`] for a point of order 1, 2, 4 or 8
/// in any spelling, and [`WeakEd25519::NonCanonical`] for any other encoding whose y is not
/// reduced modulo p.
pub(crate) fn check_public(key: &[u8]) -> Result<(), KeyError> {
    let Ok(key) = <&[u8; 32]>::try_from(key) else {
        return Err(KeyError::WeakEd25519(WeakEd25519::NonCanonical));
    };
    let mut y = *key;
    y[31] &= 0x7f;
    if SMALL_ORDER.contains(&y) {
        return Err(KeyError::WeakEd25519(WeakEd25519::SmallOrder));
    }
    // y ≥ p: little-endian, top byte 0x7f, bytes 30..1 all 0xff, low byte ≥ 0xed.
    if y[31] == 0x7f && y[1..31].iter().all(|&b| b == 0xff) && y[0] >= 0xed {
        return Err(KeyError::WeakEd25519(WeakEd25519::NonCanonical));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex32(s: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
        }
        out
    }

    #[test]
    fn p_spellings() {
        // p = 2^255 - 19, little-endian.
        assert_eq!(
            p_plus(0),
            hex32("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
        );
        assert_eq!(p_plus(-1)[0], 0xec);
        assert_eq!(p_plus(1)[0], 0xee);
    }

    #[test]
    fn refusals_and_acceptances() {
        let small = WeakEd25519::SmallOrder;
        let nc = WeakEd25519::NonCanonical;
        let cases: &[(&str, Option<WeakEd25519>)] = &[
            // RFC 9421 B.1.4 test-key-ed25519 and RFC 8032 §7.1 TEST 1: ordinary keys.
            (
                "26b40b8f93fff3d897112f7ebc582b232dbd72517d082fe83cfb30ddce43d1bb",
                None,
            ),
            (
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
                None,
            ),
            // Identity, and with the sign bit set (x = 0 cannot be negative: non-canonical).
            (
                "0100000000000000000000000000000000000000000000000000000000000000",
                Some(small),
            ),
            (
                "0100000000000000000000000000000000000000000000000000000000000080",
                Some(small),
            ),
            // Order 4 (y = 0), both signs.
            (
                "0000000000000000000000000000000000000000000000000000000000000000",
                Some(small),
            ),
            (
                "0000000000000000000000000000000000000000000000000000000000000080",
                Some(small),
            ),
            // Order 8, four points.
            (
                "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
                Some(small),
            ),
            (
                "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
                Some(small),
            ),
            (
                "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
                Some(small),
            ),
            (
                "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
                Some(small),
            ),
            // Order 2 (y = p - 1), and with the sign bit.
            (
                "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                Some(small),
            ),
            (
                "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                Some(small),
            ),
            // y = p and y = p + 1: non-canonical spellings of small-order points.
            (
                "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                Some(small),
            ),
            (
                "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                Some(small),
            ),
            (
                "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                Some(small),
            ),
            (
                "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                Some(small),
            ),
            // Other y >= p: non-canonical.
            (
                "efffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                Some(nc),
            ),
            (
                "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                Some(nc),
            ),
            (
                "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
                Some(nc),
            ),
            // y = p - 2: canonical (whether on the curve is the backend's business).
            (
                "ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
                None,
            ),
        ];
        for (hex, want) in cases {
            let got = check_public(&hex32(hex)).err();
            assert_eq!(got, want.map(KeyError::WeakEd25519), "{hex}");
        }
        assert_eq!(
            check_public(&[1; 31]),
            Err(KeyError::WeakEd25519(WeakEd25519::NonCanonical))
        );
    }
}
