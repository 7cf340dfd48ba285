"""The custody agreement (托管协议) of a programme: union staff publish versions, a guardian accepts
the current one for a child before the child's booking (handlers/agreements.py)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from services.enrollment.access import ensure_acts_for_child, ensure_sees_programme, not_found
from services.enrollment.api import responses
from services.enrollment.db import organisation, people
from services.enrollment.db import supervision as db
from services.enrollment.domain.commands import AcceptAgreement, PublishAgreement
from services.enrollment.handlers import agreements as handlers
from shared.auth import Caller
from shared.http_commands import IdempotencyKey, respond
from shared.principal import Principal
from shared.service import Runtime, ServiceRuntime

router = APIRouter(tags=["supervision"])


@router.post(
    "/programmes/{programme_id}/agreements",
    status_code=201,
    response_model=responses.AgreementPublished,
    summary="Publish the next version of the programme's custody agreement; bookings need it accepted",
)
async def publish_agreement(
    programme_id: uuid.UUID,
    body: PublishAgreement,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.publish(programme_id, body, uow))


@router.get(
    "/programmes/{programme_id}/agreement",
    response_model=responses.Agreement,
    summary="The programme's current custody agreement (404 when it has none)",
)
async def read_agreement(programme_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    await _programme_seen_by(rt, caller, programme_id)
    current = await db.current_agreement(rt.pool, programme_id)
    if current is None:
        raise not_found("programme_id", "custody agreement for the programme")
    return dict(current)


@router.post(
    "/programmes/{programme_id}/agreements/{version}/acceptances",
    status_code=201,
    response_model=responses.AgreementAccepted,
    summary="Accept the programme's current custody agreement for a child (a guardian of the child)",
)
async def accept_agreement(
    programme_id: uuid.UUID,
    body: AcceptAgreement,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
    version: int = Path(ge=1, le=1_000_000),
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.accept(programme_id, version, body, uow))


@router.get(
    "/programmes/{programme_id}/agreement/children/{child_id}",
    response_model=responses.AgreementStatus,
    summary="Whether the current agreement is accepted for the child (its guardians, or staff above it)",
)
async def agreement_status(
    programme_id: uuid.UUID, child_id: uuid.UUID, rt: ServiceRuntime, caller: Caller
) -> dict[str, Any]:
    await _programme_seen_by(rt, caller, programme_id)
    child = await people.get_child(rt.pool, child_id)
    if child is None:
        raise not_found("child_id", "child")
    await ensure_acts_for_child(rt.pool, caller, child)
    current = await db.current_agreement(rt.pool, programme_id)
    accepted = current and await db.acceptance(rt.pool, programme_id, current["version"], child_id)
    return {
        "programme_id": programme_id,
        "child_id": child_id,
        "version": current["version"] if current else None,
        "accepted": current is None or accepted is not None,
        "accepted_by": accepted["guardian_id"] if accepted else None,
        "accepted_at": accepted["accepted_at"] if accepted else None,
    }


async def _programme_seen_by(rt: Runtime, caller: Principal, programme_id: uuid.UUID) -> asyncpg.Record:
    programme = await organisation.get_programme(rt.pool, programme_id)
    if programme is None:
        raise not_found("programme_id", "programme")
    await ensure_sees_programme(rt.pool, caller, programme)
    return programme
