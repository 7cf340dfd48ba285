"""A guardian's webhook endpoints: an https URL on the public internet, checked before it is kept,
with a signing key shown once. A new endpoint is an unconfirmed address (see ``addresses``)."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from services.notify.access import ensure_registers_webhook, ensure_self
from services.notify.channels.addresses import AddressRefused, Reach, resolve
from services.notify.channels.signing import new_secret
from services.notify.db import addresses, webhooks
from shared.errors import Conflict, Invalid, NotFound
from shared.principal import Principal
from shared.uow import UnitOfWork

LOOKUP_TIMEOUT_S = 5.0


def _refused(reason: str) -> Invalid:
    return Invalid(reason, field="url")


async def check_webhook(caller: Principal, guardian_id: uuid.UUID, url: str, reach: Reach) -> None:
    """Whether ``caller`` may add ``url`` for the guardian: only the guardian, and only an https URL
    on the public internet. Checked before the transaction, since it resolves the host name."""
    ensure_registers_webhook(caller, guardian_id)
    try:
        async with asyncio.timeout(LOOKUP_TIMEOUT_S):
            await resolve(url, reach)
    except AddressRefused as refused:
        raise _refused(refused.reason) from None
    except TimeoutError:
        raise _refused("the address's host name could not be resolved in time") from None


async def register_webhook(uow: UnitOfWork, guardian_id: uuid.UUID, url: str, *, most: int) -> dict[str, Any]:
    """Keep the endpoint (a URL registered again gets a new key) and its address, unconfirmed if new;
    :func:`check_webhook` first."""
    tx, secret = uow.tx, new_secret()
    await addresses.lock_guardians(tx, [guardian_id])
    known = {e["url"] for e in await webhooks.endpoints(tx, guardian_id)}
    if url not in known and await addresses.count(tx, guardian_id, "webhook") >= most:
        raise Conflict(f"a guardian can have at most {most} webhook endpoints; remove one first", field="url")
    webhook_id = await webhooks.register(tx, guardian_id, url, secret)
    address = await addresses.add(tx, guardian_id, "webhook", url)
    return {
        "webhook_id": webhook_id,
        "url": url,
        "secret": secret,
        "address_id": address["address_id"],
        "state": address["state"],
        "note": "keep the secret: it verifies our signatures (Standard Webhooks) and is not shown again. "
        "A new endpoint gets only a confirmation code until you confirm it "
        f"(POST /guardians/{guardian_id}/addresses/{address['address_id']}/confirmation)",
    }


async def remove_webhook(uow: UnitOfWork, caller: Principal, guardian_id: uuid.UUID, webhook_id: uuid.UUID) -> None:
    """Forget the endpoint and its address; what is still due for it fails at its next send."""
    ensure_self(caller, guardian_id)
    url = await webhooks.remove(uow.tx, guardian_id, webhook_id)
    if url is None:
        raise NotFound("no such webhook endpoint", field="webhook_id")
    await addresses.forget(uow.tx, guardian_id, "webhook", url)
