//! PEM sections → DER (RFC 7468), using rustls-pki-types' parser.
//!
//! The one label it does not know, `RSA PUBLIC KEY` (PKCS#1, as RFC 9421 B.1.1 prints
//! `test-key-rsa`), is read here by finding its BEGIN/END lines and base64-decoding the body.

use base64::Engine as _;
use rustls_pki_types::pem::{self, PemObject as _, SectionKind};

use crate::key_error::{KeyError, PemError, PemLabel};

/// The DER of a private key section, by container.
pub(crate) enum PrivateDer {
    /// `PRIVATE KEY`: PKCS#8 (RFC 5208 / RFC 5958).
    Pkcs8(Vec<u8>),
    /// `RSA PRIVATE KEY`: PKCS#1 RSAPrivateKey.
    Pkcs1(Vec<u8>),
    /// `EC PRIVATE KEY`: SEC1 ECPrivateKey (RFC 5915).
    Sec1(Vec<u8>),
}

/// The DER of a public key section.
pub(crate) enum PublicDer {
    /// `PUBLIC KEY`: SubjectPublicKeyInfo.
    Spki(Vec<u8>),
    /// `RSA PUBLIC KEY`: PKCS#1 RSAPublicKey.
    Pkcs1(Vec<u8>),
}

fn pem_error(e: &pem::Error) -> KeyError {
    KeyError::Pem(match e {
        pem::Error::Base64Decode(_) => PemError::Base64,
        pem::Error::SectionTooLarge => PemError::TooLarge,
        pem::Error::NoItemsFound => PemError::NoSection,
        _ => PemError::Syntax,
    })
}

fn label_of(kind: SectionKind) -> PemLabel {
    match kind {
        SectionKind::Certificate => PemLabel::Certificate,
        SectionKind::PublicKey => PemLabel::PublicKey,
        SectionKind::PrivateKey | SectionKind::RsaPrivateKey | SectionKind::EcPrivateKey => {
            PemLabel::PrivateKey
        }
        _ => PemLabel::Other,
    }
}

/// What to report when no usable section was found.
fn nothing_usable(pem: &[u8], seen: Option<PemLabel>) -> KeyError {
    match seen {
        Some(label) => KeyError::UnsupportedPemLabel(label),
        None if contains(pem, b"-----BEGIN RSA PUBLIC KEY-----") => {
            KeyError::UnsupportedPemLabel(PemLabel::PublicKey)
        }
        // pki-types skips sections with labels it does not know (e.g. ENCRYPTED PRIVATE KEY).
        None if contains(pem, b"-----BEGIN ") => KeyError::UnsupportedPemLabel(PemLabel::Other),
        None => KeyError::Pem(PemError::NoSection),
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The first private key section in `pem`.
pub(crate) fn private_der(pem: &[u8]) -> Result<PrivateDer, KeyError> {
    let mut seen = None;
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem) {
        let (kind, der) = item.map_err(|e| pem_error(&e))?;
        match kind {
            SectionKind::PrivateKey => return Ok(PrivateDer::Pkcs8(der)),
            SectionKind::RsaPrivateKey => return Ok(PrivateDer::Pkcs1(der)),
            SectionKind::EcPrivateKey => return Ok(PrivateDer::Sec1(der)),
            other => {
                seen.get_or_insert(label_of(other));
            }
        }
    }
    Err(nothing_usable(pem, seen))
}

/// The first `PUBLIC KEY` section, or else the first `RSA PUBLIC KEY` section.
pub(crate) fn public_der(pem: &[u8]) -> Result<PublicDer, KeyError> {
    let mut seen = None;
    for item in <(SectionKind, Vec<u8>)>::pem_slice_iter(pem) {
        let (kind, der) = item.map_err(|e| pem_error(&e))?;
        match kind {
            SectionKind::PublicKey => return Ok(PublicDer::Spki(der)),
            other => {
                seen.get_or_insert(label_of(other));
            }
        }
    }
    if let Some(der) = rsa_public_key_section(pem)? {
        return Ok(PublicDer::Pkcs1(der));
    }
    Err(nothing_usable(pem, seen))
}

/// RFC 7468 §2 framing for the `RSA PUBLIC KEY` label: a BEGIN line, base64 lines, an END line.
fn rsa_public_key_section(pem: &[u8]) -> Result<Option<Vec<u8>>, KeyError> {
    const BEGIN: &[u8] = b"-----BEGIN RSA PUBLIC KEY-----";
    const END: &[u8] = b"-----END RSA PUBLIC KEY-----";
    let mut lines = pem
        .split(|b| *b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    if !lines.any(|line| line.trim_ascii() == BEGIN) {
        return Ok(None);
    }
    let mut body = Vec::new();
    for line in lines {
        let line = line.trim_ascii();
        if line == END {
            let der = base64::engine::general_purpose::STANDARD
                .decode(&body)
                .map_err(|_| KeyError::Pem(PemError::Base64))?;
            return Ok(Some(der));
        }
        if line.starts_with(b"-----") {
            return Err(KeyError::Pem(PemError::Syntax));
        }
        body.extend(line.iter().filter(|b| !b.is_ascii_whitespace()));
    }
    Err(KeyError::Pem(PemError::Syntax))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_and_missing_sections() {
        let cases: &[(&[u8], KeyError)] = &[
            (b"", KeyError::Pem(PemError::NoSection)),
            (b"just text", KeyError::Pem(PemError::NoSection)),
            (
                b"-----BEGIN PRIVATE KEY-----\nAAAA\n",
                KeyError::Pem(PemError::Syntax),
            ),
            (
                b"-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
                KeyError::Pem(PemError::Base64),
            ),
            (
                b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                KeyError::UnsupportedPemLabel(PemLabel::Certificate),
            ),
            (
                b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                KeyError::UnsupportedPemLabel(PemLabel::PublicKey),
            ),
            (
                b"-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n",
                KeyError::UnsupportedPemLabel(PemLabel::PublicKey),
            ),
            (
                b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
                KeyError::UnsupportedPemLabel(PemLabel::Other),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                private_der(input).err().as_ref(),
                Some(want),
                "{}",
                String::from_utf8_lossy(input)
            );
        }
        assert_eq!(
            public_der(b"-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n")
                .err(),
            Some(KeyError::UnsupportedPemLabel(PemLabel::PrivateKey))
        );
    }

    #[test]
    fn rsa_public_key_label() {
        let ok = b"junk\r\n-----BEGIN RSA PUBLIC KEY-----\r\nAAEC\r\nAw==\r\n-----END RSA PUBLIC KEY-----\r\n";
        assert!(matches!(public_der(ok), Ok(PublicDer::Pkcs1(der)) if der == [0, 1, 2, 3]));
        let unterminated = b"-----BEGIN RSA PUBLIC KEY-----\nAAEC\n";
        assert_eq!(
            public_der(unterminated).err(),
            Some(KeyError::Pem(PemError::Syntax))
        );
        let bad = b"-----BEGIN RSA PUBLIC KEY-----\nA*EC\n-----END RSA PUBLIC KEY-----\n";
        assert_eq!(public_der(bad).err(), Some(KeyError::Pem(PemError::Base64)));
        let mixed = b"-----BEGIN RSA PUBLIC KEY-----\nAAEC\n-----END PUBLIC KEY-----\n";
        assert_eq!(
            public_der(mixed).err(),
            Some(KeyError::Pem(PemError::Syntax))
        );
    }
}
