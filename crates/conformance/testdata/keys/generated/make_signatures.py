#!/usr/bin/env python3
"""Writes ../signatures.json. Run from this directory (needs Python `cryptography`).

RFC 9421 cases: base and signature transcribed from RFC 9421 Appendix B.2 (RFC 8792 line
folding undone by `unfold`). RFC 8037 case: Appendix A.4/A.5. "ours" cases: signatures
made with the OpenSSL 3.0 CLI (commands in ../README.md, outputs are the *.sig files here);
this script only converts DER ECDSA to raw r||s (with `cryptography`) and base64-encodes.
Every case is checked here with Python `cryptography` before it is written.
"""
import base64, json, re
from cryptography.hazmat.primitives import serialization, hashes, hmac
from cryptography.hazmat.primitives.asymmetric import padding, ec, utils

def unfold(s):  # RFC 8792 Section 7 single-backslash strategy
    return re.sub(r'\\\n *', '', s)

B21 = '"@signature-params": ();created=1618884473;keyid="test-key-rsa-pss";nonce="b3k2pp5k7z-50gnwp.yemd"'
S21 = unfold('''d2pmTvmbncD3xQm8E9ZV2828BjQWGgiwAaw5bAkgibUopem\\
  LJcWDy/lkbbHAve4cRAtx31Iq786U7it++wgGxbtRxf8Udx7zFZsckzXaJMkA7ChG\\
  52eSkFxykJeNqsrWH5S+oxNFlD4dzVuwe8DhTSja8xxbR/Z2cOGdCbzR72rgFWhzx\\
  2VjBqJzsPLMIQKhO4DGezXehhWwE56YCE+O6c0mKZsfxVrogUvA4HELjVKWmAvtl6\\
  UnCh8jYzuVG5WSb/QEVPnP5TmcAnLH1g+s++v6d4s8m0gCw1fV5/SITLq9mhho8K3\\
  +7EPYTU8IU1bLhdxO5Nyt8C8ssinQ98Xw9Q==''')
B22 = unfold('''"@authority": example.com
"content-digest": sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX\\
  +TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:
"@query-param";name="Pet": dog
"@signature-params": ("@authority" "content-digest" \\
  "@query-param";name="Pet")\\
  ;created=1618884473;keyid="test-key-rsa-pss"\\
  ;tag="header-example"''')
S22 = unfold('''LjbtqUbfmvjj5C5kr1Ugj4PmLYvx9wVjZvD9GsTT4F7GrcQ\\
  EdJzgI9qHxICagShLRiLMlAJjtq6N4CDfKtjvuJyE5qH7KT8UCMkSowOB4+ECxCmT\\
  8rtAmj/0PIXxi0A0nxKyB09RNrCQibbUjsLS/2YyFYXEu4TRJQzRw1rLEuEfY17SA\\
  RYhpTlaqwZVtR8NV7+4UKkjqpcAoFqWFQh62s7Cl+H2fjBSpqfZUJcsIk4N6wiKYd\\
  4je2U/lankenQ99PZfB4jY3I5rSV2DSBVkSFsURIjYErOs0tFTQosMTAoxk//0RoK\\
  UqiYY8Bh0aaUEb0rQl3/XaVe4bXTugEjHSw==''')
B23 = unfold('''"date": Tue, 20 Apr 2021 02:07:55 GMT
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
  ;created=1618884473;keyid="test-key-rsa-pss"''')
S23 = unfold('''bbN8oArOxYoyylQQUU6QYwrTuaxLwjAC9fbY2F6SVWvh0yB\\
  iMIRGOnMYwZ/5MR6fb0Kh1rIRASVxFkeGt683+qRpRRU5p2voTp768ZrCUb38K0fU\\
  xN0O0iC59DzYx8DFll5GmydPxSmme9v6ULbMFkl+V5B1TP/yPViV7KsLNmvKiLJH1\\
  pFkh/aYA2HXXZzNBXmIkoQoLd7YfW91kE9o/CCoC1xMy7JA1ipwvKvfrs65ldmlu9\\
  bpG6A9BmzhuzF8Eim5f8ui9eH8LZH896+QIF61ka39VBrohr9iyMUJpvRX2Zbhl5Z\\
  JzSRxpJyoEZAFL2FUo5fTIztsDZKEgM4cUA==''')
B24 = unfold('''"@status": 200
"content-type": application/json
"content-digest": sha-512=:mEWXIS7MaLRuGgxOBdODa3xqM1XdEvxoYhvlCFJ4\\
  1QJgJc4GTsPp29l5oGX69wWdXymyU0rjJuahq4l5aGgfLQ==:
"content-length": 23
"@signature-params": ("@status" "content-type" "content-digest" \\
  "content-length");created=1618884473;keyid="test-key-ecc-p256"''')
S24 = unfold('''wNmSUAhwb5LxtOtOpNa6W5xj067m5hFrj0XQ4fvpaCLx0NK\\
  ocgPquLgyahnzDnDAUy5eCdlYUEkLIj+32oiasw==''')
B25 = unfold('''"date": Tue, 20 Apr 2021 02:07:55 GMT
"@authority": example.com
"content-type": application/json
"@signature-params": ("date" "@authority" "content-type")\\
  ;created=1618884473;keyid="test-shared-secret"''')
S25 = 'pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8='
B26 = unfold('''"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@authority": example.com
"content-type": application/json
"content-length": 18
"@signature-params": ("date" "@method" "@path" "@authority" \\
  "content-type" "content-length");created=1618884473\\
  ;keyid="test-key-ed25519"''')
S26 = unfold('''wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1\\
  u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==''')
# RFC 8037 Appendix A.4 (JWS Signing Input) and A.5 (signature, base64url)
B8037 = 'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc'
S8037 = 'hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg'

def b64(b): return base64.b64encode(b).decode()
def sig(name): return open(name, 'rb').read()
def der_to_raw(der, n):
    r, s = utils.decode_dss_signature(der)
    return r.to_bytes(n, 'big') + s.to_bytes(n, 'big')

K = '../'
def pub(path): return serialization.load_pem_public_key(open(K + path, 'rb').read())
def pss(h, salt): return padding.PSS(mgf=padding.MGF1(h), salt_length=salt)

def case(name, source, algorithm, verify_key, base, signature, expect, sign_key=None,
         deterministic=False, encoding='base64'):
    c = dict(name=name, source=source, algorithm=algorithm, verify_key=verify_key,
             sign_key=sign_key, base=base, signature=signature, signature_encoding=encoding,
             expect=expect, deterministic=deterministic)
    return c

cases = []
R = 'RFC 9421 Appendix B.2.%s: signature base and Signature value as printed (RFC 8792 folding undone)'
for n, b, s in (('1', B21, S21), ('2', B22, S22), ('3', B23, S23)):
    pub('test-key-rsa-pss.pub.pem').verify(base64.b64decode(s), b.encode(), pss(hashes.SHA512(), 64), hashes.SHA512())
    cases.append(case('rfc9421-b2.%s-rsa-pss-sha512' % n, R % n, 'rsa-pss-sha512', 'test-key-rsa-pss.pub.pem', b, s, 'valid', 'test-key-rsa-pss.pem'))
raw = base64.b64decode(S24)
pub('test-key-ecc-p256.pub.pem').verify(utils.encode_dss_signature(int.from_bytes(raw[:32], 'big'), int.from_bytes(raw[32:], 'big')), B24.encode(), ec.ECDSA(hashes.SHA256()))
cases.append(case('rfc9421-b2.4-ecdsa-p256-sha256', R % '4', 'ecdsa-p256-sha256', 'test-key-ecc-p256.pub.pem', B24, S24, 'valid', 'test-key-ecc-p256.pem'))
h = hmac.HMAC(base64.b64decode(open(K + 'test-shared-secret.txt').read()), hashes.SHA256()); h.update(B25.encode())
assert h.finalize() == base64.b64decode(S25)
cases.append(case('rfc9421-b2.5-hmac-sha256', R % '5', 'hmac-sha256', 'test-shared-secret.txt', B25, S25, 'valid', 'test-shared-secret.txt', True))
edk = serialization.load_pem_private_key(open(K + 'test-key-ed25519.pem', 'rb').read(), None)
assert edk.sign(B26.encode()) == base64.b64decode(S26)
cases.append(case('rfc9421-b2.6-ed25519', R % '6', 'ed25519', 'test-key-ed25519.pub.pem', B26, S26, 'valid', 'test-key-ed25519.pem', True))
cases.append(case('rfc8037-a5-jws-eddsa', 'RFC 8037 Appendix A.4 (JWS Signing Input) and A.5 (signature); key RFC 8037 Appendix A.1',
                  'jws:EdDSA', 'rfc8037-a1-ed25519.jwk.json', B8037, S8037, 'valid', 'rfc8037-a1-ed25519.jwk.json', True, 'base64url'))

O = 'ours: %s (OpenSSL 3.0.19 CLI; command in README.md; checked with Python cryptography)'
s = sig('pss-64.sig'); pub('test-key-rsa-pss.pub.pem').verify(s, B21.encode(), pss(hashes.SHA512(), 64), hashes.SHA512())
cases.append(case('openssl-rsa-pss-sha512-salt64', O % 'generated/pss-64.sig, test-key-rsa-pss, salt length 64, over the B.2.1 base', 'rsa-pss-sha512', 'test-key-rsa-pss.pub.pem', B21, b64(s), 'valid'))
s = sig('pss-max.sig'); pub('test-key-rsa-pss.pub.pem').verify(s, B21.encode(), pss(hashes.SHA512(), 190), hashes.SHA512())
cases.append(case('openssl-rsa-pss-sha512-saltmax', O % 'generated/pss-max.sig, test-key-rsa-pss, rsa_pss_saltlen:max (190 bytes), over the B.2.1 base; not an RFC 9421 signature (salt must be 64)', 'rsa-pss-sha512', 'test-key-rsa-pss.pub.pem', B21, b64(s), 'invalid'))
s = sig('rsa-v15.sig'); pub('test-key-rsa.pub.pem').verify(s, B25.encode(), padding.PKCS1v15(), hashes.SHA256())
cases.append(case('openssl-rsa-v1_5-sha256-test-key-rsa', O % 'generated/rsa-v15.sig, test-key-rsa (which ring cannot sign with), over the B.2.5 base', 'rsa-v1_5-sha256', 'test-key-rsa.pub.pem', B25, b64(s), 'valid'))
s = sig('ecdsa-der.sig'); pub('test-key-ecc-p256.pub.pem').verify(s, B24.encode(), ec.ECDSA(hashes.SHA256()))
cases.append(case('openssl-ecdsa-p256-der', O % 'generated/ecdsa-der.sig, test-key-ecc-p256, DER (ASN.1) encoded, over the B.2.4 base; RFC 9421 requires raw r||s', 'ecdsa-p256-sha256', 'test-key-ecc-p256.pub.pem', B24, b64(s), 'invalid'))
cases.append(case('openssl-ecdsa-p256-der-as-raw', O % 'generated/ecdsa-der.sig converted to raw r||s, over the B.2.4 base', 'ecdsa-p256-sha256', 'test-key-ecc-p256.pub.pem', B24, b64(der_to_raw(s, 32)), 'valid'))
s = sig('p384-der.sig'); pub('generated/ecc-p384.pub.pem').verify(s, B24.encode(), ec.ECDSA(hashes.SHA384()))
cases.append(case('openssl-ecdsa-p384-raw', O % 'generated/p384-der.sig converted to raw r||s, generated/ecc-p384, over the B.2.4 base', 'ecdsa-p384-sha384', 'generated/ecc-p384.pub.pem', B24, b64(der_to_raw(s, 48)), 'valid'))
cases.append(case('openssl-ecdsa-p384-der', O % 'generated/p384-der.sig, DER encoded, over the B.2.4 base', 'ecdsa-p384-sha384', 'generated/ecc-p384.pub.pem', B24, b64(s), 'invalid'))
s = sig('ps256.sig'); pub('generated/rsa-2048.pub.pem').verify(s, B26.encode(), pss(hashes.SHA256(), 32), hashes.SHA256())
cases.append(case('openssl-jws-ps256', O % 'generated/ps256.sig, generated/rsa-2048, PSS SHA-256 salt 32, over the B.2.6 base', 'jws:PS256', 'generated/rsa-2048.pub.pem', B26, b64(s), 'valid'))
cases.append(case('openssl-jws-ps256-as-rsa-pss-sha512', O % 'generated/ps256.sig checked as rsa-pss-sha512: wrong hash', 'rsa-pss-sha512', 'generated/rsa-2048.pub.pem', B26, b64(s), 'invalid'))
s = sig('rs256.sig'); pub('generated/rsa-2048.pub.pem').verify(s, B26.encode(), padding.PKCS1v15(), hashes.SHA256())
cases.append(case('openssl-jws-rs256', O % 'generated/rs256.sig, generated/rsa-2048, PKCS#1 v1.5 SHA-256, over the B.2.6 base', 'jws:RS256', 'generated/rsa-2048.pub.pem', B26, b64(s), 'valid'))
cases.append(case('openssl-rs256-as-rsa-v1_5-sha256', O % 'generated/rs256.sig checked as rsa-v1_5-sha256 (same primitive as JWS RS256)', 'rsa-v1_5-sha256', 'generated/rsa-2048.pub.pem', B26, b64(s), 'valid'))

for c in cases:
    if c['sign_key'] is None: del c['sign_key']
doc = {
    'description': 'Signature vectors for the key/crypto layer. Keys are file names relative to this directory. '
                   'algorithm: an RFC 9421 Section 6.2 name, or "jws:<JWS alg>" for RFC 9421 Section 3.3.7. '
                   'expect "valid": verify must succeed (and every one-bit flip of base or signature must fail); '
                   '"invalid": verify must fail. deterministic: signing base with sign_key must reproduce signature exactly. '
                   'Made by generated/make_signatures.py, which checks every case with Python cryptography.',
    'cases': cases,
}
with open('../signatures.json', 'w') as f:
    json.dump(doc, f, indent=2); f.write('\n')
print(len(cases), 'cases')
