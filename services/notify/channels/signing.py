"""Standard Webhooks signatures (https://www.standardwebhooks.com), as webhooks and gateways receive them.

    webhook-id: <notification id>
    webhook-timestamp: <unix seconds>
    webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<timestamp>.<body>")>

Each webhook endpoint has its own key, ``whsec_<base64>``, which notify generates when the
endpoint is registered and shows once. The SMS/WeChat gateways share one key: the UTF-8 bytes
of ``NOTIFY_GATEWAY_SECRET``. A receiver verifies with any Standard Webhooks library, which
compares in constant time and refuses timestamps more than five minutes away.
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

Key = str | bytes  # "whsec_..." for an endpoint, raw bytes for the gateways


def new_secret() -> str:
    """A fresh endpoint key, in the Standard Webhooks form."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def signed_headers(key: Key, message_id: str, body: str) -> dict[str, str]:
    now = dt.datetime.now(dt.UTC)
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(key).sign(message_id, now, body),
    }


def verify(key: Key, headers: dict[str, str], body: bytes) -> bool:
    try:
        Webhook(key).verify(body, headers, json_parse=False)
    except (WebhookVerificationError, ValueError):
        return False
    return True
