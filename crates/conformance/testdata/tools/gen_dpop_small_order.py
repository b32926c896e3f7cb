#!/usr/bin/env python3
"""Adds the `small-order-*` cases to ../dpop/rs-cases.json (issue 10 §6): DPoP proofs whose
header `jwk` is a small-order Ed25519 point, "signed" with R = identity, S = 0 — no private key
exists for them. With cofactorless verification such a proof verifies whenever [k]A is the
identity: for every message when A is the identity. The token is bound to that key's
thumbprint (`token_jkt`), so without the key check the identity cases would be accepted
outright. Expected: `dpop.jwk_invalid` caused by `key.ed25519_small_order`.

Independent of our Rust code: JSON, base64url, the RFC 7638 thumbprint and the RFC 9449 `ath`
are computed here with Python's json, base64 and hashlib; the key encodings are those of
../keys/weak-ed25519.json (whose generator computes each point's order).

Rerun from the repository root: python3 crates/conformance/testdata/tools/gen_dpop_small_order.py
"""

import base64
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
RS = os.path.join(HERE, "..", "dpop", "rs-cases.json")
WEAK = os.path.join(HERE, "..", "keys", "weak-ed25519.json")


def b64u(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def main():
    rs = json.load(open(RS))
    weak = json.load(open(WEAK))["cases"]
    base = rs["baseline"]
    token = base["token"]
    ath = b64u(hashlib.sha256(token.encode("ascii")).digest())
    keep = [c for c in rs["cases"] if not c["id"].startswith("small-order-")]
    added = []
    for w in weak:
        if w["expect"] != "key.ed25519_small_order":
            continue
        cid = "small-order-" + w["name"]
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": w["x"]}
        header = {"typ": "dpop+jwt", "alg": "EdDSA", "jwk": jwk}
        claims = {"jti": cid, "htm": base["method"], "htu": base["htu"], "iat": base["now"], "ath": ath}
        # R = the identity's encoding (y = 1), S = 0.
        sig = bytes([1]) + bytes(63)
        proof = ".".join([
            b64u(json.dumps(header, separators=(",", ":")).encode()),
            b64u(json.dumps(claims, separators=(",", ":")).encode()),
            b64u(sig),
        ])
        canon = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": w["x"]}, separators=(",", ":"), sort_keys=True)
        jkt = b64u(hashlib.sha256(canon.encode()).digest())
        added.append({
            "id": cid,
            "source": "ours: issue 10 §6 (keyless forgery with a small-order Ed25519 key; RFC 8032 §5.1.7, "
                      "RFC 9449 §4.3 check 5); key from keys/weak-ed25519.json: " + w["note"],
            "requirements": ["DP-5", "DP-7"],
            "severity": "failure",
            "raw_proof": proof,
            "token_jkt": jkt,
            "expect": "dpop.jwk_invalid",
            "expect_cause": "key.ed25519_small_order",
        })
    rs["cases"] = keep + added
    with open(RS, "w") as f:
        # The file's own formatting: two-space indent, UTF-8, no final newline.
        f.write(json.dumps(rs, indent=2, ensure_ascii=False))
    print(f"rs-cases.json: {len(added)} small-order cases, {len(rs['cases'])} in all")


if __name__ == "__main__":
    main()
