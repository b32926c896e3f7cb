//! Character classes and small validators shared by every parser in the crate.
//!
//! All functions work on bytes with `get()`/iterators; nothing here can panic on input.

use core::net::IpAddr;

pub(crate) use httpsig_uri::host::{parse_ipv4, parse_ipv4_prefix, parse_ipv6, parse_port};
pub(crate) use httpsig_uri::{is_ows, trim_ows};

/// RFC 9110 §5.6.2 `tchar`, stated once in `httpsig-uri` (the table below is built from it).
use httpsig_uri::is_tchar as tchar_rule;

/// Byte classes for the hot loops, one bit each, computed at compile time from the
/// predicates in this file (so the table cannot drift from them).
const TCHAR: u8 = 1;
const TARGET: u8 = 2;
/// A path byte: a target byte other than `?`.
const PATH: u8 = 4;
/// A byte after the first of an RFC 3986 §3.1 `scheme`: ALPHA / DIGIT / `+` / `-` / `.`.
const SCHEME: u8 = 8;

const CLASSES: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0usize;
    while i < 256 {
        // `i` < 256, so the cast is lossless.
        let b = i as u8;
        let mut c = 0u8;
        if tchar_rule(b) {
            c |= TCHAR;
        }
        if target_rule(b) {
            c |= TARGET;
        }
        if target_rule(b) && b != b'?' {
            c |= PATH;
        }
        if scheme_rule(b) {
            c |= SCHEME;
        }
        // `i` < 256 = the table's length.
        t[i] = c;
        i += 1;
    }
    t
};

const fn class(b: u8) -> u8 {
    // A `[u8; 256]` indexed by a `u8` is always in bounds (and `get` is not `const`).
    CLASSES[b as usize]
}

/// The length of the longest prefix of `s` whose bytes all have the class bit `bit`.
/// Four bytes at a time while a whole chunk qualifies (one AND per byte, no branch), then
/// byte by byte from the chunk that does not.
fn class_run(s: &[u8], bit: u8) -> usize {
    let mut chunks = s.chunks_exact(4);
    let mut done = 0usize;
    for chunk in chunks.by_ref() {
        if chunk.iter().fold(bit, |acc, &b| acc & class(b)) == 0 {
            break;
        }
        done += 4;
    }
    let rest = s.get(done..).unwrap_or_default();
    done + rest
        .iter()
        .position(|&b| class(b) & bit == 0)
        .unwrap_or(rest.len())
}

/// The length of the run of `tchar` at the start of `s`. Byte by byte: the runs are mostly
/// parameter names and short values, shorter than a chunk of [`class_run`].
pub(crate) fn tchar_len(s: &[u8]) -> usize {
    s.iter().position(|&b| !is_tchar(b)).unwrap_or(s.len())
}

/// The length of the run of path bytes (target bytes other than `?`) at the start of `s`.
pub(crate) fn path_len(s: &[u8]) -> usize {
    class_run(s, PATH)
}

/// Whether every byte of `s` is a request-target byte.
pub(crate) fn all_target_bytes(s: &[u8]) -> bool {
    class_run(s, TARGET) == s.len()
}

/// RFC 9110 §5.6.2 `tchar` (table lookup).
pub(crate) const fn is_tchar(b: u8) -> bool {
    class(b) & TCHAR != 0
}

/// RFC 9110 §5.6.4 `qdtext` (HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text).
pub(crate) const fn is_qdtext(b: u8) -> bool {
    matches!(b, b'\t' | b' ' | 0x21 | 0x23..=0x5B | 0x5D..=0x7E | 0x80..=0xFF)
}

/// RFC 9110 §5.6.4: the octet after `\` in a quoted-pair (HTAB / SP / VCHAR / obs-text).
pub(crate) const fn is_quoted_pair_octet(b: u8) -> bool {
    matches!(b, b'\t' | b' ' | 0x21..=0x7E | 0x80..=0xFF)
}

/// RFC 3986 §2.3 unreserved.
pub(crate) const fn is_unreserved(b: u8) -> bool {
    matches!(b, b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~')
}

/// `token` (RFC 9110 §5.6.2): non-empty, all tchar.
pub(crate) fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// The bytes after the first of a `scheme` (RFC 3986 §3.1), as the grammar states them.
const fn scheme_rule(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')
}

/// The length of the RFC 3986 §3.1 `scheme` at the start of `s` (0 if `s` does not start
/// with a letter), ending at the first byte a scheme cannot hold.
pub(crate) fn scheme_len(s: &[u8]) -> usize {
    match s.split_first() {
        Some((first, rest)) if first.is_ascii_alphabetic() => {
            1 + rest
                .iter()
                .position(|&b| class(b) & SCHEME == 0)
                .unwrap_or(rest.len())
        }
        _ => 0,
    }
}

/// RFC 3986 §3.1 `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
pub(crate) fn is_scheme(s: &[u8]) -> bool {
    match s.split_first() {
        Some((first, rest)) => {
            first.is_ascii_alphabetic() && rest.iter().all(|&b| class(b) & SCHEME != 0)
        }
        None => false,
    }
}

/// Converts IPv4-mapped IPv6 (`::ffff:a.b.c.d`) to IPv4; other addresses are unchanged.
pub(crate) fn normalize_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// RFC 7239 §6 `obfnode` / `obfport`: `"_" 1*( ALPHA / DIGIT / "." / "_" / "-")`.
pub(crate) fn is_obfuscated(s: &[u8]) -> bool {
    match s.split_first() {
        Some((b'_', rest)) => {
            !rest.is_empty()
                && rest
                    .iter()
                    .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        }
        _ => false,
    }
}

/// Request-target bytes as RFC 9112 §3.2 states them (the table above is built from this).
const fn target_rule(b: u8) -> bool {
    matches!(b, 0x21..=0x7E) && b != b'#'
}

/// Request-target / path bytes (RFC 9112 §3.2): visible ASCII except `#`.
pub(crate) const fn is_target_byte(b: u8) -> bool {
    class(b) & TARGET != 0
}

/// A path that may be used as a prefix: starts with `/`, visible ASCII, no `?`, `#`,
/// and no `.` / `..` segment (also percent-encoded). A single trailing `/` is dropped;
/// `/` alone is the empty prefix.
pub(crate) fn validate_prefix(s: &str) -> Option<&str> {
    let b = s.as_bytes();
    if b.first() != Some(&b'/') || !b.iter().all(|&c| is_target_byte(c) && c != b'?') {
        return None;
    }
    if has_dot_segment(s) {
        return None;
    }
    let trimmed = s.strip_suffix('/').unwrap_or(s);
    if trimmed.ends_with('/') {
        return None;
    }
    Some(trimmed)
}

/// True if a path has a `.` or `..` segment, literally or percent-encoded (`%2e`).
pub(crate) fn has_dot_segment(path: &str) -> bool {
    path.split('/').any(|seg| {
        let lower = seg.as_bytes();
        let mut dots = 0usize;
        let mut i = 0usize;
        while i < lower.len() {
            match lower.get(i) {
                Some(b'.') => {
                    dots += 1;
                    i += 1;
                }
                Some(b'%')
                    if matches!(lower.get(i + 1), Some(b'2'))
                        && matches!(lower.get(i + 2), Some(b'e' | b'E')) =>
                {
                    dots += 1;
                    i += 3;
                }
                _ => return false,
            }
        }
        dots == 1 || dots == 2
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_against_reference(s: &[u8]) {
        // The scheme prefix: the longest prefix that is a scheme, 0 if none is.
        let longest = (0..=s.len())
            .rev()
            .find(|&n| is_scheme(s.get(..n).expect("in range")))
            .unwrap_or(0);
        assert_eq!(scheme_len(s), longest, "scheme {s:?}");
        // The chunked class runs against a byte-by-byte scan.
        for (bit, rule) in [
            (TCHAR, tchar_rule as fn(u8) -> bool),
            (TARGET, target_rule),
            (PATH, |b| target_rule(b) && b != b'?'),
        ] {
            let expected = s.iter().position(|&b| !rule(b)).unwrap_or(s.len());
            assert_eq!(class_run(s, bit), expected, "run {bit} {s:?}");
        }
        // The chunked runs against the rules byte by byte.
        let path = |b: u8| target_rule(b) && b != b'?';
        let expected = s.iter().position(|&b| !path(b)).unwrap_or(s.len());
        assert_eq!(path_len(s), expected, "path {s:?}");
        assert_eq!(
            all_target_bytes(s),
            s.iter().all(|&b| target_rule(b)),
            "target {s:?}"
        );
    }

    #[test]
    fn one_pass_validators_match_the_reference() {
        // Every string of up to 6 bytes over an alphabet that reaches each branch.
        const ALPHABET: &[u8] = b"019.:a-[";
        let mut buf = Vec::new();
        fn all(buf: &mut Vec<u8>, depth: usize) {
            check_against_reference(buf);
            if depth == 0 {
                return;
            }
            for &b in ALPHABET {
                buf.push(b);
                all(buf, depth - 1);
                buf.pop();
            }
        }
        all(&mut buf, 6);
        // Longer seeds, each with every one-byte substitution, deletion and insertion.
        let long_label = "a".repeat(63);
        let too_long_label = "a".repeat(64);
        let seeds: Vec<Vec<u8>> = [
            "192.0.2.43",
            "255.255.255.255",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3.4.5",
            "api.example.com:8443",
            "Api.Example.COM:8443",
            "[2001:DB8::a]:443",
            "[2001:db8::1]:443",
            "a-b_c.d9:65535",
            "a:65536",
            long_label.as_str(),
            too_long_label.as_str(),
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        for seed in &seeds {
            check_against_reference(seed);
            for i in 0..=seed.len() {
                for &b in b"0259.:aZ-_[]/ \xff" {
                    let mut v = seed.clone();
                    v.insert(i, b);
                    check_against_reference(&v);
                    if i < seed.len() {
                        let mut v = seed.clone();
                        v[i] = b;
                        check_against_reference(&v);
                    }
                }
                if i < seed.len() {
                    let mut v = seed.clone();
                    v.remove(i);
                    check_against_reference(&v);
                }
            }
        }
        let huge = [long_label.as_str(); 4].join(".");
        check_against_reference(huge.as_bytes());
        // Chunked runs: every byte value at every position of 0..=17 bytes of fillers at
        // either end of the target range, and two stop bytes in one chunk.
        for filler in [b'a', b'!', b'~'] {
            for len in 0..=17 {
                for stop in 0..=len {
                    for b in 0..=255u8 {
                        let mut v = vec![filler; len];
                        if stop < len {
                            v[stop] = b;
                        }
                        check_against_reference(&v);
                        if stop + 1 < len {
                            v[stop + 1] = b'?';
                            check_against_reference(&v);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn byte_tables_match_the_rules() {
        for b in 0..=255u8 {
            assert_eq!(is_tchar(b), tchar_rule(b), "{b}");
            assert_eq!(is_target_byte(b), target_rule(b), "{b}");
            assert_eq!(class(b) & SCHEME != 0, scheme_rule(b), "{b}");
        }
    }

    #[test]
    fn dot_segments() {
        assert!(has_dot_segment("/a/./b"));
        assert!(has_dot_segment("/a/../b"));
        assert!(has_dot_segment("/a/%2E%2e/b"));
        assert!(!has_dot_segment("/a/.../b"));
        assert!(!has_dot_segment("/a/.b/c."));
    }

    #[test]
    fn prefixes() {
        assert_eq!(validate_prefix("/api/"), Some("/api"));
        assert_eq!(validate_prefix("/"), Some(""));
        assert_eq!(validate_prefix("api"), None);
        assert_eq!(validate_prefix("/a?b"), None);
        assert_eq!(validate_prefix("/a/../b"), None);
        assert_eq!(validate_prefix("/a//"), None);
    }
}
