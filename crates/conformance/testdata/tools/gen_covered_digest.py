#!/usr/bin/env python3
"""Writes ../rfc9421/covered-digest.json: signatures that cover an Integrity field (RFC 9530
Content-Digest / Repr-Digest) in each of the ways RFC 9421 allows, and the body swaps a
verifier must refuse (RFC 9421 §7.2.8: the covered digest must be checked against the content).

Why these vectors exist: a verifier that checks "the Content-Digest header" whatever the
signature covered can be fooled: with `"content-digest";tr` covered, an attacker swaps the body
and adds a header digest for it while the signed trailer stays intact; with
`"content-digest";key="…"`, the covered member may name an algorithm the verifier never
compares, while an uncovered member it does compare vouches for the swapped body.

Everything here is independent of our Rust code: the signature bases are written by hand
following RFC 9421 §2.1 (field values), §2.1.2 (`key`), §2.1.3 (`bs`), §2.1.4 (`tr`), §2.4
(`req`) and §2.5; digests are computed with Python's hashlib and checked against the values
RFC 9530 prints for the same content; signatures are made with sign_ed25519.py (Python
`cryptography`, the RFC 9421 B.1.4 key). A forgery case carries `expect.base` next to
`expect.error`: the runner checks that its signature is cryptographically valid over that base,
so the refusal is the verifier's digest decision and not a broken signature.

Rerun (from the repository root; needs Python `cryptography`):

    python3 crates/conformance/testdata/tools/gen_covered_digest.py
"""

import base64
import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sign_ed25519 import sign as ed25519_sign  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rfc9421", "covered-digest.json")

BODY = '{"hello": "world"}'
SWAPPED = '{"hello": "attacker"}'
CREATED = 1618884473
KEYID = "test-key-ed25519"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def sha256(text: str) -> str:
    return b64(hashlib.sha256(text.encode()).digest())


def sha512(text: str) -> str:
    return b64(hashlib.sha512(text.encode()).digest())


# RFC 9530 Appendix D (and §2): the digests of {"hello": "world"} as printed.
assert sha256(BODY) == "X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", sha256(BODY)
assert sha512(BODY) == (
    "WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew=="
), sha512(BODY)

CD = f"sha-256=:{sha256(BODY)}:"
CD_SWAPPED = f"sha-256=:{sha256(SWAPPED)}:"
CD_BOTH = f"sha-256=:{sha256(BODY)}:, sha-512=:{sha512(BODY)}:"
# A 32-byte digest under a key the hash algorithm registry (RFC 9530 §7.2) does not know.
UNKNOWN = "sha3-256"
UNKNOWN_DIGEST = b64(hashlib.sha3_256(BODY.encode()).digest())


def request(headers, body):
    return "POST /foo?param=Value&Pet=dog HTTP/1.1\n" + "".join(h + "\n" for h in headers) + "\n" + body


def inner_and_base(components, lines):
    """Signature-Input member and the signature base, written out per RFC 9421 §2.5."""
    inner = "(" + " ".join(components) + f');created={CREATED};keyid="{KEYID}"'
    base = "".join(f"{c}: {v}\n" for c, v in zip(components, lines)) + f'"@signature-params": {inner}'
    return inner, base


class Sig:
    def __init__(self, components, values):
        self.inner, self.base = inner_and_base(components, values)
        self.sig = ed25519_sign(self.base)

    def headers(self, label="sig1"):
        return [f"Signature-Input: {label}={self.inner}", f"Signature: {label}=:{self.sig}:"]


CASES = []


def verify(cid, source, message, expect, note, **extra):
    c = {"id": cid, "source": source, "kind": "verify", "message": message}
    for k in ("request", "trailers", "digest_algorithms"):
        if k in extra:
            c[k] = extra.pop(k)
    assert not extra, extra
    c.update({"label": "sig1", "key": KEYID, "key_alg": "ed25519", "expect": expect, "note": note})
    CASES.append(c)


def valid(s):
    return {"valid": True, "base": s.base}


def refused(code, s):
    return {"error": code, "base": s.base}


BASE_HEADERS = ["Host: example.com", "Content-Type: application/json"]
M_P = ['"@method"', '"@path"']
M_P_V = ["POST", "/foo"]

# --- `;tr`: the digest in the trailer section (RFC 9530 §2 allows it; RFC 9421 §2.1.4) ------
tr = Sig(M_P + ['"content-digest";tr'], M_P_V + [CD])
verify("covered-digest-tr-legit", "ours: RFC 9421 §2.1.4, RFC 9530 §2",
       request(BASE_HEADERS + tr.headers(), BODY), valid(tr),
       "Content-Digest only in the trailer section, covered with ;tr: verifies",
       trailers=f"Content-Digest: {CD}")
verify("covered-digest-tr-header-injected", "ours: RFC 9421 §2.1.4, §7.2.8",
       request(BASE_HEADERS + [f"Content-Digest: {CD_SWAPPED}"] + tr.headers(), SWAPPED),
       refused("digest.mismatch", tr),
       "body swapped, a header Content-Digest for the new body added, the signed trailer intact: "
       "the covered (trailer) value is the one checked",
       trailers=f"Content-Digest: {CD}")
verify("covered-digest-tr-body-swap", "ours: RFC 9421 §7.2.8",
       request(BASE_HEADERS + tr.headers(), SWAPPED), refused("digest.mismatch", tr),
       "body swapped, trailer intact", trailers=f"Content-Digest: {CD}")
verify("covered-digest-tr-moved-to-header", "ours: RFC 9421 §2.1.4, §2.5",
       request(BASE_HEADERS + [f"Content-Digest: {CD}"] + tr.headers(), BODY),
       refused("component.field_absent", tr),
       "the digest moved from the trailer to the header: the covered trailer field is absent")

both = Sig(M_P + ['"content-digest"', '"content-digest";tr'], M_P_V + [CD, CD])
verify("covered-digest-header-and-tr-legit", "ours: RFC 9421 §2.1.4",
       request(BASE_HEADERS + [f"Content-Digest: {CD}"] + both.headers(), BODY), valid(both),
       "the same digest as header and trailer, both covered", trailers=f"Content-Digest: {CD}")
verify("covered-digest-header-and-tr-body-swap", "ours: RFC 9421 §7.2.8",
       request(BASE_HEADERS + [f"Content-Digest: {CD}"] + both.headers(), SWAPPED),
       refused("digest.mismatch", both), "body swapped under both covered digests",
       trailers=f"Content-Digest: {CD}")

# --- `;key`: one member of the dictionary (RFC 9421 §2.1.2: the line's value is the member's
# value alone, serialized) ---------------------------------------------------------------------
key512 = Sig(M_P + ['"content-digest";key="sha-512"'], M_P_V + [f":{sha512(BODY)}:"])
verify("covered-digest-key-legit", "ours: RFC 9421 §2.1.2",
       request(BASE_HEADERS + [f"Content-Digest: {CD_BOTH}"] + key512.headers(), BODY), valid(key512),
       "only the sha-512 member is covered; both members match the body")
verify("covered-digest-key-uncovered-member-wrong", "ours: RFC 9421 §7.2.8 (every accepted digest must match)",
       request(BASE_HEADERS + [f"Content-Digest: sha-256=:{sha256(SWAPPED)}:, sha-512=:{sha512(BODY)}:"]
               + key512.headers(), BODY),
       refused("digest.mismatch", key512),
       "the uncovered sha-256 member is wrong: a field that contradicts the content is refused")
verify("covered-digest-key-body-swap", "ours: RFC 9421 §7.2.8",
       request(BASE_HEADERS + [f"Content-Digest: sha-256=:{sha256(SWAPPED)}:, sha-512=:{sha512(BODY)}:"]
               + key512.headers(), SWAPPED),
       refused("digest.mismatch", key512),
       "body swapped and the uncovered sha-256 member rewritten for it; the covered sha-512 member is checked")
verify("covered-digest-key-member-removed", "ours: RFC 9421 §2.1.2, §7.2.8",
       request(BASE_HEADERS + [f"Content-Digest: {CD_SWAPPED}"] + key512.headers(), SWAPPED),
       refused("digest.covered_member_missing", key512),
       "body swapped and the covered sha-512 member replaced by a sha-256 one for the new body")

unk = Sig(M_P + [f'"content-digest";key="{UNKNOWN}"'], M_P_V + [f":{UNKNOWN_DIGEST}:"])
verify("covered-digest-key-unknown-alg", "ours: RFC 9421 §7.2.8, RFC 9530 §2",
       request(BASE_HEADERS + [f"Content-Digest: {UNKNOWN}=:{UNKNOWN_DIGEST}:, {CD}"] + unk.headers(), BODY),
       refused("digest.covered_member_not_accepted", unk),
       "the covered member names an algorithm outside the registry: it can never be checked, so it "
       "vouches for nothing, even when the body is genuine")
verify("covered-digest-key-unknown-alg-forgery", "ours: RFC 9421 §7.2.8 (review finding)",
       request(BASE_HEADERS + [f"Content-Digest: {UNKNOWN}=:{UNKNOWN_DIGEST}:, {CD_SWAPPED}"] + unk.headers(),
               SWAPPED),
       refused("digest.covered_member_not_accepted", unk),
       "forgery: body swapped, an accepted sha-256 member for the new body added beside the covered "
       "unknown member; checking only the accepted members would accept it")
md5 = Sig(M_P + ['"content-digest";key="md5"'], M_P_V + [f":{b64(hashlib.md5(BODY.encode()).digest())}:"])
verify("covered-digest-key-deprecated-alg", "ours: RFC 9530 §5 (deprecated: MUST NOT be used)",
       request(BASE_HEADERS + [f"Content-Digest: md5=:{b64(hashlib.md5(BODY.encode()).digest())}:, {CD}"]
               + md5.headers(), BODY),
       refused("digest.covered_member_not_accepted", md5),
       "the covered member is a deprecated algorithm")

key256 = Sig(M_P + ['"content-digest";key="sha-256"'], M_P_V + [f":{sha256(BODY)}:"])
verify("covered-digest-key-policy-excludes-member", "ours: RFC 9421 §7.2.8, RFC 9530 §6.6",
       request(BASE_HEADERS + [f"Content-Digest: {CD}, sha-512=:{sha512(BODY)}:"] + key256.headers(), BODY),
       refused("digest.covered_member_not_accepted", key256),
       "the verifier accepts only sha-512; the covered member is sha-256, which it never compares",
       digest_algorithms=["sha-512"])
verify("covered-digest-key-policy-excludes-member-forgery", "ours: RFC 9421 §7.2.8 (review finding)",
       request(BASE_HEADERS + [f"Content-Digest: {CD}, sha-512=:{sha512(SWAPPED)}:"] + key256.headers(), SWAPPED),
       refused("digest.covered_member_not_accepted", key256),
       "forgery: body swapped, an uncovered sha-512 member for the new body added; a verifier that "
       "accepts only sha-512 would check that one",
       digest_algorithms=["sha-512"])
verify("covered-digest-key-policy-includes-member", "ours: RFC 9421 §2.1.2",
       request(BASE_HEADERS + [f"Content-Digest: {CD_BOTH}"] + key512.headers(), BODY), valid(key512),
       "the verifier accepts only sha-512 and the covered member is sha-512",
       digest_algorithms=["sha-512"])

# --- `;sf` and `;bs` (RFC 9421 §2.1.1, §2.1.3) ---------------------------------------------
sf = Sig(M_P + ['"content-digest";sf'], M_P_V + [CD_BOTH])
verify("covered-digest-sf-legit", "ours: RFC 9421 §2.1.1",
       request(BASE_HEADERS + [f"Content-Digest: {CD_BOTH.replace(', ', ',')}"] + sf.headers(), BODY),
       valid(sf), "covered with ;sf: the dictionary is re-serialized (RFC 8941 §4.1.2 puts ', ' "
       "between members)")
verify("covered-digest-sf-body-swap", "ours: RFC 9421 §7.2.8",
       request(BASE_HEADERS + [f"Content-Digest: {CD}"] + sf.headers(), SWAPPED), refused("digest.mismatch", sf),
       "body swapped under a ;sf digest")
bs = Sig(M_P + ['"content-digest";bs'], M_P_V + [":" + b64(CD.encode()) + ":"])
verify("covered-digest-bs-legit", "ours: RFC 9421 §2.1.3",
       request(BASE_HEADERS + [f"Content-Digest: {CD}"] + bs.headers(), BODY), valid(bs),
       "covered with ;bs (the field line wrapped as a byte sequence)")
verify("covered-digest-bs-body-swap", "ours: RFC 9421 §7.2.8",
       request(BASE_HEADERS + [f"Content-Digest: {CD}"] + bs.headers(), SWAPPED), refused("digest.mismatch", bs),
       "body swapped under a ;bs digest")

# --- Repr-Digest (RFC 9530 §3): checked when the content is the representation data --------
repr_ = Sig(M_P + ['"repr-digest"'], M_P_V + [CD])
verify("covered-repr-digest-legit", "ours: RFC 9530 §3 (no content coding: representation data = content)",
       request(BASE_HEADERS + [f"Repr-Digest: {CD}"] + repr_.headers(), BODY), valid(repr_),
       "Repr-Digest of an uncoded request body")
verify("covered-repr-digest-body-swap", "ours: RFC 9421 §7.2.8",
       request(BASE_HEADERS + [f"Repr-Digest: {CD}"] + repr_.headers(), SWAPPED),
       refused("digest.mismatch", repr_), "body swapped under a covered Repr-Digest")
verify("covered-repr-digest-coded", "ours: RFC 9530 §3 (the digest is over the decoded representation)",
       request(BASE_HEADERS + ["Content-Encoding: gzip", f"Repr-Digest: {CD}"] + repr_.headers(), BODY),
       refused("digest.repr_unverifiable", repr_),
       "a content coding applies, so the content is not the representation data: fail closed")
verify("covered-repr-digest-identity", "ours: RFC 9110 §8.4.1 (identity is no coding)",
       request(BASE_HEADERS + ["Content-Encoding: identity", f"Repr-Digest: {CD}"] + repr_.headers(), BODY),
       valid(repr_), "Content-Encoding: identity leaves the content the representation data")

# --- `;req`: the request's digest in a response signature (RFC 9421 §2.4) -------------------
REQ = request(BASE_HEADERS + [f"Content-Digest: {CD}"], BODY)
RES_BODY = '{"ok": true}'
res = Sig(['"@status"', '"content-digest";req'], ["200", CD])
RESPONSE = ("HTTP/1.1 200 OK\nContent-Type: application/json\n"
            + "".join(h + "\n" for h in res.headers()) + "\n" + RES_BODY)
verify("covered-digest-req-legit", "ours: RFC 9421 §2.4",
       RESPONSE, valid(res), "the response covers the request's Content-Digest; the kept request matches it",
       request=REQ)
verify("covered-digest-req-body-swap", "ours: RFC 9421 §2.4, §7.2.8",
       RESPONSE, refused("digest.mismatch", res),
       "the request's body differs from the digest the response covers", request=request(
           BASE_HEADERS + [f"Content-Digest: {CD}"], SWAPPED))


def main():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    doc = {
        "suite": "rfc9421",
        "source": "ours: RFC 9421 §2.1.1-§2.1.4, §2.4, §7.2.8 and RFC 9530 §2, §3, §5; "
                  "generated by tools/gen_covered_digest.py (hashlib digests, Ed25519 by sign_ed25519.py)",
        "cases": CASES,
    }
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"covered-digest.json: {len(CASES)} cases")


if __name__ == "__main__":
    main()
