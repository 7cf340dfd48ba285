"""HMAC-SHA256 signatures over a timestamp and the exact body, as webhooks and gateways receive them.

    X-Tuoguan-Timestamp: <unix seconds>
    X-Tuoguan-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>

A receiver recomputes the HMAC with the shared secret, compares in constant time, and refuses
timestamps more than five minutes old (replays).
"""

from __future__ import annotations

import hashlib
import hmac
import time

MAX_AGE_S = 300


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes) -> dict[str, str]:
    timestamp = str(int(time.time()))
    return {"X-Tuoguan-Timestamp": timestamp, "X-Tuoguan-Signature": signature(secret, timestamp, body)}


def verify(secret: str, headers: dict[str, str], body: bytes, now: float | None = None) -> bool:
    timestamp = headers.get("x-tuoguan-timestamp", "")
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > MAX_AGE_S:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), headers.get("x-tuoguan-signature", ""))
