//! Forwarded tokenizer: no panics on any bytes, and forward and reverse tokenization agree
//! (same elements, opposite order) whenever either succeeds on the whole input.
//! The input is split into field lines at `\n`, so multi-line combination is covered too.
//! `resolve` runs on the same lines (its one-pass fast path and the reference walk it falls
//! back to): no panics, and a header valid everywhere never yields a warning. The lines also
//! run as `X-Forwarded-For` (its fast path and reference walk): no panics.
#![no_main]

use forwarded_parser::forwarded::Element;
use forwarded_parser::{
    Config, ConnectionFacts, Limits, RequestHead, Trust, parse_forwarded, resolve,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    let all_valid = parse_forwarded(lines.iter().copied(), Limits::default())
        .is_ok_and(|p| p.iter().all(|e| e.is_ok()));
    let headers: Vec<(&str, &[u8])> = lines.iter().map(|l| ("forwarded", *l)).collect();
    if let Ok(head) = RequestHead::new("GET", "/p?q", &headers) {
        let conn = ConnectionFacts::new([10, 0, 0, 3].into(), false);
        let trusts = [
            Trust::cidrs([
                "10.0.0.0/8".parse().expect("cidr"),
                "2001:db8::/32".parse().expect("cidr"),
            ]),
            Trust::hops(2.try_into().expect("non-zero")),
        ];
        for trust in trusts {
            if let Ok(r) = resolve(&Config::forwarded(trust), &conn, &head) {
                assert!(
                    !all_valid || r.warnings.is_empty(),
                    "warning on a valid header"
                );
            }
        }
    }
    // The same lines as X-Forwarded-For (its one-pass fast path and the reference walk).
    let xff: Vec<(&str, &[u8])> = lines.iter().map(|l| ("x-forwarded-for", *l)).collect();
    if let Ok(head) = RequestHead::new("GET", "/p?q", &xff) {
        let conn = ConnectionFacts::new([10, 0, 0, 3].into(), false);
        for trust in [
            Trust::cidrs(["10.0.0.0/8".parse().expect("cidr")]),
            Trust::hops(2.try_into().expect("non-zero")),
        ] {
            let _ = resolve(
                &Config::x_forwarded(trust, forwarded_parser::XfOptions::new()),
                &conn,
                &head,
            );
        }
    }
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
