#!/usr/bin/env python3
"""Adds the `RQV-small-order-*` cases to ../fapi/request-rules.json (issue 10 §6): a client
whose registered key is a small-order Ed25519 point "signs" a FAPI request with R = identity,
S = 0, which needs no private key. For the identity point (in any spelling) that signature
verifies over every base with cofactorless verification, so without the key check the request
would be accepted; for the other small-order points over a fraction of bases. Expected: the
registered key is refused when loaded, `key.ed25519_small_order`.

Independent of our Rust code: key encodings from ../keys/weak-ed25519.json (whose generator
computes each point's order), signature bytes written here.

Rerun from the repository root: python3 crates/conformance/testdata/tools/gen_fapi_small_order.py
"""

import base64
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
RULES = os.path.join(HERE, "..", "fapi", "request-rules.json")
WEAK = os.path.join(HERE, "..", "keys", "weak-ed25519.json")
PICK = ["identity-sign-0", "identity-sign-bit-set", "y-eq-p-plus-1-sign-0", "order-2-sign-0",
        "order-4-sign-0", "order-8-a-sign-0", "order-8-b-sign-1"]

MESSAGE = ("POST /accounts?x=1 HTTP/1.1\nHost: rs.example.com\n"
           "Authorization: DPoP Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU\n"
           "DPoP: eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2In0.e30.c2ln\n"
           "Content-Type: application/json\n\n{\"amount\": 10}")
SIGN = ('("@method" "@target-uri" "authorization" "dpop" "content-digest");created=1700000000;'
        'keyid="client-key";tag="fapi-2-request"')


def main():
    rules = json.load(open(RULES))
    weak = {c["name"]: c for c in json.load(open(WEAK))["cases"]}
    keep = [c for c in rules["cases"] if not c["id"].startswith("RQV-small-order-")]
    sig = base64.b64encode(bytes([1]) + bytes(63)).decode()  # R = identity, S = 0
    added = []
    for name in PICK:
        w = weak[name]
        added.append({
            "id": "RQV-small-order-" + name,
            "requirement": "D-2",
            "source": "ours: issue 10 §6, a keyless forgery with a small-order Ed25519 client key "
                      "(RFC 8032 §5.1.7 cofactorless check); key from keys/weak-ed25519.json",
            "kind": "request",
            "message": MESSAGE,
            "sign": SIGN,
            "forge": True,
            "forge_signature": sig,
            "client_jwk": {"kty": "OKP", "crv": "Ed25519", "x": w["x"]},
            "key": "test-key-ed25519",
            "now": 1700000005,
            "expect": {"error": "key.ed25519_small_order"},
            "note": w["note"] + "; R = identity, S = 0",
        })
    rules["cases"] = keep + added
    with open(RULES, "w") as f:
        f.write(json.dumps(rules, indent=1, ensure_ascii=True))
    print(f"request-rules.json: {len(added)} small-order cases, {len(rules['cases'])} in all")


if __name__ == "__main__":
    main()
