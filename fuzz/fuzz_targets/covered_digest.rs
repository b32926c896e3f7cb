//! Signs a request whose signature covers `Content-Digest` in fuzzer-chosen ways (header,
//! trailer `;tr`, `;sf`, `;bs`, `;key="…"` members of accepted, unknown and deprecated
//! algorithms), then lets the fuzzer play the attacker: another body, and any rewrite of the
//! Content-Digest header and trailer lines. Whatever it does, a changed body must never verify
//! (RFC 9421 §7.2.8), under any accepted-algorithm policy. The legitimate message must verify
//! or fail only for a digest-policy reason (never a mismatch).
//!
//! Seeds for the three forgeries issue 10 describes are in `fuzz/seeds/covered_digest/`; run
//! `cargo fuzz run covered_digest fuzz/corpus/covered_digest fuzz/seeds/covered_digest`.
#![no_main]

use httpsig_core::crypto::insecure::InsecureTestKey;
use httpsig_core::digest::{DigestAlgorithm, DigestPolicy, header_value};
use httpsig_core::{
    Algorithm, BaseOptions, Component, Derived, MaxAge, Message, SignatureParams, VerifyInput,
    VerifyPolicy,
};
use libfuzzer_sys::fuzz_target;

const UNKNOWN: &str = "sha3-256=:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:";
const MD5: &str = "md5=:AAAAAAAAAAAAAAAAAAAAAA==:";

/// A Content-Digest value for `body`: the members `pick` selects (at least one).
fn field(pick: u8, body: &[u8]) -> String {
    let mut members = Vec::new();
    if pick & 1 != 0 {
        members.push(header_value(&[DigestAlgorithm::Sha256], body));
    }
    if pick & 2 != 0 {
        members.push(header_value(&[DigestAlgorithm::Sha512], body));
    }
    if pick & 4 != 0 {
        members.push(UNKNOWN.to_owned());
    }
    if pick & 8 != 0 {
        members.push(MD5.to_owned());
    }
    if members.is_empty() {
        members.push(header_value(&[DigestAlgorithm::Sha256], body));
    }
    if pick & 16 != 0 {
        members.reverse();
    }
    // `;sf` re-serializes; a field without spaces after commas gives a different raw value.
    members.join(if pick & 32 != 0 { "," } else { ", " })
}

/// The covered Content-Digest variants, chosen by the bits of a `u16`.
const VARIANTS: [fn(Component) -> Option<Component>; 10] = [
    Some,
    |c| c.with_tr().ok(),
    |c| c.with_sf().ok(),
    |c| c.with_bs().ok(),
    |c| c.with_key("sha-256").ok(),
    |c| c.with_key("sha-512").ok(),
    |c| c.with_key("sha3-256").ok(),
    |c| c.with_key("md5").ok(),
    |c| c.with_tr().ok()?.with_key("sha-256").ok(),
    |c| c.with_tr().ok()?.with_bs().ok(),
];

// Input layout, one decision per byte so that mutations map onto choices: covered variants
// (2 bytes), placement, header and trailer members, accepted algorithms, `require`, the number
// of attacker rewrites, then two bytes per rewrite (kind, members), then the two bodies (the
// rest, split in the middle).
fn run(data: &[u8]) {
    let [
        v0,
        v1,
        placement,
        pick_h,
        pick_t,
        accepted,
        require,
        nops,
        rest @ ..,
    ] = data
    else {
        return;
    };
    let nops = usize::from(nops % 7);
    let Some((ops, bodies)) = rest.split_at_checked(2 * nops) else {
        return;
    };
    let (body, other) = bodies.split_at(bodies.len() / 2);
    if body == other {
        return;
    }
    let mut msg = Message::request("POST", "https://example.com/p?q=1").expect("valid URI");
    if placement % 3 != 1 {
        msg.add_header("Content-Digest", field(*pick_h, body).into_bytes());
    }
    if placement % 3 != 0 {
        msg.add_trailer("Content-Digest", field(*pick_t, body).into_bytes());
    }
    msg.set_body(body.to_vec());

    let mut params = SignatureParams::builder().component(Component::derived(Derived::Method));
    let variants = u16::from_le_bytes([*v0, *v1]);
    let mut covered = 0;
    for (i, make) in VARIANTS.iter().enumerate() {
        if variants & (1 << i) != 0
            && let Some(c) = make(Component::field("content-digest").expect("valid name"))
        {
            params = params.component(c);
            covered += 1;
        }
    }
    if covered == 0 {
        return;
    }
    let Ok(params) = params.created(1_700_000_000).build() else {
        return;
    };
    let key = InsecureTestKey::new(b"covered-digest", Algorithm::Ed25519);
    // Signing fails when a covered field or member is absent: nothing to attack then.
    let Ok(signed) = httpsig_core::sign(&msg, None, "sig1", params, &key, &BaseOptions::default())
    else {
        return;
    };
    msg.add_header(
        "Signature-Input",
        signed.signature_input_member().into_bytes(),
    );
    msg.add_header("Signature", signed.signature_member().into_bytes());

    let algs: &[DigestAlgorithm] = match accepted % 3 {
        0 => &[DigestAlgorithm::Sha256, DigestAlgorithm::Sha512],
        1 => &[DigestAlgorithm::Sha256],
        _ => &[DigestAlgorithm::Sha512],
    };
    let policy = VerifyPolicy::new(&[Algorithm::Ed25519], MaxAge::Unlimited)
        .at(1_700_000_001)
        .digest_policy(
            DigestPolicy::default()
                .with_algorithms(algs)
                .with_require(require & 1 == 0),
        );

    // The legitimate message: verifies, or fails for a policy reason, never a mismatch.
    if let Err(e) = policy.verify(VerifyInput::new(&msg).body(body), &key) {
        let code = e.code();
        assert!(
            matches!(
                code,
                "digest.covered_member_not_accepted"
                    | "digest.no_supported_algorithm"
                    | "digest.deprecated_algorithm"
            ),
            "legitimate message refused: {code} ({e})"
        );
    }

    // The attacker: another body, and rewrites of the digest lines.
    let mut forged = msg.clone();
    forged.set_body(other.to_vec());
    for op in ops.chunks_exact(2) {
        let [kind, pick] = op else { continue };
        match kind % 6 {
            0 => forged.set_header("content-digest", Some(field(*pick, other).into_bytes())),
            1 => forged.add_header("content-digest", field(*pick, other).into_bytes()),
            2 => forged.set_header("content-digest", None),
            3 => forged.add_trailer("content-digest", field(*pick, other).into_bytes()),
            4 => forged.set_header("content-digest", Some(field(*pick, body).into_bytes())),
            _ => forged.add_header("content-digest", field(*pick, body).into_bytes()),
        }
    }
    let r = policy.verify(VerifyInput::new(&forged).body(other), &key);
    assert!(r.is_err(), "a changed body verified: {forged:?}");
}

fuzz_target!(|data: &[u8]| run(data));
