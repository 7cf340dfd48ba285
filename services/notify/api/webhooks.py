"""A guardian's webhook endpoints: register an https URL on the public internet, get its signing
key once, list and remove endpoints. A new endpoint gets only a confirmation code until the
guardian confirms it (see ``addresses``)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from services.notify.api import _ensure_self
from services.notify.channels.addresses import AddressRefused, resolve
from services.notify.channels.signing import new_secret
from services.notify.db import addresses, webhooks
from shared.auth import Caller
from shared.errors import Conflict, Invalid, NotFound
from shared.principal import forbidden
from shared.service import ServiceRuntime

router = APIRouter(tags=["webhooks"])
LOOKUP_TIMEOUT_S = 5.0


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(min_length=1, max_length=320, description="An https URL on the public internet")


def _refused(reason: str) -> Invalid:
    return Invalid(reason, field="url")


@router.post(
    "/guardians/{guardian_id}/webhooks",
    status_code=201,
    summary="Register a webhook endpoint; the answer holds its signing key, shown this once",
)
async def register_webhook(
    guardian_id: uuid.UUID, body: WebhookIn, rt: ServiceRuntime, caller: Caller
) -> dict[str, Any]:
    # Pick-up codes travel to the webhooks in clear: an endpoint is the guardian's own to add, never an admin's.
    if caller.role != "parent":
        raise forbidden("only the guardian registers their webhook endpoints")
    _ensure_self(caller, guardian_id)
    try:
        async with asyncio.timeout(LOOKUP_TIMEOUT_S):
            await resolve(body.url, rt.settings.webhook_reach)
    except AddressRefused as refused:
        raise _refused(refused.reason) from None
    except TimeoutError:
        raise _refused("the address's host name could not be resolved in time") from None
    most, secret = rt.settings.max_addresses_per_kind, new_secret()
    async with rt.pool.acquire() as tx, tx.transaction():
        await addresses.lock_guardians(tx, [guardian_id])
        known = {e["url"] for e in await webhooks.endpoints(tx, guardian_id)}
        if body.url not in known and await addresses.count(tx, guardian_id, "webhook") >= most:
            raise Conflict(f"a guardian can have at most {most} webhook endpoints; remove one first", field="url")
        webhook_id = await webhooks.register(tx, guardian_id, body.url, secret)
        address = await addresses.add(tx, guardian_id, "webhook", body.url)
    return {
        "webhook_id": webhook_id,
        "url": body.url,
        "secret": secret,
        "address_id": address["address_id"],
        "state": address["state"],
        "note": "keep the secret: it verifies our signatures (Standard Webhooks) and is not shown again. "
        "A new endpoint gets only a confirmation code until you confirm it "
        f"(POST /guardians/{guardian_id}/addresses/{address['address_id']}/confirmation)",
    }


@router.get("/guardians/{guardian_id}/webhooks", summary="A guardian's webhook endpoints (without their keys)")
async def read_webhooks(guardian_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    _ensure_self(caller, guardian_id)
    return {"guardian_id": guardian_id, "webhooks": await webhooks.endpoints(rt.pool, guardian_id)}


@router.delete(
    "/guardians/{guardian_id}/webhooks/{webhook_id}",
    status_code=204,
    summary="Remove a webhook endpoint; what is still due for it fails",
)
async def remove_webhook(guardian_id: uuid.UUID, webhook_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> None:
    _ensure_self(caller, guardian_id)
    async with rt.pool.acquire() as tx, tx.transaction():
        url = await webhooks.remove(tx, guardian_id, webhook_id)
        if url is None:
            raise NotFound("no such webhook endpoint", field="webhook_id")
        await addresses.forget(tx, guardian_id, "webhook", url)
