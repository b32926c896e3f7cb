//! A JWK Set loaded for verification (RFC 7517 §5): the members this toolkit can verify with,
//! ready as keys, and a typed warning for each member it left out.

use core::fmt;
use std::sync::Arc;

use smallvec::SmallVec;

use super::{KeyLookup, KeyResolver, ResolveError, ResolvedKey};
use crate::crypto::{Algorithm, VerifyingKey};
use crate::keys::{Jwk, Jwks, KeyError, PublicKey};

/// The RFC 9421 algorithms a signature's `alg` parameter can name (§6.2.2); a member is also
/// made ready for each of these it fits, so that `alg="ecdsa-p256-sha256"` finds an `ES256`
/// member as [`Jwks::verifying_key`] does.
const RFC9421_ALGORITHMS: [Algorithm; 6] = [
    Algorithm::RsaPssSha512,
    Algorithm::RsaV1_5Sha256,
    Algorithm::HmacSha256,
    Algorithm::EcdsaP256Sha256,
    Algorithm::EcdsaP384Sha384,
    Algorithm::Ed25519,
];

/// Why a member of a JWK Set was left out of a [`JwksKeySet`].
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipReason {
    /// The member is not a JWK: not a JSON object, no `kty`, or a member of the wrong JSON
    /// type (the parse error, e.g. `key.jwk_json`).
    NotAJwk(KeyError),
    /// Its `key_ops` (RFC 7517 §4.3) does not include `verify`, or is malformed
    /// (code `key.jwks_no_verify_op`).
    NoVerifyOperation,
    /// It has no `kid`, so no signature can choose it (code `key.jwks_missing_kid`).
    MissingKid,
    /// It holds private key material (`d`, or an RSA private member): the set is published,
    /// so whoever read it could sign with this key (code `key.jwks_private_member`).
    PrivateMember,
    /// It does not load as a verification key: `use` other than `sig`
    /// (`key.jwk_wrong_use`), a symmetric `oct` key (`key.symmetric`: a published set holds
    /// no secret), an unsupported `kty`, `crv` or `alg`
    /// (`key.jwk_unsupported_*`), an RSA key without `alg` (`key.ambiguous_algorithm`),
    /// malformed key material.
    Unusable(KeyError),
}

impl SkipReason {
    /// A stable, machine-readable code (see the variants).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAJwk(e) | Self::Unusable(e) => e.code(),
            Self::NoVerifyOperation => "key.jwks_no_verify_op",
            Self::MissingKid => "key.jwks_missing_kid",
            Self::PrivateMember => "key.jwks_private_member",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAJwk(e) => write!(f, "not a JWK: {e}"),
            Self::NoVerifyOperation => f.write_str("key_ops does not allow verify"),
            Self::MissingKid => f.write_str("no kid"),
            Self::PrivateMember => f.write_str("holds private key material"),
            Self::Unusable(e) => write!(f, "cannot verify with it: {e}"),
        }
    }
}

/// A member of a JWK Set that was left out of a [`JwksKeySet`], and why (a warning: the
/// other members stay usable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedKey {
    index: usize,
    kid: Option<String>,
    reason: SkipReason,
}

impl SkippedKey {
    /// Its index in the document's `keys` array.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Its `kid`, when it has one that is a string.
    pub fn kid(&self) -> Option<&str> {
        self.kid.as_deref()
    }

    /// Why it was left out.
    pub fn reason(&self) -> &SkipReason {
        &self.reason
    }
}

impl fmt::Display for SkippedKey {
    /// `key 2 (kid "enc-1") skipped: ... [key.jwk_wrong_use]`; the `kid` is escaped, as it
    /// comes from the document.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "key {}", self.index)?;
        if let Some(kid) = &self.kid {
            write!(f, " (kid {kid:?})")?;
        }
        write!(f, " skipped: {} [{}]", self.reason, self.reason.code())
    }
}

/// One usable member: its key as the member declares it, and as each RFC 9421 algorithm it
/// fits.
struct Entry {
    kid: Box<str>,
    natural: Arc<dyn VerifyingKey>,
    by_alg: SmallVec<[Arc<dyn VerifyingKey>; 2]>,
}

impl Entry {
    fn for_alg(&self, alg: Algorithm) -> Option<&Arc<dyn VerifyingKey>> {
        if self.natural.algorithm() == alg {
            return Some(&self.natural);
        }
        self.by_alg.iter().find(|k| k.algorithm() == alg)
    }
}

/// A JWK Set loaded for verification: every member this toolkit can verify with is made ready
/// once, at load time, and the others are left out with a [`SkippedKey`] warning each — a real
/// JWKS mixes signing, encryption and unknown keys (RFC 7517 §5: ignore what you cannot use).
///
/// Unlike [`Jwks::verifying_key`], symmetric (`oct`) members and members holding private key
/// material are left out: a JWK Set is published, so a secret in it is no secret.
///
/// Loading still fails for a document that is not a JWK Set, one over the caps
/// ([`Jwks::MAX_JSON_LEN`], [`Jwks::MAX_KEYS`]). Duplicate `kid`s are kept and fail at selection
/// when they leave two candidates (`key.jwks_ambiguous_key`).
///
/// Selection follows [`Jwks::verifying_key`] (FAPI 2.0 Security Profile §5.4.3): by `kid`, then
/// by the signature's `alg` among the members that fit it; without a fitting member, the one
/// member with that `kid` goes to the verifier, which reports the disagreement
/// (`verify.alg_mismatch`). An RSA member without `alg` is left out: the message must not choose
/// between the algorithms it admits (RFC 9421 §3.2 step 6).
///
/// # Examples
/// ```
/// use httpsig_core::{JwksKeySet, KeyLookup, KeyResolver};
/// let json = br#"{"keys":[
///   {"kty":"OKP","crv":"Ed25519","kid":"sig-1","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"},
///   {"kty":"EC","crv":"P-256","kid":"enc-1","use":"enc",
///    "x":"qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA","y":"Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0"},
///   {"kty":"OKP","crv":"X25519","kid":"kx","x":"AAAA"}]}"#;
/// let set = JwksKeySet::from_json(json)?;
/// assert_eq!(set.len(), 1);
/// for w in set.skipped() {
///     eprintln!("warning: {w}");
/// }
/// assert_eq!(set.skipped()[0].reason().code(), "key.jwk_wrong_use");
/// assert_eq!(set.skipped()[1].reason().code(), "key.jwk_unsupported_crv");
/// assert!(set.resolve(&KeyLookup::new("sig1", Some("sig-1"))).is_ok());
/// # Ok::<(), httpsig_core::keys::KeyError>(())
/// ```
pub struct JwksKeySet {
    entries: Vec<Entry>,
    skipped: Vec<SkippedKey>,
}

impl JwksKeySet {
    /// Parses a JWK Set document and loads its usable members.
    ///
    /// # Errors
    /// As [`Jwks::from_json`]: `key.jwk_too_large`, `key.jwk_json` (not a JSON object with a
    /// `keys` array), `key.jwks_too_many_keys`. An unusable member is never an error.
    pub fn from_json(json: &[u8]) -> Result<Self, KeyError> {
        Ok(Self::from_jwks(&Jwks::from_json(json)?))
    }

    /// Loads the usable members of a parsed set.
    pub fn from_jwks(set: &Jwks) -> Self {
        let mut skipped: Vec<SkippedKey> = set
            .dropped()
            .iter()
            .map(|(index, kid, e)| SkippedKey {
                index: *index,
                kid: kid.clone(),
                reason: SkipReason::NotAJwk(e.clone()),
            })
            .collect();
        let mut entries = Vec::with_capacity(set.len());
        for m in set.members() {
            let skip = |reason| SkippedKey {
                index: m.index,
                kid: m.jwk.kid().map(str::to_owned),
                reason,
            };
            if !m.may_verify {
                skipped.push(skip(SkipReason::NoVerifyOperation));
                continue;
            }
            let Some(kid) = m.jwk.kid() else {
                skipped.push(skip(SkipReason::MissingKid));
                continue;
            };
            // A JWK Set is published: a symmetric key in it is no secret, and whoever read the
            // set could forge HMAC signatures with it (fail closed, whatever the policy allows).
            if m.jwk.kty() == "oct" {
                skipped.push(skip(SkipReason::Unusable(KeyError::SymmetricKey)));
                continue;
            }
            // The same for the private half of an asymmetric key: a published set that holds
            // it lets anyone sign as its owner.
            if m.jwk.is_private() {
                skipped.push(skip(SkipReason::PrivateMember));
                continue;
            }
            let natural = match load(m.jwk, None) {
                Ok(k) => k,
                Err(e) => {
                    skipped.push(skip(SkipReason::Unusable(e)));
                    continue;
                }
            };
            let by_alg = RFC9421_ALGORITHMS
                .iter()
                .filter(|&&a| a != natural.algorithm())
                .filter_map(|&a| load(m.jwk, Some(a)).ok())
                .collect();
            entries.push(Entry {
                kid: kid.into(),
                natural,
                by_alg,
            });
        }
        skipped.sort_by_key(SkippedKey::index);
        Self { entries, skipped }
    }

    /// The members left out, in document order, one warning each.
    pub fn skipped(&self) -> &[SkippedKey] {
        &self.skipped
    }

    /// Number of usable members.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if no member is usable.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether a usable member has this `kid`.
    pub fn contains_kid(&self, kid: &str) -> bool {
        self.entries.iter().any(|e| &*e.kid == kid)
    }

    /// The key for a signature with key id `kid` and `alg` parameter `alg` (see the type's
    /// documentation for the rules), shared.
    ///
    /// # Errors
    /// [`ResolveError::NotFound`] when no usable member has `kid`;
    /// [`ResolveError::Key`] with `key.jwks_ambiguous_key` when two members fit.
    pub fn select(
        &self,
        kid: &str,
        alg: Option<&str>,
    ) -> Result<&Arc<dyn VerifyingKey>, ResolveError> {
        let candidates = || self.entries.iter().filter(move |e| &*e.kid == kid);
        if let Some(alg) = alg.and_then(Algorithm::from_name)
            && let Some(key) = one(candidates().filter_map(|e| e.for_alg(alg)))?
        {
            return Ok(key);
        }
        one(candidates().map(|e| &e.natural))?.ok_or(ResolveError::NotFound)
    }
}

/// The only item, `None` for none, ambiguous for two.
fn one<T>(mut it: impl Iterator<Item = T>) -> Result<Option<T>, ResolveError> {
    let first = it.next();
    if it.next().is_some() {
        return Err(ResolveError::Key(KeyError::JwksAmbiguousKey));
    }
    Ok(first)
}

/// An asymmetric member as a verification key, as [`Jwks::verifying_key`] loads it.
fn load(jwk: &Jwk, alg: Option<Algorithm>) -> Result<Arc<dyn VerifyingKey>, KeyError> {
    Ok(Arc::new(PublicKey::from_jwk(jwk, alg)?))
}

impl KeyResolver for JwksKeySet {
    fn resolve<'s>(&'s self, lookup: &KeyLookup<'_>) -> Result<ResolvedKey<'s>, ResolveError> {
        let kid = lookup.keyid.ok_or(ResolveError::NotFound)?;
        self.select(kid, lookup.alg)
            .map(|k| ResolvedKey::Borrowed(k.as_ref()))
    }
}

impl fmt::Debug for JwksKeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JwksKeySet")
            .field(
                "kids",
                &self.entries.iter().map(|e| &e.kid).collect::<Vec<_>>(),
            )
            .field("skipped", &self.skipped)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::PrivateKey;
    use crate::{JwsAlgorithm, SigningKey};

    const ED_X: &str = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs";
    const ED_D: &str = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU";
    const EC_X: &str = "qIVYZVLCrPZHGHjP17CTW0_-D9Lfw0EkjqF7xB4FivA";
    const EC_Y: &str = "Mc4nN9LTDOBhfoUeg8Ye9WedFRhnZXZJA12Qp0zZ6F0";
    const EC_D: &str = "UpuF81l-kOxbjf7T4mNSv0r5tN67Gim7rnf6EFpcYDs";

    fn ed(extra: &str) -> String {
        format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}"{extra}}}"#)
    }

    fn ec(extra: &str) -> String {
        format!(r#"{{"kty":"EC","crv":"P-256","x":"{EC_X}","y":"{EC_Y}"{extra}}}"#)
    }

    fn set(members: &[String]) -> JwksKeySet {
        let json = format!(r#"{{"keys":[{}]}}"#, members.join(","));
        JwksKeySet::from_json(json.as_bytes()).expect("a JWK Set")
    }

    /// The private halves of the test keys (RFC 9421 B.1.3 / B.1.4), to make signatures the
    /// resolved keys must verify.
    fn signer(kty: &str) -> PrivateKey {
        let json = match kty {
            "OKP" => format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","d":"{ED_D}"}}"#),
            _ => format!(r#"{{"kty":"EC","crv":"P-256","x":"{EC_X}","y":"{EC_Y}","d":"{EC_D}"}}"#),
        };
        PrivateKey::from_jwk(&Jwk::from_json(json.as_bytes()).expect("jwk"), None).expect("key")
    }

    #[test]
    fn unusable_members_are_skipped_with_a_warning_each() {
        let rsa_no_alg = r#"{"kty":"RSA","kid":"rsa","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}"#;
        let members = [
            ed(r#","kid":"sig""#),                                          // 0: kept
            ec(r#","kid":"enc","use":"enc""#),                              // 1: use
            r#"{"kty":"OKP","crv":"X25519","kid":"kx","x":"AAAA"}"#.into(), // 2: crv
            "5".into(),                                                     // 3: not a JWK
            ec(r#","kid":"ops","key_ops":["sign"]"#),                       // 4: key_ops
            ed(""),                                                         // 5: no kid
            rsa_no_alg.into(),                                              // 6: RSA without alg
            ec(r#","kid":"none","alg":"none""#),                            // 7: alg
            r#"{"kty":"EC","kid":5}"#.into(),                               // 8: not a JWK
            r#"{"kty":"oct-x","kid":"weird"}"#.into(),                      // 9: kty
            ec(r#","kid":"ec","key_ops":["verify","sign"]"#),               // 10: kept
            r#"{"kty":"oct","kid":"hs","alg":"HS256","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}"#
                .into(), // 11
        ];
        let s = set(&members);
        let got: Vec<(usize, Option<&str>, &str)> = s
            .skipped()
            .iter()
            .map(|w| (w.index(), w.kid(), w.reason().code()))
            .collect();
        assert_eq!(
            got,
            [
                (1, Some("enc"), "key.jwk_wrong_use"),
                (2, Some("kx"), "key.jwk_unsupported_crv"),
                (3, None, "key.jwk_json"),
                (4, Some("ops"), "key.jwks_no_verify_op"),
                (5, None, "key.jwks_missing_kid"),
                (6, Some("rsa"), "key.ambiguous_algorithm"),
                (7, Some("none"), "key.jwk_unsupported_alg"),
                (8, None, "key.jwk_json"),
                (9, Some("weird"), "key.jwk_unsupported_kty"),
                (11, Some("hs"), "key.symmetric"),
            ]
        );
        assert_eq!(s.len(), 2);
        assert!(s.contains_kid("sig") && s.contains_kid("ec") && !s.contains_kid("enc"));
        assert_eq!(
            s.skipped()[0].to_string(),
            format!(
                r#"key 1 (kid "enc") skipped: cannot verify with it: {} [key.jwk_wrong_use]"#,
                KeyError::JwkWrongUse
            )
        );
        // A document that is not a JWK Set still fails as a whole.
        for bad in [&b"[]"[..], br#"{"keys":{}}"#, b"not json"] {
            assert_eq!(
                JwksKeySet::from_json(bad).map(|_| ()).map_err(|e| e.code()),
                Err("key.jwk_json")
            );
        }
        let many = format!(
            r#"{{"keys":[{}]}}"#,
            vec!["1"; Jwks::MAX_KEYS + 1].join(",")
        );
        assert_eq!(
            JwksKeySet::from_json(many.as_bytes())
                .map(|_| ())
                .map_err(|e| e.code()),
            Err("key.jwks_too_many_keys")
        );
    }

    #[test]
    fn selection_by_kid_and_alg() {
        let s = set(&[
            ed(r#","kid":"a""#),
            ec(r#","kid":"a","alg":"ES256""#),
            ec(r#","kid":"b","alg":"ES256""#),
            ed(r#","kid":"c""#),
            ed(r#","kid":"c""#),
        ]);
        assert!(s.skipped().is_empty());
        let alg = |kid, alg| s.select(kid, alg).map(|k| k.algorithm());
        // Two members share "a": the signature's alg tells them apart, nothing else does.
        assert_eq!(alg("a", Some("ed25519")), Ok(Algorithm::Ed25519));
        assert_eq!(
            alg("a", Some("ecdsa-p256-sha256")),
            Ok(Algorithm::EcdsaP256Sha256)
        );
        assert_eq!(
            alg("a", None),
            Err(ResolveError::Key(KeyError::JwksAmbiguousKey))
        );
        // "b" declares ES256: without an alg parameter that is its algorithm; the RFC 9421
        // name of the same scheme selects it as that; another scheme gets the member as it is,
        // for the verifier to report the mismatch.
        assert_eq!(alg("b", None), Ok(Algorithm::Jws(JwsAlgorithm::Es256)));
        assert_eq!(
            alg("b", Some("ecdsa-p256-sha256")),
            Ok(Algorithm::EcdsaP256Sha256)
        );
        assert_eq!(
            alg("b", Some("ed25519")),
            Ok(Algorithm::Jws(JwsAlgorithm::Es256))
        );
        assert_eq!(
            alg("c", Some("ed25519")),
            Err(ResolveError::Key(KeyError::JwksAmbiguousKey))
        );
        assert_eq!(alg("z", None), Err(ResolveError::NotFound));
        assert_eq!(
            s.resolve(&KeyLookup::new("sig1", None)).map(|_| ()),
            Err(ResolveError::NotFound)
        );
    }

    #[test]
    fn resolved_keys_verify_the_members_signatures() {
        let s = set(&[ed(r#","kid":"ed""#), ec(r#","kid":"ec""#)]);
        for (kty, kid) in [("OKP", "ed"), ("EC", "ec")] {
            let signature = signer(kty).sign(b"base").expect("sign");
            let key = s.resolve(&KeyLookup::new("sig1", Some(kid))).expect(kid);
            assert_eq!(key.verify(b"base", &signature), Ok(()), "{kid}");
            assert!(key.verify(b"bass", &signature).is_err(), "{kid}");
            // The other member does not verify it.
            let other = if kid == "ed" { "ec" } else { "ed" };
            let key = s
                .resolve(&KeyLookup::new("sig1", Some(other)))
                .expect(other);
            assert!(key.verify(b"base", &signature).is_err(), "{other}");
        }
    }
}
