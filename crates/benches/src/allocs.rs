//! Heap allocations per operation, counted by a counting global allocator that the calling
//! binary installs (`src/bin/allocs.rs`, `benches/allocs.rs`): kept out of the timing binaries,
//! whose figures it would skew.

use crate::groups::Row;
use crate::report::AllocCount;

/// A snapshot of the global allocator's counters: (alloc calls, realloc calls, bytes allocated).
pub type Snapshot<'a> = &'a dyn Fn() -> (u64, u64, u64);

/// Runs of each routine; the count must be the same in every run (a warm-up run first takes
/// one-time initialisation, such as ring's CPU feature detection, out of the figure).
const RUNS: usize = 8;

/// Counts the allocations of one operation of every routine of `rows` (except httpsig-hyper's
/// crypto-only baseline and the aws-lc-rs column).
///
/// # Errors
/// A routine that failed, or whose count changed between runs.
pub fn count(rows: &mut [Row], snapshot: Snapshot<'_>) -> Result<Vec<AllocCount>, String> {
    let mut out = Vec::new();
    for row in rows.iter_mut() {
        let (group, name) = (row.group, row.name.clone());
        for (col, r) in row.routines_mut() {
            // The aws-lc-rs pair is a timing column: aws-lc-rs's randomized ECDSA signature
            // reallocates depending on the signature's DER length, so its counts vary by run.
            if matches!(col, "httpsig-crypto" | "ours-aws-lc-rs" | "aws-lc-rs") {
                continue;
            }
            r.run_once(&mut |op| op())?;
            let mut seen: Option<(u64, u64, u64)> = None;
            for _ in 0..RUNS {
                let mut delta = (0, 0, 0);
                r.run_once(&mut |op| {
                    let before = snapshot();
                    op();
                    let after = snapshot();
                    delta = (after.0 - before.0, after.1 - before.1, after.2 - before.2);
                })
                .map_err(|e| format!("{name} [{col}]: {e}"))?;
                match seen {
                    None => seen = Some(delta),
                    // Only call counts must repeat; byte counts are reported from the first
                    // run (randomised signatures could in principle change a length).
                    Some(s) if (s.0, s.1) != (delta.0, delta.1) => {
                        return Err(format!(
                            "{name} [{col}]: allocation count varies between runs ({s:?} then {delta:?})"
                        ));
                    }
                    Some(_) => {}
                }
            }
            let (allocations, reallocations, bytes) = seen.unwrap_or_default();
            out.push(AllocCount {
                group: group.to_owned(),
                name: name.clone(),
                implementation: col.to_owned(),
                allocations,
                reallocations,
                bytes,
            });
        }
    }
    Ok(out)
}

/// The rows counted: the sign and verify rows (groups 2 and 3).
pub fn counted_group(group: &str) -> bool {
    matches!(group, "2" | "3")
}

/// The whole `allocs` program, for the binaries that install the counting allocator:
/// `[--json] [--filter TEXT]...`; other arguments (such as cargo bench's `--bench`) are ignored.
pub fn main_with(snapshot: Snapshot<'_>) {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let as_json = args.iter().any(|a| a == "--json");
    let filters: Vec<&str> = args
        .windows(2)
        .filter(|w| w.first().is_some_and(|a| a == "--filter"))
        .filter_map(|w| w.get(1).map(String::as_str))
        .collect();
    let filter = |g: &str, n: &str| {
        counted_group(g) && (filters.is_empty() || filters.iter().any(|f| n.contains(f)))
    };
    let mut rows = crate::groups::rows(&filter);
    match count(&mut rows, snapshot) {
        Ok(counts) if as_json => println!("{}", AllocCount::to_json_list(&counts)),
        Ok(counts) => {
            println!("group 6: heap allocations per operation");
            for c in counts {
                println!(
                    "{:<50} {:<14} allocs {:>4}  reallocs {:>3}  bytes {:>7}",
                    c.name, c.implementation, c.allocations, c.reallocations, c.bytes
                );
            }
        }
        Err(e) => {
            eprintln!("allocs: {e}");
            std::process::exit(1);
        }
    }
}
