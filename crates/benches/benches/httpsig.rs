//! Every group through criterion (`cargo bench -p benches`): one criterion group per row, one
//! function per implementation (`ours`, `httpsig-hyper`, `ring`, `httpsig-crypto` = httpsig's
//! own backend on the same bytes). The routines are those `compare` times.
//!
//! Smoke run: `cargo bench -p benches --bench httpsig -- --warm-up-time 1 --measurement-time 2`.
#![forbid(unsafe_code)]

use criterion::Criterion;

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut rows = benches::groups::rows(&|_, _| true);
    if let Err(e) = benches::groups::check(&mut rows) {
        eprintln!("a routine fails, nothing measured: {e}");
        std::process::exit(1);
    }
    for row in &mut rows {
        if let Some(branch) = row.todo {
            println!(
                "group {}: {} — TODO ({branch}), not measured",
                row.group, row.name
            );
            continue;
        }
        let mut g = c.benchmark_group(format!("{} {}", row.group, row.name));
        for (col, r) in row.routines_mut() {
            g.bench_function(col, |b| b.iter_custom(|iters| r.time(iters)));
        }
        g.finish();
    }
    c.final_summary();
}
