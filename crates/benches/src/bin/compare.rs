//! Runs every group and prints one table of medians with ratios computed within the run:
//! ours / httpsig-hyper, ours / raw ring, non-crypto time; for group 2 also ours on the
//! aws-lc-rs provider and raw aws-lc-rs; then the allocation counts (group 6,
//! from the `allocs` binary) and the check of each performance target.
//!
//! ```text
//! cargo run --release -p benches --bin compare [-- --quick] [--json] [--filter TEXT]... [--no-allocs]
//! ```
//! `--json` prints `{"rows": [{"group", "name", "ours_ns", "httpsig_hyper_ns", "ring_ns",
//! "ours_aws_lc_rs_ns", "aws_lc_rs_ns", "allocations"}]}` instead (null where a column does not apply; `allocations` counts alloc
//! plus realloc calls per operation). Samples of the
//! implementations of a row are interleaved, so load changes hit them alike.
#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use benches::groups::{self, Row};
use benches::harness::{BoxRoutine, Budget, measure};
use benches::report::{self, AllocCount, Measured};

struct Args {
    quick: bool,
    json: bool,
    allocs: bool,
    filters: Vec<String>,
}

fn parse_args() -> Args {
    let mut a = Args {
        quick: false,
        json: false,
        allocs: true,
        filters: Vec::new(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--quick" => a.quick = true,
            "--json" => a.json = true,
            "--no-allocs" => a.allocs = false,
            "--filter" => a.filters.extend(it.next()),
            "-h" | "--help" => {
                println!(
                    "compare [--quick] [--json] [--filter TEXT]... [--no-allocs]\n\
                     --quick      smoke run (~0.1 s per routine instead of ~1 s)\n\
                     --json       print the rows as JSON\n\
                     --filter T   only rows whose name contains T (repeatable)\n\
                     --no-allocs  do not run the allocs binary (allocation columns null)"
                );
                std::process::exit(0);
            }
            other => {
                eprintln!("compare: unknown argument {other:?} (try --help)");
                std::process::exit(2);
            }
        }
    }
    a
}

/// The `allocs` binary next to this one, built first (by the cargo that runs us) when missing
/// or older than this binary.
fn allocs_binary() -> Result<PathBuf, String> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let path = me.with_file_name(format!("allocs{}", std::env::consts::EXE_SUFFIX));
    let modified = |p: &PathBuf| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let stale = match (modified(&path), modified(&me)) {
        (Some(a), Some(b)) => a < b,
        _ => true,
    };
    if stale {
        let cargo = std::env::var_os("CARGO").ok_or(
            "the allocs binary is missing and CARGO is not set: build it with \
             `cargo build --release -p benches --bin allocs`",
        )?;
        let mut cmd = Command::new(cargo);
        cmd.args(["build", "-p", "benches", "--bin", "allocs"]);
        if !cfg!(debug_assertions) {
            cmd.arg("--release");
        }
        let status = cmd.status().map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("building allocs failed: {status}"));
        }
    }
    Ok(path)
}

fn run_allocs(filters: &[String]) -> Result<Vec<AllocCount>, String> {
    let bin = allocs_binary()?;
    let mut cmd = Command::new(&bin);
    cmd.arg("--json");
    for f in filters {
        cmd.args(["--filter", f]);
    }
    let out = cmd
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    AllocCount::parse_list(&String::from_utf8_lossy(&out.stdout))
}

fn measure_row(row: &mut Row, budget: Budget) -> Measured {
    let mut m = Measured {
        group: row.group.to_owned(),
        name: row.name.clone(),
        crypto_free: row.crypto_free,
        todo: row.todo.map(str::to_owned),
        ..Measured::default()
    };
    let mut cols = row.routines_mut();
    let names: Vec<&str> = cols.iter().map(|(n, _)| *n).collect();
    let mut routines: Vec<&mut BoxRoutine> = cols.iter_mut().map(|(_, r)| &mut **r).collect();
    let medians = measure(&mut routines, budget);
    for (name, v) in names.into_iter().zip(medians) {
        let slot = match name {
            "ours" => &mut m.ours,
            "httpsig-hyper" => &mut m.hyper,
            "ring" => &mut m.ring,
            "ours-aws-lc-rs" => &mut m.ours_aws,
            "aws-lc-rs" => &mut m.aws,
            _ => &mut m.hyper_crypto,
        };
        *slot = Some(v);
    }
    m
}

fn main() {
    let args = parse_args();
    let budget = if args.quick {
        Budget::QUICK
    } else {
        Budget::NORMAL
    };
    let filters = args.filters.clone();
    let filter =
        |_: &str, n: &str| filters.is_empty() || filters.iter().any(|f| n.contains(f.as_str()));
    let started = Instant::now();
    let mut rows = groups::rows(&filter);
    if let Err(e) = groups::check(&mut rows) {
        eprintln!("compare: a routine fails, nothing measured: {e}");
        std::process::exit(1);
    }
    let allocs = if args.allocs {
        run_allocs(&args.filters).unwrap_or_else(|e| {
            eprintln!("compare: allocation counts unavailable: {e}");
            Vec::new()
        })
    } else {
        Vec::new()
    };
    let mut measured = Vec::with_capacity(rows.len());
    for row in &mut rows {
        eprintln!(
            "[{:>5.1}s] group {}: {}",
            started.elapsed().as_secs_f64(),
            row.group,
            row.name
        );
        measured.push(measure_row(row, budget));
    }
    if args.json {
        println!("{}", report::json(&measured, &allocs));
        return;
    }
    println!(
        "benches compare ({} run, {} s; medians per operation; httpsig-hyper 0.0.26, ring 0.17, aws-lc-rs 1)",
        if args.quick { "--quick smoke" } else { "full" },
        started.elapsed().as_secs()
    );
    println!(
        "FAPI request: {}-byte DPoP header, 1 KiB body; B.2.5 request: RFC 9421 B.2",
        benches::fixtures::dpop_proof().len()
    );
    println!("{}", report::table(&measured, &allocs));
    println!(
        "{}",
        report::targets_text(&report::targets(&measured, &allocs))
    );
}
