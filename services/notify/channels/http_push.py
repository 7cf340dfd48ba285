"""Webhooks and the SMS/WeChat gateways: a signed JSON POST, retried on 5xx, 429 and network errors.

Webhook receivers get ``{"notification_id", "guardian_id", "child_id", "text", "safety", "language"}``
at the guardian's URL. Gateways get the contract in docs/gateway-contract.md. Both get the
notification id in ``Idempotency-Key`` so a retried delivery can be recognised.
"""

from __future__ import annotations

import json

import httpx

from services.notify.channels import Delivery, DeliveryFailed
from services.notify.channels.signing import signed_headers

PERMANENT = {400, 401, 403, 404, 410, 413, 422}


class SignedPost:
    def __init__(self, *, secret: str, timeout_s: float, gateway_url: str | None = None) -> None:
        self.secret = secret
        self.timeout_s = timeout_s
        self.gateway_url = gateway_url

    def _request(self, d: Delivery) -> tuple[str, dict]:
        if self.gateway_url is None:  # a webhook: the address is the receiver's URL
            return d.address, {"notification_id": str(d.notification_id), "guardian_id": str(d.guardian_id),
                               "child_id": str(d.child_id), "text": d.body, "safety": d.safety,
                               "language": d.language}
        return f"{self.gateway_url.rstrip('/')}/v1/messages", {"to": d.address, "text": d.body, "channel": d.kind}

    async def send(self, delivery: Delivery) -> str:
        url, payload = self._request(delivery)
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": str(delivery.notification_id),
                   **signed_headers(self.secret, body)}
        try:
            async with httpx.AsyncClient(timeout=self.timeout_s) as http:
                answer = await http.post(url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"{type(exc).__name__}: {exc}") from exc
        if answer.status_code == 409 and self.gateway_url:  # the gateway already has this message
            return "409 already accepted"
        if answer.is_success:
            return f"{answer.status_code}"
        raise DeliveryFailed(f"HTTP {answer.status_code}", retry=answer.status_code not in PERMANENT)
