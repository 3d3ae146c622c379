"""HMAC-SHA256 signatures of webhook bodies.

The signature covers ``"{timestamp}.{body}"``, so a captured request
cannot be replayed later with a fresh timestamp, and receivers reject
timestamps older than a few minutes.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["SIGNATURE_HEADER", "TIMESTAMP_HEADER", "sign"]

SIGNATURE_HEADER = "X-Statuspage-Signature"
TIMESTAMP_HEADER = "X-Statuspage-Timestamp"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """Return the signature header value, ``sha256=<hex digest>``."""
    signed = str(timestamp).encode() + b"." + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"sha256={digest}"
