#!/usr/bin/env python3
"""Ed25519 signatures over hand-written RFC 9421 signature bases.

Used for the parameter-order vectors in ../rfc9421/param-order.json: the bases there
are written by hand following RFC 9421 §2.3 and §2.5 (the `@signature-params` line
keeps the parameters in the order the signer chose), and this script only signs them
with the RFC's `test-key-ed25519` (RFC 9421 Appendix B.1.4). It is an independent
implementation (Python `cryptography`), never our Rust code.

Ed25519 is deterministic, so rerunning this script must reproduce the committed
signatures byte for byte.

Usage (from the repository root):

    python3 -m venv .venv && .venv/bin/pip install cryptography
    # sign one base read from a file or stdin, print standard base64:
    .venv/bin/python crates/conformance/testdata/tools/sign_ed25519.py base.txt
    # self-test against RFC 9421 Appendix B.2.6:
    .venv/bin/python crates/conformance/testdata/tools/sign_ed25519.py --self-test
    # the generator (gen_rfc9421.py) imports `sign` to build param-order.json.
"""

import base64
import sys

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

# RFC 9421 Appendix B.1.4, JWK member "d" of test-key-ed25519 (base64url, no padding).
TEST_KEY_ED25519_D = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU"
# The matching public key "x", checked below so a typo in "d" cannot go unnoticed.
TEST_KEY_ED25519_X = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key() -> Ed25519PrivateKey:
    key = Ed25519PrivateKey.from_private_bytes(_b64url_decode(TEST_KEY_ED25519_D))
    x = base64.urlsafe_b64encode(key.public_key().public_bytes_raw()).rstrip(b"=").decode()
    if x != TEST_KEY_ED25519_X:
        raise SystemExit(f"test-key-ed25519: derived x {x} does not match the RFC")
    return key


def sign(base: str) -> str:
    """Sign an RFC 9421 signature base (ASCII, no trailing newline); return base64."""
    if base.endswith("\n"):
        raise ValueError("a signature base has no trailing newline (RFC 9421 §2.5)")
    return base64.b64encode(_key().sign(base.encode("ascii"))).decode()


# RFC 9421 Appendix B.2.6, signature base and signature as printed (RFC 8792 unwrapped).
_B26_BASE = (
    '"date": Tue, 20 Apr 2021 02:07:55 GMT\n'
    '"@method": POST\n'
    '"@path": /foo\n'
    '"@authority": example.com\n'
    '"content-type": application/json\n'
    '"content-length": 18\n'
    '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" '
    '"content-length");created=1618884473;keyid="test-key-ed25519"'
)
_B26_SIG = "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw=="


def self_test() -> None:
    got = sign(_B26_BASE)
    if got != _B26_SIG:
        raise SystemExit(f"self-test failed: B.2.6 gave {got}")
    print("ok: reproduces RFC 9421 B.2.6")


def main(argv: list) -> None:
    if argv[1:] == ["--self-test"]:
        self_test()
        return
    if len(argv) == 2:
        with open(argv[1], encoding="ascii") as f:
            base = f.read()
    else:
        base = sys.stdin.read()
    print(sign(base))


if __name__ == "__main__":
    main(sys.argv)
