"""What, where and when a guardian wants to be told: muted kinds, channels, quiet hours, language."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.notify.access import ensure_self
from services.notify.api.responses import Preferences
from services.notify.domain.commands import ReplacePreferences
from services.notify.handlers import preferences as handlers
from shared.auth import Caller
from shared.http_commands import OptionalIdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["inbox"])


@router.get(
    "/guardians/{guardian_id}/preferences",
    summary="What, where and when a guardian wants to be told",
    response_model=Preferences,
)
async def read_preferences(guardian_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    ensure_self(caller, guardian_id)
    return await handlers.preferences_of(rt.pool, guardian_id)


@router.put(
    "/guardians/{guardian_id}/preferences", summary="Replace a guardian's preferences", response_model=Preferences
)
async def write_preferences(
    guardian_id: uuid.UUID,
    body: ReplacePreferences,
    request: Request,
    caller: Caller,
    key: OptionalIdempotencyKey = None,
) -> JSONResponse:
    return await respond(
        request, caller, key, body, lambda uow: handlers.replace_preferences(body, guardian_id, caller, uow)
    )
