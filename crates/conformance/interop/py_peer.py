#!/usr/bin/env python3
"""Interop peer driver for the Python package `http-message-signatures` (PyPI).

Run with the venv made by scripts/setup-interop.sh (.interop/venv/bin/python). Used by
crates/conformance/tests/interop.rs; one process handles a whole batch of jobs.

    py_peer.py batch   < jobs.json   > results.json   (a JSON array in, a JSON array out)
    py_peer.py sign    < job.json                      (one job: prints Signature-Input and Signature)
    py_peer.py verify  < job.json                      (one job: prints "ok" or "error: ...")

A job: {"id", "op": "sign"|"verify", "alg", "keyid", "key": {"private"|"public": PEM path,
"secret_base64": str}, "message": {"method", "target_uri", "headers": [[name, value], ...],
"body"?} or {"status", "headers"}, "request"? (for ;req), "components": [serialized component
identifiers], "params": ["created" | "keyid" | "alg" | [name, value]], "created": int, "label",
and for verify "signature_input" / "signature" (the field values)}.

A result: {"id", "ok", "error"?, "signature_input"?, "signature"?, "base"?}. "base" is the
library's own signature base where its public API exposes one (`HTTPMessageSigner.prepare`);
its @signature-params line is the library's own choice of parameter order, so callers compare
only the component lines.

Only the library's documented public API is used.
"""

import base64
import datetime
import json
import sys

import http_message_signatures as hms
from http_message_signatures import algorithms

ALGS = {
    "ed25519": algorithms.ED25519,
    "ecdsa-p256-sha256": algorithms.ECDSA_P256_SHA256,
    "ecdsa-p384-sha384": algorithms.ECDSA_P384_SHA384,
    "rsa-pss-sha512": algorithms.RSA_PSS_SHA512,
    "rsa-v1_5-sha256": algorithms.RSA_V1_5_SHA256,
    "hmac-sha256": algorithms.HMAC_SHA256,
}


class Headers:
    """Field lines in message order; the library reads them through items()."""

    def __init__(self, lines):
        self.lines = [(str(n), str(v)) for n, v in lines]

    def items(self):
        return list(self.lines)

    def __iter__(self):
        return iter(dict.fromkeys(n for n, _ in self.lines))

    def __contains__(self, name):
        return any(n.lower() == name.lower() for n, _ in self.lines)

    def __getitem__(self, name):
        values = [v for n, v in self.lines if n.lower() == name.lower()]
        if not values:
            raise KeyError(name)
        return ", ".join(values)

    def __setitem__(self, name, value):
        self.__delitem__(name)
        self.lines.append((name, value))

    def __delitem__(self, name):
        self.lines = [(n, v) for n, v in self.lines if n.lower() != name.lower()]

    def get_all(self, name):
        return [v for n, v in self.lines if n.lower() == name.lower()]


class Request:
    def __init__(self, m):
        self.method = m["method"]
        self.url = m["target_uri"]
        self.headers = Headers(m["headers"])


class Response:
    def __init__(self, m, request):
        self.status_code = m["status"]
        self.headers = Headers(m["headers"])
        self.request = request


def build_message(job):
    request = Request(job["request"]) if job.get("request") else None
    m = job["message"]
    if "status" in m:
        return Response(m, request)
    return Request(m)


def keys(job):
    k = job["key"]
    if "secret_base64" in k:
        secret = base64.b64decode(k["secret_base64"])
        return secret, secret
    priv = open(k["private"], "rb").read() if k.get("private") else None
    pub = open(k["public"], "rb").read() if k.get("public") else None
    return priv, pub


def sign_kwargs(job):
    kw = {"key_id": job["keyid"], "include_alg": False, "label": job.get("label", "sig1")}
    for p in job["params"]:
        name, value = (p, None) if isinstance(p, str) else (p[0], p[1])
        if name == "created":
            kw["created"] = datetime.datetime.fromtimestamp(job["created"], tz=datetime.timezone.utc)
        elif name == "alg":
            kw["include_alg"] = True
        elif name in ("tag", "nonce"):
            kw[name] = value
        elif name != "keyid":
            raise ValueError(f"unsupported parameter {name}")
    return kw


def body_of(job):
    b = job["message"].get("body")
    return None if b is None else b.encode()


def do_sign(job):
    alg = ALGS[job["alg"]]
    priv, pub = keys(job)
    resolver = hms.MappingKeyResolver(public_keys={job["keyid"]: pub}, private_keys={job["keyid"]: priv})
    signer = hms.HTTPMessageSigner(signature_algorithm=alg, key_resolver=resolver)
    msg = build_message(job)
    kw = sign_kwargs(job)
    body = body_of(job)
    extra = {"body": body, "use_existing_digest": True} if body is not None else {}
    prepared = signer.prepare(msg, covered_component_ids=job["components"], **kw, **extra)
    signer.sign(msg, covered_component_ids=job["components"], **kw, **extra)
    return {
        "ok": True,
        "signature_input": msg.headers["Signature-Input"],
        "signature": msg.headers["Signature"],
        "base": prepared.signature_base.decode(),
    }


def do_verify(job):
    alg = ALGS[job["alg"]]
    priv, pub = keys(job)
    msg = build_message(job)
    base = None
    try:
        # Our base for the same components, to name a differing line (parameter order is the library's).
        signer = hms.HTTPMessageSigner(signature_algorithm=alg)
        kw = sign_kwargs(job)
        body = body_of(job)
        extra = {"body": body, "use_existing_digest": True} if body is not None else {}
        base = signer.prepare(msg, covered_component_ids=job["components"], **kw, **extra).signature_base.decode()
    except Exception as e:  # noqa: BLE001 - reported, not fatal
        base = None
        base_error = f"{type(e).__name__}: {e}"
    else:
        base_error = None
    msg.headers.lines.append(("Signature-Input", job["signature_input"]))
    msg.headers.lines.append(("Signature", job["signature"]))
    resolver = hms.MappingKeyResolver(public_keys={job["keyid"]: pub}, private_keys={})
    verifier = hms.HTTPMessageVerifier(signature_algorithm=alg, key_resolver=resolver)
    try:
        verifier.verify(msg, max_age=None, body=body_of(job))
        return {"ok": True, "base": base}
    except Exception as e:  # noqa: BLE001 - the verdict is the point
        out = {"ok": False, "error": f"{type(e).__name__}: {e}", "base": base}
        if base_error:
            out["base_error"] = base_error
        return out


def run(job):
    try:
        result = do_sign(job) if job["op"] == "sign" else do_verify(job)
    except Exception as e:  # noqa: BLE001 - a peer failure is a result
        result = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    result["id"] = job["id"]
    return result


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "batch"
    data = json.load(sys.stdin)
    if mode == "batch":
        json.dump([run(j) for j in data], sys.stdout)
        return
    data["op"] = mode
    r = run(data)
    if mode == "sign" and r["ok"]:
        print(f"Signature-Input: {r['signature_input']}\nSignature: {r['signature']}")
    elif r["ok"]:
        print("ok")
    else:
        print(f"error: {r['error']}")
        sys.exit(1)


if __name__ == "__main__":
    main()
