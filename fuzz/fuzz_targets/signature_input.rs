//! `Signature-Input` / `Signature` / `Accept-Signature` parsing never panics, and every accepted
//! signature's parameters re-parse to the identical `@signature-params` value.
#![no_main]

use httpsig_core::{BaseOptions, SignatureParams};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = BaseOptions::default();
    if let Ok(all) = httpsig_core::parse_signature_input_field(data, &opts) {
        for (label, params) in all {
            let again =
                SignatureParams::parse(params.as_str()).expect("our serialization re-parses");
            assert_eq!(again.as_str(), params.as_str());
            assert_eq!(again.created(), params.created());
            assert_eq!(again.keyid(), params.keyid());
            assert_eq!(again.components().len(), params.components().len());
            // Borrowed (canonical input) and copied (canonicalized) parameters are the same value.
            assert_eq!(again, params);
            let member = format!("{label}={}", params.as_str());
            let reparsed = httpsig_core::parse_signature_input_field(member.as_bytes(), &opts)
                .expect("member re-parses");
            assert_eq!(reparsed.len(), 1);
            assert_eq!(reparsed[0].1, params);
        }
    }
    let _ = httpsig_core::signature_value(data, "sig1", &opts);
    let _ = httpsig_core::accept::parse_accept_signature(data);
});
