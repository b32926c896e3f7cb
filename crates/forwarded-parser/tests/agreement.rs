//! Forward and reverse tokenization agree (same elements, opposite order; both fail or both
//! succeed) on every `Forwarded` input found in the vector files, and on every prefix and
//! every one-byte deletion of those inputs. Deterministic, no proptest: the same property the
//! `forwarded` fuzz target checks, run on a fixed corpus in CI.

use std::path::PathBuf;

use forwarded_parser::forwarded::Element;
use forwarded_parser::{Limits, parse_forwarded};

fn corpus() -> Vec<Vec<String>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/testdata/forwarded");
    let mut out = Vec::new();
    for name in ["grammar.json", "trust.json", "x-forwarded.json"] {
        let text = std::fs::read_to_string(dir.join(name)).expect("vector file");
        let v: serde_json::Value = serde_json::from_str(&text).expect("json");
        for case in v["cases"].as_array().expect("cases") {
            if let Some(lines) = case.get("lines").and_then(|l| l.as_array()) {
                out.push(
                    lines
                        .iter()
                        .map(|l| l.as_str().expect("line").to_owned())
                        .collect(),
                );
            }
            if let Some(headers) = case.get("headers").and_then(|h| h.as_array()) {
                let lines: Vec<String> = headers
                    .iter()
                    .filter(|h| {
                        h[0].as_str()
                            .is_some_and(|n| n.eq_ignore_ascii_case("forwarded"))
                    })
                    .map(|h| h[1].as_str().expect("value").to_owned())
                    .collect();
                if !lines.is_empty() {
                    out.push(lines);
                }
            }
        }
    }
    out
}

/// Returns whether the input parsed; panics if the two directions disagree.
fn agree(lines: &[&[u8]]) -> bool {
    let Ok(p) = parse_forwarded(lines.iter().copied(), Limits::default()) else {
        return false;
    };
    let f: Result<Vec<Element<'_>>, _> = p.iter().collect();
    let r: Result<Vec<Element<'_>>, _> = p.iter_rev().collect();
    match (f, r) {
        (Ok(f), Ok(mut r)) => {
            r.reverse();
            assert_eq!(f, r, "disagree on {lines:?}");
            true
        }
        (Err(_), Err(_)) => false,
        (f, r) => panic!(
            "forward ok={} reverse ok={} on {lines:?}",
            f.is_ok(),
            r.is_ok()
        ),
    }
}

#[test]
fn forward_and_reverse_agree_on_vector_inputs() {
    let corpus = corpus();
    assert!(corpus.len() > 100, "corpus size {}", corpus.len());
    let (mut checked, mut valid) = (0usize, 0usize);
    for lines in &corpus {
        let bytes: Vec<&[u8]> = lines.iter().map(|l| l.as_bytes()).collect();
        valid += usize::from(agree(&bytes));
        checked += 1;
        // Mutations of the last line: every prefix, every one-byte deletion.
        let Some((last, rest)) = bytes.split_last() else {
            continue;
        };
        for cut in 0..last.len() {
            let mut v = rest.to_vec();
            let prefix = last.get(..cut).expect("in range");
            v.push(prefix);
            valid += usize::from(agree(&v));
            let mut deleted = prefix.to_vec();
            deleted.extend_from_slice(last.get(cut + 1..).expect("in range"));
            let mut v = rest.to_vec();
            v.push(&deleted);
            valid += usize::from(agree(&v));
            checked += 2;
        }
    }
    // Both outcomes must be exercised, or the property says nothing.
    assert!(
        valid > 100 && checked - valid > 100,
        "valid {valid} of {checked}"
    );
}
