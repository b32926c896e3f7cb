//! Mutual-TLS certificate binding (RFC 8705 §3) with the certificate conveyed by a
//! TLS-terminating reverse proxy in `Client-Cert` / `Client-Cert-Chain` (RFC 9440).
//!
//! The fields are honoured only when the deployment says they come from a trusted proxy
//! that strips any client-supplied copies (RFC 9440 §2.4, §4); that setting is off by
//! default and the fields are then reported as [`ClientCertOutcome::Ignored`]. This module
//! does not validate certificates (the proxy did, during the handshake): it extracts the
//! DER, computes `x5t#S256` and compares it with the token's `cnf`.
//!
//! Responses chosen by certificate should carry `Cache-Control: no-store` or
//! `Vary: Client-Cert` (RFC 9440 §4).
//!
//! # Examples
//! ```
//! use fapi_profile::mtls::{ClientCertConfig, ClientCertOutcome};
//! let config = ClientCertConfig::new(true);
//! let outcome = config.read(&[b":MAo=:"], &[])?;
//! let ClientCertOutcome::Present(cert) = outcome else { unreachable!() };
//! assert_eq!(cert.der(), [0x30, 0x0a]);
//! assert!(ClientCertConfig::default().read(&[b":MAo=:"], &[])? == ClientCertOutcome::Ignored);
//! # Ok::<(), fapi_profile::mtls::MtlsError>(())
//! ```

use core::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use httpsig_core::crypto::CryptoProvider;

/// Which RFC 9440 field an error is about.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CertField {
    /// `Client-Cert` (RFC 9440 §2.2).
    ClientCert,
    /// `Client-Cert-Chain` (RFC 9440 §2.3).
    ClientCertChain,
}

impl fmt::Display for CertField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::ClientCert => "Client-Cert",
            Self::ClientCertChain => "Client-Cert-Chain",
        })
    }
}

/// Why certificate extraction or binding failed.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MtlsError {
    /// `Client-Cert` has more than one field line; it is a singleton (RFC 9440 §2.2)
    /// (code `mtls.multiple`).
    Multiple,
    /// A field is not the structured value RFC 9440 defines (an Item / a List of Byte
    /// Sequences), or an entry is not DER-shaped (code `mtls.malformed`).
    Malformed(CertField),
    /// A field or certificate exceeds the size caps (code `mtls.too_large`).
    TooLarge(CertField),
    /// The chain holds more certificates than [`ClientCertConfig::MAX_CHAIN`]
    /// (code `mtls.chain_too_long`).
    ChainTooLong {
        /// The cap.
        max: usize,
    },
    /// `Client-Cert-Chain` without `Client-Cert` (RFC 9440 §2.3) (code
    /// `mtls.chain_without_cert`).
    ChainWithoutCert,
    /// No usable client certificate for a certificate-bound token (code
    /// `mtls.cert_missing`).
    CertMissing,
    /// The token has no `cnf` `x5t#S256` (code `mtls.token_not_bound`).
    TokenNotBound,
    /// The certificate thumbprint differs from the token's `x5t#S256` (RFC 8705 §3) (code
    /// `mtls.mismatch`).
    Mismatch,
}

impl MtlsError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Multiple => "mtls.multiple",
            Self::Malformed(_) => "mtls.malformed",
            Self::TooLarge(_) => "mtls.too_large",
            Self::ChainTooLong { .. } => "mtls.chain_too_long",
            Self::ChainWithoutCert => "mtls.chain_without_cert",
            Self::CertMissing => "mtls.cert_missing",
            Self::TokenNotBound => "mtls.token_not_bound",
            Self::Mismatch => "mtls.mismatch",
        }
    }

    /// HTTP status: binding failures are `401` with `error="invalid_token"` (RFC 8705 §3,
    /// RFC 6750 §3.1); malformed proxy fields are `400`.
    pub fn status(&self) -> u16 {
        match self {
            Self::CertMissing | Self::TokenNotBound | Self::Mismatch => 401,
            _ => 400,
        }
    }
}

impl fmt::Display for MtlsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Multiple => f.write_str("Client-Cert has several field lines, expected 1"),
            Self::Malformed(field) => write!(f, "{field} is not a valid RFC 9440 value"),
            Self::TooLarge(field) => write!(f, "{field} exceeds the size limit"),
            Self::ChainTooLong { max } => {
                write!(f, "Client-Cert-Chain holds more than {max} certificates")
            }
            Self::ChainWithoutCert => f.write_str("Client-Cert-Chain present without Client-Cert"),
            Self::CertMissing => f.write_str("no client certificate for a certificate-bound token"),
            Self::TokenNotBound => f.write_str("access token has no \"cnf\" \"x5t#S256\""),
            Self::Mismatch => {
                f.write_str("client certificate thumbprint differs from the token's \"x5t#S256\"")
            }
        }
    }
}

impl std::error::Error for MtlsError {}

/// `x5t#S256`: base64url (no padding) of SHA-256 over the DER certificate (RFC 8705 §3.1).
pub fn x5t_s256(der: &[u8]) -> String {
    x5t_s256_with(&CryptoProvider::default(), der)
}

/// [`x5t_s256`], hashed by `provider`.
pub fn x5t_s256_with(provider: &CryptoProvider, der: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(provider.sha256(der))
}

/// A client certificate received from the trusted proxy.
#[derive(Clone, PartialEq, Eq)]
pub struct ClientCert {
    der: Vec<u8>,
    chain: Vec<Vec<u8>>,
}

impl fmt::Debug for ClientCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCert")
            .field("x5t#S256", &self.thumbprint())
            .field("chain_len", &self.chain.len())
            .finish()
    }
}

impl ClientCert {
    /// The end-entity certificate, DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The chain from `Client-Cert-Chain` (without the end-entity certificate), in order.
    pub fn chain(&self) -> &[Vec<u8>] {
        &self.chain
    }

    /// The certificate's `x5t#S256`.
    pub fn thumbprint(&self) -> String {
        x5t_s256(&self.der)
    }

    /// Checks the token binding (RFC 8705 §3): `token_x5t` is the token's (or introspection
    /// response's) `cnf["x5t#S256"]`. Values are compared as strings after computing ours,
    /// never by decoding the token's (RFC 8705's own example is not canonical base64url).
    ///
    /// # Errors
    /// `mtls.token_not_bound` without a value, `mtls.mismatch` if it differs.
    pub fn check_binding(&self, token_x5t: Option<&str>) -> Result<(), MtlsError> {
        match token_x5t {
            None => Err(MtlsError::TokenNotBound),
            Some(t) if t == self.thumbprint() => Ok(()),
            Some(_) => Err(MtlsError::Mismatch),
        }
    }
}

/// What the request's RFC 9440 fields yielded.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientCertOutcome {
    /// The proxy is not trusted: the fields, if any, were not read.
    Ignored,
    /// Trusted proxy, no `Client-Cert` field (the client presented no certificate).
    Absent,
    /// The certificate (and chain) from the trusted proxy.
    Present(ClientCert),
}

impl ClientCertOutcome {
    /// The certificate for a certificate-bound token, checked against its `x5t#S256`.
    ///
    /// # Errors
    /// `mtls.cert_missing` unless [`ClientCertOutcome::Present`], then as
    /// [`ClientCert::check_binding`].
    pub fn require_binding(&self, token_x5t: Option<&str>) -> Result<&ClientCert, MtlsError> {
        match self {
            Self::Present(cert) => cert.check_binding(token_x5t).map(|()| cert),
            Self::Ignored | Self::Absent => Err(MtlsError::CertMissing),
        }
    }
}

/// Whether RFC 9440 fields are trusted. Default: not trusted (RFC 9440 §4: opt-in).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientCertConfig {
    trusted_proxy: bool,
}

impl ClientCertConfig {
    /// Largest accepted certificate, DER bytes. Real client certificates are 1–3 KiB;
    /// the cap keeps a header from pinning memory.
    pub const MAX_CERT_LEN: usize = 16 * 1024;
    /// Most certificates accepted in `Client-Cert-Chain`.
    pub const MAX_CHAIN: usize = 10;
    /// Largest accepted field value (all lines together), bytes.
    pub const MAX_FIELD_LEN: usize = 64 * 1024;

    /// `trusted_proxy`: true only if every request reaches this server through a proxy that
    /// removes client-supplied `Client-Cert*` fields and sets its own (RFC 9440 §2.4).
    pub const fn new(trusted_proxy: bool) -> Self {
        Self { trusted_proxy }
    }

    /// Reads `Client-Cert` and `Client-Cert-Chain` field lines (RFC 9440 §2.2, §2.3).
    ///
    /// # Errors
    /// `mtls.multiple`, `mtls.malformed`, `mtls.too_large`, `mtls.chain_too_long`,
    /// `mtls.chain_without_cert`. Never fails when the proxy is not trusted.
    pub fn read(
        &self,
        cert_lines: &[&[u8]],
        chain_lines: &[&[u8]],
    ) -> Result<ClientCertOutcome, MtlsError> {
        if !self.trusted_proxy {
            return Ok(ClientCertOutcome::Ignored);
        }
        let cert_line = match cert_lines {
            [] if chain_lines.is_empty() => return Ok(ClientCertOutcome::Absent),
            [] => return Err(MtlsError::ChainWithoutCert),
            [one] => *one,
            _ => return Err(MtlsError::Multiple),
        };
        let der = parse_client_cert(cert_line)?;
        let chain = parse_chain(chain_lines)?;
        Ok(ClientCertOutcome::Present(ClientCert { der, chain }))
    }
}

/// RFC 9440 §2.2: `Client-Cert` is an Item whose value is a Byte Sequence of DER.
fn parse_client_cert(line: &[u8]) -> Result<Vec<u8>, MtlsError> {
    const F: CertField = CertField::ClientCert;
    if line.len() > ClientCertConfig::MAX_FIELD_LEN {
        return Err(MtlsError::TooLarge(F));
    }
    let item = sfv::Parser::new(line)
        .parse_item::<sfv::Item>()
        .map_err(|_| MtlsError::Malformed(F))?;
    der_entry(&item.bare_item, F)
}

/// RFC 9440 §2.3: `Client-Cert-Chain` is a List of Byte Sequences; several field lines are
/// one list (RFC 9651 §3.1).
fn parse_chain(lines: &[&[u8]]) -> Result<Vec<Vec<u8>>, MtlsError> {
    const F: CertField = CertField::ClientCertChain;
    if lines.is_empty() {
        return Ok(Vec::new());
    }
    let total: usize = lines.iter().map(|l| l.len() + 2).sum();
    if total > ClientCertConfig::MAX_FIELD_LEN {
        return Err(MtlsError::TooLarge(F));
    }
    let joined = lines.join(&b", "[..]);
    let list = sfv::Parser::new(&joined)
        .parse_list::<sfv::List>()
        .map_err(|_| MtlsError::Malformed(F))?;
    if list.len() > ClientCertConfig::MAX_CHAIN {
        return Err(MtlsError::ChainTooLong {
            max: ClientCertConfig::MAX_CHAIN,
        });
    }
    list.iter()
        .map(|entry| match entry {
            sfv::ListEntry::Item(item) => der_entry(&item.bare_item, F),
            sfv::ListEntry::InnerList(_) => Err(MtlsError::Malformed(F)),
        })
        .collect()
}

/// A Byte Sequence that looks like a DER SEQUENCE (tag 0x30), within the size cap.
fn der_entry(item: &sfv::BareItem, field: CertField) -> Result<Vec<u8>, MtlsError> {
    let bytes = item.as_byte_sequence().ok_or(MtlsError::Malformed(field))?;
    if bytes.len() > ClientCertConfig::MAX_CERT_LEN {
        return Err(MtlsError::TooLarge(field));
    }
    if bytes.first() != Some(&0x30) {
        return Err(MtlsError::Malformed(field));
    }
    Ok(bytes.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singleton_and_shapes() {
        let c = ClientCertConfig::new(true);
        assert_eq!(
            c.read(&[b":MAo=:", b":MAo=:"], &[]),
            Err(MtlsError::Multiple)
        );
        assert_eq!(c.read(&[], &[b":MAo=:"]), Err(MtlsError::ChainWithoutCert));
        assert_eq!(c.read(&[], &[]), Ok(ClientCertOutcome::Absent));
        for bad in [
            &b"MAo="[..],
            b"\"MAo=\"",
            b":MAo=:, :MAo=:",
            b"(:MAo=:)",
            b":AQI=:",
            b"::",
            b":MA o=:",
        ] {
            assert_eq!(
                c.read(&[bad], &[]),
                Err(MtlsError::Malformed(CertField::ClientCert)),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(
            c.read(&[b":MAo=:"], &[b":MAo=:, 5"]),
            Err(MtlsError::Malformed(CertField::ClientCertChain))
        );
        assert_eq!(
            c.read(&[b":MAo=:"], &[b"(:MAo=:)"]),
            Err(MtlsError::Malformed(CertField::ClientCertChain))
        );
        let eleven = [":MAo=:"; 11].join(", ");
        assert_eq!(
            c.read(&[b":MAo=:"], &[eleven.as_bytes()]),
            Err(MtlsError::ChainTooLong { max: 10 })
        );
        // Parameters on the item are tolerated (RFC 9651 §3.3: unknown ones are ignored).
        let Ok(ClientCertOutcome::Present(cert)) =
            c.read(&[b":MAo=:;x=1"], &[b":MAs=:", b":MAw=:"])
        else {
            panic!("expected a certificate");
        };
        assert_eq!(cert.chain(), [vec![0x30, 0x0b], vec![0x30, 0x0c]]);
    }

    #[test]
    fn untrusted_proxy_ignores_everything() {
        let c = ClientCertConfig::default();
        assert_eq!(
            c.read(&[b"garbage", b"more"], &[b"x"]),
            Ok(ClientCertOutcome::Ignored)
        );
        assert_eq!(
            ClientCertOutcome::Ignored.require_binding(Some("x")),
            Err(MtlsError::CertMissing)
        );
    }

    #[test]
    fn size_cap() {
        let big = format!(
            ":{}:",
            base64::engine::general_purpose::STANDARD.encode(vec![
                0x30;
                ClientCertConfig::MAX_CERT_LEN
                    + 1
            ])
        );
        assert_eq!(
            ClientCertConfig::new(true).read(&[big.as_bytes()], &[]),
            Err(MtlsError::TooLarge(CertField::ClientCert))
        );
    }
}
