//! Runs one routine of one row in a loop, for `valgrind --tool=callgrind`.
//!
//! ```text
//! cargo build --profile bench -p benches --bin profile
//! valgrind --tool=callgrind --toggle-collect='*Routine*time*' \
//!     target/release/profile "FAPI request verify ed25519, 1 KiB body" ours 2000
//! ```
//! IMPL is `ours`, `httpsig-hyper`, `ring` or `httpsig-crypto`.
#![forbid(unsafe_code)]

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(name), Some(col), Some(iters)) = (args.first(), args.get(1), args.get(2)) else {
        eprintln!("usage: profile ROW-NAME IMPL ITERS");
        std::process::exit(2);
    };
    let Ok(iters) = iters.parse::<u64>() else {
        eprintln!("profile: ITERS must be a number");
        std::process::exit(2);
    };
    let mut rows = benches::groups::rows(&|_, n| n == name);
    let Some(row) = rows.first_mut() else {
        eprintln!("profile: no row named {name:?}");
        std::process::exit(2);
    };
    let Some((_, r)) = row.routines_mut().into_iter().find(|(c, _)| c == col) else {
        eprintln!("profile: row {name:?} has no {col:?} routine");
        std::process::exit(2);
    };
    if let Err(e) = r.run_once(&mut |op| op()) {
        eprintln!("profile: the routine fails: {e}");
        std::process::exit(1);
    }
    let d = r.time(iters);
    // Iteration counts are far below 2^52: the conversion is exact.
    println!(
        "{:.1} ns/iter over {iters} iterations",
        d.as_secs_f64() * 1e9 / iters as f64
    );
}
