"""Statements: for each booked day the fee, the subsidy and what the family pays; read by the
child's guardians and by staff of the unions running the class."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from services.subsidy import access
from services.subsidy.api.responses import ChildStatements, FamilyStatements, Statement
from services.subsidy.db import statements
from shared.auth import Caller
from shared.errors import NotFound
from shared.service import ServiceRuntime

router = APIRouter(tags=["statements"])


@router.get(
    "/bookings/{booking_id}/statement",
    response_model=Statement,
    summary="A booking's statement: each day's fee, subsidy and family share, payments and refunds",
)
async def booking_statement(booking_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    found = await statements.get(rt.pool, booking_id)
    if found is None:
        raise NotFound("no statement for this booking", field="booking_id")
    await access.ensure_may_read(rt.pool, caller, found)
    return found


@router.get(
    "/children/{child_id}/statements",
    response_model=ChildStatements,
    summary="A child's statements, one per booking (the child's guardians, or union staff above the classes)",
)
async def child_statements(child_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    await access.ensure_guardian_if_parent(rt.pool, caller, child_id)
    found = await statements.of_child(rt.pool, child_id)
    for statement in found:
        await access.ensure_may_read(rt.pool, caller, statement)
    return {"child_id": child_id, "statements": found}


@router.get(
    "/guardians/{guardian_id}/statements",
    response_model=FamilyStatements,
    summary="A family's statements: those of every child the guardian is a guardian of (the guardian alone)",
)
async def family_statements(guardian_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    access.ensure_is_the_guardian(caller, guardian_id)
    found = await statements.of_guardian(rt.pool, guardian_id)
    return {"guardian_id": guardian_id, "statements": found}
