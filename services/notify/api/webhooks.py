"""A guardian's webhook endpoints: register an https URL on the public internet, get its signing
key once, list and remove endpoints. A new endpoint gets only a confirmation code until the
guardian confirms it (see ``addresses``)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from services.notify.access import ensure_self
from services.notify.api.responses import RegisteredWebhook, Webhooks
from services.notify.config import settings_of
from services.notify.db import webhooks as db
from services.notify.domain.commands import RegisterWebhook
from services.notify.handlers import webhooks as handlers
from shared.auth import Caller
from shared.service import ServiceRuntime
from shared.uow import UnitOfWork

router = APIRouter(tags=["webhooks"])


@router.post(
    "/guardians/{guardian_id}/webhooks",
    status_code=201,
    summary="Register a webhook endpoint; the answer holds its signing key, shown this once",
    response_model=RegisteredWebhook,
)
async def register_webhook(
    guardian_id: uuid.UUID, body: RegisterWebhook, rt: ServiceRuntime, caller: Caller
) -> dict[str, Any]:
    await handlers.check_webhook(caller, guardian_id, body.url, settings_of(rt).webhook_reach)
    async with UnitOfWork.begin(rt.pool, rt.outbox) as uow:
        return await handlers.register_webhook(uow, guardian_id, body.url, most=settings_of(rt).max_addresses_per_kind)


@router.get(
    "/guardians/{guardian_id}/webhooks",
    summary="A guardian's webhook endpoints (without their keys)",
    response_model=Webhooks,
)
async def read_webhooks(guardian_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    ensure_self(caller, guardian_id)
    return {"guardian_id": guardian_id, "webhooks": await db.endpoints(rt.pool, guardian_id)}


@router.delete(
    "/guardians/{guardian_id}/webhooks/{webhook_id}",
    status_code=204,
    summary="Remove a webhook endpoint; what is still due for it fails",
    responses={204: {"description": "Removed; the answer has no body"}},
)
async def remove_webhook(guardian_id: uuid.UUID, webhook_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> None:
    async with UnitOfWork.begin(rt.pool, rt.outbox) as uow:
        await handlers.remove_webhook(uow, caller, guardian_id, webhook_id)
