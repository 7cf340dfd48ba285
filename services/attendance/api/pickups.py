"""The pick-up handshake: an adult asks, a code confirms, union staff lift a day's lock."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.attendance.api.responses import PickedUp, PickupReleased, PickupStarted
from services.attendance.config import settings_of
from services.attendance.domain.commands import ConfirmPickup, ReleasePickup, StartPickup
from services.attendance.handlers import pickup
from shared.auth import Caller
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["pick-up"])


@router.post(
    "/pickups",
    status_code=201,
    response_model=PickupStarted,
    summary="An adult asks for a child: refused unless authorised, else a code goes to the guardians",
)
async def start_pickup(
    body: StartPickup, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(
        request,
        caller,
        key,
        body,
        lambda uow: pickup.start(body, uow, seal_to=settings_of(rt).notify_seal_public_key),
    )


@router.post(
    "/pickups/{attempt_id}/confirmation",
    response_model=PickedUp,
    summary="The adult confirms with the one-time code; the child is released",
)
async def confirm_pickup(
    attempt_id: uuid.UUID,
    body: ConfirmPickup,
    request: Request,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: pickup.confirm(attempt_id, body, uow))


@router.post(
    "/children/{child_id}/pickup-release",
    response_model=PickupReleased,
    summary="Union staff lift today's lock on a child's pick-up (too many wrong codes or attempts)",
)
async def release_pickup(
    child_id: uuid.UUID,
    body: ReleasePickup,
    request: Request,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: pickup.release(child_id, body, uow))
