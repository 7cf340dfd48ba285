"""A guardian's in-app inbox, newest first, and every channel's deliveries. A pick-up code shows
only to the parent reading their own inbox, and only until it expires; admins never see it."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from services.notify.access import ensure_self
from services.notify.api.responses import Deliveries, Inbox
from services.notify.config import settings_of
from services.notify.db import notifications
from services.notify.handlers import inbox as handlers
from shared.auth import Caller
from shared.service import ServiceRuntime

router = APIRouter(tags=["inbox"])


@router.get("/guardians/{guardian_id}/notifications", summary="The in-app inbox, newest first", response_model=Inbox)
async def read_inbox(
    guardian_id: uuid.UUID, rt: ServiceRuntime, caller: Caller, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> dict[str, Any]:
    ensure_self(caller, guardian_id)
    items = await handlers.inbox_of(rt.pool, caller, guardian_id, limit, private_key=settings_of(rt).seal_private_key)
    return {"guardian_id": guardian_id, "notifications": items}


@router.get(
    "/guardians/{guardian_id}/deliveries",
    summary="Every channel's notifications and their delivery state",
    response_model=Deliveries,
)
async def read_deliveries(guardian_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    ensure_self(caller, guardian_id)
    return {"guardian_id": guardian_id, "notifications": await notifications.deliveries_of(rt.pool, guardian_id)}
