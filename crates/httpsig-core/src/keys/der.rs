//! A minimal DER reader: just enough to look inside the key containers the crypto backend
//! cannot take as-is (PKCS#8 with the RSASSA-PSS OID, SEC1, SPKI algorithm detection,
//! PKCS#1 public keys). It never interprets key values beyond sizes; the backend validates
//! the keys themselves.
//!
//! X.690 §8.1 (TLV), §10.1 (definite, minimal lengths). Every access uses `get()`.

use crate::key_error::{DerError, KeyError, UnsupportedKey};

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const NULL: u8 = 0x05;
const OID: u8 = 0x06;
const CONTEXT_0: u8 = 0xa0;
const CONTEXT_1: u8 = 0xa1;
/// `[1] IMPLICIT BIT STRING` (RFC 5958 §2 publicKey): primitive.
const CONTEXT_1_PRIMITIVE: u8 = 0x81;

/// rsaEncryption, 1.2.840.113549.1.1.1 (RFC 8017 Appendix C).
const OID_RSA_ENCRYPTION: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
/// id-RSASSA-PSS, 1.2.840.113549.1.1.10 (RFC 4055 §3.1).
const OID_RSASSA_PSS: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a];
/// id-ecPublicKey, 1.2.840.10045.2.1 (RFC 5480 §2.1.1).
const OID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
/// secp256r1, 1.2.840.10045.3.1.7 (RFC 5480 §2.1.1.1).
const OID_P256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// secp384r1, 1.3.132.0.34 (RFC 5480 §2.1.1.1).
const OID_P384: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];
/// id-Ed25519, 1.3.101.112 (RFC 8410 §3).
const OID_ED25519: &[u8] = &[0x2b, 0x65, 0x70];

/// A cursor over DER bytes.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Self { rest: input }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn peek_tag(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    /// Reads one TLV and returns (tag, value). X.690 §8.1.2–§8.1.3, DER §10.1.
    pub(crate) fn read_any(&mut self) -> Result<(u8, &'a [u8]), DerError> {
        let tag = *self.rest.first().ok_or(DerError::Malformed)?;
        if tag & 0x1f == 0x1f {
            // High tag numbers never occur in the structures we read.
            return Err(DerError::Malformed);
        }
        let first = *self.rest.get(1).ok_or(DerError::Malformed)?;
        let (len, header) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let n = usize::from(first & 0x7f);
            // 0x80 is the indefinite form (not DER); keys never need more than 3 length bytes.
            if n == 0 || n > 3 {
                return Err(DerError::Malformed);
            }
            let bytes = self.rest.get(2..2 + n).ok_or(DerError::Malformed)?;
            let mut len = 0usize;
            for b in bytes {
                len = (len << 8) | usize::from(*b);
            }
            // DER: the shortest form. No leading zero byte, and long form only for >= 128.
            if bytes.first() == Some(&0) || len < 0x80 {
                return Err(DerError::Malformed);
            }
            (len, 2 + n)
        };
        let end = header.checked_add(len).ok_or(DerError::Malformed)?;
        let value = self.rest.get(header..end).ok_or(DerError::Malformed)?;
        self.rest = self.rest.get(end..).ok_or(DerError::Malformed)?;
        Ok((tag, value))
    }

    /// Reads one TLV that must have `tag`.
    pub(crate) fn read(&mut self, tag: u8) -> Result<&'a [u8], DerError> {
        match self.read_any()? {
            (t, value) if t == tag => Ok(value),
            _ => Err(DerError::Malformed),
        }
    }

    /// Reads a TLV with `tag` if the next one has it.
    fn read_optional(&mut self, tag: u8) -> Result<Option<&'a [u8]>, DerError> {
        if self.peek_tag() == Some(tag) {
            self.read(tag).map(Some)
        } else {
            Ok(None)
        }
    }

    fn finish(&self) -> Result<(), DerError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(DerError::TrailingData)
        }
    }
}

/// Reads exactly one TLV with `tag` filling all of `input`, and returns its value.
fn single(input: &[u8], tag: u8) -> Result<&[u8], DerError> {
    let mut r = Reader::new(input);
    let value = r.read(tag)?;
    r.finish()?;
    Ok(value)
}

/// The content of a non-negative INTEGER without its sign padding. X.690 §8.3.
fn unsigned_integer(value: &[u8]) -> Result<&[u8], DerError> {
    match value {
        [] => Err(DerError::Malformed),
        // Negative numbers have no place in keys.
        [first, ..] if first & 0x80 != 0 => Err(DerError::Malformed),
        [0, rest @ ..] if !rest.is_empty() => {
            // Minimal encoding: a leading zero only when the next byte has its top bit set.
            match rest.first() {
                Some(b) if b & 0x80 != 0 => Ok(rest),
                _ => Err(DerError::Malformed),
            }
        }
        v => Ok(v),
    }
}

/// The size in bits of a big-endian unsigned integer without leading zeros.
pub(crate) fn bit_len(be: &[u8]) -> usize {
    let be = strip_leading_zeros(be);
    match be.first() {
        None => 0,
        Some(first) => (be.len() - 1) * 8 + (8 - first.leading_zeros() as usize),
    }
}

fn strip_leading_zeros(mut be: &[u8]) -> &[u8] {
    while let [0, rest @ ..] = be {
        be = rest;
    }
    be
}

/// The algorithm a key container names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeyAlgorithm {
    /// rsaEncryption: usable for PSS and PKCS#1 v1.5.
    Rsa,
    /// id-RSASSA-PSS without parameters: PSS only.
    RsaPss,
    EcP256,
    EcP384,
    Ed25519,
}

/// AlgorithmIdentifier (RFC 5280 §4.1.1.2) → what we support.
fn algorithm_identifier(value: &[u8]) -> Result<KeyAlgorithm, KeyError> {
    let mut r = Reader::new(value);
    let oid = r.read(OID).map_err(KeyError::Der)?;
    let alg = if oid == OID_RSA_ENCRYPTION {
        // RFC 8017 Appendix C: parameters NULL. Absent parameters are tolerated.
        if !r.is_empty() {
            let params = r.read(NULL).map_err(KeyError::Der)?;
            if !params.is_empty() {
                return Err(KeyError::Der(DerError::Malformed));
            }
        }
        KeyAlgorithm::Rsa
    } else if oid == OID_RSASSA_PSS {
        // RFC 4055 §3.1: absent parameters = "any PSS parameters"; present ones restrict
        // hash and salt, which we do not evaluate.
        if !r.is_empty() {
            return Err(KeyError::UnsupportedKey(UnsupportedKey::PssParameters));
        }
        KeyAlgorithm::RsaPss
    } else if oid == OID_EC_PUBLIC_KEY {
        // RFC 5480 §2.1.1: namedCurve only.
        let curve = r
            .read_optional(OID)
            .map_err(KeyError::Der)?
            .ok_or(KeyError::UnsupportedKey(UnsupportedKey::Curve))?;
        curve_from_oid(curve)?
    } else if oid == OID_ED25519 {
        // RFC 8410 §3: parameters MUST be absent.
        KeyAlgorithm::Ed25519
    } else {
        return Err(KeyError::UnsupportedKey(UnsupportedKey::AlgorithmOid));
    };
    r.finish().map_err(KeyError::Der)?;
    Ok(alg)
}

fn curve_from_oid(oid: &[u8]) -> Result<KeyAlgorithm, KeyError> {
    if oid == OID_P256 {
        Ok(KeyAlgorithm::EcP256)
    } else if oid == OID_P384 {
        Ok(KeyAlgorithm::EcP384)
    } else {
        Err(KeyError::UnsupportedKey(UnsupportedKey::Curve))
    }
}

/// A parsed PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208 §5, RFC 5958 §2).
#[derive(Debug)]
pub(crate) struct Pkcs8<'a> {
    pub(crate) algorithm: KeyAlgorithm,
    /// The `privateKey` OCTET STRING content (for RSA: a PKCS#1 RSAPrivateKey).
    pub(crate) private_key: &'a [u8],
}

pub(crate) fn parse_pkcs8(der: &[u8]) -> Result<Pkcs8<'_>, KeyError> {
    let body = single(der, SEQUENCE).map_err(KeyError::Der)?;
    let mut r = Reader::new(body);
    let version = r.read(INTEGER).map_err(KeyError::Der)?;
    // v1 (0) or v2 (1).
    if version != [0] && version != [1] {
        return Err(KeyError::Der(DerError::Version));
    }
    let algorithm = algorithm_identifier(r.read(SEQUENCE).map_err(KeyError::Der)?)?;
    let private_key = r.read(OCTET_STRING).map_err(KeyError::Der)?;
    // attributes [0] and publicKey [1] may follow; the backend checks the public key where
    // it matters, so only their framing is checked here.
    r.read_optional(CONTEXT_0).map_err(KeyError::Der)?;
    r.read_optional(CONTEXT_1_PRIMITIVE)
        .map_err(KeyError::Der)?;
    r.finish().map_err(KeyError::Der)?;
    Ok(Pkcs8 {
        algorithm,
        private_key,
    })
}

/// The sizes in bits of the modulus and the two primes of a PKCS#1 RSAPrivateKey (RFC 8017
/// Appendix A.1.2: version, n, e, d, p, q, ...). The rest is left to the provider.
pub(crate) fn rsa_private_sizes(der: &[u8]) -> Result<(usize, usize, usize), KeyError> {
    let body = single(der, SEQUENCE).map_err(KeyError::Der)?;
    let mut r = Reader::new(body);
    let mut next = || -> Result<&[u8], KeyError> {
        unsigned_integer(r.read(INTEGER).map_err(KeyError::Der)?).map_err(KeyError::Der)
    };
    let _version = next()?;
    let n = next()?;
    let _e = next()?;
    let _d = next()?;
    let p = next()?;
    let q = next()?;
    Ok((bit_len(n), bit_len(p), bit_len(q)))
}

/// A parsed SEC1 ECPrivateKey (RFC 5915 §3).
#[derive(Debug)]
pub(crate) struct Sec1<'a> {
    pub(crate) curve: KeyAlgorithm,
    pub(crate) private_key: &'a [u8],
    /// Uncompressed point `04||x||y`.
    pub(crate) public_key: &'a [u8],
}

pub(crate) fn parse_sec1(der: &[u8]) -> Result<Sec1<'_>, KeyError> {
    let body = single(der, SEQUENCE).map_err(KeyError::Der)?;
    let mut r = Reader::new(body);
    if r.read(INTEGER).map_err(KeyError::Der)? != [1] {
        return Err(KeyError::Der(DerError::Version));
    }
    let private_key = r.read(OCTET_STRING).map_err(KeyError::Der)?;
    let params = r.read_optional(CONTEXT_0).map_err(KeyError::Der)?;
    let public = r.read_optional(CONTEXT_1).map_err(KeyError::Der)?;
    r.finish().map_err(KeyError::Der)?;
    let (Some(params), Some(public)) = (params, public) else {
        return Err(KeyError::UnsupportedKey(UnsupportedKey::EcIncomplete));
    };
    let curve_oid =
        single(params, OID).map_err(|_| KeyError::UnsupportedKey(UnsupportedKey::Curve))?;
    let curve = curve_from_oid(curve_oid)?;
    let public_key = bit_string_bytes(single(public, BIT_STRING).map_err(KeyError::Der)?)?;
    Ok(Sec1 {
        curve,
        private_key,
        public_key,
    })
}

/// BIT STRING content with no unused bits → the bytes. X.690 §8.6.2.
fn bit_string_bytes(value: &[u8]) -> Result<&[u8], KeyError> {
    match value.split_first() {
        Some((0, bytes)) => Ok(bytes),
        _ => Err(KeyError::Der(DerError::Malformed)),
    }
}

/// A parsed SubjectPublicKeyInfo (RFC 5280 §4.1.2.7).
#[derive(Debug)]
pub(crate) struct Spki<'a> {
    pub(crate) algorithm: KeyAlgorithm,
    /// RSA: a PKCS#1 RSAPublicKey; EC: `04||x||y`; Ed25519: the 32-byte key.
    pub(crate) key: &'a [u8],
}

pub(crate) fn parse_spki(der: &[u8]) -> Result<Spki<'_>, KeyError> {
    let body = single(der, SEQUENCE).map_err(KeyError::Der)?;
    let mut r = Reader::new(body);
    let algorithm = algorithm_identifier(r.read(SEQUENCE).map_err(KeyError::Der)?)?;
    let key = bit_string_bytes(r.read(BIT_STRING).map_err(KeyError::Der)?)?;
    r.finish().map_err(KeyError::Der)?;
    Ok(Spki { algorithm, key })
}

/// A PKCS#1 RSAPublicKey (RFC 8017 Appendix A.1.1) → (n, e) without sign padding.
pub(crate) fn parse_rsa_public_key(der: &[u8]) -> Result<(&[u8], &[u8]), KeyError> {
    let body = single(der, SEQUENCE).map_err(KeyError::Der)?;
    let mut r = Reader::new(body);
    let n = unsigned_integer(r.read(INTEGER).map_err(KeyError::Der)?).map_err(KeyError::Der)?;
    let e = unsigned_integer(r.read(INTEGER).map_err(KeyError::Der)?).map_err(KeyError::Der)?;
    r.finish().map_err(KeyError::Der)?;
    Ok((n, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_short_long_and_rejected_forms() {
        // (input, expected (tag, value) or error)
        let ok: &[(&[u8], u8, &[u8])] = &[
            (&[0x04, 0x00], 0x04, &[]),
            (&[0x04, 0x02, 0xaa, 0xbb], 0x04, &[0xaa, 0xbb]),
        ];
        for (input, tag, value) in ok {
            let mut r = Reader::new(input);
            assert_eq!(r.read_any(), Ok((*tag, *value)));
            assert!(r.is_empty());
        }
        let mut long = vec![0x04, 0x81, 0x80];
        long.extend(std::iter::repeat_n(7u8, 0x80));
        assert_eq!(
            Reader::new(&long).read_any().map(|(_, v)| v.len()),
            Ok(0x80)
        );

        let bad: &[&[u8]] = &[
            &[],                                // nothing
            &[0x04],                            // no length
            &[0x04, 0x03, 0x00],                // truncated value
            &[0x04, 0x80],                      // indefinite length
            &[0x04, 0x81, 0x05, 0, 0, 0, 0, 0], // long form for a short length
            &[0x04, 0x82, 0x00, 0x80],          // leading zero length byte
            &[0x04, 0x84, 1, 0, 0, 0],          // more than 3 length bytes
            &[0x1f, 0x01, 0x00],                // high tag number
        ];
        for input in bad {
            assert_eq!(
                Reader::new(input).read_any(),
                Err(DerError::Malformed),
                "{input:02x?}"
            );
        }
    }

    #[test]
    fn integers_must_be_minimal_and_non_negative() {
        assert_eq!(unsigned_integer(&[0x01]), Ok(&[0x01][..]));
        assert_eq!(unsigned_integer(&[0x00]), Ok(&[0x00][..]));
        assert_eq!(unsigned_integer(&[0x00, 0x80]), Ok(&[0x80][..]));
        assert_eq!(unsigned_integer(&[0x00, 0x7f]), Err(DerError::Malformed));
        assert_eq!(unsigned_integer(&[0x80]), Err(DerError::Malformed));
        assert_eq!(unsigned_integer(&[]), Err(DerError::Malformed));
    }

    #[test]
    fn bit_lengths() {
        assert_eq!(bit_len(&[]), 0);
        assert_eq!(bit_len(&[0, 0]), 0);
        assert_eq!(bit_len(&[1]), 1);
        assert_eq!(bit_len(&[0, 0x80, 0]), 16);
        assert_eq!(bit_len(&[0x7f, 0, 0]), 23);
    }

    #[test]
    fn trailing_data_is_rejected() {
        assert_eq!(
            single(&[0x05, 0x00, 0x00], NULL),
            Err(DerError::TrailingData)
        );
        assert_eq!(single(&[0x05, 0x00], NULL), Ok(&[][..]));
        assert_eq!(single(&[0x04, 0x00], NULL), Err(DerError::Malformed));
    }

    #[test]
    fn algorithm_identifiers() {
        // SEQUENCE contents only.
        let rsa = [&[0x06, 0x09][..], OID_RSA_ENCRYPTION, &[0x05, 0x00]].concat();
        assert_eq!(algorithm_identifier(&rsa), Ok(KeyAlgorithm::Rsa));
        let pss = [&[0x06, 0x09][..], OID_RSASSA_PSS].concat();
        assert_eq!(algorithm_identifier(&pss), Ok(KeyAlgorithm::RsaPss));
        let pss_params = [&[0x06, 0x09][..], OID_RSASSA_PSS, &[0x30, 0x00]].concat();
        assert_eq!(
            algorithm_identifier(&pss_params),
            Err(KeyError::UnsupportedKey(UnsupportedKey::PssParameters))
        );
        let ec = [
            &[0x06, 0x07][..],
            OID_EC_PUBLIC_KEY,
            &[0x06, 0x05],
            OID_P384,
        ]
        .concat();
        assert_eq!(algorithm_identifier(&ec), Ok(KeyAlgorithm::EcP384));
        // secp521r1, 1.3.132.0.35
        let p521 = [
            &[0x06, 0x07][..],
            OID_EC_PUBLIC_KEY,
            &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23],
        ]
        .concat();
        assert_eq!(
            algorithm_identifier(&p521),
            Err(KeyError::UnsupportedKey(UnsupportedKey::Curve))
        );
        let ec_no_curve = [&[0x06, 0x07][..], OID_EC_PUBLIC_KEY].concat();
        assert_eq!(
            algorithm_identifier(&ec_no_curve),
            Err(KeyError::UnsupportedKey(UnsupportedKey::Curve))
        );
        let ed = [&[0x06, 0x03][..], OID_ED25519].concat();
        assert_eq!(algorithm_identifier(&ed), Ok(KeyAlgorithm::Ed25519));
        let ed_params = [&[0x06, 0x03][..], OID_ED25519, &[0x05, 0x00]].concat();
        assert_eq!(
            algorithm_identifier(&ed_params),
            Err(KeyError::Der(DerError::TrailingData))
        );
        // Ed448, 1.3.101.113
        let ed448 = [0x06, 0x03, 0x2b, 0x65, 0x71];
        assert_eq!(
            algorithm_identifier(&ed448),
            Err(KeyError::UnsupportedKey(UnsupportedKey::AlgorithmOid))
        );
    }

    #[test]
    fn truncations_of_a_pkcs8_never_panic() {
        // RFC 9421 B.1.4 Ed25519 PKCS#8 (decoded from its PEM).
        let der: [u8; 48] = [
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20, 0x9f, 0x83, 0x62, 0xf8, 0x7a, 0x48, 0x4a, 0x95, 0x4e, 0x6e, 0x74, 0x0c,
            0x5b, 0x4c, 0x0e, 0x84, 0x22, 0x91, 0x39, 0xa2, 0x0a, 0xa8, 0xab, 0x56, 0xff, 0x66,
            0x58, 0x6f, 0x6a, 0x7d, 0x29, 0xc5,
        ];
        let parsed = parse_pkcs8(&der).expect("RFC key parses");
        assert_eq!(parsed.algorithm, KeyAlgorithm::Ed25519);
        assert_eq!(parsed.private_key.len(), 34);
        for cut in 0..der.len() {
            assert!(
                parse_pkcs8(der.get(..cut).unwrap_or_default()).is_err(),
                "cut {cut}"
            );
        }
    }
}
