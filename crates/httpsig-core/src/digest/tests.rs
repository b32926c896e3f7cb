//! Unit tests. Expected digests come from RFC 9530 / RFC 9421 as re-checked in
//! shared/reference/fapi-dpop-requirements.md §6; the vector files cover the rest.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::*;

const HELLO: &[u8] = br#"{"hello": "world"}"#;
const HELLO_LF: &[u8] = b"{\"hello\": \"world\"}\n";
// RFC 9530 App. D (no LF).
const HELLO_256: &str = "X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=";
const HELLO_512: &str =
    "WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==";
// RFC 9530 App. B.1 / §2 (with LF).
const HELLO_LF_256: &str = "RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=";
const HELLO_LF_512: &str =
    "YMAam51Jz/jOATT6/zvHrLVgOYTGFy1d6GJiOHTohq4yP+pgk4vf2aCsyRZOtw8MjkM7iw7yZ/WkppmM44T3qg==";
// RFC 9530 App. B.2.
const EMPTY_256: &str = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

fn b64(s: &str) -> Vec<u8> {
    STANDARD.decode(s).expect("test constant is valid base64")
}

fn parse(field: &str) -> Result<ContentDigest, DigestError> {
    ContentDigest::parse(&[field.as_bytes()])
}

#[test]
fn algorithm_names_round_trip() {
    for alg in DigestAlgorithm::ALL {
        assert_eq!(DigestAlgorithm::from_name(alg.name()), Some(alg));
        assert_eq!(
            AlgorithmKind::from_name(alg.name()),
            AlgorithmKind::Active(alg)
        );
        assert_eq!(alg.to_string(), alg.name());
    }
    assert_eq!(DigestAlgorithm::Sha256.output_len(), 32);
    assert_eq!(DigestAlgorithm::Sha512.output_len(), 64);
}

#[test]
fn registry_classification() {
    use DeprecatedAlgorithm::*;
    // RFC 9530 §7.2 registry, Algorithm Key -> status.
    let table: &[(&str, AlgorithmKind)] = &[
        ("sha-256", AlgorithmKind::Active(DigestAlgorithm::Sha256)),
        ("sha-512", AlgorithmKind::Active(DigestAlgorithm::Sha512)),
        ("md5", AlgorithmKind::Deprecated(Md5)),
        ("sha", AlgorithmKind::Deprecated(Sha1)),
        ("unixsum", AlgorithmKind::Deprecated(Unixsum)),
        ("unixcksum", AlgorithmKind::Deprecated(Unixcksum)),
        ("adler", AlgorithmKind::Deprecated(Adler)),
        ("crc32c", AlgorithmKind::Deprecated(Crc32c)),
        // Not registered, or not a key at all (SF keys are lower-case).
        ("sha-1", AlgorithmKind::Unknown),
        ("sha3-256", AlgorithmKind::Unknown),
        ("SHA-256", AlgorithmKind::Unknown),
        ("MD5", AlgorithmKind::Unknown),
        ("", AlgorithmKind::Unknown),
    ];
    for (name, kind) in table {
        assert_eq!(AlgorithmKind::from_name(name), *kind, "{name}");
        if let AlgorithmKind::Deprecated(d) = kind {
            assert_eq!(d.name(), *name);
            assert_eq!(DigestAlgorithm::from_name(name), None);
        }
    }
}

#[test]
fn one_shot_digests_match_published_values() {
    let table: &[(&[u8], DigestAlgorithm, &str)] = &[
        (HELLO, DigestAlgorithm::Sha256, HELLO_256),
        (HELLO, DigestAlgorithm::Sha512, HELLO_512),
        (HELLO_LF, DigestAlgorithm::Sha256, HELLO_LF_256),
        (HELLO_LF, DigestAlgorithm::Sha512, HELLO_LF_512),
        (b"", DigestAlgorithm::Sha256, EMPTY_256),
    ];
    for (body, alg, expected) in table {
        let d = content_digest(*alg, body);
        assert_eq!(d.algorithm(), *alg);
        assert_eq!(d.as_bytes(), b64(expected).as_slice(), "{alg}");
        assert_eq!(
            header_value(&[*alg], body),
            format!("{}=:{expected}:", alg.name())
        );
    }
}

#[test]
fn streaming_in_odd_frames_equals_one_shot() {
    // Bodies around the SHA-256 (64) and SHA-512 (128) block sizes and beyond.
    let bodies: Vec<Vec<u8>> = [
        0usize, 1, 18, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000, 4099,
    ]
    .iter()
    .map(|n| (0..*n).map(|i| (i * 31 + 7) as u8).collect())
    .collect();
    for body in &bodies {
        let expected: Vec<Digest> = DigestAlgorithm::ALL
            .iter()
            .map(|a| content_digest(*a, body))
            .collect();
        for frame in [1usize, 2, 3, 5, 7, 13, 63, 64, 65, 127, 129, 1000] {
            let mut h = ContentDigestHasher::new(&DigestAlgorithm::ALL, u64::MAX);
            for chunk in body.chunks(frame) {
                h.update(chunk).expect("no limit");
            }
            // Empty frames change nothing.
            h.update(&[]).expect("no limit");
            assert_eq!(h.len(), body.len() as u64);
            let digests = h.finish().expect("within limit");
            let got: Vec<Digest> = digests.iter().copied().collect();
            assert_eq!(got, expected, "body {} frame {frame}", body.len());
            assert_eq!(digests.content_len(), body.len() as u64);
            assert_eq!(
                digests.to_header_value(),
                header_value(&DigestAlgorithm::ALL, body)
            );
        }
    }
}

#[test]
fn streaming_limit_is_enforced_before_hashing_and_sticks() {
    let mut h = ContentDigestHasher::new(&[DigestAlgorithm::Sha256], 18);
    h.update(&HELLO[..10]).expect("10 <= 18");
    h.update(&HELLO[10..]).expect("18 <= 18");
    assert_eq!(h.len(), 18);
    assert_eq!(h.update(b"x"), Err(DigestError::BodyTooLarge { max: 18 }));
    // The refused frame was not counted, and the hasher stays failed.
    assert_eq!(h.len(), 18);
    assert_eq!(h.update(b""), Err(DigestError::BodyTooLarge { max: 18 }));
    assert_eq!(h.finish(), Err(DigestError::BodyTooLarge { max: 18 }));

    let mut h = ContentDigestHasher::new(&[DigestAlgorithm::Sha256], 18);
    h.update(HELLO).expect("at the limit");
    let d = h.finish().expect("at the limit");
    assert_eq!(
        d.get(DigestAlgorithm::Sha256).map(Digest::as_bytes),
        Some(b64(HELLO_256).as_slice())
    );
    assert_eq!(d.get(DigestAlgorithm::Sha512), None);
}

#[test]
fn parse_keeps_members_in_order() {
    let field = ContentDigest::parse(&[
        format!("sha-512=:{HELLO_512}:, foo=:AAAA:").as_bytes(),
        format!("sha-256=:{HELLO_256}:;p=1").as_bytes(),
    ])
    .expect("valid field");
    let got: Vec<(&str, AlgorithmKind, usize)> = field
        .iter()
        .map(|e| (e.name(), e.algorithm(), e.value().len()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "sha-512",
                AlgorithmKind::Active(DigestAlgorithm::Sha512),
                64
            ),
            ("foo", AlgorithmKind::Unknown, 3),
            (
                "sha-256",
                AlgorithmKind::Active(DigestAlgorithm::Sha256),
                32
            ),
        ]
    );
    assert_eq!(field.len(), 3);
    assert_eq!(
        field.get(DigestAlgorithm::Sha256),
        Some(b64(HELLO_256).as_slice())
    );
    assert!(ContentDigest::parse(&[]).expect("absent").is_empty());
    assert!(parse("").expect("empty").is_empty());
}

#[test]
fn parse_errors_and_positions() {
    let good = format!("sha-256=:{HELLO_256}:");
    let long = "x".repeat(MAX_FIELD_LEN + 1);
    let table: Vec<(Vec<String>, DigestError)> = vec![
        // The second line starts at 54 + 2: the index is into the combined value.
        (
            vec![good.clone(), format!("SHA-512=:{HELLO_512}:")],
            DigestError::Parse { index: Some(56) },
        ),
        // Trimming happens first, so leading spaces do not shift the index.
        (
            vec![format!("   {good}"), "Bad".into()],
            DigestError::Parse { index: Some(56) },
        ),
        (
            vec!["sha-256=abc".into()],
            DigestError::NotByteSequence {
                member: 0,
                algorithm: AlgorithmKind::Active(DigestAlgorithm::Sha256),
            },
        ),
        (
            vec![format!("foo=:AAAA:, {good}, md5=1")],
            DigestError::NotByteSequence {
                member: 2,
                algorithm: AlgorithmKind::Deprecated(DeprecatedAlgorithm::Md5),
            },
        ),
        (
            vec![format!("sha-512=:{HELLO_256}:")],
            DigestError::WrongLength {
                algorithm: DigestAlgorithm::Sha512,
                expected: 64,
                actual: 32,
            },
        ),
        (
            vec![good.clone(), good.clone()],
            DigestError::DuplicateAlgorithm {
                member: 1,
                algorithm: AlgorithmKind::Active(DigestAlgorithm::Sha256),
            },
        ),
        // The first member error wins.
        (
            vec![format!("a=1, {good}, {good}")],
            DigestError::NotByteSequence {
                member: 0,
                algorithm: AlgorithmKind::Unknown,
            },
        ),
        (
            vec![long],
            DigestError::TooLargeField {
                len: MAX_FIELD_LEN + 1,
                max: MAX_FIELD_LEN,
            },
        ),
    ];
    for (lines, expected) in table {
        let refs: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        assert_eq!(ContentDigest::parse(&refs), Err(expected), "{lines:?}");
    }
}

#[test]
fn verify_table() {
    let both = format!("sha-256=:{HELLO_256}:, sha-512=:{HELLO_512}:");
    let default = DigestPolicy::default();
    let only512 = DigestPolicy::default().with_algorithms(&[DigestAlgorithm::Sha512]);
    let optional = DigestPolicy::default().with_require(false);
    type Row<'a> = (
        &'a str,
        String,
        &'a [u8],
        &'a DigestPolicy,
        Result<Vec<DigestAlgorithm>, DigestError>,
    );
    let table: Vec<Row<'_>> = vec![
        (
            "both",
            both.clone(),
            HELLO,
            &default,
            Ok(DigestAlgorithm::ALL.to_vec()),
        ),
        (
            "only 512 accepted",
            both.clone(),
            HELLO,
            &only512,
            Ok(vec![DigestAlgorithm::Sha512]),
        ),
        (
            "lf body",
            both.clone(),
            HELLO_LF,
            &default,
            Err(DigestError::Mismatch(DigestAlgorithm::Sha256)),
        ),
        (
            "md5 next to good",
            format!("{both}, md5=:AAAA:"),
            HELLO,
            &default,
            Err(DigestError::DeprecatedAlgorithm(DeprecatedAlgorithm::Md5)),
        ),
        (
            "unknown only",
            "foo=:AAAA:".into(),
            HELLO,
            &default,
            Err(DigestError::NoSupportedAlgorithm),
        ),
        (
            "unknown only, optional",
            "foo=:AAAA:".into(),
            HELLO,
            &optional,
            Ok(vec![]),
        ),
        (
            "sha-256 only, 512 required",
            format!("sha-256=:{HELLO_256}:"),
            HELLO,
            &only512,
            Err(DigestError::NoSupportedAlgorithm),
        ),
    ];
    for (name, field, body, policy, expected) in table {
        let got = verify_content_digest(&[field.as_bytes()], body, policy);
        assert_eq!(got.map(|v| v.algorithms().to_vec()), expected, "{name}");
    }
}

#[test]
fn body_limit_applies_before_hashing() {
    let policy = DigestPolicy::new(17);
    // A wrong digest: if the content were hashed first this would be a mismatch.
    let field = format!("sha-256=:{EMPTY_256}:");
    assert_eq!(
        verify_content_digest(&[field.as_bytes()], HELLO, &policy),
        Err(DigestError::BodyTooLarge { max: 17 })
    );
    assert_eq!(DigestPolicy::default().max_body_len(), 10 * 1024 * 1024);
}

#[test]
fn digests_verify_checks_what_the_hasher_computed() {
    let field = parse(&format!("sha-256=:{HELLO_256}:, sha-512=:{HELLO_512}:")).expect("valid");
    let policy = DigestPolicy::default();

    // A hasher set up by hand without sha-512 cannot vouch for it.
    let mut h = ContentDigestHasher::new(&[DigestAlgorithm::Sha256], u64::MAX);
    h.update(HELLO).expect("no limit");
    let digests = h.finish().expect("no limit");
    assert_eq!(
        digests.verify(&field, &policy),
        Err(DigestError::NotHashed(DigestAlgorithm::Sha512))
    );

    // Content longer than the policy allows, hashed by a laxer hasher, still fails.
    let mut h = ContentDigestHasher::new(&DigestAlgorithm::ALL, u64::MAX);
    h.update(HELLO).expect("no limit");
    let digests = h.finish().expect("no limit");
    assert_eq!(
        digests.verify(&field, &DigestPolicy::new(10)),
        Err(DigestError::BodyTooLarge { max: 10 })
    );
    let verified = digests.verify(&field, &policy).expect("matches");
    assert!(
        verified.contains(DigestAlgorithm::Sha256) && verified.contains(DigestAlgorithm::Sha512)
    );

    // for_field computes only the accepted algorithms present.
    let field = parse(&format!("sha-512=:{HELLO_512}:")).expect("valid");
    let mut h = ContentDigestHasher::for_field(&field, &policy).expect("acceptable");
    h.update(HELLO).expect("small");
    let digests = h.finish().expect("small");
    assert_eq!(
        digests.iter().map(Digest::algorithm).collect::<Vec<_>>(),
        [DigestAlgorithm::Sha512]
    );
}

#[test]
fn hasher_for_field_refuses_before_any_content() {
    let policy = DigestPolicy::default();
    let table: &[(&str, DigestError)] = &[
        (
            "sha=:AAAA:",
            DigestError::DeprecatedAlgorithm(DeprecatedAlgorithm::Sha1),
        ),
        (
            "crc32c=:AAAA:, foo=:AAAA:",
            DigestError::DeprecatedAlgorithm(DeprecatedAlgorithm::Crc32c),
        ),
        ("foo=:AAAA:", DigestError::NoSupportedAlgorithm),
        ("", DigestError::NoSupportedAlgorithm),
    ];
    for (field, expected) in table {
        let field = parse(field).expect("valid syntax");
        assert_eq!(
            ContentDigestHasher::for_field(&field, &policy).map(|_| ()),
            Err(expected.clone())
        );
    }
}

#[test]
fn header_value_edge_cases() {
    assert_eq!(header_value(&[], HELLO), "");
    assert_eq!(
        header_value(
            &[
                DigestAlgorithm::Sha512,
                DigestAlgorithm::Sha256,
                DigestAlgorithm::Sha512
            ],
            HELLO
        ),
        format!("sha-512=:{HELLO_512}:, sha-256=:{HELLO_256}:")
    );
    // What we write, we parse back.
    let value = header_value(&DigestAlgorithm::ALL, HELLO_LF);
    let field = parse(&value).expect("own output parses");
    assert_eq!(
        field.get(DigestAlgorithm::Sha512),
        Some(b64(HELLO_LF_512).as_slice())
    );
}

#[test]
fn want_preferred_table() {
    let s256 = DigestAlgorithm::Sha256;
    let s512 = DigestAlgorithm::Sha512;
    let table: &[(&str, &[DigestAlgorithm], Option<DigestAlgorithm>)] = &[
        // RFC 9530 §4 example.
        (
            "sha-512=3, sha-256=10, unixsum=0",
            &[s512, s256],
            Some(s256),
        ),
        ("sha-512=3, sha-256=10, unixsum=0", &[s512], Some(s512)),
        ("sha-256=0", &[s256, s512], None),
        ("sha-256=1, sha-512=1", &[s512, s256], Some(s512)),
        ("sha-256=1, sha-512=1", &[s256, s512], Some(s256)),
        ("md5=10", &[s256, s512], None),
        ("", &[s256], None),
        ("sha-256=9", &[], None),
    ];
    for (field, supported, expected) in table {
        let want = WantContentDigest::parse(&[field.as_bytes()]).expect("valid");
        assert_eq!(
            want.preferred(supported),
            *expected,
            "{field} {supported:?}"
        );
    }
    let want = WantContentDigest::parse(&[b"sha-512=3, sha-256=10, unixsum=0"]).expect("valid");
    assert_eq!(want.weight(s256), Some(10));
    assert_eq!(want.weight(s512), Some(3));
    assert_eq!(
        want.iter().map(WantEntry::algorithm).collect::<Vec<_>>(),
        [
            AlgorithmKind::Active(s512),
            AlgorithmKind::Active(s256),
            AlgorithmKind::Deprecated(DeprecatedAlgorithm::Unixsum)
        ]
    );
}

#[test]
fn want_errors() {
    let table: &[(&str, DigestError)] = &[
        (
            "sha-256=11",
            DigestError::WantOutOfRange {
                member: 0,
                value: 11,
            },
        ),
        (
            "sha-512=1, sha-256=-3",
            DigestError::WantOutOfRange {
                member: 1,
                value: -3,
            },
        ),
        ("sha-256=?1", DigestError::WantNotInteger { member: 0 }),
        ("sha-256=(1)", DigestError::WantNotInteger { member: 0 }),
        // The later duplicate replaces the earlier, valid, value.
        (
            "sha-256=1, sha-256=x",
            DigestError::WantNotInteger { member: 1 },
        ),
        ("Sha-256=1", DigestError::WantParse { index: Some(0) }),
    ];
    for (field, expected) in table {
        assert_eq!(
            WantContentDigest::parse(&[field.as_bytes()]),
            Err(expected.clone()),
            "{field}"
        );
    }
}

#[test]
fn error_codes_are_distinct_and_display_follows_style() {
    let s = DigestAlgorithm::Sha256;
    let all = [
        DigestError::Parse { index: Some(3) },
        DigestError::Parse { index: None },
        DigestError::TooLargeField {
            len: 9000,
            max: 8192,
        },
        DigestError::NotByteSequence {
            member: 1,
            algorithm: AlgorithmKind::Unknown,
        },
        DigestError::WrongLength {
            algorithm: s,
            expected: 32,
            actual: 31,
        },
        DigestError::DuplicateAlgorithm {
            member: 2,
            algorithm: AlgorithmKind::Active(s),
        },
        DigestError::DeprecatedAlgorithm(DeprecatedAlgorithm::Md5),
        DigestError::NoSupportedAlgorithm,
        DigestError::BodyTooLarge { max: 10 },
        DigestError::Mismatch(s),
        DigestError::NotHashed(s),
        DigestError::WantParse { index: Some(0) },
        DigestError::WantNotInteger { member: 0 },
        DigestError::WantOutOfRange {
            member: 0,
            value: 11,
        },
    ];
    let mut codes = std::collections::BTreeSet::new();
    for e in &all {
        let text = e.to_string();
        assert!(e.code().starts_with("digest."), "{e:?}");
        assert!(
            !text.ends_with('.') && !text.starts_with(char::is_uppercase),
            "{text}"
        );
        codes.insert(e.code());
    }
    // Parse with and without an index share a code; every other variant has its own.
    assert_eq!(codes.len(), all.len() - 1);
    assert_eq!(
        DigestError::Parse { index: Some(3) }.to_string(),
        "digest field is not a valid structured-field dictionary at index 3"
    );
    assert_eq!(
        DigestError::Mismatch(s).to_string(),
        "sha-256 digest does not match the message content"
    );
}

#[test]
fn line_trimming() {
    let table: &[(&[&[u8]], &[u8])] = &[
        (&[], b""),
        (&[b""], b""),
        (&[b" \t "], b""),
        (&[b" a=1 ", b"\tb=2\t"], b"a=1, b=2"),
        (&[b"a=1", b""], b"a=1, "),
        (&[b"a b"], b"a b"),
    ];
    for (lines, expected) in table {
        assert_eq!(
            combine_lines(lines, 100).as_deref(),
            Ok(&expected[..]),
            "{lines:?}"
        );
    }
    assert_eq!(combine_lines(&[b"abc", b"de"], 6).map(|v| v.len()), Err(7));
    assert_eq!(combine_lines(&[b"abc", b"de"], 7).map(|v| v.len()), Ok(7));
}

/// A cheap stand-in for the fuzz target: arbitrary bytes drawn from the characters that
/// matter to the parsers must give `Ok` or `Err`, never a panic.
#[test]
fn arbitrary_input_never_panics() {
    const ALPHABET: &[u8] = b"sha-256512md5=:,; \t()\"?@%*AZaz09+/_\x00\x7f\xff\xc3\xa9";
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        // xorshift64*
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let policy = DigestPolicy::new(64);
    for _ in 0..20_000 {
        let len = (next() % 48) as usize;
        let line: Vec<u8> = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        let lines: [&[u8]; 2] = [&line, b"sha-256=:AAAA:"];
        let n = (next() % 3) as usize;
        let lines = lines.get(..n).unwrap_or_default();
        let _ = verify_content_digest(lines, &line, &policy);
        let _ = WantContentDigest::parse(lines);
    }
}
