//! The RFC 9530 suite: vector files in `testdata/rfc9530/` (format: the README.md there). Every field of a case must be read by its kind; an unknown or unused field
//! fails the run.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use httpsig_core::digest::{
    ContentDigest, ContentDigestHasher, DigestAlgorithm, DigestError, DigestPolicy, Verified,
    WantContentDigest, header_value_with, verify_content_digest_with,
};
use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VectorFile {
    source: String,
    description: String,
    cases: Vec<Case>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
enum Kind {
    Compute,
    Verify,
    ParseWant,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    id: String,
    source: String,
    kind: Kind,
    body: Option<String>,
    body_base64: Option<String>,
    field: Option<Field>,
    field_base64: Option<Vec<String>>,
    algorithms: Option<Vec<String>>,
    max_body_len: Option<u64>,
    require: Option<bool>,
    supported: Option<Vec<String>>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Field {
    One(String),
    Lines(Vec<Line>),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Line {
    Text(String),
    Generated(GeneratedLine),
}

/// `prefix + repeat * times + suffix`, emitted `lines` times (default 1).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GeneratedLine {
    prefix: String,
    repeat: String,
    times: usize,
    suffix: String,
    lines: Option<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    value: Option<String>,
    ok: Option<Vec<String>>,
    error: Option<String>,
    weights: Option<Vec<(String, u8)>>,
    // `null` (no preferred algorithm) differs from absent (not checked).
    #[serde(default, deserialize_with = "present")]
    preferred: Option<Option<String>>,
}

fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

fn alg(name: &str) -> Result<DigestAlgorithm, String> {
    DigestAlgorithm::from_name(name).ok_or_else(|| format!("unknown algorithm name {name:?}"))
}

fn algs(names: &[String]) -> Result<Vec<DigestAlgorithm>, String> {
    names.iter().map(|n| alg(n)).collect()
}

impl Case {
    /// Fails if a field is present that `kind` does not read, or a required one is missing.
    fn check_shape(&self) -> Result<(), String> {
        let e = &self.expect;
        let present = [
            ("body", self.body.is_some()),
            ("body_base64", self.body_base64.is_some()),
            ("field", self.field.is_some()),
            ("field_base64", self.field_base64.is_some()),
            ("algorithms", self.algorithms.is_some()),
            ("max_body_len", self.max_body_len.is_some()),
            ("require", self.require.is_some()),
            ("supported", self.supported.is_some()),
            ("expect.value", e.value.is_some()),
            ("expect.ok", e.ok.is_some()),
            ("expect.error", e.error.is_some()),
            ("expect.weights", e.weights.is_some()),
            ("expect.preferred", e.preferred.is_some()),
        ];
        let allowed: &[&str] = match self.kind {
            Kind::Compute => &["body", "body_base64", "algorithms", "expect.value"],
            Kind::Verify => &[
                "body",
                "body_base64",
                "field",
                "field_base64",
                "algorithms",
                "max_body_len",
                "require",
                "expect.ok",
                "expect.error",
            ],
            Kind::ParseWant => &[
                "field",
                "field_base64",
                "supported",
                "expect.error",
                "expect.weights",
                "expect.preferred",
            ],
        };
        for (name, is_present) in present {
            if is_present && !allowed.contains(&name) {
                return Err(format!("field {name} is not read by kind {:?}", self.kind));
            }
        }
        let outcomes = [e.value.is_some(), e.ok.is_some(), e.error.is_some()]
            .iter()
            .filter(|x| **x)
            .count()
            + usize::from(e.weights.is_some() || e.preferred.is_some());
        if outcomes != 1 {
            return Err("expect must hold exactly one kind of outcome".into());
        }
        if self.kind != Kind::ParseWant && self.body.is_some() == self.body_base64.is_some() {
            return Err("exactly one of body, body_base64 is required".into());
        }
        if self.kind != Kind::Compute && self.field.is_some() == self.field_base64.is_some() {
            return Err("exactly one of field, field_base64 is required".into());
        }
        if self.kind == Kind::Compute && self.algorithms.is_none() {
            return Err("compute needs algorithms".into());
        }
        if e.preferred.is_some() != self.supported.is_some() {
            return Err("expect.preferred and supported go together".into());
        }
        Ok(())
    }

    fn body(&self) -> Result<Vec<u8>, String> {
        match (&self.body, &self.body_base64) {
            (Some(b), None) => Ok(b.as_bytes().to_vec()),
            (None, Some(b)) => STANDARD.decode(b).map_err(|e| format!("body_base64: {e}")),
            _ => Err("body".into()),
        }
    }

    fn lines(&self) -> Result<Vec<Vec<u8>>, String> {
        if let Some(lines) = &self.field_base64 {
            return lines
                .iter()
                .map(|l| STANDARD.decode(l).map_err(|e| format!("field_base64: {e}")))
                .collect();
        }
        Ok(match &self.field {
            None => return Err("field".into()),
            Some(Field::One(s)) => vec![s.as_bytes().to_vec()],
            Some(Field::Lines(lines)) => {
                let mut out = Vec::new();
                for line in lines {
                    match line {
                        Line::Text(s) => out.push(s.as_bytes().to_vec()),
                        Line::Generated(g) => {
                            let text =
                                format!("{}{}{}", g.prefix, g.repeat.repeat(g.times), g.suffix);
                            for _ in 0..g.lines.unwrap_or(1) {
                                out.push(text.as_bytes().to_vec());
                            }
                        }
                    }
                }
                out
            }
        })
    }

    fn policy(&self) -> Result<DigestPolicy, String> {
        let mut policy = DigestPolicy::default();
        if let Some(names) = &self.algorithms {
            policy = policy.with_algorithms(&algs(names)?);
        }
        if let Some(max) = self.max_body_len {
            policy = policy.with_max_body_len(max);
        }
        if let Some(require) = self.require {
            policy = policy.with_require(require);
        }
        Ok(policy)
    }

    fn run(&self) -> Result<(), String> {
        self.check_shape()?;
        match self.kind {
            Kind::Compute => self.run_compute(),
            Kind::Verify => self.run_verify(),
            Kind::ParseWant => self.run_want(),
        }
    }

    fn run_compute(&self) -> Result<(), String> {
        let body = self.body()?;
        let algorithms = algs(self.algorithms.as_deref().unwrap_or_default())?;
        let expected = self.expect.value.as_deref().unwrap_or_default();
        let got = header_value_with(&crate::suites::provider(), &algorithms, &body);
        if got != expected {
            return Err(format!("header_value: got {got:?}, want {expected:?}"));
        }
        // The streaming hasher must serialize the same value.
        let mut hasher =
            ContentDigestHasher::new_with(&crate::suites::provider(), &algorithms, u64::MAX);
        for chunk in odd_chunks(&body) {
            hasher.update(chunk).map_err(|e| e.to_string())?;
        }
        let streamed = hasher
            .finish()
            .map_err(|e| e.to_string())?
            .to_header_value();
        if streamed != expected {
            return Err(format!("streamed header value: got {streamed:?}"));
        }
        Ok(())
    }

    fn run_verify(&self) -> Result<(), String> {
        let body = self.body()?;
        let lines = self.lines()?;
        let line_refs: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
        let policy = self.policy()?;
        let one_shot =
            verify_content_digest_with(&crate::suites::provider(), &line_refs, &body, &policy);
        let streamed = verify_streaming(&line_refs, &body, &policy);
        if streamed != one_shot {
            return Err(format!(
                "streaming result {streamed:?} differs from one-shot {one_shot:?}"
            ));
        }
        check_outcome(one_shot.map(|v| names(&v)), &self.expect)
    }

    fn run_want(&self) -> Result<(), String> {
        let lines = self.lines()?;
        let line_refs: Vec<&[u8]> = lines.iter().map(Vec::as_slice).collect();
        let parsed = WantContentDigest::parse(&line_refs);
        if let Some(code) = &self.expect.error {
            return match parsed {
                Ok(w) => Err(format!("expected error {code}, got {w:?}")),
                Err(e) => check_error(&e, code),
            };
        }
        let want = parsed.map_err(|e| format!("unexpected error {} ({e})", e.code()))?;
        if let Some(weights) = &self.expect.weights {
            let got: Vec<(String, u8)> = want
                .iter()
                .map(|e| (e.name().to_owned(), e.weight()))
                .collect();
            if &got != weights {
                return Err(format!("weights: got {got:?}, want {weights:?}"));
            }
        }
        if let (Some(expected), Some(supported)) = (&self.expect.preferred, &self.supported) {
            let got = want
                .preferred(&algs(supported)?)
                .map(|a| a.name().to_owned());
            if &got != expected {
                return Err(format!("preferred: got {got:?}, want {expected:?}"));
            }
        }
        Ok(())
    }
}

/// Frames of 1, 2, 3, 5, 7, 11, 13 bytes, repeating: odd sizes that straddle hash blocks.
fn odd_chunks(body: &[u8]) -> Vec<&[u8]> {
    const SIZES: [usize; 7] = [1, 2, 3, 5, 7, 11, 13];
    let mut out = Vec::new();
    let mut rest = body;
    let mut i = 0;
    while !rest.is_empty() {
        let n = SIZES[i % SIZES.len()].min(rest.len());
        let (head, tail) = rest.split_at(n);
        out.push(head);
        rest = tail;
        i += 1;
    }
    out
}

fn verify_streaming(
    lines: &[&[u8]],
    body: &[u8],
    policy: &DigestPolicy,
) -> Result<Verified, DigestError> {
    let field = ContentDigest::parse(lines)?;
    let mut hasher =
        ContentDigestHasher::for_field_with(&crate::suites::provider(), &field, policy)?;
    for chunk in odd_chunks(body) {
        hasher.update(chunk)?;
    }
    hasher.finish()?.verify(&field, policy)
}

fn names(v: &Verified) -> Vec<String> {
    v.algorithms().iter().map(|a| a.name().to_owned()).collect()
}

fn check_error(e: &DigestError, code: &str) -> Result<(), String> {
    if e.code() != code {
        return Err(format!("expected {code}, got {} ({e})", e.code()));
    }
    let text = e.to_string();
    let lower_start = text.chars().next().is_some_and(|c| !c.is_uppercase());
    if !lower_start || text.ends_with('.') {
        return Err(format!("Display {text:?} breaks the error style"));
    }
    Ok(())
}

fn check_outcome(got: Result<Vec<String>, DigestError>, expect: &Expect) -> Result<(), String> {
    match (got, &expect.ok, &expect.error) {
        (Ok(got), Some(want), None) if &got == want => Ok(()),
        (Ok(got), Some(want), None) => Err(format!("verified {got:?}, want {want:?}")),
        (Ok(got), None, Some(code)) => Err(format!("expected {code}, verified {got:?}")),
        (Err(e), None, Some(code)) => check_error(&e, code),
        (Err(e), Some(_), None) => Err(format!("unexpected error {} ({e})", e.code())),
        _ => Err("expect needs ok or error".into()),
    }
}

/// Runs one RFC 9530 vector file (format: `testdata/rfc9530/README.md`).
///
/// # Errors
/// When the file is not valid JSON of that format, or lacks its provenance.
pub fn run(bytes: &[u8]) -> Result<super::CaseResults, String> {
    let file: VectorFile =
        serde_json::from_slice(bytes).map_err(|e| format!("not an RFC 9530 vector file: {e}"))?;
    if file.source.is_empty() || file.description.is_empty() {
        return Err("file lacks source or description".into());
    }
    let mut ids = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(file.cases.len());
    for case in &file.cases {
        let mut r = case.run();
        if !ids.insert(case.id.as_str()) {
            r = Err("duplicate id".into());
        } else if case.source.is_empty() {
            r = Err("case has no source".into());
        }
        out.push((case.id.clone(), r));
    }
    Ok(out)
}
