"""A guardian's outside addresses: list them with their state, confirm one with the code it was
sent, or ask for a new code. Only the guardian themself confirms (an admin cannot)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.notify.access import ensure_self
from services.notify.api.responses import Addresses, AddressState, CodeOnItsWay
from services.notify.config import settings_of
from services.notify.db import addresses as db
from services.notify.domain.commands import AskForCode, ConfirmAddress
from services.notify.handlers import addresses as handlers
from shared.auth import Caller
from shared.http_commands import OptionalIdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["addresses"])


@router.get(
    "/guardians/{guardian_id}/addresses",
    summary="A guardian's e-mail, SMS, WeChat and webhook addresses",
    response_model=Addresses,
)
async def read_addresses(guardian_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    ensure_self(caller, guardian_id)
    return {"guardian_id": guardian_id, "addresses": await db.of_guardian(rt.pool, guardian_id)}


@router.post(
    "/guardians/{guardian_id}/addresses/{address_id}/confirmation",
    summary="Confirm an address with the code it was sent; from then on it gets notifications",
    response_model=AddressState,
)
async def confirm_address(
    guardian_id: uuid.UUID,
    address_id: uuid.UUID,
    body: ConfirmAddress,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: OptionalIdempotencyKey = None,
) -> JSONResponse:
    most = settings_of(rt).confirmation_max_wrong_codes
    return await respond(
        request,
        caller,
        key,
        body,
        lambda uow: handlers.confirm_address(body, guardian_id, address_id, caller, uow, max_wrong=most),
    )


@router.post(
    "/guardians/{guardian_id}/addresses/{address_id}/code",
    status_code=202,
    summary="Send a new confirmation code to an unconfirmed address (the last one no longer works)",
    response_model=CodeOnItsWay,
)
async def ask_for_code(
    guardian_id: uuid.UUID,
    address_id: uuid.UUID,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: OptionalIdempotencyKey = None,
) -> JSONResponse:
    most = settings_of(rt).confirmation_max_codes
    return await respond(
        request,
        caller,
        key,
        AskForCode(),
        lambda uow: handlers.ask_for_code(guardian_id, address_id, caller, uow, most=most),
    )
