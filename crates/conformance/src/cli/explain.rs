//! `verify --explain`: the signature base that was verified, and a per-line comparison with
//! the base the signer says it signed.
//!
//! Lines are matched by component identifier (RFC 9421 §2.5: one line per identifier), so a
//! diff names the component whose value differs, e.g. `"@authority"` computed as
//! `example.com:443` where the signer had `example.com`.

use core::fmt::Write as _;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Splits a signature base line into its component identifier and value at the first `": "`
/// outside a quoted string (an identifier's parameters may hold quoted strings).
pub fn split_line(line: &str) -> (&str, &str) {
    let bytes = line.as_bytes();
    let mut in_quotes = false;
    let mut escaped = false;
    for (i, b) in bytes.iter().enumerate() {
        if in_quotes {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_quotes = false,
                _ => {}
            }
        } else if *b == b'"' {
            in_quotes = true;
        } else if *b == b':' && bytes.get(i + 1) == Some(&b' ') {
            return (
                line.get(..i).unwrap_or(line),
                line.get(i + 2..).unwrap_or(""),
            );
        }
    }
    (line, "")
}

/// One line of the comparison.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineDiff<'a> {
    /// The same in both.
    Same(&'a str),
    /// The identifier is in both; the values differ.
    Changed {
        /// The component identifier.
        identifier: &'a str,
        /// The signer's line.
        expected: &'a str,
        /// The verifier's line.
        computed: &'a str,
    },
    /// Only the signer's base has this line.
    OnlyExpected(&'a str),
    /// Only the computed base has this line.
    OnlyComputed(&'a str),
}

/// Compares two bases line by line, in the expected base's order; lines only the computed base
/// has come last.
pub fn compare<'a>(expected: &'a str, computed: &'a str) -> Vec<LineDiff<'a>> {
    let mut computed_lines: Vec<Option<&'a str>> = computed.split('\n').map(Some).collect();
    let mut out = Vec::new();
    for e in expected.split('\n') {
        let (id, _) = split_line(e);
        let found = computed_lines
            .iter_mut()
            .find(|c| c.is_some_and(|c| split_line(c).0 == id))
            .and_then(Option::take);
        out.push(match found {
            Some(c) if c == e => LineDiff::Same(e),
            Some(c) => LineDiff::Changed {
                identifier: id,
                expected: e,
                computed: c,
            },
            None => LineDiff::OnlyExpected(e),
        });
    }
    out.extend(
        computed_lines
            .into_iter()
            .flatten()
            .map(LineDiff::OnlyComputed),
    );
    out
}

/// Renders the comparison: `  ` same, `- ` the signer's line, `+ ` the computed line, then a
/// summary naming the differing components. Colours (red/green) only when `colour`.
pub fn render_diff(expected: &str, computed: &str, colour: bool) -> String {
    let paint = |c: &str, s: &str| {
        if colour {
            format!("{c}{s}{RESET}")
        } else {
            s.to_owned()
        }
    };
    let diff = compare(expected, computed);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}",
        paint(
            BOLD,
            "signature base diff (- expected by the signer, + computed by the verifier):"
        )
    );
    let mut differing: Vec<&str> = Vec::new();
    for d in &diff {
        match d {
            LineDiff::Same(l) => {
                let _ = writeln!(s, "  {l}");
            }
            LineDiff::Changed {
                identifier,
                expected,
                computed,
            } => {
                let _ = writeln!(s, "{}", paint(RED, &format!("- {expected}")));
                let _ = writeln!(s, "{}", paint(GREEN, &format!("+ {computed}")));
                differing.push(identifier);
            }
            LineDiff::OnlyExpected(l) => {
                let _ = writeln!(s, "{}", paint(RED, &format!("- {l}")));
                differing.push(split_line(l).0);
            }
            LineDiff::OnlyComputed(l) => {
                let _ = writeln!(s, "{}", paint(GREEN, &format!("+ {l}")));
                differing.push(split_line(l).0);
            }
        }
    }
    if differing.is_empty() {
        let _ = writeln!(
            s,
            "the bases are identical: the signature value or the key differs, not the components"
        );
    } else {
        let n = differing.len();
        let _ = writeln!(
            s,
            "{n} line{} differ{}: {}",
            if n == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "" },
            differing.join(", ")
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_skips_quoted_colons() {
        assert_eq!(split_line(r#""@method": POST"#), (r#""@method""#, "POST"));
        assert_eq!(
            split_line(r#""x";key="a: b": c: d"#),
            (r#""x";key="a: b""#, "c: d")
        );
        assert_eq!(
            split_line(r#""x";key="a\": b": v"#),
            (r#""x";key="a\": b""#, "v")
        );
        assert_eq!(split_line("garbage"), ("garbage", ""));
    }

    #[test]
    fn diff_names_the_component() {
        let expected = "\"@method\": GET\n\"@authority\": example.com\n\"@signature-params\": (\"@method\" \"@authority\")";
        let computed = "\"@method\": GET\n\"@authority\": example.com:443\n\"@signature-params\": (\"@method\" \"@authority\")";
        let out = render_diff(expected, computed, false);
        assert!(out.contains("- \"@authority\": example.com\n+ \"@authority\": example.com:443\n"));
        assert!(out.contains("  \"@method\": GET\n"));
        assert!(out.ends_with("1 line differs: \"@authority\"\n"));
        assert!(!out.contains('\x1b'));
        assert!(render_diff(expected, computed, true).contains(RED));
    }

    #[test]
    fn missing_and_extra_lines() {
        let d = compare("\"a\": 1\n\"b\": 2", "\"b\": 2\n\"c\": 3");
        assert_eq!(
            d,
            [
                LineDiff::OnlyExpected("\"a\": 1"),
                LineDiff::Same("\"b\": 2"),
                LineDiff::OnlyComputed("\"c\": 3"),
            ]
        );
        assert!(render_diff("x", "x", false).contains("identical"));
    }
}
