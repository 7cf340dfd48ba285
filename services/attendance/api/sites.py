"""A site's hours: check-in cut-off, closing time, escalation pace."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.attendance.api.responses import SiteHoursSet
from services.attendance.domain.commands import Hours
from services.attendance.handlers import site
from shared.auth import Caller
from shared.http_commands import IdempotencyKey, respond

router = APIRouter(tags=["sites"])


@router.put(
    "/sites/{site_id}/hours", response_model=SiteHoursSet, summary="Check-in cut-off, closing time, escalation pace"
)
async def set_hours(
    site_id: uuid.UUID, body: Hours, request: Request, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: site.set_hours(site_id, body, uow))
