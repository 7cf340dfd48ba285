"""Applications: one per booking the rules subsidise; read by staff and guardians, decided by staff."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.subsidy import access
from services.subsidy.api.responses import (
    Application,
    BookingApplications,
    ChildApplications,
    DecisionTaken,
    SubtreeApplications,
)
from services.subsidy.db import applications
from services.subsidy.domain.commands import Decision
from services.subsidy.handlers import decisions
from shared.auth import Caller
from shared.errors import NotFound
from shared.http_commands import IdempotencyKey, respond
from shared.paging import Page
from shared.service import ServiceRuntime

router = APIRouter(tags=["applications"])


@router.post(
    "/applications/{application_id}/decision",
    response_model=DecisionTaken,
    summary="Approve (reserving the money) or reject with a reason an application staff must decide",
)
async def decide(
    application_id: uuid.UUID,
    body: Decision,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: decisions.decide(application_id, body, uow))


@router.get("/applications/{application_id}", response_model=Application, summary="One application")
async def read_application(application_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    found = await applications.get(rt.pool, application_id)
    if found is None:
        raise NotFound("no such application", field="application_id")
    await access.ensure_may_read(rt.pool, caller, found)
    return {**found, "totals": await applications.totals(rt.pool, application_id)}


@router.get(
    "/bookings/{booking_id}/applications",
    response_model=BookingApplications,
    summary="The applications of a booking",
)
async def booking_applications(booking_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    found = await applications.of_booking(rt.pool, booking_id)
    for application in found:
        await access.ensure_may_read(rt.pool, caller, application)
    return {"booking_id": booking_id, "applications": found}


@router.get(
    "/children/{child_id}/applications",
    response_model=ChildApplications,
    summary="A child's applications (the child's guardians, or union staff above the classes)",
)
async def child_applications(child_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    await access.ensure_guardian_if_parent(rt.pool, caller, child_id)
    found = await applications.of_child(rt.pool, child_id)
    for application in found:
        await access.ensure_may_read(rt.pool, caller, application)
    return {"child_id": child_id, "applications": found}


Status = Literal["requested", "not_applicable", "pending_review", "approved", "rejected", "settled", "cancelled"]


@router.get(
    "/unions/{union_id}/applications",
    response_model=SubtreeApplications,
    summary="Applications in the union's subtree in a status (by default those waiting for a decision), oldest first",
)
async def subtree_applications(
    union_id: uuid.UUID,
    rt: ServiceRuntime,
    caller: Caller,
    paging: Page,
    status: Status = Query("pending_review", description="pending_review: waiting for staff to decide"),
) -> dict[str, Any]:
    await access.ensure_sees_subtree(rt.pool, caller, union_id)
    found, page = paging.page(await applications.in_subtree(rt.pool, union_id, status, paging.fetch, paging.offset))
    return {**page, "union_id": union_id, "status": status, "applications": found}
