//! Builds a message from arbitrary bytes (method, target URI, status, header lines, and a
//! Signature-Input) and computes every signature's base and verifies it with the fake backend:
//! nothing may panic, and a message signed by us must verify.
#![no_main]

use httpsig_core::crypto::insecure::InsecureTestKey;
use httpsig_core::{
    Algorithm, BaseOptions, HttpMessage, MaxAge, Message, Selection, VerifyInput, VerifyPolicy,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split('\n');
    let first = parts.next().unwrap_or_default();
    let target = parts.next().unwrap_or_default();
    let mut msg = if let Ok(status) = first.parse::<u16>() {
        Message::response(status)
    } else {
        match Message::request(first, target) {
            Ok(m) => m,
            Err(_) => return,
        }
    };
    let mut si = String::new();
    for line in parts {
        if let Some(v) = line.strip_prefix("SI:") {
            si = v.to_owned();
        } else if let Some((n, v)) = line.split_once(':') {
            if !n.is_empty() {
                msg.add_header(n, v.as_bytes().to_vec());
            }
        } else if let Some(rest) = line.strip_prefix(' ') {
            msg.add_header("x-fold", format!("a\r\n {rest}").into_bytes());
        }
    }
    let opts = BaseOptions::default();
    let Ok(all) = httpsig_core::parse_signature_input_field(si.as_bytes(), &opts) else {
        return;
    };
    let key = InsecureTestKey::new(b"fuzz", Algorithm::Ed25519);
    for (label, params) in all {
        let related = msg
            .status()
            .map(|_| Message::request("GET", "https://example.com/x?a=b").expect("valid"));
        let base =
            httpsig_core::signature_base(&msg, related.as_ref().map(|m| m as _), &params, &opts);
        let Ok(base) = base else { continue };
        assert!(base.ends_with(params.as_str().as_bytes()));
        // Sign with the fake backend and check that verification agrees.
        let mut signed_msg = msg.clone();
        let Ok(signed) = httpsig_core::sign(
            &signed_msg,
            related.as_ref().map(|m| m as _),
            &label,
            params,
            &key,
            &opts,
        ) else {
            continue;
        };
        assert_eq!(signed.base(), &base[..]);
        signed_msg.set_header(
            "signature-input",
            Some(signed.signature_input_member().into_bytes()),
        );
        signed_msg.set_header("signature", Some(signed.signature_member().into_bytes()));
        let policy =
            VerifyPolicy::new(&[Algorithm::Ed25519], MaxAge::Unlimited).digest_checked_by_caller();
        let mut input = VerifyInput::new(&signed_msg).select(Selection::Label(&label));
        if let Some(r) = &related {
            input = input.related(r);
        }
        if let Err(e) = policy.verify(input, &key) {
            // Only policy checks that depend on the clock or the alg parameter may refuse.
            let code = e.code();
            assert!(
                code.starts_with("policy.")
                    || code == "verify.alg_mismatch"
                    || code == "verify.unknown_algorithm"
                    || code == "verify.key_not_found",
                "own signature refused: {code} ({e})"
            );
        }
    }
});
