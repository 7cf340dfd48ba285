"""Webhooks and the SMS/WeChat gateways: a JSON POST signed the Standard Webhooks way, retried on
5xx, 429 and network errors.

Webhook receivers get ``{"notification_id", "guardian_id", "child_id", "text", "safety", "language"}``
(``child_id`` is null in an address's confirmation code)
at the URL the guardian registered, signed with that endpoint's own key, over a connection to a
checked public address of the URL's host (see ``addresses``). Gateways get the contract in
docs/gateway-contract.md, signed with the gateway key. Both get the notification id as
``webhook-id`` and ``Idempotency-Key`` so that a retried delivery can be recognised.

Redirects are not followed and at most ``MAX_ANSWER_BYTES`` of an answer are read; the
dispatcher puts a deadline on the whole send.
"""

from __future__ import annotations

import json

import httpx

from services.notify.channels import UNREACHABLE, Delivery, DeliveryFailed
from services.notify.channels.addresses import AddressRefused, Reach, Target, resolve
from services.notify.channels.signing import Key, signed_headers

PERMANENT = {400, 401, 403, 404, 410, 413, 422}
MAX_ANSWER_BYTES = 16 * 1024


class WebhookPost:
    """A guardian's registered webhook endpoint."""

    def __init__(self, *, reach: Reach, timeout_s: float) -> None:
        self.reach, self.timeout_s = reach, timeout_s

    async def send(self, d: Delivery) -> str:
        if d.secret is None:
            raise DeliveryFailed(
                "no webhook endpoint is registered at this address",
                retry=False,
                reason="this webhook is no longer registered",
            )
        try:
            target = await resolve(d.address, self.reach)
        except AddressRefused as exc:
            raise DeliveryFailed(
                f"address refused at send time: {exc.reason}",
                retry=False,
                reason="the receiver's address is not allowed",
            ) from exc
        payload = {
            "notification_id": str(d.notification_id),
            "guardian_id": str(d.guardian_id),
            "child_id": str(d.child_id) if d.child_id else None,
            "text": d.body,
            "safety": d.safety,
            "language": d.language,
        }
        return _receipt(await _post(d.address, payload, str(d.notification_id), d.secret, self.timeout_s, target))


class GatewayPost:
    """An SMS or WeChat gateway speaking docs/gateway-contract.md."""

    def __init__(self, *, url: str, secret: str, timeout_s: float) -> None:
        self.url, self.key, self.timeout_s = f"{url.rstrip('/')}/v1/messages", secret.encode(), timeout_s

    async def send(self, d: Delivery) -> str:
        payload = {"to": d.address, "text": d.body, "channel": d.kind}
        status = await _post(self.url, payload, str(d.notification_id), self.key, self.timeout_s)
        return "409 already accepted" if status == 409 else _receipt(status)


def _receipt(status: int) -> str:
    if 200 <= status < 300:
        return str(status)
    # Redirects are not followed and count as a refusal: the receiver's address is wrong.
    raise DeliveryFailed(
        f"HTTP {status}",
        retry=status not in PERMANENT and not 300 <= status < 400,
        reason="the receiver refused the message",
    )


async def _post(
    url: str, payload: dict, message_id: str, key: Key, timeout_s: float, pinned: Target | None = None
) -> int:
    """POST, connecting to ``pinned``'s first address when given; the answer's status."""
    text = json.dumps(payload, ensure_ascii=False)
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": message_id,
        **signed_headers(key, message_id, text),
    }
    extensions = {}
    if pinned is not None:  # the checked address, keeping the name for Host, SNI and the certificate
        headers["Host"] = httpx.URL(url).netloc.decode()
        extensions["sni_hostname"] = pinned.host
        url = str(httpx.URL(url).copy_with(host=str(pinned.addresses[0])))
    try:
        async with (
            httpx.AsyncClient(timeout=timeout_s, follow_redirects=False, trust_env=pinned is None) as http,
            http.stream("POST", url, content=text.encode(), headers=headers, extensions=extensions) as answer,
        ):
            read = 0
            async for chunk in answer.aiter_raw():
                read += len(chunk)
                if read >= MAX_ANSWER_BYTES:
                    break
            return answer.status_code
    except httpx.HTTPError as exc:
        raise DeliveryFailed(f"{type(exc).__name__}: {exc}", reason=UNREACHABLE) from exc
