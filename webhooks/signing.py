"""Signing a delivery the way Stripe signs its webhooks, and checking such a signature.

    TheMentors-Signature: t=1733410000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd

`v1` is the hex HMAC-SHA256 of f"{t}.{body}" with the endpoint's secret; after the secret is
rolled there is one `v1` per secret still valid. A receiver recomputes it from the raw body and
refuses a timestamp older than a few minutes (a replay): docs/design/mentor-webhooks.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

HEADER = "TheMentors-Signature"
TOLERANCE_SECONDS = 300


def body_bytes(payload: dict) -> bytes:
    """The exact bytes sent: the same on every attempt, whatever order the database keeps keys in."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(*, secrets: list[str], timestamp: int, body: bytes) -> str:
    parts = [f"t={timestamp}"] + [
        f"v1={signature(secret=s, timestamp=timestamp, body=body)}" for s in secrets
    ]
    return ",".join(parts)


def verify(*, header: str, body: bytes, secret: str, tolerance: int = TOLERANCE_SECONDS, now=None) -> bool:
    """Whether `header` signs `body` with `secret`, made within `tolerance` seconds (a receiver's
    check; the docs show the same few lines)."""
    items = [part.split("=", 1) for part in header.split(",") if "=" in part]
    timestamps = [value for key, value in items if key == "t"]
    if len(timestamps) != 1 or not timestamps[0].isdigit():
        return False
    timestamp = int(timestamps[0])
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    expected = signature(secret=secret, timestamp=timestamp, body=body)
    return any(hmac.compare_digest(expected, value) for key, value in items if key == "v1")
