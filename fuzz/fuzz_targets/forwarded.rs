//! Forwarded tokenizer: no panics on any bytes, and forward and reverse tokenization agree
//! (same elements, opposite order) whenever either succeeds on the whole input.
//! The input is split into field lines at `\n`, so multi-line combination is covered too.
#![no_main]

use forwarded_parser::forwarded::Element;
use forwarded_parser::{Limits, parse_forwarded};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let Ok(parsed) = parse_forwarded(lines.iter().copied(), Limits::default()) else {
        return;
    };
    let forward: Result<Vec<Element<'_>>, _> = parsed.iter().collect();
    let reverse: Result<Vec<Element<'_>>, _> = parsed.iter_rev().collect();
    match (forward, reverse) {
        (Ok(f), Ok(mut r)) => {
            r.reverse();
            assert_eq!(f, r, "forward and reverse disagree");
            for el in &f {
                // Accessors and the pair iterator must be consistent and panic-free.
                let _ = el.for_node();
                let _ = el.by_node();
                assert!(el.pairs().count() <= Limits::DEFAULT_MAX_PAIRS);
                for (_, v) in el.pairs() {
                    let _ = v.unescaped();
                }
            }
        }
        (Err(_), Err(_)) => {}
        (f, r) => panic!(
            "one direction failed: forward ok={} reverse ok={}",
            f.is_ok(),
            r.is_ok()
        ),
    }
});
