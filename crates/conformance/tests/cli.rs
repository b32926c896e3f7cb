//! End-to-end tests of the `httpsig` binary: every subcommand, exit statuses 0/1/2, `--json`,
//! `--explain`, stdin, `--unwrap`, CRLF, and the RFC 9421 Appendix B vectors.
//!
//! Inputs are files in `tests/cli/` (see its README for each one's source) and the RFC 9421 B.1
//! keys in `testdata/keys/`. Expected signatures and bases are read from
//! `testdata/keys/signatures.json` (RFC 9421 B.2, as printed) and expected digests from
//! `testdata/rfc9530/digest.json` (RFC 9530 Appendix D), never from the tool's own output.
//!
//! The binary is run with `std::process::Command` on `CARGO_BIN_EXE_httpsig` (no test-only
//! dependency needed; cargo builds the binary for integration tests).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// What one run produced.
#[derive(Debug)]
struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run_with(args: &[&str], stdin: Option<&[u8]>, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_httpsig"));
    cmd.args(args)
        .current_dir(dir())
        .env_remove("NO_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn httpsig");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("piped stdin");
        // The tool may exit before reading its input (a usage error): a closed pipe is fine.
        if let Err(e) = pipe.write_all(input) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
    }
    let out = child.wait_with_output().expect("wait for httpsig");
    Run {
        status: out.status.code().expect("exit status"),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

fn run(args: &[&str]) -> Run {
    run_with(args, None, &[])
}

fn run_stdin(args: &[&str], stdin: &[u8]) -> Run {
    run_with(args, Some(stdin), &[])
}

fn read(path: &str) -> String {
    std::fs::read_to_string(dir().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

/// A case of `testdata/keys/signatures.json` (RFC 9421 B.2 as printed).
fn rfc_case(name: &str) -> (String, String) {
    let v = json(&read("testdata/keys/signatures.json"));
    let case = v["cases"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no case {name}"));
    (
        case["base"].as_str().expect("base").to_owned(),
        case["signature"].as_str().expect("signature").to_owned(),
    )
}

/// An expected `Content-Digest` value from `testdata/rfc9530/digest.json`.
fn rfc9530_value(id: &str) -> String {
    let v = json(&read("testdata/rfc9530/digest.json"));
    v["cases"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .and_then(|c| c["expect"]["value"].as_str())
        .unwrap_or_else(|| panic!("no case {id}"))
        .to_owned()
}

fn assert_status(r: &Run, status: i32) {
    assert_eq!(
        r.status, status,
        "exit status\nstdout:\n{}\nstderr:\n{}",
        r.stdout, r.stderr
    );
}

/// Asserts the run failed with `status` and stderr names `code` in the documented form.
fn assert_error(r: &Run, status: i32, code: &str) {
    assert_status(r, status);
    assert!(
        r.stderr.contains(&format!("httpsig: error[{code}]: ")),
        "stderr lacks error[{code}]:\n{}",
        r.stderr
    );
}

const KEYS: &str = "testdata/keys";
const REQUEST: &str = "tests/cli/rfc9421-test-request.http";
const REQUEST_WRAPPED: &str = "tests/cli/rfc9421-test-request.wrapped.http";
const B26_SIGNED: &str = "tests/cli/rfc9421-b26-signed.http";
const B26_BASE: &str = "tests/cli/rfc9421-b26-base.txt";
const B26_COMPONENTS: &str =
    r#""date" "@method" "@path" "@authority" "content-type" "content-length""#;

fn key(name: &str) -> String {
    format!("{KEYS}/{name}")
}

/// `httpsig sign` with RFC 9421 B.2.6's parameters and the given key options.
fn sign_b26(key_args: &[&str], input: &str, stdin: Option<&[u8]>, extra: &[&str]) -> Run {
    let mut args = vec!["sign"];
    args.extend_from_slice(key_args);
    args.extend_from_slice(&[
        "--keyid",
        "test-key-ed25519",
        "--label",
        "sig-b26",
        "--created",
        "1618884473",
        "--components",
        B26_COMPONENTS,
    ]);
    args.extend_from_slice(extra);
    args.push(input);
    run_with(&args, stdin, &[])
}

// ---------------------------------------------------------------- sign

#[test]
fn sign_b26_prints_the_rfc_signature_and_the_message_unchanged_otherwise() {
    let pem = key("test-key-ed25519.pem");
    let r = sign_b26(&["--key", &pem], REQUEST, None, &[]);
    assert_status(&r, 0);
    // The whole output: test-request, its header order and body bytes, plus B.2.6's two fields.
    assert_eq!(r.stdout, read(B26_SIGNED));
    let (_, sig) = rfc_case("rfc9421-b2.6-ed25519");
    assert!(
        r.stdout
            .contains(&format!("\nSignature: sig-b26=:{sig}:\n"))
    );
}

#[test]
fn sign_b26_with_jwk_and_jwks_keys() {
    let jwk = key("test-key-ed25519.jwk.json");
    let r = sign_b26(&["--key", &jwk], REQUEST, None, &[]);
    assert_status(&r, 0);
    assert_eq!(r.stdout, read(B26_SIGNED));

    // A JWK Set of the RFC's B.1 JWKs; the key is chosen by --keyid.
    let tmp = tempdir("jwks");
    let members: Vec<String> = [
        "test-key-ecc-p256.jwk.json",
        "test-key-ed25519.jwk.json",
        "test-key-rsa-pss.jwk.json",
    ]
    .iter()
    .map(|f| read(&key(f)))
    .collect();
    let jwks = tmp.join("jwks.json");
    std::fs::write(&jwks, format!("{{\"keys\": [{}]}}", members.join(","))).expect("write jwks");
    let jwks = jwks.to_str().expect("utf-8 path");
    let r = sign_b26(&["--jwks", jwks], REQUEST, None, &[]);
    assert_status(&r, 0);
    assert_eq!(r.stdout, read(B26_SIGNED));
    // ... and verify picks it by the signature's keyid.
    let r = run(&["verify", "--jwks", jwks, B26_SIGNED]);
    assert_status(&r, 0);
    assert_eq!(r.stdout, "valid: sig-b26 (ed25519)\n");
    // Signing from a set needs --keyid.
    let r = run(&[
        "sign",
        "--jwks",
        jwks,
        "--components",
        "\"@method\"",
        REQUEST,
    ]);
    assert_error(&r, 2, "cli.missing");
}

#[test]
fn sign_from_stdin_with_unwrap_and_json() {
    // The RFC's wrapped test-request on stdin (no MESSAGE argument).
    let wrapped = read(REQUEST_WRAPPED);
    let pem = key("test-key-ed25519.pem");
    let r = sign_b26(
        &["--key", &pem],
        "-",
        Some(wrapped.as_bytes()),
        &["--unwrap"],
    );
    assert_status(&r, 0);
    assert_eq!(r.stdout, read(B26_SIGNED));

    let r = sign_b26(&["--key", &pem], REQUEST, None, &["--json"]);
    assert_status(&r, 0);
    let v = json(&r.stdout);
    let (base, sig) = rfc_case("rfc9421-b2.6-ed25519");
    assert_eq!(v["signature"], format!("sig-b26=:{sig}:"));
    assert_eq!(v["base"], base);
    assert_eq!(
        v["signature_input"],
        format!("sig-b26=({B26_COMPONENTS});created=1618884473;keyid=\"test-key-ed25519\"")
    );
}

#[test]
fn sign_keeps_crlf() {
    // The same messages with CRLF line ends in the head (the body has none).
    let to_crlf = |text: &str| {
        let (head, body) = text.split_once("\n\n").expect("head and body");
        format!("{}\r\n\r\n{body}", head.replace('\n', "\r\n"))
    };
    let pem = key("test-key-ed25519.pem");
    let r = sign_b26(
        &["--key", &pem],
        "-",
        Some(to_crlf(&read(REQUEST)).as_bytes()),
        &[],
    );
    assert_status(&r, 0);
    assert_eq!(r.stdout, to_crlf(&read(B26_SIGNED)));
}

#[test]
fn sign_hmac_b25_with_a_base64_secret_file() {
    let (base, sig) = rfc_case("rfc9421-b2.5-hmac-sha256");
    let secret = key("test-shared-secret.txt");
    let common = [
        "sign",
        "--key",
        &secret,
        "--label",
        "sig-b25",
        "--keyid",
        "test-shared-secret",
        "--created",
        "1618884473",
        "--components",
        r#""date" "@authority" "content-type""#,
        "--json",
    ];
    for alg in ["hmac-sha256", "HS256"] {
        // JWS HS256 (RFC 9421 §3.3.7) MACs the same base with the same primitive.
        let mut args = common.to_vec();
        args.extend_from_slice(&["--alg", alg, REQUEST]);
        let r = run(&args);
        assert_status(&r, 0);
        let v = json(&r.stdout);
        assert_eq!(v["signature"], format!("sig-b25=:{sig}:"), "{alg}");
        assert_eq!(v["base"], base);
    }
    // A raw secret is never guessed: without --alg the file is refused.
    let mut args = common.to_vec();
    args.push(REQUEST);
    assert_error(&run(&args), 2, "cli.missing");
}

#[test]
fn sign_appends_to_existing_signatures_and_refuses_a_used_label() {
    let pem = key("test-key-ed25519.pem");
    let r = run(&[
        "sign",
        "--key",
        &pem,
        "--label",
        "sig-b26",
        "--components",
        "\"@method\"",
        B26_SIGNED,
    ]);
    assert_error(&r, 2, "sign.label_exists");
    assert!(r.stdout.is_empty());

    // Without --label: the first free sigN, appended to both fields.
    let r = run(&[
        "sign",
        "--key",
        &pem,
        "--components",
        r#""@method" "@authority""#,
        "--created",
        "1618884480",
        "--include-alg",
        B26_SIGNED,
    ]);
    assert_status(&r, 0);
    let original = read(B26_SIGNED);
    let input_line = original
        .lines()
        .find(|l| l.starts_with("Signature-Input: "))
        .expect("input line");
    let expected_input = format!(
        "{input_line}, sig1=(\"@method\" \"@authority\");created=1618884480;alg=\"ed25519\""
    );
    assert!(
        r.stdout.lines().any(|l| l == expected_input),
        "{}",
        r.stdout
    );
    let sig_line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("Signature: "))
        .expect("signature line");
    let (_, rfc_sig) = rfc_case("rfc9421-b2.6-ed25519");
    assert!(sig_line.starts_with(&format!("Signature: sig-b26=:{rfc_sig}:, sig1=:")));
    assert_eq!(r.stdout.lines().count(), original.lines().count());
    assert!(r.stdout.ends_with("\n\n{\"hello\": \"world\"}"));
    // Both signatures verify on the result.
    let pubkey = key("test-key-ed25519.pub.pem");
    for label in ["sig-b26", "sig1"] {
        let v = run_stdin(
            &["verify", "--key", &pubkey, "--label", label],
            r.stdout.as_bytes(),
        );
        assert_status(&v, 0);
        assert_eq!(v.stdout, format!("valid: {label} (ed25519)\n"));
    }
    // Two signatures and no selection: ambiguous, a usage error.
    let v = run_stdin(&["verify", "--key", &pubkey], r.stdout.as_bytes());
    assert_error(&v, 2, "signature.ambiguous");
}

#[test]
fn randomized_algorithms_sign_then_verify() {
    // ECDSA and RSA-PSS are randomized: check by verifying, with the right and a wrong key.
    let cases: &[(&str, &[&str], &str, &str)] = &[
        (
            "test-key-ecc-p256.pem",
            &[],
            "test-key-ecc-p256.pub.pem",
            "ecdsa-p256-sha256",
        ),
        // The PSS OID implies rsa-pss-sha512; its SPKI is plain rsaEncryption, so --alg there.
        (
            "test-key-rsa-pss.pem",
            &[],
            "test-key-rsa-pss.pub.pem",
            "rsa-pss-sha512",
        ),
        (
            "test-key-ecc-p256.jwk.json",
            &["--alg", "ES256"],
            "test-key-ecc-p256.pub.pem",
            "jws ES256",
        ),
    ];
    for (private, alg, public, shown) in cases {
        let sk = key(private);
        let mut args = vec!["sign", "--key", sk.as_str()];
        args.extend_from_slice(alg);
        args.extend_from_slice(&[
            "--components",
            r#""@method" "@target-uri" "content-digest""#,
            "--created",
            "now",
            "--tag",
            "cli-test",
            REQUEST,
        ]);
        let signed = run(&args);
        assert_status(&signed, 0);
        let pk = key(public);
        let mut vargs = vec!["verify", "--key", pk.as_str(), "--max-age", "60"];
        if *private == "test-key-rsa-pss.pem" {
            vargs.extend_from_slice(&["--alg", "rsa-pss-sha512"]);
        }
        vargs.extend_from_slice(alg);
        let ok = run_stdin(&vargs, signed.stdout.as_bytes());
        assert_status(&ok, 0);
        assert_eq!(ok.stdout, format!("valid: sig1 ({shown})\n"));
        // The covered Content-Digest is checked against the body.
        let tampered = signed
            .stdout
            .replace("{\"hello\": \"world\"}", "{\"hello\": \"World\"}");
        assert_error(
            &run_stdin(&vargs, tampered.as_bytes()),
            1,
            "digest.mismatch",
        );
        let wrong = key("test-key-ed25519.pub.pem");
        let bad = run_stdin(&["verify", "--key", &wrong], signed.stdout.as_bytes());
        assert_error(&bad, 1, "verify.invalid_signature");
    }
}

// ---------------------------------------------------------------- verify

#[test]
fn verify_b26_with_public_private_and_jwk_keys() {
    for k in [
        "test-key-ed25519.pub.pem",
        "test-key-ed25519.pem",
        "test-key-ed25519.jwk.json",
    ] {
        let r = run(&["verify", "--key", &key(k), B26_SIGNED]);
        assert_status(&r, 0);
        assert_eq!(r.stdout, "valid: sig-b26 (ed25519)\n", "{k}");
        assert!(r.stderr.is_empty());
    }
    // From stdin, and with --json.
    let r = run_stdin(
        &[
            "verify",
            "--key",
            &key("test-key-ed25519.pub.pem"),
            "--json",
        ],
        read(B26_SIGNED).as_bytes(),
    );
    assert_status(&r, 0);
    let v = json(&r.stdout);
    let (base, _) = rfc_case("rfc9421-b2.6-ed25519");
    assert_eq!(v["valid"], true);
    assert_eq!(v["label"], "sig-b26");
    assert_eq!(v["error"], serde_json::Value::Null);
    assert_eq!(v["base"], base);
    // A --keyid that is not the signature's: no key.
    let r = run(&[
        "verify",
        "--key",
        &key("test-key-ed25519.pub.pem"),
        "--keyid",
        "someone-else",
        B26_SIGNED,
    ]);
    assert_error(&r, 1, "verify.key_not_found");
}

fn tampered_b26() -> String {
    // One character of the covered Date changes.
    let t = read(B26_SIGNED).replace(
        "Date: Tue, 20 Apr 2021 02:07:55 GMT",
        "Date: Tue, 20 Apr 2021 02:07:56 GMT",
    );
    assert_ne!(t, read(B26_SIGNED));
    t
}

#[test]
fn verify_tampered_date_fails_with_invalid_signature() {
    let pk = key("test-key-ed25519.pub.pem");
    let r = run_stdin(&["verify", "--key", &pk], tampered_b26().as_bytes());
    assert_error(&r, 1, "verify.invalid_signature");
    assert!(r.stderr.contains("invalid signature"));
    assert!(r.stdout.is_empty());

    let r = run_stdin(
        &["verify", "--key", &pk, "--json"],
        tampered_b26().as_bytes(),
    );
    assert_status(&r, 1);
    let v = json(&r.stdout);
    assert_eq!(v["valid"], false);
    assert_eq!(v["label"], "sig-b26");
    assert_eq!(v["error"]["code"], "verify.invalid_signature");
    assert_eq!(v["error"]["message"], "invalid signature");
    let (rfc_base, _) = rfc_case("rfc9421-b2.6-ed25519");
    let computed = rfc_base.replace("02:07:55", "02:07:56");
    assert_eq!(v["base"], computed);
}

#[test]
fn explain_shows_the_differing_date_line() {
    let pk = key("test-key-ed25519.pub.pem");
    let r = run_stdin(
        &[
            "verify",
            "--key",
            &pk,
            "--explain",
            "--expected-base",
            B26_BASE,
        ],
        tampered_b26().as_bytes(),
    );
    assert_error(&r, 1, "verify.invalid_signature");
    let (rfc_base, _) = rfc_case("rfc9421-b2.6-ed25519");
    let computed = rfc_base.replace("02:07:55", "02:07:56");
    assert!(
        r.stdout.starts_with(&format!(
            "signature base verified for \"sig-b26\":\n{computed}\n"
        )),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains(
        "- \"date\": Tue, 20 Apr 2021 02:07:55 GMT\n+ \"date\": Tue, 20 Apr 2021 02:07:56 GMT\n  \"@method\": POST\n"
    ));
    assert!(r.stdout.ends_with("1 line differs: \"date\"\n"));
    // Not a terminal: no colour codes.
    assert!(!r.stdout.contains('\x1b'));
    // Without --expected-base, only the base.
    let r = run_stdin(
        &["verify", "--key", &pk, "--explain"],
        tampered_b26().as_bytes(),
    );
    assert_status(&r, 1);
    assert_eq!(
        r.stdout,
        format!("signature base verified for \"sig-b26\":\n{computed}\n")
    );
}

#[test]
fn explain_b4_transform_names_method_and_authority() {
    let jwk = key("test-key-ed25519.jwk.json");
    // B.4: the signed message verifies ...
    let ok = run(&[
        "verify",
        "--unwrap",
        "--key",
        &jwk,
        "tests/cli/rfc9421-b4-transform.wrapped.http",
    ]);
    assert_status(&ok, 0);
    assert_eq!(ok.stdout, "valid: transform (ed25519)\n");
    // ... the one with method and authority changed does not, and the diff names both lines.
    let r = run(&[
        "verify",
        "--unwrap",
        "--key",
        &jwk,
        "--explain",
        "--expected-base",
        "tests/cli/rfc9421-b4-transform-base.wrapped.txt",
        "tests/cli/rfc9421-b4-transform-method-changed.wrapped.http",
    ]);
    assert_error(&r, 1, "verify.invalid_signature");
    assert!(
        r.stdout
            .contains("- \"@method\": GET\n+ \"@method\": POST\n")
    );
    assert!(
        r.stdout
            .contains("- \"@authority\": example.org\n+ \"@authority\": example.com\n")
    );
    assert!(
        r.stdout
            .ends_with("2 lines differ: \"@method\", \"@authority\"\n")
    );
}

#[test]
fn verify_b24_response_and_its_printed_digest() {
    let pk = key("test-key-ecc-p256.pub.pem");
    let msg = "tests/cli/rfc9421-b24-response.wrapped.http";
    let r = run(&["verify", "--unwrap", "--key", &pk, msg]);
    assert_status(&r, 0);
    assert_eq!(r.stdout, "valid: sig-b24 (ecdsa-p256-sha256)\n");
    // The base we rebuild equals B.2.4's printed base (wrapped in the file; --unwrap applies).
    let r = run(&["base", "--unwrap", "--label", "sig-b24", msg]);
    assert_status(&r, 0);
    let (rfc_base, _) = rfc_case("rfc9421-b2.4-ecdsa-p256-sha256");
    assert_eq!(r.stdout, format!("{rfc_base}\n"));
    // With the Content-Digest value printed in the RFC's test-response (not the body's digest).
    let printed = read(msg)
        .replace(
            "mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ41QJgJc4GTsPp29l5o\\\n  GX69wWdXymyU0rjJuahq4l5aGgfLQ==:",
            "JlEy2bfUz7WrWIjc1qV6KVLpdr/7L5/L4h7Sxvh6sN\\\n  HpDQWDCL+GauFQWcZBvVDhiyOnAQsxzZFYwi0wDH+1pw==:",
        );
    assert_ne!(printed, read(msg));
    let r = run_stdin(
        &[
            "verify",
            "--unwrap",
            "--key",
            &pk,
            "--explain",
            "--expected-base",
            "tests/cli/rfc9421-b24-base.wrapped.txt",
        ],
        printed.as_bytes(),
    );
    assert_error(&r, 1, "digest.mismatch");
    assert!(
        r.stdout.ends_with("1 line differs: \"content-digest\"\n"),
        "{}",
        r.stdout
    );
}

#[test]
fn verify_response_with_related_request() {
    let pk = key("test-key-ecc-p256.pub.pem");
    let msg = "tests/cli/rfc9421-2.4-response.http";
    let r = run(&["verify", "--key", &pk, "--request", REQUEST, msg]);
    assert_status(&r, 0);
    assert_eq!(r.stdout, "valid: reqres (ecdsa-p256-sha256)\n");
    // The related request may be RFC-wrapped too.
    let r = run(&[
        "verify",
        "--unwrap",
        "--key",
        &pk,
        "--request",
        REQUEST_WRAPPED,
        msg,
    ]);
    assert_status(&r, 0);
    // Without it the ;req components cannot be computed.
    let r = run(&["verify", "--key", &pk, msg]);
    assert_error(&r, 1, "component.related_request_missing");
    // A different request: the signature does not verify.
    let r = run(&[
        "verify",
        "--key",
        &pk,
        "--request",
        "tests/cli/rfc9421-2.1.2-example-dict.http",
        msg,
    ]);
    assert_status(&r, 1);
}

#[test]
fn verify_policy_options() {
    let pk = key("test-key-ed25519.pub.pem");
    // created=1618884473; no age limit unless --max-age.
    assert_status(&run(&["verify", "--key", &pk, B26_SIGNED]), 0);
    assert_status(
        &run(&[
            "verify",
            "--key",
            &pk,
            "--now",
            "1618884533",
            "--max-age",
            "60",
            B26_SIGNED,
        ]),
        0,
    );
    let r = run(&[
        "verify",
        "--key",
        &pk,
        "--now",
        "1618884534",
        "--max-age",
        "60",
        B26_SIGNED,
    ]);
    assert_error(&r, 1, "policy.created_too_old");
    // --require: covered components pass, uncovered fail.
    assert_status(
        &run(&[
            "verify",
            "--key",
            &pk,
            "--require",
            r#""@method" "date""#,
            B26_SIGNED,
        ]),
        0,
    );
    let r = run(&[
        "verify",
        "--key",
        &pk,
        "--require",
        r#""@method" "content-digest""#,
        B26_SIGNED,
    ]);
    assert_error(&r, 1, "policy.missing_component");
    // expires is enforced against --now.
    let sk = key("test-key-ed25519.pem");
    let signed = run(&[
        "sign",
        "--key",
        &sk,
        "--components",
        "\"@method\"",
        "--created",
        "1000",
        "--expires",
        "2000",
        REQUEST,
    ]);
    assert_status(&signed, 0);
    let at = |now: &str| {
        run_stdin(
            &["verify", "--key", &pk, "--now", now],
            signed.stdout.as_bytes(),
        )
    };
    assert_status(&at("1999"), 0);
    assert_error(&at("2000"), 1, "policy.expired");
    // --tag selects; an unknown label or tag is a failure.
    assert_error(
        &run(&["verify", "--key", &pk, "--tag", "nope", B26_SIGNED]),
        1,
        "signature.no_match",
    );
    assert_error(
        &run(&["verify", "--key", &pk, "--label", "nope", B26_SIGNED]),
        1,
        "signature.label_not_found",
    );
    // A message without signatures.
    assert_error(
        &run(&["verify", "--key", &pk, REQUEST]),
        1,
        "signature.missing",
    );
}

// ---------------------------------------------------------------- base

#[test]
fn base_for_a_label_and_for_components() {
    let r = run(&["base", "--label", "sig-b26", B26_SIGNED]);
    assert_status(&r, 0);
    assert_eq!(r.stdout, read(B26_BASE));
    // The only signature is chosen without --label.
    assert_eq!(run(&["base", B26_SIGNED]).stdout, read(B26_BASE));

    // B.2.2's components and parameters on the wrapped test-request from stdin, as JSON.
    let (b22, _) = rfc_case("rfc9421-b2.2-rsa-pss-sha512");
    let r = run_stdin(
        &[
            "base",
            "--unwrap",
            "--json",
            "--components",
            r#""@authority" "content-digest" "@query-param";name="Pet""#,
            "--created",
            "1618884473",
            "--keyid",
            "test-key-rsa-pss",
            "--tag",
            "header-example",
        ],
        read(REQUEST_WRAPPED).as_bytes(),
    );
    assert_status(&r, 0);
    let v = json(&r.stdout);
    assert_eq!(v["base"], b22);
    assert_eq!(v["label"], serde_json::Value::Null);
    // B.2.1: empty components, nonce.
    let (b21, _) = rfc_case("rfc9421-b2.1-rsa-pss-sha512");
    let r = run(&[
        "base",
        "--components",
        "",
        "--created",
        "1618884473",
        "--keyid",
        "test-key-rsa-pss",
        "--nonce",
        "b3k2pp5k7z-50gnwp.yemd",
        REQUEST,
    ]);
    assert_status(&r, 0);
    assert_eq!(r.stdout, format!("{b21}\n"));
    // --label --json on a signed message.
    let v = json(&run(&["base", "--json", "--label", "sig-b26", B26_SIGNED]).stdout);
    assert_eq!(v["label"], "sig-b26");
    assert_eq!(v["base"], read(B26_BASE).trim_end_matches('\n'));
}

#[test]
fn base_scheme_of_origin_form_requests() {
    // RFC 9421 §2.2.2: `POST /path?param=value` to www.example.com over https.
    let msg = b"POST /path?param=value HTTP/1.1\nHost: www.example.com\n\n";
    let r = run_stdin(&["base", "--components", "\"@target-uri\""], msg);
    assert_status(&r, 0);
    assert!(
        r.stdout
            .starts_with("\"@target-uri\": https://www.example.com/path?param=value\n")
    );
    let r = run_stdin(
        &[
            "base",
            "--scheme",
            "http",
            "--components",
            "\"@target-uri\"",
        ],
        msg,
    );
    assert_status(&r, 0);
    assert!(
        r.stdout
            .starts_with("\"@target-uri\": http://www.example.com/path?param=value\n")
    );
    assert_status(
        &run_stdin(
            &["base", "--scheme", "ftp", "--components", "\"@method\""],
            msg,
        ),
        2,
    );
}

#[test]
fn base_dictionary_members_and_sf_types() {
    // RFC 9421 §2.1.2: members of Example-Dict (`;key` implies a Dictionary).
    let msg = "tests/cli/rfc9421-2.1.2-example-dict.http";
    let components = r#""example-dict";key="a" "example-dict";key="d" "example-dict";key="b" "example-dict";key="c""#;
    let r = run(&["base", "--components", components, msg]);
    assert_status(&r, 0);
    assert!(r.stdout.starts_with(
        "\"example-dict\";key=\"a\": 1\n\"example-dict\";key=\"d\": ?1\n\"example-dict\";key=\"b\": 2;x=1;y=2\n\"example-dict\";key=\"c\": (a b c)\n"
    ), "{}", r.stdout);
    // RFC 9421 §2.1.1: `;sf` needs the field's type, which --sf-type declares.
    let sf = r#""example-dict";sf"#;
    let r = run(&[
        "base",
        "--sf-type",
        "example-dict=dictionary",
        "--components",
        sf,
        msg,
    ]);
    assert_status(&r, 0);
    assert!(
        r.stdout
            .starts_with("\"example-dict\";sf: a=1, b=2;x=1;y=2, c=(a b c), d\n"),
        "{}",
        r.stdout
    );
    assert_error(
        &run(&["base", "--components", sf, msg]),
        2,
        "component.sf_unknown_type",
    );
    assert_error(
        &run(&[
            "base",
            "--sf-type",
            "example-dict=list",
            "--components",
            sf,
            msg,
        ]),
        2,
        "component.sf_parse",
    );
    assert_error(
        &run(&["base", "--sf-type", "example-dict", "--components", sf, msg]),
        2,
        "cli.option",
    );
}

// ---------------------------------------------------------------- digest

#[test]
fn digest_prints_or_adds_content_digest() {
    let sha256 = rfc9530_value("appd-sha256");
    let sha512 = rfc9530_value("appd-sha512");
    let r = run(&["digest", REQUEST]);
    assert_status(&r, 0);
    assert_eq!(r.stdout, format!("{sha256}\n"));
    let r = run_stdin(
        &["digest", "--alg", "sha-512", "--json"],
        read(REQUEST).as_bytes(),
    );
    assert_status(&r, 0);
    assert_eq!(
        json(&r.stdout),
        serde_json::json!({ "content_digest": sha512 })
    );
    // --add replaces the existing field where it was.
    let r = run(&["digest", "--add", REQUEST]);
    assert_status(&r, 0);
    let expected = read(REQUEST).replace(
        &format!("Content-Digest: {sha512}"),
        &format!("Content-Digest: {sha256}"),
    );
    assert_ne!(expected, read(REQUEST));
    assert_eq!(r.stdout, expected);
    // ... or appends it after the last header.
    let r = run_stdin(
        &["digest", "--add"],
        b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n{\"hello\": \"world\"}",
    );
    assert_status(&r, 0);
    assert_eq!(
        r.stdout,
        format!(
            "HTTP/1.1 200 OK\r\nA: b\r\nContent-Digest: {sha256}\r\n\r\n{{\"hello\": \"world\"}}"
        )
    );
    assert_status(&run(&["digest", "--alg", "md5", REQUEST]), 2);
}

// ---------------------------------------------------------------- usage and input errors

#[test]
fn usage_and_input_errors_exit_2_with_a_code() {
    let pk = key("test-key-ed25519.pub.pem");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["verify", B26_SIGNED], "cli.missing"),
        (
            vec!["verify", "--key", "tests/cli/no-such-key.pem", B26_SIGNED],
            "cli.read",
        ),
        (
            vec!["verify", "--key", &pk, "tests/cli/no-such-message.http"],
            "cli.read",
        ),
        (
            vec!["verify", "--key", &pk, "--alg", "rsa-sha1", B26_SIGNED],
            "cli.option",
        ),
        (
            vec!["verify", "--key", &pk, "--require", "@method", B26_SIGNED],
            "cli.option",
        ),
        (
            vec!["verify", "--key", "tests/cli/README.md", B26_SIGNED],
            "cli.missing",
        ),
        (
            vec!["verify", "--key", B26_SIGNED, B26_SIGNED],
            "cli.missing",
        ),
        (vec!["verify", "--bogus"], "cli.usage"),
        (
            vec!["sign", "--key", "testdata/keys/test-key-rsa.pem", REQUEST],
            "key.ambiguous_algorithm",
        ),
        (
            vec!["sign", "--key", &pk, "--alg", "ed25519", REQUEST],
            "key.unsupported_pem_label",
        ),
        (
            vec![
                "sign",
                "--key",
                "testdata/keys/test-key-ed25519.pem",
                "--components",
                "\"@method\" \"@method\"",
                REQUEST,
            ],
            "cli.option",
        ),
        (
            vec![
                "sign",
                "--key",
                "testdata/keys/test-key-ed25519.pem",
                "--created",
                "yesterday",
                REQUEST,
            ],
            "cli.option",
        ),
        (
            vec![
                "sign",
                "--key",
                "testdata/keys/test-key-ed25519.pem",
                "--alg",
                "EdDSA",
                "--include-alg",
                REQUEST,
            ],
            "cli.option",
        ),
        (vec!["base", REQUEST], "cli.missing"),
        (
            vec!["base", "--label", "nope", B26_SIGNED],
            "signature.label_not_found",
        ),
    ];
    for (args, code) in cases {
        let r = run(&args);
        assert_error(&r, 2, code);
        assert!(r.stdout.is_empty(), "{args:?}: {}", r.stdout);
    }
    // Unparsable message text, from stdin: the request head's own codes (RFC 9112 §3, §3.2).
    let r = run_stdin(&["verify", "--key", &pk], b"this is not HTTP\n\n");
    assert_error(&r, 2, "forwarded.invalid_request_line");
    let r = run_stdin(&["digest"], b"GET /x HTTP/1.1\n\n");
    assert_error(&r, 2, "forwarded.host_required");
    let r = run_stdin(&["digest"], b"GET /x HTTP/1.1\nHost a\n\n");
    assert_error(&r, 2, "http1.field_line");
    let r = run_stdin(&["digest"], b"GET /x HTTP/1.1\nHost : a\n\n");
    assert_error(&r, 2, "http1.field_name");
}

#[test]
fn vectors_still_run() {
    let r = run(&["vectors"]);
    assert_status(&r, 0);
    assert!(r.stdout.ends_with(" passed, 0 failed\n"), "{}", r.stdout);
    for suite in ["rfc9421", "rfc9530", "fapi", "keys", "dpop", "forwarded"] {
        assert!(
            r.stdout.lines().any(|l| l.starts_with(suite)),
            "{suite} missing:\n{}",
            r.stdout
        );
    }
}

#[test]
fn vectors_fail_on_a_wrong_expectation_and_on_unknown_files() {
    // RFC 9530 Appendix D sha-256 of the 18-byte body, with one character changed: must fail.
    let dir = tempdir("vectors").join("rfc9530");
    std::fs::create_dir_all(&dir).expect("dir");
    let wrong = dir.join("wrong.json");
    std::fs::write(
        &wrong,
        r#"{"source": "test", "description": "one wrong expectation", "cases": [
            {"id": "d-sha256-wrong", "source": "RFC 9530 Appendix D, altered", "kind": "compute",
             "body": "{\"hello\": \"world\"}", "algorithms": ["sha-256"],
             "expect": {"value": "sha-256=:Y48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"}}]}"#,
    )
    .expect("write");
    let r = run(&["vectors", wrong.to_str().expect("utf-8 path")]);
    assert_status(&r, 1);
    assert!(
        r.stdout.contains("FAIL") && r.stdout.contains("d-sha256-wrong"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.ends_with("0 passed, 1 failed\n"), "{}", r.stdout);

    let other = tempdir("vectors").join("nosuite");
    std::fs::create_dir_all(&other).expect("dir");
    let f = other.join("x.json");
    std::fs::write(&f, "{}").expect("write");
    let r = run(&["vectors", f.to_str().expect("utf-8 path")]);
    assert_status(&r, 1);
    assert!(r.stdout.contains("ERROR"), "{}", r.stdout);
}

/// A fresh directory under the target dir for files a test writes.
fn tempdir(name: &str) -> PathBuf {
    let d =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("create temp dir");
    d
}

/// The reference's FAPI-shaped request signature (shared/reference/fapi-dpop-requirements.md
/// §2.1), made by `sign` and checked by `verify --profile fapi-request`.
const FAPI_SIG: &str =
    "F5w51xaK6Rs6ytEtCRTTvpUGn754RjtvrOskC5DI0C/iPW4lsLQfUChPJsP+1Bl3PcWpqbFk53toMvp7d67NAA==";

#[test]
fn profile_fapi_request() {
    let signed = run(&[
        "sign",
        "--key",
        "testdata/keys/test-key-ed25519.pem",
        "--keyid",
        "test-key-ed25519",
        "--label",
        "sig1",
        "--created",
        "1618884473",
        "--tag",
        "fapi-2-request",
        "--components",
        r#""@method" "@target-uri" "authorization" "content-digest""#,
        "tests/cli/fapi-request.http",
    ]);
    assert_eq!(signed.status, 0, "{}", signed.stderr);
    assert!(
        signed
            .stdout
            .contains(&format!("Signature: sig1=:{FAPI_SIG}:")),
        "{}",
        signed.stdout
    );
    let verify = |now: &str, msg: &[u8]| {
        run_stdin(
            &[
                "verify",
                "--key",
                "testdata/keys/test-key-ed25519.pem",
                "--profile",
                "fapi-request",
                "--now",
                now,
            ],
            msg,
        )
    };
    let ok = verify("1618884480", signed.stdout.as_bytes());
    assert_eq!(ok.status, 0, "{}", ok.stderr);
    let old = verify("1618884534", signed.stdout.as_bytes());
    assert_eq!(old.status, 1);
    assert!(
        old.stderr.contains("policy.created_too_old"),
        "{}",
        old.stderr
    );
    // A FAPI request signature must carry the tag: re-tagged, it is not selected at all.
    let retagged = signed.stdout.replace("fapi-2-request", "fapi-2-response");
    let r = verify("1618884480", retagged.as_bytes());
    assert_eq!(r.status, 1);
    assert!(r.stderr.contains("signature.no_match"), "{}", r.stderr);
}

#[test]
fn profile_fapi_request_requires_authorization() {
    let signed = run(&[
        "sign",
        "--key",
        "testdata/keys/test-key-ed25519.pem",
        "--keyid",
        "k",
        "--created",
        "1618884473",
        "--tag",
        "fapi-2-request",
        "--components",
        r#""@method" "@target-uri" "content-digest""#,
        "tests/cli/fapi-request.http",
    ]);
    assert_eq!(signed.status, 0, "{}", signed.stderr);
    let r = run_stdin(
        &[
            "verify",
            "--key",
            "testdata/keys/test-key-ed25519.pem",
            "--profile",
            "fapi-request",
            "--now",
            "1618884480",
            "--json",
        ],
        signed.stdout.as_bytes(),
    );
    assert_eq!(r.status, 1);
    let v = json(&r.stdout);
    assert_eq!(v["error"]["code"], "policy.missing_component");
}

#[test]
fn profile_fapi_response_needs_request() {
    let r = run(&[
        "verify",
        "--key",
        "testdata/keys/test-key-ed25519.pem",
        "--profile",
        "fapi-response",
        "tests/cli/rfc9421-2.4-response.http",
    ]);
    assert_eq!(r.status, 2);
    assert!(r.stderr.contains("cli.missing"), "{}", r.stderr);
}

// ---------------------------------------------------------------------------------------
// target-uri: the RFC 7239 / X-Forwarded-* vectors of testdata/forwarded/ through the CLI.

/// A received request as HTTP/1.1 text (CRLF), as the backend would read it.
fn request_text(method: &str, target: &str, headers: &[(String, String)]) -> String {
    let mut s = format!("{method} {target} HTTP/1.1\r\n");
    for (n, v) in headers {
        s.push_str(&format!("{n}: {v}\r\n"));
    }
    s.push_str("\r\n");
    s
}

/// The `target-uri` options for a resolve vector's config, or `None` when the CLI has no
/// spelling for it (path prefixes, X-Forwarded-* options, cross-checks, forward-auth).
fn target_uri_options(case: &serde_json::Value) -> Option<Vec<String>> {
    let cfg = case["config"].as_object()?;
    let known = ["source", "trust", "allowed_hosts", "origin"];
    if cfg.keys().any(|k| !known.contains(&k.as_str())) {
        return None;
    }
    let mut out: Vec<String> = vec!["target-uri".into(), "--json".into()];
    let source = match cfg["source"].as_str()? {
        "x_forwarded" => "x-forwarded",
        s @ ("connection" | "fixed" | "forwarded") => s,
        _ => return None,
    };
    out.extend(["--source".into(), source.into()]);
    out.extend(["--peer".into(), case["peer"].as_str()?.into()]);
    if case["tls"].as_bool()? {
        out.push("--tls".into());
    }
    if let Some(t) = cfg.get("trust") {
        // The CLI requires a policy; an empty trust set has no spelling.
        if t["cidrs"].as_array().is_some_and(Vec::is_empty) {
            return None;
        }
        for c in t["cidrs"].as_array().into_iter().flatten() {
            out.extend(["--trust".into(), c.as_str()?.into()]);
        }
        if let Some(h) = t.get("hops") {
            out.extend(["--trust-hops".into(), h.to_string()]);
        }
    }
    if let Some(o) = cfg.get("origin") {
        out.extend(["--origin".into(), o.as_str()?.into()]);
    }
    for h in cfg
        .get("allowed_hosts")
        .and_then(|h| h.as_array())
        .into_iter()
        .flatten()
    {
        out.extend(["--allow-host".into(), h.as_str()?.into()]);
    }
    Some(out)
}

#[test]
fn target_uri_reproduces_the_forwarded_vectors() {
    let mut ran = 0;
    let mut failures_checked = 0;
    for file in ["trust.json", "x-forwarded.json"] {
        let v = json(&read(&format!("testdata/forwarded/{file}")));
        for case in v["cases"].as_array().expect("cases") {
            let id = case["id"].as_str().expect("id");
            let Some(args) = target_uri_options(case) else {
                continue;
            };
            let headers: Vec<(String, String)> =
                serde_json::from_value(case["headers"].clone()).expect("headers");
            // The HTTP/1.1 text trims field values (RFC 9112 §5): vectors that depend on
            // untrimmed or control bytes are for the library, not for text input.
            if headers
                .iter()
                .any(|(_, v)| v.trim() != v || v.bytes().any(|b| b.is_ascii_control()))
            {
                continue;
            }
            let text = request_text(
                case["method"].as_str().expect("method"),
                case["target"].as_str().expect("target"),
                &headers,
            );
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let r = run_stdin(&args, text.as_bytes());
            assert!(r.status != 2, "{file} {id}: {args:?}\n{text}\n{}", r.stderr);
            let out = json(&r.stdout);
            if let Some(want) = case.get("expect").filter(|e| !e.is_null()) {
                assert_eq!(r.status, 0, "{file} {id}: {}", r.stderr);
                for k in ["target_uri", "htu", "authority", "scheme", "warnings"] {
                    assert_eq!(out[k], want[k], "{file} {id}: {k}");
                }
            } else {
                let mut code = case["error"].as_str().expect("error code");
                // The library vectors carry no version; as HTTP/1.1 text, a request without
                // Host is refused by RFC 9112 §3.2 before any authority is looked for.
                let target = case["target"].as_str().expect("target");
                if target.starts_with('/')
                    && !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host"))
                {
                    code = "forwarded.host_required";
                }
                assert_error(&r, 1, code);
                assert_eq!(out["error"]["code"], code, "{file} {id}");
                failures_checked += 1;
            }
            ran += 1;
        }
    }
    eprintln!("target-uri: {ran} forwarded vectors, {failures_checked} of them refusals");
    assert!(
        ran >= 50 && failures_checked >= 10,
        "ran {ran}, of them {failures_checked} refusals"
    );
}

#[test]
fn target_uri_text_output_and_stdin() {
    // Reference forwarded-proxies / RFC 7239 §4 example: a TLS-terminating proxy at 10.0.0.1.
    let text = "GET /a?x=1 HTTP/1.1\nHost: backend:8080\nForwarded: for=198.51.100.7;proto=https;host=api.example.com\n\n";
    let args = [
        "target-uri",
        "--source",
        "forwarded",
        "--peer",
        "10.0.0.1",
        "--trust",
        "10.0.0.0/8",
    ];
    let r = run_stdin(&args, text.as_bytes());
    assert_status(&r, 0);
    assert_eq!(
        r.stdout,
        "target-uri: https://api.example.com/a?x=1\nhtu: https://api.example.com/a\nauthority: api.example.com\nscheme: https\n"
    );
    // The same request from an untrusted peer: the Forwarded field is ignored and the
    // backend's own view is reported, with a warning.
    let mut untrusted = args.to_vec();
    untrusted[4] = "203.0.113.9";
    let r = run_stdin(&untrusted, text.as_bytes());
    assert_status(&r, 0);
    assert!(
        r.stdout
            .starts_with("target-uri: http://backend:8080/a?x=1\nhtu: http://backend:8080/a\n"),
        "{}",
        r.stdout
    );
    // Connection source: --tls and Host decide.
    let r = run_stdin(&["target-uri", "--tls"], text.as_bytes());
    assert_status(&r, 0);
    assert!(
        r.stdout
            .starts_with("target-uri: https://backend:8080/a?x=1\n")
    );
    // Fixed origin: headers are not consulted at all.
    let r = run_stdin(
        &[
            "target-uri",
            "--source",
            "fixed",
            "--origin",
            "https://API.example.com:443",
            "--json",
        ],
        text.as_bytes(),
    );
    assert_status(&r, 0);
    let v = json(&r.stdout);
    assert_eq!(v["target_uri"], "https://api.example.com/a?x=1");
    assert_eq!(v["htu"], "https://api.example.com/a");
}

#[test]
fn target_uri_refusals_and_usage_errors() {
    let text = "GET /a HTTP/1.1\nHost: backend:8080\nForwarded: for=198.51.100.7;proto=https;host=api.example.com\n\n";
    let base = ["target-uri", "--source", "forwarded", "--peer", "10.0.0.1"];
    let with = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        run_stdin(&a, text.as_bytes())
    };
    // Policy refusals exit 1 with forwarded-parser's code, in text and JSON.
    let r = with(&["--trust", "10.0.0.0/8", "--allow-host", "other.example"]);
    assert_error(&r, 1, "forwarded.host_not_allowed");
    let r = with(&[
        "--trust",
        "10.0.0.0/8",
        "--allow-host",
        "other.example",
        "--json",
    ]);
    assert_status(&r, 1);
    assert_eq!(
        json(&r.stdout)["error"]["code"],
        "forwarded.host_not_allowed"
    );
    // Usage and input errors exit 2.
    assert_error(&with(&[]), 2, "cli.missing");
    assert_error(&with(&["--trust", "10.0.0.0/33"]), 2, "cli.option");
    assert_error(&with(&["--trust-hops", "0"]), 2, "cli.option");
    let r = run_stdin(
        &[
            "target-uri",
            "--source",
            "forwarded",
            "--trust",
            "10.0.0.0/8",
        ],
        text.as_bytes(),
    );
    assert_error(&r, 2, "cli.missing");
    assert_error(
        &run_stdin(&["target-uri", "--source", "fixed"], text.as_bytes()),
        2,
        "cli.missing",
    );
    assert_error(
        &run_stdin(
            &["target-uri", "--source", "fixed", "--origin", "ftp://x"],
            text.as_bytes(),
        ),
        2,
        "cli.option",
    );
    assert_error(
        &run_stdin(&["target-uri"], b"HTTP/1.1 200 OK\n\n"),
        2,
        "cli.missing",
    );
    assert_error(
        &run(&["target-uri", "tests/cli/no-such-file"]),
        2,
        "cli.read",
    );
    assert_error(
        &with(&["--trust", "10.0.0.0/8", "--trust-hops", "1"]),
        2,
        "cli.usage",
    );
}

// ---------------------------------------------------------------------------------------
// dpop: RFC 9449 Figure 13 (testdata/dpop/rfc9449-proofs.json) and the resource-server
// challenges of testdata/dpop/rs-cases.json.

/// A case of `testdata/dpop/<file>` by id.
fn dpop_case(file: &str, id: &str) -> serde_json::Value {
    let v = json(&read(&format!("testdata/dpop/{file}")));
    v["cases"]
        .as_array()
        .and_then(|cs| cs.iter().find(|c| c["id"] == id))
        .unwrap_or_else(|| panic!("no case {id}"))
        .clone()
}

/// An RFC 9449 proof case as a request message: origin-form target, Host, its
/// Authorization lines and the proof.
fn proof_request(case: &serde_json::Value) -> String {
    let target = case["target"].as_str().expect("target");
    let rest = target.strip_prefix("https://").expect("https target");
    let (host, path) = rest.split_at(rest.find('/').expect("path"));
    let mut s = format!(
        "{} {path} HTTP/1.1\r\nHost: {host}\r\n",
        case["method"].as_str().expect("method")
    );
    for a in case["authorization"].as_array().expect("authorization") {
        s.push_str(&format!("Authorization: {}\r\n", a.as_str().expect("line")));
    }
    s.push_str(&format!(
        "DPoP: {}\r\n\r\n",
        case["proof"].as_str().expect("proof")
    ));
    s
}

const RFC9449_TOKEN: &str = "Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU";
const RFC9449_JKT: &str = "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I";

#[test]
fn dpop_verify_rfc9449_figure_13() {
    let case = dpop_case("rfc9449-proofs.json", "fig13-verifies");
    let now = case["now"].to_string();
    let jkt = case["token_jkt"].as_str().expect("jkt");
    let r = run_stdin(
        &["dpop", "verify", "--now", &now, "--jkt", jkt],
        proof_request(&case).as_bytes(),
    );
    assert_status(&r, 0);
    // jti and iat as printed in RFC 9449 Figure 13's claims.
    assert_eq!(
        r.stdout,
        format!(
            "valid: DPoP proof (ES256)\njkt: {}\njti: e1j3V_bKic8-LAEB\niat: 1562262618\n",
            case["expect_jkt"].as_str().expect("expect_jkt")
        )
    );
    // The same from options alone, as JSON.
    let proof = case["proof"].as_str().expect("proof");
    let r = run(&[
        "dpop",
        "verify",
        "--proof",
        proof,
        "--htm",
        "GET",
        "--htu",
        "https://resource.example.org/protectedresource?q=1",
        "--token",
        RFC9449_TOKEN,
        "--jkt",
        RFC9449_JKT,
        "--now",
        &now,
        "--json",
    ]);
    assert_status(&r, 0);
    let v = json(&r.stdout);
    assert_eq!(
        (&v["valid"], &v["jkt"], &v["jti"], &v["iat"], &v["alg"]),
        (
            &serde_json::json!(true),
            &serde_json::json!(RFC9449_JKT),
            &serde_json::json!("e1j3V_bKic8-LAEB"),
            &serde_json::json!(1_562_262_618),
            &serde_json::json!("ES256")
        )
    );
}

#[test]
fn dpop_verify_every_unmodified_rfc9449_case() {
    // Every case that uses the proof as published and the default algorithms: the CLI's
    // outcome is the vector's.
    let v = json(&read("testdata/dpop/rfc9449-proofs.json"));
    let mut ran = 0;
    for case in v["cases"].as_array().expect("cases") {
        if !case["flip_bit"].is_null() || !case["allowed_algs"].is_null() {
            continue;
        }
        let id = case["id"].as_str().expect("id");
        let now = case["now"].to_string();
        let mut args = vec!["dpop", "verify", "--now", &now];
        if let Some(j) = case["token_jkt"].as_str() {
            args.extend(["--jkt", j]);
        }
        let r = run_stdin(&args, proof_request(case).as_bytes());
        match case["expect"].as_str().expect("expect") {
            "ok" => assert_eq!(r.status, 0, "{id}: {}", r.stderr),
            code => {
                assert_error(&r, 1, code);
                assert!(r.stdout.starts_with("status: 4"), "{id}: {}", r.stdout);
            }
        }
        ran += 1;
    }
    assert!(ran >= 12, "{ran} cases");
}

#[test]
fn dpop_verify_prints_the_resource_servers_challenge() {
    let base = json(&read("testdata/dpop/rs-cases.json"))["baseline"].clone();
    let now = base["now"].to_string();
    let token = base["token"].as_str().expect("token");
    // Reference §4.3 / rs-cases "no-credentials": no DPoP and no Authorization field.
    let want = &dpop_case("rs-cases.json", "no-credentials")["expect_challenge"];
    let r = run_stdin(
        &["dpop", "verify", "--now", &now, "--jkt", RFC9449_JKT],
        b"GET /accounts/123?page=2 HTTP/1.1\nHost: rs.example.com\n\n",
    );
    assert_error(&r, 1, "dpop.no_credentials");
    assert_eq!(
        r.stdout,
        format!(
            "status: {}\nWWW-Authenticate: {}\n",
            want["status"],
            want["www_authenticate"].as_str().expect("value")
        )
    );
    // rs-cases "wrong-ath": a proof made for another token.
    let want = &dpop_case("rs-cases.json", "wrong-ath")["expect_challenge"];
    let proof = run(&[
        "dpop",
        "create",
        "--key",
        &key("test-key-ecc-p256.pem"),
        "--jwk",
        "testdata/dpop/keys/test-key-ecc-p256.pub.jwk.json",
        "--htm",
        "GET",
        "--htu",
        base["htu"].as_str().expect("htu"),
        "--token",
        "another-token",
        "--iat",
        &now,
    ]);
    assert_status(&proof, 0);
    let r = run(&[
        "dpop",
        "verify",
        "--proof",
        proof.stdout.trim_end(),
        "--htm",
        "GET",
        "--htu",
        base["target"].as_str().expect("target"),
        "--token",
        token,
        "--jkt",
        "ydQXMtvbsOsZyFir-Y7A8t7fKEM1gbKPvyFkdpu4fvI",
        "--now",
        &now,
        "--json",
    ]);
    assert_status(&r, 1);
    let v = json(&r.stdout);
    assert_eq!(v["valid"], false);
    assert_eq!(v["error"]["code"], "dpop.ath");
    assert_eq!(v["challenge"]["status"], want["status"]);
    assert_eq!(v["challenge"]["www_authenticate"], want["www_authenticate"]);
    assert_eq!(v["challenge"]["dpop_nonce"], serde_json::Value::Null);
    // rs-cases "bearer-and-dpop-authorization": 400 invalid_request.
    let want = &dpop_case("rs-cases.json", "bearer-and-dpop-authorization")["expect_challenge"];
    let text = format!(
        "GET /accounts/123?page=2 HTTP/1.1\nHost: rs.example.com\nAuthorization: Bearer {token}\nAuthorization: DPoP {token}\nDPoP: {}\n\n",
        proof.stdout.trim_end()
    );
    let r = run_stdin(
        &["dpop", "verify", "--now", &now, "--jkt", RFC9449_JKT],
        text.as_bytes(),
    );
    assert_error(&r, 1, "dpop.authorization_multiple");
    assert!(
        r.stdout.starts_with(&format!(
            "status: {}\nWWW-Authenticate: {}\n",
            want["status"],
            want["www_authenticate"].as_str().expect("value")
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn dpop_create_then_verify_for_each_fapi_algorithm() {
    // (key, public JWK, expected alg, thumbprint from testdata/dpop/thumbprints.json)
    let cases = [
        (
            "testdata/keys/test-key-ecc-p256.pem",
            "test-key-ecc-p256.pub.jwk.json",
            None,
            "ES256",
            "ours-test-key-ecc-p256",
        ),
        (
            "testdata/dpop/keys/ed25519.pem",
            "ed25519.pub.jwk.json",
            None,
            "EdDSA",
            "ours-ed25519",
        ),
        (
            "testdata/dpop/keys/ed25519.pem",
            "ed25519.pub.jwk.json",
            Some("Ed25519"),
            "Ed25519",
            "ours-ed25519",
        ),
        (
            "testdata/dpop/keys/ps256-rsa2048.pem",
            "ps256-rsa2048.pub.jwk.json",
            None,
            "PS256",
            "ours-ps256-rsa2048",
        ),
    ];
    let htu = "https://rs.example.com/accounts/123";
    for (pem, jwk, alg, want_alg, thumb) in cases {
        let jwk = format!("testdata/dpop/keys/{jwk}");
        let mut args = vec![
            "dpop",
            "create",
            "--key",
            pem,
            "--jwk",
            &jwk,
            "--htm",
            "POST",
            "--htu",
            htu,
            "--token",
            "t0k",
            "--iat",
            "1700000000",
            "--jti",
            "j-1",
            "--nonce",
            "n-1",
        ];
        if let Some(a) = alg {
            args.extend(["--alg", a]);
        }
        let created = run(&args);
        assert_status(&created, 0);
        let proof = created.stdout.trim_end();
        assert_eq!(proof.split('.').count(), 3, "{want_alg}: {proof}");
        let jkt = dpop_case("thumbprints.json", thumb)["expect"]
            .as_str()
            .expect("thumbprint")
            .to_owned();
        // Behind the same origin with an upper-case host and default port: still the
        // request's htu (reference §8.2).
        let r = run(&[
            "dpop",
            "verify",
            "--proof",
            proof,
            "--htm",
            "POST",
            "--htu",
            "https://RS.example.com:443/accounts/123?page=2",
            "--token",
            "t0k",
            "--jkt",
            &jkt,
            "--now",
            "1700000005",
            "--json",
        ]);
        assert_status(&r, 0);
        let v = json(&r.stdout);
        assert_eq!(v["alg"], want_alg);
        assert_eq!(v["jkt"], jkt.as_str());
        assert_eq!(v["jti"], "j-1");
        assert_eq!(v["iat"], 1_700_000_000);
        // Another method, another token, another path, a token bound to another key.
        for (flag, value, code) in [
            ("--htm", "GET", "dpop.htm"),
            ("--token", "other", "dpop.ath"),
            ("--htu", "https://rs.example.com/accounts/124", "dpop.htu"),
            ("--jkt", RFC9449_JKT, "dpop.jkt_mismatch"),
        ] {
            let mut a = vec![
                "dpop",
                "verify",
                "--proof",
                proof,
                "--htm",
                "POST",
                "--htu",
                htu,
                "--token",
                "t0k",
                "--jkt",
                &jkt,
                "--now",
                "1700000005",
            ];
            let i = a.iter().position(|x| *x == flag).expect("flag") + 1;
            a[i] = value;
            assert_error(&run(&a), 1, code);
        }
    }
}

#[test]
fn dpop_verify_htu_from_the_message_uses_its_scheme() {
    let created = run(&[
        "dpop",
        "create",
        "--key",
        "testdata/keys/test-key-ecc-p256.pem",
        "--jwk",
        "testdata/dpop/keys/test-key-ecc-p256.pub.jwk.json",
        "--htm",
        "GET",
        "--htu",
        "https://rs.example.com/accounts/123",
        "--token",
        RFC9449_TOKEN,
        "--iat",
        "1700000000",
    ]);
    assert_status(&created, 0);
    let text = format!(
        "GET /accounts/123?page=2 HTTP/1.1\nHost: rs.example.com\nAuthorization: DPoP {RFC9449_TOKEN}\ndpop: {}\n\n",
        created.stdout.trim_end()
    );
    let jkt = "ydQXMtvbsOsZyFir-Y7A8t7fKEM1gbKPvyFkdpu4fvI";
    let args = ["dpop", "verify", "--now", "1700000000", "--jkt", jkt];
    assert_status(&run_stdin(&args, text.as_bytes()), 0);
    let mut http = args.to_vec();
    http.extend(["--scheme", "http"]);
    assert_error(&run_stdin(&http, text.as_bytes()), 1, "dpop.htu");
    // Without --jkt the token is not DPoP-bound.
    assert_error(
        &run_stdin(&["dpop", "verify", "--now", "1700000000"], text.as_bytes()),
        1,
        "dpop.token_not_bound",
    );
    // Two DPoP fields (reference §8.2: reject).
    let twice = text.replacen("dpop: ", "DPoP: x\ndpop: ", 1);
    assert_error(&run_stdin(&args, twice.as_bytes()), 1, "dpop.multiple");
}

#[test]
fn dpop_create_errors_exit_2() {
    let ec = "testdata/keys/test-key-ecc-p256.pem";
    let ec_jwk = "testdata/dpop/keys/test-key-ecc-p256.pub.jwk.json";
    let common = ["--htm", "GET", "--htu", "https://rs.example.com/r"];
    let create = |key: &str, jwk: &str, extra: &[&str]| {
        let mut a = vec!["dpop", "create", "--key", key, "--jwk", jwk];
        a.extend_from_slice(&common);
        a.extend_from_slice(extra);
        run(&a)
    };
    // The JWK must be the key's public half, and public.
    assert_error(
        &create(ec, "testdata/dpop/keys/ed25519.pub.jwk.json", &[]),
        2,
        "dpop_build.jwk",
    );
    assert_error(
        &create(ec, "testdata/keys/test-key-ecc-p256.jwk.json", &[]),
        2,
        "dpop_build.jwk_private",
    );
    // RS256 is not a FAPI algorithm; a 1024-bit RSA key is refused at load.
    assert_error(
        &create(
            "testdata/dpop/keys/ps256-rsa2048.pem",
            "testdata/dpop/keys/ps256-rsa2048.pub.jwk.json",
            &["--alg", "RS256"],
        ),
        2,
        "dpop_build.algorithm",
    );
    assert_error(
        &create(
            "testdata/dpop/keys/rsa1024.pem",
            "testdata/dpop/keys/rsa1024.pub.jwk.json",
            &[],
        ),
        2,
        "key.rsa_too_small",
    );
    assert_error(&create(ec, ec_jwk, &["--iat", "soon"]), 2, "cli.option");
    assert_error(&create(ec, ec_jwk, &["--alg", "XX1"]), 2, "cli.option");
    assert_error(&create("no-such.pem", ec_jwk, &[]), 2, "cli.read");
    // dpop verify: an --htu that is no URI.
    assert_error(
        &run(&[
            "dpop",
            "verify",
            "--proof",
            "a.b.c",
            "--htm",
            "GET",
            "--htu",
            "not a uri",
        ]),
        2,
        "cli.option",
    );
}

// ---------------------------------------------------------------------------------------
// Issue 10: the request head (RFC 9112 §3, §3.2), the profile's signatures (D-4), JWK Set
// selection (SP-10).

/// `GET /public/admin` on `api.example.com` (ours), signed by `sign` over its target URI.
const HOST_REQUEST: &str = "tests/cli/host-admin.http";
const HOST_LINES: &str = "GET /public/admin HTTP/1.1\nHost: api.example.com\n";

/// Signs `text` (stdin) with the RFC 9421 B.1.4 Ed25519 key over `@method`, `@target-uri`,
/// `@authority` and `@path`.
fn sign_host_request(text: &[u8]) -> Run {
    run_stdin(
        &[
            "sign",
            "--key",
            "testdata/keys/test-key-ed25519.pem",
            "--keyid",
            "test-key-ed25519",
            "--label",
            "sig1",
            "--created",
            "1618884473",
            "--components",
            r#""@method" "@target-uri" "@authority" "@path""#,
        ],
        text,
    )
}

fn verify_ed25519(text: &str) -> Run {
    run_stdin(
        &["verify", "--key", "testdata/keys/test-key-ed25519.pub.pem"],
        text.as_bytes(),
    )
}

#[test]
fn request_head_spoofs_are_refused() {
    let signed = sign_host_request(read(HOST_REQUEST).as_bytes());
    assert_status(&signed, 0);
    let signed = signed.stdout;
    assert!(signed.starts_with(HOST_LINES), "{signed}");
    let ok = verify_ed25519(&signed);
    assert_status(&ok, 0);
    assert_eq!(ok.stdout, "valid: sig1 (ed25519)\n");

    // The issue's spoof: the Host's path used to be pasted in front of the target, giving the
    // signed https://api.example.com/public/admin for a request routed to /admin.
    let spoof = signed.replace(
        HOST_LINES,
        "GET /admin HTTP/1.1\nHost: api.example.com/public\n",
    );
    assert_error(&verify_ed25519(&spoof), 2, "forwarded.invalid_host");
    // The same laundering with the query (reference forwarded-proxies.md §0.7).
    let spoof = signed.replace(
        HOST_LINES,
        "GET /admin HTTP/1.1\nHost: api.example.com/public/admin?x=\n",
    );
    assert_error(&verify_ed25519(&spoof), 2, "forwarded.invalid_host");

    // Two Host lines (RFC 9112 §3.2): the first used to win, whichever it was.
    for extra in [
        "Host: api.example.com\nHost: evil.example\n",
        "Host: evil.example\nHost: api.example.com\n",
    ] {
        let two = signed.replace("Host: api.example.com\n", extra);
        assert_error(&verify_ed25519(&two), 2, "forwarded.multiple_values");
    }

    // No Host on HTTP/1.1 (RFC 9112 §3.2).
    let none = signed.replace("Host: api.example.com\n", "");
    assert_error(&verify_ed25519(&none), 2, "forwarded.host_required");

    // Absolute-form (RFC 9112 §3.2.2): the target's authority, whatever Host says.
    let absolute = signed.replace(
        HOST_LINES,
        "GET https://api.example.com/public/admin HTTP/1.1\nHost: evil.example\n",
    );
    let r = verify_ed25519(&absolute);
    assert_status(&r, 0);
    assert_eq!(r.stdout, "valid: sig1 (ed25519)\n");
    // ... so a signature made for the Host's authority does not verify there.
    let for_evil = sign_host_request(
        read(HOST_REQUEST)
            .replace("Host: api.example.com", "Host: evil.example")
            .as_bytes(),
    );
    assert_status(&for_evil, 0);
    let moved = for_evil.stdout.replace(
        "GET /public/admin HTTP/1.1\nHost: evil.example\n",
        "GET https://api.example.com/public/admin HTTP/1.1\nHost: evil.example\n",
    );
    assert_ne!(moved, for_evil.stdout);
    assert_error(&verify_ed25519(&moved), 1, "verify.invalid_signature");

    // target-uri reads the head with the same parser.
    let spoof = signed.replace(
        HOST_LINES,
        "GET /admin HTTP/1.1\nHost: api.example.com/public\n",
    );
    let r = run_stdin(&["target-uri", "--tls"], spoof.as_bytes());
    assert_error(&r, 1, "forwarded.invalid_host");
    // A folded Host (RFC 9112 §5.2: reject or replace with SP; neither is a uri-host here),
    // even a fold of whitespace only, is refused by every subcommand alike.
    for fold in [
        "Host: api.example.com\n  /public\n",
        "Host: api.example.com\n  \n",
    ] {
        let folded = signed.replace("Host: api.example.com\n", fold);
        assert_error(&verify_ed25519(&folded), 2, "forwarded.invalid_host");
        let r = run_stdin(&["target-uri", "--tls"], folded.as_bytes());
        assert_error(&r, 1, "forwarded.invalid_host");
    }
    // Request-line smuggling: a second space, a tab, no version.
    for line in [
        "GET  /public/admin HTTP/1.1\n",
        "GET\t/public/admin HTTP/1.1\n",
        "GET /public/admin\n",
    ] {
        let bent = signed.replace("GET /public/admin HTTP/1.1\n", line);
        assert_error(&verify_ed25519(&bent), 2, "forwarded.invalid_request_line");
    }
}

/// Signs `text` (stdin) as a FAPI request signature with label `label` at `created`.
fn sign_fapi_request(text: &[u8], label: &str, created: &str) -> Run {
    run_stdin(
        &[
            "sign",
            "--key",
            "testdata/keys/test-key-ed25519.pem",
            "--keyid",
            "test-key-ed25519",
            "--label",
            label,
            "--created",
            created,
            "--tag",
            "fapi-2-request",
            "--components",
            r#""@method" "@target-uri" "authorization" "content-digest""#,
        ],
        text,
    )
}

/// `text` with the first base64 character of `label`'s `Signature` member changed.
fn break_signature(text: &str, label: &str) -> String {
    let at = text
        .find(&format!("{label}=:"))
        .filter(|i| {
            text[..*i]
                .rfind('\n')
                .is_some_and(|l| text[l..].starts_with("\nSignature:"))
        })
        .expect("signature member")
        + label.len()
        + 2;
    let mut out = text.to_owned();
    let c = if &text[at..=at] == "A" { "B" } else { "A" };
    out.replace_range(at..=at, c);
    out
}

#[test]
fn profile_fapi_request_verifies_every_request_signature_whatever_the_label() {
    let one = sign_fapi_request(
        read("tests/cli/fapi-request.http").as_bytes(),
        "sig1",
        "1618884473",
    );
    assert_status(&one, 0);
    assert!(
        one.stdout
            .contains(&format!("Signature: sig1=:{FAPI_SIG}:"))
    );
    let two = sign_fapi_request(one.stdout.as_bytes(), "sig2", "1618884474");
    assert_status(&two, 0);
    let good = two.stdout;
    let verify = |text: &str, extra: &[&str]| {
        let mut args = vec![
            "verify",
            "--key",
            "testdata/keys/test-key-ed25519.pem",
            "--profile",
            "fapi-request",
            "--now",
            "1618884480",
        ];
        args.extend_from_slice(extra);
        run_stdin(&args, text.as_bytes())
    };
    // Both verify: both are reported, with or without --label.
    for extra in [&[][..], &["--label", "sig1"]] {
        let r = verify(&good, extra);
        assert_status(&r, 0);
        assert_eq!(r.stdout, "valid: sig1 (ed25519)\nvalid: sig2 (ed25519)\n");
    }
    let r = verify(&good, &["--label", "sig2", "--json"]);
    assert_status(&r, 0);
    let v = json(&r.stdout);
    assert_eq!(
        (&v["label"], &v["labels"]),
        (
            &serde_json::json!("sig2"),
            &serde_json::json!(["sig1", "sig2"])
        )
    );

    // D-4: the second fapi-2-request signature is bad, so the request is refused, even when
    // --label names the first.
    let bad = break_signature(&good, "sig2");
    assert_ne!(bad, good);
    for extra in [&[][..], &["--label", "sig1"]] {
        let r = verify(&bad, extra);
        assert_error(&r, 1, "verify.invalid_signature");
        // The report names the signature that failed, not the label given.
        assert!(r.stderr.contains("(signature \"sig2\")"), "{}", r.stderr);
    }
    // A label that names no fapi-2-request signature is refused, not silently ignored.
    let r = verify(&good, &["--label", "sig9"]);
    assert_error(&r, 2, "cli.option");
    // A signature with another tag is not the profile's: neither a label for it nor its
    // validity matters (D-4: other tags ignored).
    let other = run_stdin(
        &[
            "sign",
            "--key",
            "testdata/keys/test-key-ed25519.pem",
            "--keyid",
            "test-key-ed25519",
            "--label",
            "sig3",
            "--created",
            "1618884475",
            "--components",
            r#""@method""#,
        ],
        good.as_bytes(),
    );
    assert_status(&other, 0);
    let r = verify(&other.stdout, &["--label", "sig3"]);
    assert_error(&r, 2, "cli.option");
    let r = verify(&break_signature(&other.stdout, "sig3"), &[]);
    assert_status(&r, 0);
    assert_eq!(r.stdout, "valid: sig1 (ed25519)\nvalid: sig2 (ed25519)\n");
}

#[test]
fn profile_fapi_response_verifies_every_response_signature_whatever_the_label() {
    let request = sign_fapi_request(
        read("tests/cli/fapi-request.http").as_bytes(),
        "sig1",
        "1618884473",
    );
    assert_status(&request, 0);
    let tmp = tempdir("fapi-response");
    let req = tmp.join("request.http");
    std::fs::write(&req, &request.stdout).expect("write request");
    let req = req.to_str().expect("utf-8 path");
    let sign = |text: &[u8], label: &str| {
        run_stdin(
            &[
                "sign",
                "--key",
                "testdata/keys/test-key-ed25519.pem",
                "--keyid",
                "test-key-ed25519",
                "--label",
                label,
                "--created",
                "1618884474",
                "--tag",
                "fapi-2-response",
                "--request",
                req,
                "--components",
                r#""@status" "content-digest" "@method";req "@target-uri";req "content-digest";req "signature";req;key="sig1" "signature-input";req;key="sig1""#,
            ],
            text,
        )
    };
    let one = sign(read("tests/cli/fapi-response.http").as_bytes(), "sig1");
    assert_status(&one, 0);
    let two = sign(one.stdout.as_bytes(), "sig2");
    assert_status(&two, 0);
    let verify = |text: &str, extra: &[&str]| {
        let mut args = vec![
            "verify",
            "--key",
            "testdata/keys/test-key-ed25519.pem",
            "--profile",
            "fapi-response",
            "--request",
            req,
            "--now",
            "1618884480",
        ];
        args.extend_from_slice(extra);
        run_stdin(&args, text.as_bytes())
    };
    let r = verify(&two.stdout, &["--label", "sig1"]);
    assert_status(&r, 0);
    assert_eq!(r.stdout, "valid: sig1 (ed25519)\nvalid: sig2 (ed25519)\n");
    let bad = break_signature(&two.stdout, "sig2");
    let r = verify(&bad, &["--label", "sig1"]);
    assert_error(&r, 1, "verify.invalid_signature");
    let r = verify(&two.stdout, &["--label", "nope"]);
    assert_error(&r, 2, "cli.option");
}

#[test]
fn jwks_selection_by_use_kty_and_alg() {
    // An encryption key with the signature's kid comes first in the set (SP-10).
    let r = run(&[
        "verify",
        "--jwks",
        "tests/cli/jwks-enc-then-sig.json",
        B26_SIGNED,
    ]);
    assert_status(&r, 0);
    assert_eq!(r.stdout, "valid: sig-b26 (ed25519)\n");
    // Signing from the private set picks the signing key: the RFC's B.2.6 signature.
    let r = sign_b26(
        &["--jwks", "tests/cli/jwks-enc-then-sig.private.json"],
        REQUEST,
        None,
        &[],
    );
    assert_status(&r, 0);
    assert_eq!(r.stdout, read(B26_SIGNED));
    // Two signing keys with one kid: ambiguous, unless the algorithm tells them apart.
    let r = run(&[
        "verify",
        "--jwks",
        "tests/cli/jwks-two-sig.json",
        B26_SIGNED,
    ]);
    assert_error(&r, 2, "key.jwks_ambiguous_key");
    let r = run(&[
        "verify",
        "--jwks",
        "tests/cli/jwks-two-sig.json",
        "--alg",
        "ed25519",
        B26_SIGNED,
    ]);
    assert_status(&r, 0);
    assert_eq!(r.stdout, "valid: sig-b26 (ed25519)\n");
    // ... or the signature's own alg parameter does (RFC 9421 §2.3).
    let with_alg = sign_b26(
        &["--key", &key("test-key-ed25519.pem")],
        REQUEST,
        None,
        &["--include-alg"],
    );
    assert_status(&with_alg, 0);
    assert!(
        with_alg.stdout.contains(";alg=\"ed25519\""),
        "{}",
        with_alg.stdout
    );
    let r = run_stdin(
        &["verify", "--jwks", "tests/cli/jwks-two-sig.json"],
        with_alg.stdout.as_bytes(),
    );
    assert_status(&r, 0);
    assert_eq!(r.stdout, "valid: sig-b26 (ed25519)\n");
    // An alg parameter no signing member fits is the message's fault: a verification
    // failure (exit 1), as with --key, not an input error.
    let wrong_alg = with_alg
        .stdout
        .replace(";alg=\"ed25519\"", ";alg=\"ecdsa-p256-sha256\"");
    assert_ne!(wrong_alg, with_alg.stdout);
    let r = run_stdin(
        &["verify", "--jwks", "tests/cli/jwks-enc-then-sig.json"],
        wrong_alg.as_bytes(),
    );
    assert_error(&r, 1, "verify.alg_mismatch");
}

/// A member the toolkit cannot verify with (here an encryption key) is reported on stderr, one
/// warning line each with its index, kid and code, and the command goes on (issue 11).
#[test]
fn jwks_skipped_members_are_warned_about() {
    let r = run(&[
        "verify",
        "--jwks",
        "tests/cli/jwks-enc-then-sig.json",
        B26_SIGNED,
    ]);
    assert_status(&r, 0);
    assert_eq!(r.stdout, "valid: sig-b26 (ed25519)\n");
    let warnings: Vec<&str> = r.stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 1, "{}", r.stderr);
    assert!(
        warnings[0].starts_with(
            "httpsig: warning[key.jwk_wrong_use]: --jwks key 0 (kid \"test-key-ed25519\") skipped: "
        ),
        "{}",
        r.stderr
    );
    // A set mixing a secret (usable here: a local file), an unknown key type and a member that
    // is not a JWK: one line for each member no selection can use, in set order.
    let tmp = tempdir("jwks-warnings");
    let jwks = tmp.join("mixed.json");
    let signing = r#"{"kty":"OKP","crv":"Ed25519","kid":"test-key-ed25519","x":"JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"}"#;
    std::fs::write(
        &jwks,
        format!(
            r#"{{"keys":[{{"kty":"oct","kid":"s","k":"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"}},{{"kty":"XYZ","kid":"x"}},{signing},7]}}"#
        ),
    )
    .expect("write jwks");
    let r = run(&[
        "verify",
        "--jwks",
        jwks.to_str().expect("utf-8 path"),
        B26_SIGNED,
    ]);
    assert_status(&r, 0);
    let warnings: Vec<&str> = r.stderr.lines().filter(|l| l.contains("warning")).collect();
    assert_eq!(warnings.len(), 2, "{}", r.stderr);
    assert!(
        warnings[0]
            .starts_with("httpsig: warning[key.jwk_unsupported_kty]: --jwks key 1 (kid \"x\")"),
        "{}",
        r.stderr
    );
    assert!(
        warnings[1].starts_with("httpsig: warning[key.jwk_json]: --jwks key 3 skipped"),
        "{}",
        r.stderr
    );
    // Signing reads the private set: its encryption member is a key, just not for signing,
    // and is not warned about.
    let r = sign_b26(
        &["--jwks", "tests/cli/jwks-enc-then-sig.private.json"],
        REQUEST,
        None,
        &[],
    );
    assert_status(&r, 0);
    assert!(!r.stderr.contains("warning"), "{}", r.stderr);
    // Verifying with a local private set: its members are usable here (a published set would
    // leave them out), so they are not warned about as skipped.
    let r = run(&[
        "verify",
        "--jwks",
        "tests/cli/jwks-enc-then-sig.private.json",
        B26_SIGNED,
    ]);
    assert_status(&r, 0);
    assert!(
        !r.stderr.contains("key.jwks_private_member"),
        "{}",
        r.stderr
    );
}

/// A plain RSA member without `alg` admits two algorithms: the message's `alg` parameter must
/// not choose between them, with `--jwks` as with `--key` (RFC 9421 §3.2 step 6; adversarial
/// pass of issue 10, F8). `--alg` names the one the user trusts.
#[test]
fn jwks_rsa_member_without_alg_needs_alg() {
    let args = |extra: &[&str]| {
        let mut v = vec![
            "sign",
            "--key",
            "",
            "--alg",
            "rsa-pss-sha512",
            "--include-alg",
            "--keyid",
            "test-key-rsa-pss",
            "--created",
            "1618884473",
            "--components",
            "\"@method\" \"@authority\"",
            REQUEST,
        ];
        v.extend_from_slice(extra);
        v.into_iter().map(str::to_owned).collect::<Vec<_>>()
    };
    let pem = key("test-key-rsa-pss.pem");
    let mut sign_args = args(&[]);
    sign_args[2] = pem;
    let sign_args: Vec<&str> = sign_args.iter().map(String::as_str).collect();
    let signed = run(&sign_args);
    assert_status(&signed, 0);
    assert!(
        signed.stdout.contains(";alg=\"rsa-pss-sha512\""),
        "{}",
        signed.stdout
    );
    let jwks = "tests/cli/jwks-rsa-without-alg.json";
    let r = run_stdin(
        &["verify", "--jwks", jwks, "--now", "1618884474"],
        signed.stdout.as_bytes(),
    );
    assert_error(&r, 2, "key.ambiguous_algorithm");
    let r = run_stdin(
        &[
            "verify",
            "--jwks",
            jwks,
            "--alg",
            "rsa-pss-sha512",
            "--now",
            "1618884474",
        ],
        signed.stdout.as_bytes(),
    );
    assert_status(&r, 0);
}

// ---------------------------------------------------------------------------------------
// --provider: the same results from ring and aws-lc-rs, an unknown name is a usage error.

#[test]
fn provider_option_on_vectors_sign_verify_and_dpop() {
    // vectors: every suite passes under each provider.
    for p in ["ring", "aws-lc-rs"] {
        let r = run(&["vectors", "--provider", p]);
        assert_status(&r, 0);
        assert!(
            r.stdout.ends_with(" passed, 0 failed\n"),
            "{p}: {}",
            r.stdout
        );
    }
    // sign: B.2.6 (Ed25519, deterministic) gives the RFC's signature under each provider.
    let pem = key("test-key-ed25519.pem");
    for p in ["ring", "aws-lc-rs"] {
        let r = sign_b26(&["--key", &pem], REQUEST, None, &["--provider", p]);
        assert_status(&r, 0);
        assert_eq!(r.stdout, read(B26_SIGNED), "{p}");
    }
    // sign with one provider (randomized ECDSA), verify with the other, and a tampered body
    // fails the covered Content-Digest under each.
    let sk = key("test-key-ecc-p256.pem");
    let pk = key("test-key-ecc-p256.pub.pem");
    for (signer, verifier) in [("ring", "aws-lc-rs"), ("aws-lc-rs", "ring")] {
        let signed = run(&[
            "sign",
            "--provider",
            signer,
            "--key",
            &sk,
            "--components",
            r#""@method" "@target-uri" "content-digest""#,
            "--created",
            "now",
            REQUEST,
        ]);
        assert_status(&signed, 0);
        let vargs = [
            "verify",
            "--provider",
            verifier,
            "--key",
            &pk,
            "--max-age",
            "60",
        ];
        let ok = run_stdin(&vargs, signed.stdout.as_bytes());
        assert_status(&ok, 0);
        assert_eq!(ok.stdout, "valid: sig1 (ecdsa-p256-sha256)\n");
        let tampered = signed
            .stdout
            .replace("{\"hello\": \"world\"}", "{\"hello\": \"World\"}");
        assert_error(
            &run_stdin(&vargs, tampered.as_bytes()),
            1,
            "digest.mismatch",
        );
    }
    // dpop verify: RFC 9449 Figure 13 under each provider.
    let case = dpop_case("rfc9449-proofs.json", "fig13-verifies");
    let now = case["now"].to_string();
    let jkt = case["token_jkt"].as_str().expect("jkt");
    for p in ["ring", "aws-lc-rs"] {
        let r = run_stdin(
            &[
                "dpop",
                "verify",
                "--provider",
                p,
                "--now",
                &now,
                "--jkt",
                jkt,
            ],
            proof_request(&case).as_bytes(),
        );
        assert_status(&r, 0);
        assert!(
            r.stdout.starts_with("valid: DPoP proof (ES256)\n"),
            "{p}: {}",
            r.stdout
        );
    }
    // dpop create under one provider, verify under the other (PS256: randomized).
    let jkt = dpop_case("thumbprints.json", "ours-ps256-rsa2048")["expect"]
        .as_str()
        .expect("thumbprint")
        .to_owned();
    for (creator, verifier) in [("aws-lc-rs", "ring"), ("ring", "aws-lc-rs")] {
        let created = run(&[
            "dpop",
            "create",
            "--provider",
            creator,
            "--key",
            "testdata/dpop/keys/ps256-rsa2048.pem",
            "--jwk",
            "testdata/dpop/keys/ps256-rsa2048.pub.jwk.json",
            "--htm",
            "GET",
            "--htu",
            "https://rs.example.com/r",
            "--token",
            "t0k",
            "--iat",
            "1700000000",
        ]);
        assert_status(&created, 0);
        let proof = created.stdout.trim_end();
        let verify = |proof: &str| {
            run(&[
                "dpop",
                "verify",
                "--provider",
                verifier,
                "--proof",
                proof,
                "--htm",
                "GET",
                "--htu",
                "https://rs.example.com/r",
                "--token",
                "t0k",
                "--jkt",
                &jkt,
                "--now",
                "1700000001",
            ])
        };
        assert_status(&verify(proof), 0);
        // One signature character changed (a whole 6-bit group, not padding bits): refused
        // under the other provider too, as a bad signature.
        let at = proof.rfind('.').expect("compact JWS") + 10;
        let mut bad = proof.as_bytes().to_vec();
        bad[at] = if bad[at] == b'A' { b'B' } else { b'A' };
        let r = verify(std::str::from_utf8(&bad).expect("ascii"));
        assert_error(&r, 1, "dpop.signature");

        // Without --jwk the proof announces the JWK derived from the key: its thumbprint is
        // the same independently computed jkt.
        let derived = run(&[
            "dpop",
            "create",
            "--provider",
            creator,
            "--key",
            "testdata/dpop/keys/ps256-rsa2048.pem",
            "--htm",
            "GET",
            "--htu",
            "https://rs.example.com/r",
            "--token",
            "t0k",
            "--iat",
            "1700000000",
        ]);
        assert_status(&derived, 0);
        assert_status(&verify(derived.stdout.trim_end()), 0);
    }
    // An unknown provider name is a usage error (exit 2) on every subcommand.
    for args in [
        &["vectors", "--provider", "openssl"][..],
        &["sign", "--provider", "Ring", "--key", &pem, REQUEST][..],
        &[
            "verify",
            "--provider",
            "aws_lc_rs",
            "--key",
            &pem,
            B26_SIGNED,
        ][..],
        &["dpop", "verify", "--provider", "", "--now", &now][..],
    ] {
        assert_error(&run(args), 2, "cli.usage");
    }
}
