//! Suite dispatch and the pass table.

use core::cell::Cell;
use core::fmt::Write as _;

use httpsig_core::crypto::CryptoProvider;

pub mod dpop;
pub mod fapi;
pub mod forwarded;
pub mod keys;
pub mod rfc9421;
pub mod rfc9530;

/// Each case's id and outcome, as a suite runner returns them.
pub type CaseResults = Vec<(String, Result<(), String>)>;

/// The result of one vector case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseOutcome {
    /// The suite (directory) name.
    pub suite: String,
    /// The file, relative to `testdata/`.
    pub file: String,
    /// The case id.
    pub id: String,
    /// `Ok` when the case passed, else what differed.
    pub result: Result<(), String>,
}

/// Outcomes of a run, in order.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Every case.
    pub cases: Vec<CaseOutcome>,
    /// Files that could not be run at all (unreadable, malformed, unknown suite).
    pub file_errors: Vec<(String, String)>,
}

impl Report {
    /// Whether every case passed and every file ran.
    pub fn all_passed(&self) -> bool {
        self.file_errors.is_empty() && self.cases.iter().all(|c| c.result.is_ok())
    }

    /// Counts per suite: (suite, passed, failed), in first-seen order.
    pub fn per_suite(&self) -> Vec<(String, usize, usize)> {
        let mut rows: Vec<(String, usize, usize)> = Vec::new();
        for c in &self.cases {
            let i = match rows.iter().position(|r| r.0 == c.suite) {
                Some(i) => i,
                None => {
                    rows.push((c.suite.clone(), 0, 0));
                    rows.len() - 1
                }
            };
            if let Some(r) = rows.get_mut(i) {
                if c.result.is_ok() {
                    r.1 += 1;
                } else {
                    r.2 += 1;
                }
            }
        }
        rows
    }

    /// The per-suite table, then every failure with its detail.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "{:<14} {:>7} {:>7} {:>7}",
            "suite", "cases", "passed", "failed"
        );
        let (mut tp, mut tf) = (0, 0);
        for (suite, p, f) in self.per_suite() {
            let _ = writeln!(s, "{:<14} {:>7} {:>7} {:>7}", suite, p + f, p, f);
            tp += p;
            tf += f;
        }
        let _ = writeln!(s, "{:<14} {:>7} {:>7} {:>7}", "total", tp + tf, tp, tf);
        for c in self.cases.iter().filter(|c| c.result.is_err()) {
            let _ = writeln!(
                s,
                "FAIL {} {}: {}",
                c.file,
                c.id,
                c.result.as_ref().err().map_or("", String::as_str)
            );
        }
        for (f, e) in &self.file_errors {
            let _ = writeln!(s, "ERROR {f}: {e}");
        }
        let _ = writeln!(s, "{tp} passed, {tf} failed");
        s
    }
}

/// Runs one file whose path (relative to `testdata/`, or any path whose parent directory names
/// the suite) decides its suite.
pub fn run_file(path: &str, bytes: &[u8], report: &mut Report) {
    let suite = path.rsplit('/').nth(1).unwrap_or("");
    let name = path.rsplit('/').next().unwrap_or("");
    let r = match suite {
        "rfc9421" => rfc9421::run(bytes),
        "rfc9530" => rfc9530::run(bytes),
        "fapi" => fapi::run(bytes),
        "keys" => keys::run(name, bytes),
        "dpop" => dpop::run(name, bytes),
        "forwarded" => forwarded::run(name, bytes),
        _ => Err(format!("no runner for suite directory {suite:?}")),
    };
    match r {
        Ok(cases) => report
            .cases
            .extend(cases.into_iter().map(|(id, result)| CaseOutcome {
                suite: suite.to_owned(),
                file: path.to_owned(),
                id,
                result,
            })),
        Err(e) => report.file_errors.push((path.to_owned(), e)),
    }
}

/// The suites with a runner, as directory names under `testdata/`.
pub const SUITES: &[&str] = &["rfc9421", "rfc9530", "fapi", "keys", "dpop", "forwarded"];

/// Whether an embedded file (path relative to `testdata/`) is a vector file: a `*.json` file
/// directly in a suite directory of [`SUITES`]. Subdirectories (`keys/generated/`,
/// `dpop/keys/`) and `*.jwk.json` files hold key material, not vectors.
pub fn is_vector_file(path: &str) -> bool {
    let mut parts = path.split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(suite), Some(name), None) => {
            SUITES.contains(&suite) && name.ends_with(".json") && !name.ends_with(".jwk.json")
        }
        _ => false,
    }
}

/// The file names a suite runs by name (its module's `FILES`), for suites that have such a
/// fixed list; every one must be present.
fn fixed_files(suite: &str) -> Option<Vec<&'static str>> {
    match suite {
        "keys" => Some(keys::FILES.to_vec()),
        "dpop" => Some(dpop::FILES.to_vec()),
        "forwarded" => Some(forwarded::FILES.iter().map(|(f, _)| *f).collect()),
        _ => None,
    }
}

thread_local! {
    /// The provider of the run in progress on this thread (see [`with_provider`]).
    static PROVIDER: Cell<CryptoProvider> = const { Cell::new(httpsig_core::crypto::ring::PROVIDER) };
}

/// The crypto provider every suite loads keys, verifies and hashes with: the one passed to
/// [`run_embedded_with`] / [`run_files_with`], *ring* otherwise.
///
/// The runners keep their per-case signatures unchanged and read the run's one provider here,
/// rather than threading it through every case function; the library API itself takes the
/// provider by value (`*_with`, `with_provider`).
pub fn provider() -> CryptoProvider {
    PROVIDER.with(Cell::get)
}

/// Runs `f` with `provider` as the suites' provider on this thread, restoring the previous one
/// afterwards.
fn with_provider<T>(provider: CryptoProvider, f: impl FnOnce() -> T) -> T {
    let previous = PROVIDER.with(|p| p.replace(provider));
    let out = f();
    PROVIDER.with(|p| p.set(previous));
    out
}

/// [`run_embedded`] with every suite on `provider`.
pub fn run_embedded_with(provider: CryptoProvider) -> Report {
    with_provider(provider, run_embedded)
}

/// [`run_files`] with every suite on `provider`.
pub fn run_files_with(paths: &[std::path::PathBuf], provider: CryptoProvider) -> Report {
    with_provider(provider, || run_files(paths))
}

/// Runs every embedded vector file of every suite, then each suite's checks across its
/// files (a listed file that is missing, requirement coverage, totals) as extra cases.
pub fn run_embedded() -> Report {
    let mut report = Report::default();
    for suite in SUITES {
        let files: Vec<(&str, &[u8])> = crate::embedded::FILES
            .iter()
            .filter(|(path, _)| is_vector_file(path) && path.split('/').next() == Some(suite))
            .map(|(path, bytes)| (*path, *bytes))
            .collect();
        for (path, bytes) in &files {
            run_file(path, bytes, &mut report);
        }
        let by_name: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(p, b)| (p.rsplit('/').next().unwrap_or(p), *b))
            .collect();
        for name in fixed_files(suite).unwrap_or_default() {
            if !by_name.iter().any(|(n, _)| *n == name) {
                report
                    .file_errors
                    .push((format!("{suite}/{name}"), "vector file missing".into()));
            }
        }
        let suite_cases = match *suite {
            "dpop" => dpop::coverage(&by_name),
            "forwarded" => forwarded::coverage(&by_name),
            _ => Vec::new(),
        };
        report
            .cases
            .extend(suite_cases.into_iter().map(|(id, result)| CaseOutcome {
                suite: (*suite).to_owned(),
                file: format!("{suite}/"),
                id,
                result,
            }));
    }
    report
}

/// Runs the given files from disk.
pub fn run_files(paths: &[std::path::PathBuf]) -> Report {
    let mut report = Report::default();
    for p in paths {
        let shown = p.to_string_lossy().replace('\\', "/");
        match std::fs::read(p) {
            Ok(b) => run_file(&shown, &b, &mut report),
            Err(e) => report.file_errors.push((shown, e.to_string())),
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_run_provider_is_set_for_the_run_and_restored_after() {
        use httpsig_core::crypto::{aws_lc_rs, ring};
        assert_eq!(provider(), ring::provider());
        let inside = with_provider(aws_lc_rs::provider(), || {
            let nested = with_provider(ring::provider(), provider);
            (provider(), nested)
        });
        assert_eq!(inside, (aws_lc_rs::provider(), ring::provider()));
        assert_eq!(provider(), ring::provider());
    }

    #[test]
    fn vector_files_are_top_level_json_of_a_suite_except_jwks() {
        for yes in [
            "keys/signatures.json",
            "dpop/rs-cases.json",
            "forwarded/htu.json",
            "rfc9421/components.json",
        ] {
            assert!(is_vector_file(yes), "{yes}");
        }
        for no in [
            "keys/test-key-rsa.jwk.json",
            "keys/rfc8037-a1-ed25519.jwk.json",
            "keys/generated/rsa-2048.jwk.json",
            "dpop/keys/ed25519.pub.jwk.json",
            "keys/README.md",
            "keys/test-key-rsa.pem",
            "tools/vectors.json",
            "signatures.json",
        ] {
            assert!(!is_vector_file(no), "{no}");
        }
    }

    #[test]
    fn named_suites_list_exactly_their_embedded_vector_files() {
        for suite in ["keys", "dpop", "forwarded"] {
            let mut embedded: Vec<&str> = crate::embedded::FILES
                .iter()
                .filter(|(p, _)| is_vector_file(p))
                .filter_map(|(p, _)| p.strip_prefix(suite)?.strip_prefix('/'))
                .collect();
            let mut listed = fixed_files(suite).unwrap_or_default();
            embedded.sort_unstable();
            listed.sort_unstable();
            assert_eq!(embedded, listed, "{suite}");
        }
    }
}
