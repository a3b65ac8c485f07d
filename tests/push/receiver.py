"""A browser's side of Web Push, written independently of the server: it makes a
subscription's keys, and it checks and opens what a push service received.

    receiver.py keys
        prints {"private": ..., "p256dh": ..., "auth": ...} (base64url)
    receiver.py open  (reads {"private", "auth", "body", "authorization", "origin"} on stdin)
        checks the VAPID token (RFC 8292: ES256 signed by the key in k=, aud the push
        service's origin, exp in the future and at most 24 hours ahead), decrypts the body
        (RFC 8291, aes128gcm) with http_ece, and prints the plaintext; exits 1 with the reason
        if anything is wrong.
"""

import base64
import json
import os
import sys
import time

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils


def b64d(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def keys():
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    raw = private.private_numbers().private_value.to_bytes(32, "big")
    print(json.dumps({"private": b64e(raw), "p256dh": b64e(public), "auth": b64e(os.urandom(16))}))


def fail(reason):
    print(reason, file=sys.stderr)
    sys.exit(1)


def check_vapid(authorization, origin):
    if not authorization.startswith("vapid "):
        fail(f"not a VAPID authorization: {authorization!r}")
    fields = dict(part.strip().split("=", 1) for part in authorization[len("vapid "):].split(","))
    token, k = fields.get("t", ""), fields.get("k", "")
    parts = token.split(".")
    if len(parts) != 3:
        fail("the token is not a JWT")
    header = json.loads(b64d(parts[0]))
    claims = json.loads(b64d(parts[1]))
    if header.get("alg") != "ES256":
        fail(f"the token is not ES256: {header}")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(k))
    signature = b64d(parts[2])
    if len(signature) != 64:
        fail("the signature is not 64 bytes of r and s")
    der = utils.encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    try:
        public.verify(der, f"{parts[0]}.{parts[1]}".encode(), ec.ECDSA(hashes.SHA256()))
    except Exception:
        fail("the token's signature does not verify with its key")
    if claims.get("aud") != origin:
        fail(f"aud {claims.get('aud')!r} is not the push service's origin {origin!r}")
    now = time.time()
    exp = claims.get("exp", 0)
    if not now < exp <= now + 24 * 3600 + 60:
        fail(f"exp {exp} is not within 24 hours from now ({now:.0f})")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        fail(f"sub {claims.get('sub')!r} is not a mailto: or https: contact")


def open_push():
    given = json.load(sys.stdin)
    check_vapid(given["authorization"], given["origin"])
    private = ec.derive_private_key(int.from_bytes(b64d(given["private"]), "big"), ec.SECP256R1())
    plain = http_ece.decrypt(
        b64d(given["body"]),
        private_key=private,
        auth_secret=b64d(given["auth"]),
        version="aes128gcm",
    )
    sys.stdout.write(plain.decode())


if __name__ == "__main__":
    {"keys": keys, "open": open_push}[sys.argv[1]]()
