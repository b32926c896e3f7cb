//! Runs every bundled vector suite; any failing case fails the test.

#[test]
fn bundled_vectors_pass() {
    let report = conformance::run_embedded();
    let table = report.render();
    println!("{table}");
    assert!(!report.cases.is_empty(), "no vector ran");
    for suite in conformance::suites::SUITES {
        assert!(
            report
                .per_suite()
                .iter()
                .any(|(s, p, _)| s == suite && *p > 0),
            "suite {suite} ran no passing case:\n{table}"
        );
    }
    assert!(report.all_passed(), "vector failures:\n{table}");
}
