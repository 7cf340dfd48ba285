"""Check-in at the door."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.attendance.api.responses import CheckedIn
from services.attendance.domain.commands import CheckIn
from services.attendance.handlers import checkin
from shared.auth import Caller
from shared.http_commands import IdempotencyKey, respond

router = APIRouter(tags=["check-in"])


@router.post(
    "/checkins",
    status_code=201,
    response_model=CheckedIn,
    responses={200: {"model": CheckedIn, "description": "The child was already admitted today: that admission"}},
    summary="Check a child in with a health screening (provider staff at the child's site)",
)
async def check_in(body: CheckIn, request: Request, caller: Caller, key: IdempotencyKey) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: checkin.check_in(body, uow))
