#!/usr/bin/env python3
"""Writes the RFC 9421 vector files in ../rfc9421/ from the RFC text transcribed below.

Why a script: the RFC prints long values wrapped per RFC 8792 (single backslash); they are
kept here exactly as printed (wrapped) and unwrapped by `unwrap`, so a reviewer can compare
this file line by line with the RFC. Every expected signature base below is written out
by hand from the RFC; nothing is computed by our Rust code. The script only assembles
JSON, derives the mechanical negative variants (one bit flipped, a covered value changed,
`alg` changed/added) and, for param-order.json, signs hand-written bases with
sign_ed25519.py (Python `cryptography`).

Rerun (from the repository root):

    .venv/bin/python crates/conformance/testdata/tools/gen_rfc9421.py
    .venv/bin/python crates/conformance/testdata/tools/check_rfc9421.py --keys <dir with the B.1 keys>

Sources: RFC 9421 (draft-ietf-httpbis-message-signatures-19). Section text was read from the
httpwg/http-extensions markdown source and from the published RFC; every printed signature
was re-verified with Python `cryptography` against the Appendix B.1 keys (check_rfc9421.py).
"""

import base64
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sign_ed25519 import sign as ed25519_sign  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "rfc9421")


def unwrap(text: str) -> str:
    """RFC 8792 §7.2.2: a line ending in a single '\\' continues on the next line, whose
    leading whitespace is removed together with the backslash and the line break."""
    out, cur = [], None
    for line in text.split("\n"):
        if cur is not None:
            line = cur + line.lstrip(" ")
            cur = None
        if line.endswith("\\"):
            cur = line[:-1]
        else:
            out.append(line)
    assert cur is None, "dangling RFC 8792 continuation"
    return "\n".join(out)


def message(start_line, headers, body=""):
    """HTTP/1.1 text: start line, header lines, blank line, body (no added newline)."""
    return start_line + "\n" + "".join(h + "\n" for h in headers) + "\n" + body


KEY_ALG = {
    "test-key-rsa": "rsa-v1_5-sha256",
    "test-key-rsa-pss": "rsa-pss-sha512",
    "test-key-ecc-p256": "ecdsa-p256-sha256",
    "test-key-ed25519": "ed25519",
    "test-shared-secret": "hmac-sha256",
}
# For the `alg` negatives: an algorithm that differs from the key's own.
OTHER_ALG = {
    "rsa-v1_5-sha256": "rsa-pss-sha512",
    "rsa-pss-sha512": "rsa-v1_5-sha256",
    "ecdsa-p256-sha256": "ed25519",
    "ed25519": "ecdsa-p256-sha256",
    "hmac-sha256": "ed25519",
}

# ---------------------------------------------------------------------------------------
# RFC 9421 Appendix B.2: test-request and test-response
# ---------------------------------------------------------------------------------------
CD_REQ = unwrap("""sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+T\\
  aPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:""")
# The SHA-512 of the test-response content `{"message": "good dog"}`, as it appears in the
# B.2.4 signature base. The test-response header printed in the RFC carries a different
# value; see the "note" of the B.2.4 cases.
CD_RESP_TRUE = unwrap("""sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ4\\
  1QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:""")
CD_RESP_PRINTED = unwrap("""sha-512=:JlEy2bfUz7WrWIjc1qV6KVLpdr/7L5/L4h7Sxvh6sN\\
  HpDQWDCL+GauFQWcZBvVDhiyOnAQsxzZFYwi0wDH+1pw==:""")

REQ_LINE = "POST /foo?param=Value&Pet=dog HTTP/1.1"
REQ_HEADERS = [
    "Host: example.com",
    "Date: Tue, 20 Apr 2021 02:07:55 GMT",
    "Content-Type: application/json",
    "Content-Digest: " + CD_REQ,
    "Content-Length: 18",
]
REQ_BODY = '{"hello": "world"}'
RESP_LINE = "HTTP/1.1 200 OK"
RESP_HEADERS = [
    "Date: Tue, 20 Apr 2021 02:07:56 GMT",
    "Content-Type: application/json",
    "Content-Digest: " + CD_RESP_TRUE,
    "Content-Length: 23",
]
RESP_BODY = '{"message": "good dog"}'
B24_NOTE = (
    "the test-response as printed in RFC 9421 Appendix B.2 carries a Content-Digest that is not the "
    "digest of its content (the draft source prints " + CD_RESP_PRINTED + "); the B.2.4 signature "
    "base (and signature) use the true "
    "SHA-512 of {\"message\": \"good dog\"}. This message carries the true digest so the case verifies."
)


# ---------------------------------------------------------------------------------------
# Case builders
# ---------------------------------------------------------------------------------------
def case(cid, source, kind, msg, expect, **extra):
    c = {"id": cid, "source": source, "kind": kind, "message": msg}
    for k in ("request", "target_uri", "sf_types", "trailers", "component", "signature_input",
              "label", "key", "key_alg"):
        v = extra.pop(k, None)
        if v is not None:
            c[k] = v
    note = extra.pop("note", None)
    assert not extra, extra
    c["expect"] = expect
    if note:
        c["note"] = note
    return c


def flip_bit(sig_b64):
    raw = bytearray(base64.b64decode(sig_b64))
    raw[0] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


class Signed:
    """One signature printed in the RFC, attached to an unsigned message."""

    def __init__(self, cid, source, start, headers, body, label, inner, sig, key, base,
                 field_change, request=None, target_uri=None, note=None, extra_headers=None):
        self.cid, self.source = cid, source
        self.start, self.headers, self.body = start, headers, body
        self.label, self.inner, self.sig, self.key, self.base = label, inner, sig, key, base
        self.field_change = field_change  # (old substring of the signed message, new)
        self.request, self.target_uri, self.note = request, target_uri, note
        # Signature-Input / Signature lines exactly as the signed message carries them
        # (multiple.json has two labels in one field); default: this signature alone.
        self.extra_headers = extra_headers

    def sig_input(self):
        return f"{self.label}={self.inner}"

    def signed_message(self, inner=None, sig=None):
        if self.extra_headers is not None and inner is None and sig is None:
            return message(self.start, self.headers + self.extra_headers, self.body)
        inner = self.inner if inner is None else inner
        sig = self.sig if sig is None else sig
        if self.extra_headers is not None:
            hs = []
            for h in self.extra_headers:
                h = h.replace(f"{self.label}={self.inner}", f"{self.label}={inner}")
                h = h.replace(f"{self.label}=:{self.sig}:", f"{self.label}=:{sig}:")
                hs.append(h)
        else:
            hs = [f"Signature-Input: {self.label}={inner}", f"Signature: {self.label}=:{sig}:"]
        return message(self.start, self.headers + hs, self.body)

    def unsigned_message(self):
        return message(self.start, self.headers, self.body)

    def common(self):
        return dict(request=self.request, target_uri=self.target_uri)

    def base_case(self):
        return case(self.cid + "-base", self.source, "base", self.unsigned_message(),
                    {"base": self.base}, signature_input=self.sig_input(), label=self.label,
                    note=self.note, **self.common())

    def verify_case(self, suffix="-verify", msg=None, expect=None, source=None, note=None):
        return case(self.cid + suffix, source or self.source, "verify",
                    msg or self.signed_message(),
                    expect or {"valid": True, "base": self.base}, label=self.label,
                    key=self.key, key_alg=KEY_ALG[self.key], note=note or self.note,
                    **self.common())

    def sign_case(self, deterministic):
        return case(self.cid + "-sign", self.source, "sign", self.unsigned_message(),
                    {"base": self.base, "signature": self.sig, "deterministic": deterministic},
                    signature_input=self.sig_input(), label=self.label, key=self.key,
                    key_alg=KEY_ALG[self.key], note=self.note, **self.common())

    def tampers(self):
        src = "ours: negative variant of " + self.source
        out = []
        out.append(self.verify_case(
            "-tamper-bitflip", self.signed_message(sig=flip_bit(self.sig)),
            {"error": "verify.invalid_signature"}, src,
            "first bit of the signature value flipped"))
        old, new = self.field_change
        base_msg = self.signed_message()
        if self.request is not None and old.startswith("request:"):
            old = old[len("request:"):]
            assert self.request.count(old) == 1, old
            c = self.verify_case("-tamper-field", base_msg, {"error": "verify.invalid_signature"},
                                 src, f"covered request value changed: {old!r} -> {new!r}")
            c["request"] = self.request.replace(old, new)
            out.append(c)
        else:
            assert base_msg.count(old) == 1, old
            out.append(self.verify_case(
                "-tamper-field", base_msg.replace(old, new), {"error": "verify.invalid_signature"},
                src, f"covered value changed: {old!r} -> {new!r}"))
        key_alg = KEY_ALG[self.key]
        if ';alg="' in self.inner:
            assert f';alg="{key_alg}"' in self.inner
            inner = self.inner.replace(f';alg="{key_alg}"', f';alg="{OTHER_ALG[key_alg]}"')
            what = f'alg changed to "{OTHER_ALG[key_alg]}" (key is {key_alg})'
        else:
            inner = self.inner + f';alg="{OTHER_ALG[key_alg]}"'
            what = f'alg="{OTHER_ALG[key_alg]}" added (key is {key_alg})'
        out.append(self.verify_case("-tamper-alg", self.signed_message(inner=inner),
                                    {"error": "verify.alg_mismatch"}, src, what))
        return out


def write(name, source, cases):
    ids = [c["id"] for c in cases]
    assert len(ids) == len(set(ids)), [i for i in ids if ids.count(i) > 1]
    doc = {"suite": "rfc9421", "source": source, "cases": cases}
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"{name}: {len(cases)} cases")


def comp(cid, source, msg, component, expect, **extra):
    return case(cid, source, "component", msg, expect, component=component, **extra)


def line(text):
    return {"line": text}


def err(code):
    return {"error": code}


# ---------------------------------------------------------------------------------------
# components.json: RFC 9421 §2.1 - §2.2 example values, plus error cases
# ---------------------------------------------------------------------------------------
def components():
    cs = []
    frag_note = ("the RFC prints only the header fields; the request line "
                 "'GET /foo HTTP/1.1' is ours so the text is a complete message")
    # §2.1 example message fragment (exact whitespace as printed; obs-fold included).
    m21 = message("GET /foo HTTP/1.1", [
        "Host: www.example.com",
        "Date: Tue, 20 Apr 2021 02:07:56 GMT",
        "X-OWS-Header:   Leading and trailing whitespace.",
        "X-Obs-Fold-Header: Obsolete",
        "    line folding.",
        "Cache-Control: max-age=60",
        "Cache-Control:    must-revalidate",
        "Example-Dict:  a=1,    b=2;x=1;y=2,   c=(a   b   c)",
    ])
    s = "RFC 9421 §2.1"
    for cid, ident, value in [
        ("2.1-host", '"host"', "www.example.com"),
        ("2.1-date", '"date"', "Tue, 20 Apr 2021 02:07:56 GMT"),
        ("2.1-ows", '"x-ows-header"', "Leading and trailing whitespace."),
        ("2.1-obs-fold", '"x-obs-fold-header"', "Obsolete line folding."),
        ("2.1-combined", '"cache-control"', "max-age=60, must-revalidate"),
        ("2.1-dict-raw", '"example-dict"', "a=1,    b=2;x=1;y=2,   c=(a   b   c)"),
    ]:
        cs.append(comp(cid, s, m21, ident, line(f"{ident}: {value}"), note=frag_note))
    # Field names are case-insensitive in the message, lower-case in the identifier.
    cs.append(comp("2.1-absent-field", "ours: RFC 9421 §2.5 (field not present)", m21,
                   '"x-missing"', err("component.field_absent")))
    cs.append(comp("2.1-empty", s, message("GET /foo HTTP/1.1", ["Host: www.example.com", "X-Empty-Header: "]),
                   '"x-empty-header"', line('"x-empty-header": '),
                   note="RFC prints 'X-Empty-Header:<SP>'; the value is empty and the line ends with ': '; request line ours"))

    # §2.1.1 sf
    s = "RFC 9421 §2.1.1"
    m211 = message("GET /foo HTTP/1.1", ["Host: www.example.com",
                                          "Example-Dict:  a=1,    b=2;x=1;y=2,   c=(a   b   c)"])
    sf = {"example-dict": "dictionary"}
    cs.append(comp("2.1.1-raw", s, m211, '"example-dict"',
                   line('"example-dict": a=1,    b=2;x=1;y=2,   c=(a   b   c)'), sf_types=sf,
                   note="request line ours"))
    cs.append(comp("2.1.1-sf", s, m211, '"example-dict";sf',
                   line('"example-dict";sf: a=1, b=2;x=1;y=2, c=(a b c)'), sf_types=sf,
                   note="request line ours"))
    cs.append(comp("2.1.1-sf-multiple-lines", "ours: RFC 9421 §2.1.1 (multiple field lines are combined before serialization)",
                   message("GET /foo HTTP/1.1", ["Host: www.example.com", "Example-Dict:  a=1,    b=2;x=1;y=2",
                                                 "Example-Dict: c=(a   b   c)"]),
                   '"example-dict";sf', line('"example-dict";sf: a=1, b=2;x=1;y=2, c=(a b c)'), sf_types=sf))
    cs.append(comp("2.1.1-sf-unknown-type", "ours: RFC 9421 §2.5 (sf on a field whose structured type is not known)",
                   message("GET /foo HTTP/1.1", ["Host: www.example.com", "X-Unknown: a=1"]),
                   '"x-unknown";sf', err("component.sf_parse"),
                   note="no sf_types entry and not a registered structured field: the value cannot be serialized strictly"))
    cs.append(comp("2.1.1-sf-malformed", "ours: RFC 9421 §2.5 (value malformed)",
                   message("GET /foo HTTP/1.1", ["Host: www.example.com", "Example-Dict: a=(1 2"]),
                   '"example-dict";sf', err("component.sf_parse"), sf_types=sf))

    # §2.1.2 key
    s = "RFC 9421 §2.1.2"
    m212 = message("GET /foo HTTP/1.1", ["Host: www.example.com",
                                          "Example-Dict:  a=1, b=2;x=1;y=2, c=(a   b    c), d"])
    for k, v in [("a", "1"), ("d", "?1"), ("b", "2;x=1;y=2"), ("c", "(a b c)")]:
        ident = f'"example-dict";key="{k}"'
        cs.append(comp(f"2.1.2-key-{k}", s, m212, ident, line(f"{ident}: {v}"), sf_types=sf,
                       note="request line ours"))
    cs.append(comp("2.1.2-key-missing", "RFC 9421 §2.5 (example of a missing dictionary member)",
                   message("GET /foo HTTP/1.1", ["Host: www.example.com", "Example-Dict: a=1, b=2"]),
                   '"example-dict";key="c"', err("component.key_missing_member"), sf_types=sf,
                   note="the RFC's own example: Example-Dict a=1, b=2 has no member c; request line ours"))
    cs.append(comp("2.1.2-key-not-dictionary", "ours: RFC 9421 §2.5 (key on a field that is not a Dictionary)",
                   m21, '"date";key="a"', err("component.key_not_dictionary")))
    cs.append(comp("2.1.2-key-with-bs", "ours: RFC 9421 §2.1 (bs is incompatible with key)",
                   m212, '"example-dict";key="a";bs', err("component.conflicting_parameters"), sf_types=sf))
    cs.append(comp("2.1.1-sf-with-bs", "ours: RFC 9421 §2.5 step 2.4 (bs and sf are incompatible)",
                   m211, '"example-dict";sf;bs', err("component.conflicting_parameters"), sf_types=sf))

    # §2.1.3 bs
    s = "RFC 9421 §2.1.3"
    m213a = message("GET /foo HTTP/1.1", ["Host: www.example.com", "Example-Header: value, with, lots",
                                           "Example-Header: of, commas"])
    m213b = message("GET /foo HTTP/1.1", ["Host: www.example.com", "Example-Header: value, with, lots, of, commas"])
    n = "request line ours"
    cs.append(comp("2.1.3-two-lines-raw", s, m213a, '"example-header"',
                   line('"example-header": value, with, lots, of, commas'), note=n))
    cs.append(comp("2.1.3-one-line-raw", s, m213b, '"example-header"',
                   line('"example-header": value, with, lots, of, commas'), note=n))
    cs.append(comp("2.1.3-two-lines-bs", s, m213a, '"example-header";bs',
                   line('"example-header";bs: :dmFsdWUsIHdpdGgsIGxvdHM=:, :b2YsIGNvbW1hcw==:'), note=n))
    cs.append(comp("2.1.3-one-line-bs", s, m213b, '"example-header";bs',
                   line('"example-header";bs: :dmFsdWUsIHdpdGgsIGxvdHMsIG9mLCBjb21tYXM=:'), note=n))

    # §2.1.4 tr
    s = "RFC 9421 §2.1.4"
    m214 = message("HTTP/1.1 200 OK", ["Content-Type: text/plain", "Transfer-Encoding: chunked",
                                        "Trailer: Expires"],
                   "4\nHTTP\n7\nMessage\na\nSignatures\n0\n")
    tr = "Expires: Wed, 9 Nov 2022 07:28:00 GMT"
    trn = ("body is the chunked framing exactly as printed (without the trailer line, which is in "
           "'trailers'); the runner must not interpret it")
    cs.append(comp("2.1.4-status", s, m214, '"@status"', line('"@status": 200'), trailers=tr, note=trn))
    cs.append(comp("2.1.4-trailer-header", s, m214, '"trailer"', line('"trailer": Expires'), trailers=tr, note=trn))
    cs.append(comp("2.1.4-expires-tr", s, m214, '"expires";tr',
                   line('"expires";tr: Wed, 9 Nov 2022 07:28:00 GMT'), trailers=tr, note=trn))
    cs.append(comp("2.1.4-expires-not-in-headers", "ours: RFC 9421 §2.1.4 (without tr the value comes from the headers)",
                   m214, '"expires"', err("component.field_absent"), trailers=tr, note=trn))

    # §2.2.1 - §2.2.7
    m22 = message("POST /path?param=value HTTP/1.1", ["Host: www.example.com"])
    cs.append(comp("2.2.1-method", "RFC 9421 §2.2.1", m22, '"@method"', line('"@method": POST')))
    cs.append(comp("2.2.1-method-case-sensitive", "ours: RFC 9421 §2.2.1 (the method is case-sensitive)",
                   message("post /path?param=value HTTP/1.1", ["Host: www.example.com"]),
                   '"@method"', line('"@method": post'), note="not upper-cased"))
    cs.append(comp("2.2.2-target-uri", "RFC 9421 §2.2.2", m22, '"@target-uri"',
                   line('"@target-uri": https://www.example.com/path?param=value'),
                   note="the RFC says the message is sent over HTTPS; target_uri default applies"))
    cs.append(comp("2.2.3-authority", "RFC 9421 §2.2.3", m22, '"@authority"', line('"@authority": www.example.com')))
    cs.append(comp("2.2.3-authority-normalized", "ours: RFC 9421 §2.2.3 (host lower-cased, default port omitted)",
                   message("POST /path?param=value HTTP/1.1", ["Host: WWW.Example.COM:443"]),
                   '"@authority"', line('"@authority": www.example.com'),
                   target_uri="https://WWW.Example.COM:443/path?param=value"))
    cs.append(comp("2.2.4-scheme", "RFC 9421 §2.2.4", m22, '"@scheme"', line('"@scheme": http'),
                   target_uri="http://www.example.com/path?param=value",
                   note="the RFC's example is requested over plain HTTP"))
    cs.append(comp("2.2.5-request-target-origin", "RFC 9421 §2.2.5", m22, '"@request-target"',
                   line('"@request-target": /path?param=value')))
    cs.append(comp("2.2.5-request-target-absolute", "RFC 9421 §2.2.5",
                   message("GET https://www.example.com/path?param=value HTTP/1.1", []),
                   '"@request-target"', line('"@request-target": https://www.example.com/path?param=value'),
                   target_uri="https://www.example.com/path?param=value",
                   note="absolute-form to a proxy; no Host field is printed"))
    cs.append(comp("2.2.5-request-target-connect", "RFC 9421 §2.2.5",
                   message("CONNECT www.example.com:80 HTTP/1.1", ["Host: www.example.com"]),
                   '"@request-target"', line('"@request-target": www.example.com:80'),
                   target_uri="https://www.example.com:80",
                   note="authority-form; target_uri per RFC 9112 §3.3 (empty path and query)"))
    cs.append(comp("2.2.5-request-target-options", "RFC 9421 §2.2.5",
                   message("OPTIONS * HTTP/1.1", ["Host: www.example.com"]),
                   '"@request-target"', line('"@request-target": *'),
                   target_uri="https://www.example.com",
                   note="asterisk-form; target_uri per RFC 9112 §3.3 (empty path and query)"))
    cs.append(comp("2.2.6-path", "RFC 9421 §2.2.6", m22, '"@path"', line('"@path": /path')))
    cs.append(comp("2.2.6-path-empty", "ours: RFC 9421 §2.2.6 (an empty path is normalized to /)",
                   message("OPTIONS * HTTP/1.1", ["Host: www.example.com"]), '"@path"', line('"@path": /'),
                   target_uri="https://www.example.com"))
    cs.append(comp("2.2.6-path-not-decoded", "ours: RFC 9421 §2.2.6 (percent-encoded octets are not decoded)",
                   message("GET /a%2Fb/c%20d HTTP/1.1", ["Host: www.example.com"]), '"@path"',
                   line('"@path": /a%2Fb/c%20d')))
    cs.append(comp("2.2.7-query", "RFC 9421 §2.2.7",
                   message("POST /path?param=value&foo=bar&baz=bat%2Dman HTTP/1.1", ["Host: www.example.com"]),
                   '"@query"', line('"@query": ?param=value&foo=bar&baz=bat%2Dman')))
    cs.append(comp("2.2.7-query-string", "RFC 9421 §2.2.7",
                   message("POST /path?queryString HTTP/1.1", ["Host: www.example.com"]),
                   '"@query"', line('"@query": ?queryString')))
    cs.append(comp("2.2.7-query-absent", "RFC 9421 §2.2.7",
                   message("POST /path HTTP/1.1", ["Host: www.example.com"]),
                   '"@query"', line('"@query": ?'),
                   note="the RFC states the value for an absent query; the message is ours"))

    # §2.2.8 @query-param
    s = "RFC 9421 §2.2.8"
    mq = message("POST /path?param=value&foo=bar&baz=batman&qux= HTTP/1.1", ["Host: www.example.com"])
    for name, value in [("baz", "batman"), ("qux", ""), ("param", "value")]:
        ident = f'"@query-param";name="{name}"'
        cs.append(comp(f"2.2.8-{name}", s, mq, ident, line(f"{ident}: {value}"),
                       note="empty value: the line ends with ': '" if value == "" else None))
    menc = message("GET /parameters?var=this%20is%20a%20big%0Amultiline%20value&bar=with+plus+whitespace"
                   "&fa%C3%A7ade%22%3A%20=something HTTP/1.1",
                   ["Host: www.example.com", "Date: Tue, 20 Apr 2021 02:07:56 GMT"])
    for cid, name, value in [("var", "var", "this%20is%20a%20big%0Amultiline%20value"),
                             ("bar", "bar", "with%20plus%20whitespace"),
                             ("facade", "fa%C3%A7ade%22%3A%20", "something")]:
        ident = f'"@query-param";name="{name}"'
        cs.append(comp(f"2.2.8-encoded-{cid}", s, menc, ident, line(f"{ident}: {value}"),
                       note="value decoded as application/x-www-form-urlencoded, then re-encoded "
                            "(space as %20); the name parameter is the encoded nameString. Request line "
                            "and values as quoted from RFC 9421 §2.2.8; re-derived with Python "
                            "urllib.parse (parse_qsl + quote with safe='*-._') as a cross-check"))
    cs.append(comp("2.2.8-reencoded-set", "ours: RFC 9421 §2.2.8 (WHATWG urlencoded percent-encode set)",
                   message("GET /p?v=%21%27%28%29%7E%2A-._&w=a+b%2Bc HTTP/1.1", ["Host: www.example.com"]),
                   '"@query-param";name="v"', line('"@query-param";name="v": %21%27%28%29%7E*-._'),
                   note="!'()~ are in the urlencoded percent-encode set, * - . _ are not"))
    cs.append(comp("2.2.8-plus-is-space", "ours: RFC 9421 §2.2.8",
                   message("GET /p?v=%21%27%28%29%7E%2A-._&w=a+b%2Bc HTTP/1.1", ["Host: www.example.com"]),
                   '"@query-param";name="w"', line('"@query-param";name="w": a%20b%2Bc')))
    cs.append(comp("2.2.8-repeated", "RFC 9421 §2.2.8 (a name occurring more than once MUST NOT be included)",
                   message("GET /path?param=value&param=other HTTP/1.1", ["Host: www.example.com"]),
                   '"@query-param";name="param"', err("component.query_param_repeated")))
    cs.append(comp("2.2.8-repeated-after-decoding", "ours: RFC 9421 §2.2.8 (names compared after decoding)",
                   message("GET /path?param=value&%70aram=value HTTP/1.1", ["Host: www.example.com"]),
                   '"@query-param";name="param"', err("component.query_param_repeated")))
    cs.append(comp("2.2.8-missing", "RFC 9421 §2.2.8 (a named parameter that does not occur is an error)",
                   mq, '"@query-param";name="nope"', err("component.query_param_missing")))
    cs.append(comp("2.2.8-name-on-field", "ours: RFC 9421 §2.5 (name applies only to @query-param)",
                   m22, '"host";name="x"', err("component.unknown_parameter")))

    # §2.2.9 @status
    mst = message("HTTP/1.1 200 OK", ["Date: Fri, 26 Mar 2010 00:05:00 GMT"])
    cs.append(comp("2.2.9-status", "RFC 9421 §2.2.9", mst, '"@status"', line('"@status": 200')))
    cs.append(comp("2.2.9-status-in-request", "RFC 9421 §2.2.9 (@status MUST NOT be used in a request)",
                   m22, '"@status"', err("component.status_in_request")))

    # Other identifier errors (RFC 9421 §2.5 step 2.4)
    cs.append(comp("2.5-unknown-derived", "ours: RFC 9421 §2.5 (unknown derived component name)",
                   m22, '"@nope"', err("component.unknown_derived")))
    cs.append(comp("2.5-unknown-parameter", "ours: RFC 9421 §2.5 (a parameter that is not understood)",
                   m22, '"host";foo', err("component.unknown_parameter")))
    cs.append(comp("2.5-req-in-request", "RFC 9421 §2.4 (req MUST NOT be used in a request signature)",
                   m22, '"@method";req', err("component.req_in_request")))
    return cs


# ---------------------------------------------------------------------------------------
# appendix-b.json: B.2.1 - B.2.6, B.3, and the §2.5 / §3.1 / §3.2 example
# ---------------------------------------------------------------------------------------
def req_signed(cid, source, label, inner, sig, key, base, field_change, note=None):
    return Signed(cid, source, REQ_LINE, REQ_HEADERS, REQ_BODY, label, inner, sig, key, base,
                  field_change, note=note)


B21 = req_signed(
    "B.2.1-rsa-pss", "RFC 9421 §B.2.1", "sig-b21",
    unwrap("""();created=1618884473\\
  ;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd\""""),
    unwrap("""d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopem\\
  LJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG\\
  52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx\\
  2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6\\
  UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3\\
  +7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q=="""),
    "test-key-rsa-pss",
    unwrap('''"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss"\\
  ;nonce="b3k2pp5k7z-50gnwp.yemd"'''),
    # No covered components: the only covered data are the parameters.
    ('nonce="b3k2pp5k7z-50gnwp.yemd"', 'nonce="b3k2pp5k7z-50gnwp.yemf"'))

B22 = req_signed(
    "B.2.2-rsa-pss-selective", "RFC 9421 §B.2.2", "sig-b22",
    unwrap('''("@authority" "content-digest" \\
  "@query-param";name="Pet");created=1618884473\\
  ;keyid="test-key-rsa-pss";tag="header-example"'''),
    unwrap("""LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQ\\
  EdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT\\
  8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SA\\
  RYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd\\
  4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoK\\
  UqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw=="""),
    "test-key-rsa-pss",
    unwrap('''"@authority": example.com
"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX\\
  +TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"@query-param";name="Pet": dog
"@signature-params": ("@authority" "content-digest" \\
  "@query-param";name="Pet")\\
  ;created=1618884473;keyid="test-key-rsa-pss"\\
  ;tag="header-example"'''),
    ("Pet=dog HTTP/1.1", "Pet=cat HTTP/1.1"))

B23 = req_signed(
    "B.2.3-rsa-pss-full", "RFC 9421 §B.2.3", "sig-b23",
    unwrap('''("date" "@method" "@path" "@query" \\
  "@authority" "content-type" "content-digest" "content-length")\\
  ;created=1618884473;keyid="test-key-rsa-pss"'''),
    unwrap("""bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yB\\
  iMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fU\\
  xN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1\\
  pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9\\
  bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5Z\\
  JzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA=="""),
    "test-key-rsa-pss",
    unwrap('''"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@query": ?param=Value&Pet=dog
"@authority": example.com
"content-type": application/json
"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX\\
  +TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"content-length": 18
"@signature-params": ("date" "@method" "@path" "@query" \\
  "@authority" "content-type" "content-digest" "content-length")\\
  ;created=1618884473;keyid="test-key-rsa-pss"'''),
    ("Date: Tue, 20 Apr 2021 02:07:55 GMT", "Date: Tue, 20 Apr 2021 02:07:57 GMT"))

B24 = Signed(
    "B.2.4-ecdsa-response", "RFC 9421 §B.2.4", RESP_LINE, RESP_HEADERS, RESP_BODY, "sig-b24",
    unwrap('''("@status" "content-type" \\
  "content-digest" "content-length");created=1618884473\\
  ;keyid="test-key-ecc-p256"'''),
    unwrap("""wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NK\\
  ocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw=="""),
    "test-key-ecc-p256",
    unwrap('''"@status": 200
"content-type": application/json
"content-digest": sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ4\\
  1QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:
"content-length": 23
"@signature-params": ("@status" "content-type" "content-digest" \\
  "content-length");created=1618884473;keyid="test-key-ecc-p256"'''),
    ("Content-Type: application/json", "Content-Type: application/problem+json"),
    note=B24_NOTE)

B25 = req_signed(
    "B.2.5-hmac", "RFC 9421 §B.2.5", "sig-b25",
    unwrap('''("date" "@authority" "content-type")\\
  ;created=1618884473;keyid="test-shared-secret"'''),
    "pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=",
    "test-shared-secret",
    unwrap('''"date": Tue, 20 Apr 2021 02:07:55 GMT
"@authority": example.com
"content-type": application/json
"@signature-params": ("date" "@authority" "content-type")\\
  ;created=1618884473;keyid="test-shared-secret"'''),
    ("Date: Tue, 20 Apr 2021 02:07:55 GMT", "Date: Tue, 20 Apr 2021 02:07:57 GMT"))

B26 = req_signed(
    "B.2.6-ed25519", "RFC 9421 §B.2.6", "sig-b26",
    unwrap('''("date" "@method" "@path" "@authority" \\
  "content-type" "content-length");created=1618884473\\
  ;keyid="test-key-ed25519"'''),
    unwrap("""wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1\\
  u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw=="""),
    "test-key-ed25519",
    unwrap('''"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@authority": example.com
"content-type": application/json
"content-length": 18
"@signature-params": ("date" "@method" "@path" "@authority" \\
  "content-type" "content-length");created=1618884473\\
  ;keyid="test-key-ed25519"'''),
    ("POST /foo?param=Value&Pet=dog HTTP/1.1", "PUT /foo?param=Value&Pet=dog HTTP/1.1"))

CLIENT_CERT = unwrap(""":MIIBqDCCAU6gAwIBAgIBBzAKBggqhkjOPQQDAjA6MRswGQYDVQQKD\\
  BJMZXQncyBBdXRoZW50aWNhdGUxGzAZBgNVBAMMEkxBIEludGVybWVkaWF0ZSBDQT\\
  AeFw0yMDAxMTQyMjU1MzNaFw0yMTAxMjMyMjU1MzNaMA0xCzAJBgNVBAMMAkJDMFk\\
  wEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8YnXXfaUgmnMtOXU/IncWalRhebrXmck\\
  C8vdgJ1p5Be5F/3YC8OthxM4+k1M6aEAEFcGzkJiNy6J84y7uzo9M6NyMHAwCQYDV\\
  R0TBAIwADAfBgNVHSMEGDAWgBRm3WjLa38lbEYCuiCPct0ZaSED2DAOBgNVHQ8BAf\\
  8EBAMCBsAwEwYDVR0lBAwwCgYIKwYBBQUHAwIwHQYDVR0RAQH/BBMwEYEPYmRjQGV\\
  4YW1wbGUuY29tMAoGCCqGSM49BAMCA0gAMEUCIBHda/r1vaL6G3VliL4/Di6YK0Q6\\
  bMjeSkC3dFCOOB8TAiEAx/kHSB4urmiZ0NX5r5XarmPk0wmuydBVoU4hBVZ1yhk=:""")

B3 = Signed(
    "B.3-ttrp", "RFC 9421 §B.3", REQ_LINE,
    ["Host: service.internal.example", "Date: Tue, 20 Apr 2021 02:07:55 GMT",
     "Content-Type: application/json", "Content-Length: 18", "Client-Cert: " + CLIENT_CERT],
    REQ_BODY, "ttrp",
    unwrap('''("@path" "@query" "@method" "@authority" \\
  "client-cert");created=1618884473;keyid="test-key-ecc-p256"'''),
    unwrap("""xVMHVpawaAC/0SbHrKRs9i8I3eOs5RtTMGCWXm/9nvZzoHsIg6Mce9315T6xoklyy0y\\
zhD9ah4JHRwMLOgmizw=="""),
    "test-key-ecc-p256",
    unwrap('''"@path": /foo
"@query": ?param=Value&Pet=dog
"@method": POST
"@authority": service.internal.example
"client-cert": :MIIBqDCCAU6gAwIBAgIBBzAKBggqhkjOPQQDAjA6MRswGQYDVQQ\\
  KDBJMZXQncyBBdXRoZW50aWNhdGUxGzAZBgNVBAMMEkxBIEludGVybWVkaWF0ZSBD\\
  QTAeFw0yMDAxMTQyMjU1MzNaFw0yMTAxMjMyMjU1MzNaMA0xCzAJBgNVBAMMAkJDM\\
  FkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8YnXXfaUgmnMtOXU/IncWalRhebrXm\\
  ckC8vdgJ1p5Be5F/3YC8OthxM4+k1M6aEAEFcGzkJiNy6J84y7uzo9M6NyMHAwCQY\\
  DVR0TBAIwADAfBgNVHSMEGDAWgBRm3WjLa38lbEYCuiCPct0ZaSED2DAOBgNVHQ8B\\
  Af8EBAMCBsAwEwYDVR0lBAwwCgYIKwYBBQUHAwIwHQYDVR0RAQH/BBMwEYEPYmRjQ\\
  GV4YW1wbGUuY29tMAoGCCqGSM49BAMCA0gAMEUCIBHda/r1vaL6G3VliL4/Di6YK0\\
  Q6bMjeSkC3dFCOOB8TAiEAx/kHSB4urmiZ0NX5r5XarmPk0wmuydBVoU4hBVZ1yhk=:
"@signature-params": ("@path" "@query" "@method" "@authority" \\
  "client-cert");created=1618884473;keyid="test-key-ecc-p256"'''),
    ("Host: service.internal.example", "Host: other.internal.example"),
    note="the proxy's request to the internal service (TLS-terminating proxy example)")

# §2.5 (signature base), §3.1 (signature value), §3.2 (verification of the signed message).
# Header order follows the §3.2 message (Content-Type, Content-Digest, Content-Length).
S25 = Signed(
    "2.5-rsa-pss", "RFC 9421 §2.5, §3.1, §3.2", REQ_LINE,
    ["Host: example.com", "Date: Tue, 20 Apr 2021 02:07:55 GMT", "Content-Type: application/json",
     "Content-Digest: " + CD_REQ, "Content-Length: 18"],
    REQ_BODY, "sig1",
    unwrap('''("@method" "@authority" "@path" \\
  "content-digest" "content-length" "content-type")\\
  ;created=1618884473;keyid="test-key-rsa-pss"'''),
    unwrap("""HIbjHC5rS0BYaa9v4QfD4193TORw7u9edguPh0AW3dMq9WImrlFrCGUDih47vAxi4L2\\
YRZ3XMJc1uOKk/J0ZmZ+wcta4nKIgBkKq0rM9hs3CQyxXGxHLMCy8uqK488o+9jrptQ\\
+xFPHK7a9sRL1IXNaagCNN3ZxJsYapFj+JXbmaI5rtAdSfSvzPuBCh+ARHBmWuNo1Uz\\
VVdHXrl8ePL4cccqlazIJdC4QEjrF+Sn4IxBQzTZsL9y9TP5FsZYzHvDqbInkTNigBc\\
E9cKOYNFCn4D/WM7F6TNuZO9EgtzepLWcjTymlHzK7aXq6Am6sfOrpIC49yXjj3ae6H\\
RalVc/g=="""),
    "test-key-rsa-pss",
    unwrap('''"@method": POST
"@authority": example.com
"@path": /foo
"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX\\
  +TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"content-length": 18
"content-type": application/json
"@signature-params": ("@method" "@authority" "@path" \\
  "content-digest" "content-length" "content-type")\\
  ;created=1618884473;keyid="test-key-rsa-pss"'''),
    ("Host: example.com", "Host: example.net"))


def appendix_b():
    cs = []
    for s in [B21, B22, B23, B24, B25, B26, B3, S25]:
        cs.append(s.base_case())
        cs.append(s.verify_case())
        cs.extend(s.tampers())
    cs.append(B21.sign_case(False))
    cs.append(B22.sign_case(False))
    cs.append(B23.sign_case(False))
    cs.append(B24.sign_case(False))
    cs.append(B25.sign_case(True))
    cs.append(B26.sign_case(True))
    cs.append(S25.sign_case(False))
    # Wiring errors on the B.2.6 message (ours).
    src = "ours: RFC 9421 §3.2 step 1 / §4 on the B.2.6 message"
    signed = B26.signed_message()
    c = B26.verify_case("-label-not-found", signed, err("signature.label_not_found"), src,
                        "label sig-missing is in neither field")
    c["label"] = "sig-missing"
    cs.append(c)
    sig_line = f"Signature: sig-b26=:{B26.sig}:"
    assert signed.count(sig_line) == 1
    cs.append(B26.verify_case("-label-only-in-input", signed.replace(sig_line, f"Signature: other=:{B26.sig}:"),
                              err("signature.label_not_found"), src,
                              "sig-b26 is in Signature-Input but not in Signature (RFC 9421 §4)"))
    in_line = f"Signature-Input: sig-b26={B26.inner}"
    assert signed.count(in_line) == 1
    cs.append(B26.verify_case("-malformed-signature-input",
                              signed.replace(in_line, 'Signature-Input: sig-b26=("date" "@method";created=1618884473'),
                              err("parse.signature_input"), src, "inner list not closed"))
    cs.append(B26.verify_case("-malformed-signature", signed.replace(sig_line, "Signature: sig-b26=:wqcAqbmYJ2ji"),
                              err("parse.signature"), src, "byte sequence not closed"))
    return cs


# ---------------------------------------------------------------------------------------
# request-response.json: RFC 9421 §2.4
# ---------------------------------------------------------------------------------------
REQ24 = message(REQ_LINE, [
    "Host: example.com",
    "Date: Tue, 20 Apr 2021 02:07:55 GMT",
    "Content-Digest: " + CD_REQ,
    "Content-Type: application/json",
    "Content-Length: 18",
], REQ_BODY)
CD_503 = unwrap("""sha-512=:0Y6iCBzGg5rZtoXS95Ijz03mslf6KAMCloESHObfwn\\
  HJDbkkWWQz6PhhU9kxsTbARtY2PTBOzq24uJFpHsMuAg==:""")
RESP24_HEADERS = ["Date: Tue, 20 Apr 2021 02:07:56 GMT", "Content-Type: application/json",
                  "Content-Length: 62", "Content-Digest: " + CD_503]
RESP24_BODY = '{"busy": true, "message": "Your call is very important to us"}'

S24 = Signed(
    "2.4-reqres", "RFC 9421 §2.4", "HTTP/1.1 503 Service Unavailable", RESP24_HEADERS, RESP24_BODY,
    "reqres",
    unwrap('''("@status" "content-digest" "content-type" \\
  "@authority";req "@method";req "@path";req "content-digest";req)\\
  ;created=1618884479;keyid="test-key-ecc-p256"'''),
    unwrap("""dMT/A/76ehrdBTD/2Xx8QuKV6FoyzEP/I9hdzKN8LQJLNgzU\\
  4W767HK05rx1i8meNQQgQPgQp8wq2ive3tV5Ag=="""),
    "test-key-ecc-p256",
    unwrap('''"@status": 503
"content-digest": sha-512=:0Y6iCBzGg5rZtoXS95Ijz03mslf6KAMCloESHObfwn\\
  HJDbkkWWQz6PhhU9kxsTbARtY2PTBOzq24uJFpHsMuAg==:
"content-type": application/json
"@authority";req: example.com
"@method";req: POST
"@path";req: /foo
"content-digest";req: sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+T\\
  aPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"@signature-params": ("@status" "content-digest" "content-type" \\
  "@authority";req "@method";req "@path";req "content-digest";req)\\
  ;created=1618884479;keyid="test-key-ecc-p256"'''),
    ("request:POST /foo?param=Value&Pet=dog HTTP/1.1", "PUT /foo?param=Value&Pet=dog HTTP/1.1"),
    request=REQ24)


def request_response():
    cs = []
    unsigned = S24.unsigned_message()
    s = "RFC 9421 §2.4"
    for cid, ident, value in [
        ("status", '"@status"', "503"),
        ("authority-req", '"@authority";req', "example.com"),
        ("method-req", '"@method";req', "POST"),
        ("path-req", '"@path";req', "/foo"),
        ("content-digest-req", '"content-digest";req', CD_REQ),
        ("content-digest", '"content-digest"', CD_503),
    ]:
        cs.append(comp(f"2.4-component-{cid}", s, unsigned, ident, line(f"{ident}: {value}"), request=REQ24))
    cs.append(comp("2.4-component-content-length-req", "ours: RFC 9421 §2.4 (the field is read from the request)",
                   unsigned, '"content-length";req', line('"content-length";req: 18'), request=REQ24,
                   note="the response also has Content-Length (62); ;req must read the request's (18)"))
    cs.append(comp("2.4-component-req-absent-in-request", "ours: RFC 9421 §2.4 / §2.5",
                   unsigned, '"accept";req', err("component.field_absent"), request=REQ24))
    cs.append(comp("2.4-component-req-in-request", "RFC 9421 §2.4 (req MUST NOT be used in a request signature)",
                   REQ24, '"@method";req', err("component.req_in_request")))
    cs.append(S24.base_case())
    cs.append(S24.verify_case())
    cs.extend(S24.tampers())
    cs.append(S24.sign_case(False))
    return cs


# ---------------------------------------------------------------------------------------
# multiple.json: RFC 9421 §4.3
# ---------------------------------------------------------------------------------------
M43_CLIENT_HEADERS = [
    "Host: example.com", "Date: Tue, 20 Apr 2021 02:07:55 GMT", "Content-Type: application/json",
    "Content-Length: 18", "Content-Digest: " + CD_REQ,
]
M43_PROXY_HEADERS = [
    "Host: origin.host.internal.example", "Date: Tue, 20 Apr 2021 02:07:56 GMT",
    "Content-Type: application/json", "Content-Length: 18",
    "Forwarded: for=192.0.2.123;host=example.com;proto=https", "Content-Digest: " + CD_REQ,
]
SIG1_INNER = unwrap('''("@method" "@authority" "@path" \\
  "content-digest" "content-type" "content-length")\\
  ;created=1618884475;keyid="test-key-ecc-p256"''')
SIG1_VALUE = unwrap("""X5spyd6CFnAG5QnDyHfqoSNICd+BUP4LYMz2Q0JXlb//4Ijpzp\\
  +kve2w4NIyqeAuM7jTDX+sNalzA8ESSaHD3A==""")
SIG1_BASE = unwrap('''"@method": POST
"@authority": example.com
"@path": /foo
"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+T\\
  aPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"content-type": application/json
"content-length": 18
"@signature-params": ("@method" "@authority" "@path" \\
  "content-digest" "content-type" "content-length")\\
  ;created=1618884475;keyid="test-key-ecc-p256"''')
PROXY_INNER = unwrap('''("@method" "@authority" "@path" \\
  "content-digest" "content-type" "content-length" "forwarded")\\
  ;created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256"\\
  ;expires=1618884540''')
PROXY_VALUE = unwrap("""S6ZzPXSdAMOPjN/6KXfXWNO/f7V6cHm7BXYUh3YD/fRad4BCaRZxP+\\
  JH+8XY1I6+8Cy+CM5g92iHgxtRPz+MjniOaYmdkDcnL9cCpXJleXsOckpURl49G\\
  wiyUpZ10KHgOEe11sx3G2gxI8S0jnxQB+Pu68U9vVcasqOWAEObtNKKZd8tSFu7\\
  LB5YAv0RAGhB8tmpv7sFnIm9y+7X5kXQfi8NMaZaA8i2ZHwpBdg7a6CMfwnnrtf\\
  lzvZdXAsD3LH2TwevU+/PBPv0B6NMNk93wUs/vfJvye+YuI87HU38lZHowtznbL\\
  Vdp770I6VHR6WfgS9ddzirrswsE1w5o0LV/g==""")
PROXY_BASE = unwrap('''"@method": POST
"@authority": origin.host.internal.example
"@path": /foo
"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+T\\
  aPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"content-type": application/json
"content-length": 18
"forwarded": for=192.0.2.123;host=example.com;proto=https
"@signature-params": ("@method" "@authority" "@path" \\
  "content-digest" "content-type" "content-length" "forwarded")\\
  ;created=1618884480;keyid="test-key-rsa";alg="rsa-v1_5-sha256"\\
  ;expires=1618884540''')
BOTH = [f"Signature-Input: sig1={SIG1_INNER}, proxy_sig={PROXY_INNER}",
        f"Signature: sig1=:{SIG1_VALUE}:, proxy_sig=:{PROXY_VALUE}:"]

M43_SIG1 = Signed("4.3-client-sig1", "RFC 9421 §4.3", REQ_LINE, M43_CLIENT_HEADERS, REQ_BODY,
                  "sig1", SIG1_INNER, SIG1_VALUE, "test-key-ecc-p256", SIG1_BASE,
                  ("Content-Type: application/json", "Content-Type: text/plain"),
                  note="the client's signed request as received by the proxy")
M43_PROXY = Signed("4.3-proxy_sig", "RFC 9421 §4.3", REQ_LINE, M43_PROXY_HEADERS, REQ_BODY,
                   "proxy_sig", PROXY_INNER, PROXY_VALUE, "test-key-rsa", PROXY_BASE,
                   ("Forwarded: for=192.0.2.123;", "Forwarded: for=192.0.2.124;"),
                   extra_headers=BOTH,
                   note="the forwarded request carrying both signatures; expires=1618884540 is in 2021: "
                        "verify at a clock between created and expires, or with time checks off")


def multiple():
    cs = []
    cs.append(M43_SIG1.base_case())
    cs.append(M43_SIG1.verify_case())
    cs.extend(M43_SIG1.tampers())
    cs.append(M43_PROXY.base_case())
    cs.append(M43_PROXY.verify_case())
    cs.extend(M43_PROXY.tampers())
    forwarded = M43_PROXY.signed_message()
    cs.append(case("4.3-forwarded-sig1-original-context", "RFC 9421 §4.3, §7.4.4", "verify", forwarded,
                   {"valid": True, "base": SIG1_BASE}, target_uri="https://example.com/foo?param=Value&Pet=dog",
                   label="sig1", key="test-key-ecc-p256", key_alg="ecdsa-p256-sha256",
                   note="the client's sig1 on the forwarded message, verified with the client-side message "
                        "component context (target URI from the Forwarded host/proto, RFC 9421 §7.4.4); "
                        "the Host field is not used when target_uri is given"))
    cs.append(case("4.3-forwarded-sig1-proxy-context", "ours: RFC 9421 §4.3, §7.4.4", "verify", forwarded,
                   err("verify.invalid_signature"), label="sig1", key="test-key-ecc-p256",
                   key_alg="ecdsa-p256-sha256",
                   note="with the default context (target URI from Host origin.host.internal.example) "
                        "@authority differs from what the client signed"))
    return cs


# ---------------------------------------------------------------------------------------
# transformations.json: RFC 9421 §B.4
# ---------------------------------------------------------------------------------------
B4_INNER = unwrap('''("@method" "@path" "@authority" \\
  "accept");created=1618884473;keyid="test-key-ed25519"''')
B4_SIG = unwrap("""ZT1kooQsEHpZ0I1IjCqtQppOmIqlJPeo7DHR3SoMn0s5J\\
  Z1eRGS0A+vyYP9t/LXlh5QMFFQ6cpLt2m0pmj3NDA==""")
B4_BASE = unwrap('''"@method": GET
"@path": /demo
"@authority": example.org
"accept": application/json, */*
"@signature-params": ("@method" "@path" "@authority" "accept")\\
  ;created=1618884473;keyid="test-key-ed25519"''')


def b4(cid, start, headers, field_change, note):
    return Signed(f"B.4-{cid}", "RFC 9421 §B.4", start, headers, "", "transform", B4_INNER, B4_SIG,
                  "test-key-ed25519", B4_BASE, field_change, note=note)


def transformations():
    orig = b4("original", "GET /demo?name1=Value1&Name2=value2 HTTP/1.1",
              ["Host: example.org", "Date: Fri, 15 Jul 2022 14:24:55 GMT", "Accept: application/json",
               "Accept: */*"], ("Accept: */*", "Accept: text/html"), "the signed message as first printed")
    valid = [
        b4("added-field-and-query", "GET /demo?name1=Value1&Name2=value2&param=added HTTP/1.1",
           ["Host: example.org", "Date: Fri, 15 Jul 2022 14:24:55 GMT", "Accept: application/json",
            "Accept: */*", "Accept-Language: en-US,en;q=0.5"], ("Accept: */*", "Accept: text/html"),
           "Accept-Language and a query parameter added; neither is covered: still valid"),
        b4("date-removed-referer-added-accept-combined", "GET /demo?name1=Value1&Name2=value2 HTTP/1.1",
           ["Host: example.org", "Referer: https://developer.example.org/demo", "Accept: application/json, */*"],
           ("Accept: application/json, */*", "Accept: application/json, text/html"),
           "Date removed, Referer added, the two Accept lines combined into one: still valid"),
        b4("fields-reordered", "GET /demo?name1=Value1&Name2=value2 HTTP/1.1",
           ["Accept: application/json", "Accept: */*", "Date: Fri, 15 Jul 2022 14:24:55 GMT", "Host: example.org"],
           ("Accept: */*", "Accept: text/html"),
           "fields re-ordered, the Accept lines keep their relative order: still valid"),
    ]
    invalid = [
        b4("method-and-authority-changed", "POST /demo?name1=Value1&Name2=value2 HTTP/1.1",
           ["Host: example.com", "Date: Fri, 15 Jul 2022 14:24:55 GMT", "Accept: application/json", "Accept: */*"],
           None, "method changed to POST and authority to example.com, both covered: NOT valid"),
        b4("accept-lines-swapped", "GET /demo?name1=Value1&Name2=value2 HTTP/1.1",
           ["Host: example.org", "Date: Fri, 15 Jul 2022 14:24:55 GMT", "Accept: */*", "Accept: application/json"],
           None, "the two Accept lines swapped; order of same-name fields is significant: NOT valid"),
    ]
    cs = [orig.base_case()]
    for s in [orig] + valid:
        cs.append(s.verify_case())
        cs.extend(s.tampers())
    for s in invalid:
        cs.append(s.verify_case(expect=err("verify.invalid_signature")))
    return cs


# ---------------------------------------------------------------------------------------
# param-order.json: ours, the B.2.6 request signed with parameters in several orders
# ---------------------------------------------------------------------------------------
B26_COMPONENTS = '("date" "@method" "@path" "@authority" "content-type" "content-length")'
B26_LINES = unwrap('''"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@authority": example.com
"content-type": application/json
"content-length": 18''')


def param_order():
    cs = []
    variants = [
        ("created-keyid", ';created=1618884473;keyid="test-key-ed25519"',
         "the RFC's own order (B.2.6); the signature must equal the RFC's"),
        ("keyid-created", ';keyid="test-key-ed25519";created=1618884473',
         "keyid before created"),
        ("created-keyid-ext", ';created=1618884473;keyid="test-key-ed25519";ext="x"',
         "unknown extension parameter ext=\"x\" last; it must be kept in @signature-params"),
        ("keyid-foo-created", ';keyid="test-key-ed25519";foo=1;created=1618884473',
         "unknown extension parameter foo=1 between keyid and created"),
        ("alg-first", ';alg="ed25519";keyid="test-key-ed25519";created=1618884473',
         "alg (agreeing with the key) first"),
        ("tag-nonce-created-keyid", ';tag="app-x";nonce="n-0001";created=1618884473;keyid="test-key-ed25519"',
         "tag and nonce before created and keyid"),
        ("bool-ext-keyid-created", ';flag;keyid="test-key-ed25519";created=1618884473',
         "a Boolean true extension parameter (serialized bare) first"),
    ]
    sigs = {}
    for cid, params, what in variants:
        inner = B26_COMPONENTS + params
        base = B26_LINES + '\n"@signature-params": ' + inner
        sig = ed25519_sign(base)
        sigs[cid] = (inner, sig)
        s = Signed(f"param-order-{cid}", "ours: RFC 9421 §2.3, §2.5 (parameter order is kept as received)",
                   REQ_LINE, REQ_HEADERS, REQ_BODY, "sig-po", inner, sig, "test-key-ed25519", base,
                   ("Date: Tue, 20 Apr 2021 02:07:55 GMT", "Date: Tue, 20 Apr 2021 02:07:57 GMT"),
                   note=what + "; signature by tools/sign_ed25519.py")
        cs.append(s.base_case())
        cs.append(s.verify_case())
        if cid == "created-keyid":
            assert sig == B26.sig, "sign_ed25519.py does not reproduce RFC 9421 B.2.6"
            cs[-1]["source"] = "RFC 9421 §B.2.6"
        cs.extend(s.tampers())
    # A verifier that rebuilds @signature-params in its own order accepts this; it must not.
    inner_kc, _ = sigs["keyid-created"]
    _, sig_ck = sigs["created-keyid"]
    s = Signed("param-order-reordered-input", "ours: RFC 9421 §2.3, §3.2 step 7", REQ_LINE, REQ_HEADERS,
               REQ_BODY, "sig-po", inner_kc, sig_ck, "test-key-ed25519", None, None,
               note="Signature-Input lists keyid before created, but the signature was made over created;keyid "
                    "(the RFC's B.2.6 signature): the base uses the received order, so this does not verify")
    cs.append(s.verify_case("", expect=err("verify.invalid_signature")))
    inner_ext, _ = sigs["created-keyid-ext"]
    _, sig_plain = sigs["created-keyid"]
    s = Signed("param-order-dropped-extension", "ours: RFC 9421 §2.3", REQ_LINE, REQ_HEADERS, REQ_BODY,
               "sig-po", inner_ext, sig_plain, "test-key-ed25519", None, None,
               note="Signature-Input carries ext=\"x\" but the signature was made without it: a verifier that drops "
                    "unknown parameters would accept this; it must not")
    cs.append(s.verify_case("", expect=err("verify.invalid_signature")))
    # RFC 9421 §2.3's serialized example: params keyid;alg;created;expires in that order.
    m = message("GET /foo HTTP/1.1", ["Host: www.example.com", "Date: Tue, 20 Apr 2021 02:07:56 GMT",
                                       "Cache-Control: max-age=60", "Cache-Control:    must-revalidate"])
    inner = unwrap('''("@target-uri" "@authority" "date" "cache-control")\\
  ;keyid="test-key-rsa-pss";alg="rsa-pss-sha512";\\
  created=1618884475;expires=1618884775''')
    base = ('"@target-uri": https://www.example.com/foo\n"@authority": www.example.com\n'
            '"date": Tue, 20 Apr 2021 02:07:56 GMT\n"cache-control": max-age=60, must-revalidate\n'
            '"@signature-params": ' + inner)
    cs.append(case("param-order-2.3-example-base", "ours: @signature-params value from RFC 9421 §2.3", "base", m,
                   {"base": base}, signature_input="sig1=" + inner, label="sig1",
                   note="the §2.3 example's parameter order (keyid;alg;created;expires) must be kept; "
                        "message built from the §2.1 example fields"))
    return cs


def main():
    os.makedirs(OUT, exist_ok=True)
    write("components.json", "RFC 9421 §2.1, §2.2 (plus ours: error cases)", components())
    write("appendix-b.json", "RFC 9421 Appendix B.2, B.3, §2.5, §3.1, §3.2", appendix_b())
    write("request-response.json", "RFC 9421 §2.4", request_response())
    write("multiple.json", "RFC 9421 §4.3", multiple())
    write("transformations.json", "RFC 9421 Appendix B.4", transformations())
    write("param-order.json", "ours: RFC 9421 §2.3, §2.5 (parameter order), signed with tools/sign_ed25519.py",
          param_order())


if __name__ == "__main__":
    main()
