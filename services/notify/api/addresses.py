"""A guardian's outside addresses: list them with their state, confirm one with the code it was
sent, or ask for a new code. Only the guardian themself confirms (an admin cannot)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from services.notify.api import _ensure_self
from services.notify.db import addresses as db
from services.notify.domain import check_code
from shared.auth import Caller
from shared.errors import Conflict, Invalid, Locked, NotFound
from shared.http_commands import OptionalIdempotencyKey, respond
from shared.outcomes import Accepted, Done, Outcome, Refused
from shared.principal import Principal, forbidden
from shared.service import ServiceRuntime
from shared.uow import UnitOfWork

router = APIRouter(tags=["addresses"])


class ConfirmationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^\d{6}$", description="The six-digit code sent to the address")


class NewCodeIn(BaseModel):
    """No fields: the address says it all."""


def _ensure_the_guardian(p: Principal, guardian_id: uuid.UUID) -> None:
    if p.role != "parent" or p.member_id != guardian_id:
        raise forbidden("only the guardian confirms their own addresses")


@router.get("/guardians/{guardian_id}/addresses", summary="A guardian's e-mail, SMS, WeChat and webhook addresses")
async def read_addresses(guardian_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    _ensure_self(caller, guardian_id)
    return {"guardian_id": guardian_id, "addresses": await db.of_guardian(rt.pool, guardian_id)}


@router.post(
    "/guardians/{guardian_id}/addresses/{address_id}/confirmation",
    summary="Confirm an address with the code it was sent; from then on it gets notifications",
)
async def confirm_address(
    guardian_id: uuid.UUID,
    address_id: uuid.UUID,
    body: ConfirmationIn,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: OptionalIdempotencyKey = None,
) -> JSONResponse:
    limit = rt.settings.confirmation_max_wrong_codes

    async def confirm(uow: UnitOfWork) -> Outcome:
        tx = uow.tx
        _ensure_the_guardian(caller, guardian_id)
        found = await db.pending_code(tx, guardian_id, address_id)
        if found is None:
            raise NotFound("no such address", field="address_id")
        state, pending = found
        if state == "confirmed":
            return Done({"address_id": str(address_id), "state": "confirmed"})
        verdict = check_code(body.code, str(address_id), pending, max_wrong=limit, now=dt.datetime.now(dt.UTC))
        if verdict == "confirmed":
            await db.confirm(tx, address_id)
            return Done({"address_id": str(address_id), "state": "confirmed"})
        if verdict == "wrong":  # answered, not raised, so that the wrong try commits
            left = limit - await db.count_wrong_code(tx, address_id)
            wrong = (
                f"the code is wrong; {left} more tries with this code"
                if left
                else "the code is wrong, and that was the last try: ask for a new code"
            )
            return Refused(Invalid(wrong, field="code"), word="rejected")
        if verdict == "expired":
            raise Invalid("the code has expired: ask for a new code", field="code")
        if pending.code_hash is None:
            raise Conflict("no code is outstanding for this address: ask for a new code", field="code")
        raise Locked(f"{limit} wrong tries: this code no longer works; ask for a new code", field="code")

    return await respond(request, caller, key, body, confirm)


@router.post(
    "/guardians/{guardian_id}/addresses/{address_id}/code",
    status_code=202,
    summary="Send a new confirmation code to an unconfirmed address (the last one no longer works)",
)
async def ask_for_code(
    guardian_id: uuid.UUID,
    address_id: uuid.UUID,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: OptionalIdempotencyKey = None,
) -> JSONResponse:
    most = rt.settings.confirmation_max_codes

    async def want(uow: UnitOfWork) -> Accepted:
        tx = uow.tx
        _ensure_the_guardian(caller, guardian_id)
        refusal = await db.want_code(tx, guardian_id, address_id, most)
        if refusal == "missing":
            raise NotFound("no such address", field="address_id")
        if refusal == "confirmed":
            raise Conflict("the address is already confirmed", field="address_id")
        if refusal == "too_many":
            raise Locked(f"{most} codes have been sent to this address; no more are sent", field="address_id")
        return Accepted({"address_id": str(address_id), "state": "unconfirmed", "note": "a new code is on its way"})

    return await respond(request, caller, key, NewCodeIn(), want)
