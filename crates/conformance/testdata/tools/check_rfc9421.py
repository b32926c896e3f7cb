#!/usr/bin/env python3
"""Independent consistency check of the RFC 9421 vector files (Python `cryptography`).

This does not build signature bases (that is the job of the Rust code under test); it checks
that the transcribed data is self-consistent:

* every positive "verify" case: the expected base ends with the `@signature-params` line made
  from the message's Signature-Input member for the label, and the message's Signature value
  for the label verifies over the expected base with the named key and algorithm;
* every "base" case: the base ends with the `@signature-params` line from `signature_input`;
* every "sign" case: the printed signature verifies over the expected base; for deterministic
  algorithms (ed25519, hmac-sha256) signing the base again reproduces it byte for byte;
* every "-tamper-bitflip" case really carries a signature that fails over the base of its
  positive twin;
* every message with Content-Length / Content-Digest (sha-256, sha-512) matches its body.

Usage (from the repository root):

    .venv/bin/python crates/conformance/testdata/tools/check_rfc9421.py \
        [--keys crates/conformance/testdata/keys]

The key directory holds <name>.pub.pem (SubjectPublicKeyInfo PEM) for test-key-rsa,
test-key-rsa-pss, test-key-ecc-p256 and test-key-ed25519, <name>.pem for test-key-ed25519
(private, for the determinism check), and test-shared-secret (the base64 text of RFC 9421
Appendix B.1.5, or the 64 raw bytes).
"""

import argparse
import base64
import glob
import hashlib
import hmac
import json
import os
import re
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

HERE = os.path.dirname(os.path.abspath(__file__))
KEYS = os.path.join(HERE, "..", "keys")


def pub(name):
    with open(os.path.join(KEYS, name + ".pub.pem"), "rb") as f:
        return serialization.load_pem_public_key(f.read())


def secret():
    with open(os.path.join(KEYS, "test-shared-secret"), "rb") as f:
        raw = f.read()
    try:
        decoded = base64.b64decode(raw.strip(), validate=True)
        if len(decoded) == 64:
            return decoded
    except ValueError:
        pass
    return raw


def crypto_verify(base, sig, key, alg):
    m = base.encode("ascii")
    try:
        if alg == "rsa-pss-sha512":
            pub(key).verify(sig, m, padding.PSS(mgf=padding.MGF1(hashes.SHA512()), salt_length=64),
                            hashes.SHA512())
        elif alg == "rsa-v1_5-sha256":
            pub(key).verify(sig, m, padding.PKCS1v15(), hashes.SHA256())
        elif alg == "ecdsa-p256-sha256":
            if len(sig) != 64:
                return False
            der = utils.encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
            pub(key).verify(der, m, ec.ECDSA(hashes.SHA256()))
        elif alg == "ed25519":
            pub(key).verify(sig, m)
        elif alg == "hmac-sha256":
            return hmac.compare_digest(hmac.new(secret(), m, hashlib.sha256).digest(), sig)
        else:
            raise ValueError(alg)
        return True
    except InvalidSignature:
        return False


def deterministic_sign(base, key, alg):
    m = base.encode("ascii")
    if alg == "hmac-sha256":
        return hmac.new(secret(), m, hashlib.sha256).digest()
    with open(os.path.join(KEYS, key + ".pem"), "rb") as f:
        return serialization.load_pem_private_key(f.read(), None).sign(m)


def headers(msg):
    """(name lower-cased, value) pairs of the header section; obs-fold lines are appended."""
    head, _, body = msg.partition("\n\n")
    out = []
    for ln in head.split("\n")[1:]:
        if ln[:1] in (" ", "\t") and out:
            out[-1] = (out[-1][0], out[-1][1] + " " + ln.strip())
            continue
        name, _, value = ln.partition(":")
        out.append((name.lower(), value.strip()))
    return out, body


def split_members(value):
    """Top-level members of a Dictionary field value (enough for these vectors)."""
    members, depth, quoted, cur = [], 0, False, ""
    i = 0
    while i < len(value):
        ch = value[i]
        if quoted:
            if ch == "\\":
                cur += value[i:i + 2]
                i += 2
                continue
            if ch == '"':
                quoted = False
        elif ch == '"':
            quoted = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            members.append(cur.strip())
            cur = ""
            i += 1
            continue
        cur += ch
        i += 1
    members.append(cur.strip())
    return dict(m.split("=", 1) for m in members if m)


def field(msg, name):
    hs, _ = headers(msg)
    return ", ".join(v for n, v in hs if n == name)


def check_body(cid, msg, problems):
    hs, body = headers(msg)
    d = dict(hs)
    if "content-length" in d and "transfer-encoding" not in d and d["content-length"] != str(len(body.encode())):
        problems.append(f"{cid}: Content-Length {d['content-length']} but body has {len(body.encode())} bytes")
    cd = d.get("content-digest")
    if cd:
        for alg, fn in (("sha-256", hashlib.sha256), ("sha-512", hashlib.sha512)):
            m = re.search(alg + r"=:([A-Za-z0-9+/=]+):", cd)
            if m and base64.b64decode(m.group(1)) != fn(body.encode()).digest():
                problems.append(f"{cid}: Content-Digest {alg} does not match the body")


def main():
    global KEYS
    ap = argparse.ArgumentParser()
    ap.add_argument("--keys", default=KEYS)
    KEYS = ap.parse_args().keys
    problems, checked = [], 0
    for path in sorted(glob.glob(os.path.join(HERE, "..", "rfc9421", "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        positives = {}
        for c in doc["cases"]:
            cid, kind, exp = c["id"], c["kind"], c["expect"]
            for m in (c["message"], c.get("request")):
                if m:
                    check_body(cid, m, problems)
            if kind == "base":
                inner = c["signature_input"].split("=", 1)[1]
                if not exp["base"].endswith('\n"@signature-params": ' + inner) and \
                        exp["base"] != '"@signature-params": ' + inner:
                    problems.append(f"{cid}: base does not end with the signature_input")
                checked += 1
            elif kind == "verify" and exp.get("valid"):
                label = c["label"]
                inner = split_members(field(c["message"], "signature-input"))[label]
                sig = base64.b64decode(split_members(field(c["message"], "signature"))[label].strip(":"))
                if not exp["base"].endswith('"@signature-params": ' + inner):
                    problems.append(f"{cid}: base does not end with the message's Signature-Input")
                if not crypto_verify(exp["base"], sig, c["key"], c["key_alg"]):
                    problems.append(f"{cid}: signature does not verify over the expected base")
                positives[cid.rsplit("-verify", 1)[0]] = (exp["base"], c)
                checked += 1
            elif kind == "sign":
                sig = base64.b64decode(exp["signature"])
                if not crypto_verify(exp["base"], sig, c["key"], c["key_alg"]):
                    problems.append(f"{cid}: printed signature does not verify over the base")
                if exp["deterministic"] and deterministic_sign(exp["base"], c["key"], c["key_alg"]) != sig:
                    problems.append(f"{cid}: deterministic re-signing differs from the printed signature")
                checked += 1
        for c in doc["cases"]:
            if c["id"].endswith("-tamper-bitflip"):
                stem = c["id"][: -len("-tamper-bitflip")]
                base, _ = positives[stem]
                sig = base64.b64decode(split_members(field(c["message"], "signature"))[c["label"]].strip(":"))
                if crypto_verify(base, sig, c["key"], c["key_alg"]):
                    problems.append(f"{c['id']}: flipped signature still verifies")
                checked += 1
    for p in problems:
        print("PROBLEM", p)
    print(f"checked {checked} cases, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
