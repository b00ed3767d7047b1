"""Request signing shared by the kiosk's central client and the reference central API.

Every request after enrollment carries four headers::

    X-Device-Id:  the id the central API issued at enrollment
    X-Timestamp:  Unix seconds (integer) when the request was signed
    X-Nonce:      32 random hex characters, never reused by this device
    X-Signature:  hex HMAC-SHA256(secret, canonical string)

and the canonical string is ``METHOD\\nPATH?QUERY\\nTIMESTAMP\\nNONCE\\nSHA256(BODY) hex``. Signing the
body hash (not the body) keeps large attachments cheap; signing the nonce stops a captured request
from being replayed under a fresh nonce. The server rejects a timestamp outside its skew window
and a nonce it has seen (see :mod:`central_api.app`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping

DEVICE_HEADER = "X-Device-Id"
TIMESTAMP_HEADER = "X-Timestamp"
NONCE_HEADER = "X-Nonce"
SIGNATURE_HEADER = "X-Signature"
SIGNED_HEADERS = (DEVICE_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)
DEFAULT_SKEW_SECONDS = 300


def body_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def canonical_string(method: str, path: str, timestamp: str, nonce: str, body_hash: str) -> str:
    """What is signed; ``path`` includes the query string (``/v1/catalog?x=1``) when there is one."""
    return "\n".join((method.upper(), path, timestamp, nonce, body_hash))


def signature(secret: str, method: str, path: str, timestamp: str, nonce: str, body_hash: str) -> str:
    message = canonical_string(method, path, timestamp, nonce, body_hash).encode("utf-8")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def sign_headers(device_id: str, secret: str, method: str, path: str, body: bytes, *,
                 now: float | None = None, nonce: str | None = None) -> dict[str, str]:
    """The four headers for one request; a fresh nonce each call unless one is given (tests)."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = nonce or secrets.token_hex(16)
    return {
        DEVICE_HEADER: device_id,
        TIMESTAMP_HEADER: timestamp,
        NONCE_HEADER: nonce,
        SIGNATURE_HEADER: signature(secret, method, path, timestamp, nonce, body_sha256(body)),
    }


def signature_matches(secret: str, method: str, path: str, headers: Mapping[str, str], body_hash: str) -> bool:
    """Constant-time check of the signature header against the request (``body_hash``: hex SHA-256)."""
    expected = signature(secret, method, path, headers.get(TIMESTAMP_HEADER, ""), headers.get(NONCE_HEADER, ""),
                         body_hash)
    # as bytes: compare_digest refuses a str with non-ASCII characters (TypeError, an answer 500)
    return hmac.compare_digest(expected.encode(), headers.get(SIGNATURE_HEADER, "").encode("utf-8", "replace"))
