"""HTTP API of the subsidy service. Every endpoint needs a bearer token; commands need an
``Idempotency-Key``."""

from __future__ import annotations

import csv
import io
import uuid
from typing import Any, Literal

import asyncpg
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from services.subsidy.db import applications as apps
from services.subsidy.db import children, funds
from services.subsidy.handlers import decisions
from shared.auth import Caller
from shared.errors import NotFound
from shared.http_commands import IdempotencyKey, respond
from shared.principal import Principal, forbidden
from shared.service import ServiceRuntime

router = APIRouter()


def _ensure_union_staff_of(p: Principal, union_id: uuid.UUID) -> None:
    if p.role == "admin" or (p.role == "union_staff" and p.union_id == union_id):
        return
    raise forbidden("this belongs to another union")


async def _ensure_sees_subtree(pool: asyncpg.Pool, p: Principal, union_id: uuid.UUID) -> None:
    """The union's own staff, or staff of a union above it (known from the classes' paths)."""
    if (
        p.role == "union_staff"
        and p.union_id
        and p.union_id != union_id
        and await apps.is_above(pool, p.union_id, union_id)
    ):
        return
    _ensure_union_staff_of(p, union_id)


@router.post("/funds", status_code=201, tags=["funds"], summary="Open a fund with a budget (union staff)")
async def create_fund(
    body: decisions.CreateFund, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: decisions.create_fund(body, uow))


@router.post(
    "/policies", status_code=201, tags=["funds"], summary="Add a subsidy policy paid from one of the union's funds"
)
async def create_policy(
    body: decisions.CreatePolicy, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: decisions.create_policy(body, uow))


@router.post(
    "/applications/{application_id}/decision",
    tags=["applications"],
    summary="Approve (reserving the money) or reject with a reason an application staff must decide",
)
async def decide(
    application_id: uuid.UUID,
    body: decisions.Decision,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: decisions.decide(application_id, body, uow))


@router.get("/funds/{fund_id}", tags=["funds"], summary="A fund's budget, reserved, spent and available money")
async def fund_balance(fund_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    fund = await funds.get_fund(rt.pool, fund_id)
    if fund is None:
        raise NotFound("no such fund", field="fund_id")
    _ensure_union_staff_of(caller, fund["union_id"])
    return {
        k: fund[k] for k in ("fund_id", "union_id", "name", "budget_fen", "reserved_fen", "spent_fen", "available_fen")
    }


@router.get("/applications/{application_id}", tags=["applications"], summary="One application")
async def read_application(application_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    found = await apps.get(rt.pool, application_id)
    if found is None:
        raise NotFound("no such application", field="application_id")
    await _ensure_may_read(rt.pool, caller, found)
    return {**found, "totals": await apps.totals(rt.pool, application_id)}


@router.get("/bookings/{booking_id}/applications", tags=["applications"], summary="The applications of a booking")
async def booking_applications(booking_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    found = await apps.of_booking(rt.pool, booking_id)
    for application in found:
        await _ensure_may_read(rt.pool, caller, application)
    return {"booking_id": booking_id, "applications": found}


@router.get(
    "/children/{child_id}/applications",
    tags=["applications"],
    summary="A child's applications (the child's guardians, or union staff above the classes)",
)
async def child_applications(child_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    if caller.role == "parent" and not await children.is_guardian(rt.pool, child_id, caller.member_id):
        raise forbidden("you are not a guardian of this child")
    found = await apps.of_child(rt.pool, child_id)
    for application in found:
        await _ensure_may_read(rt.pool, caller, application)
    return {"child_id": child_id, "applications": found}


async def _ensure_may_read(pool: asyncpg.Pool, p: Principal, application: dict[str, Any]) -> None:
    """Union staff within the class's part of the tree, and the child's own guardians."""
    if p.role == "admin" or (p.role == "union_staff" and p.union_id in (application["union_path"] or [])):
        return
    if p.role == "parent" and p.member_id and await children.is_guardian(pool, application["child_id"], p.member_id):
        return
    raise forbidden("this application is outside your part of the union tree")


@router.get(
    "/unions/{union_id}/spending",
    tags=["figures"],
    summary="Money reserved and spent in the union's subtree, by employment category or programme",
)
async def spending(
    union_id: uuid.UUID,
    rt: ServiceRuntime,
    caller: Caller,
    by: Literal["employment_category", "programme"] = Query("employment_category"),
) -> dict[str, Any]:
    await _ensure_sees_subtree(rt.pool, caller, union_id)
    return {"union_id": union_id, "by": by, "rows": await apps.spending(rt.pool, union_id, by)}


@router.get("/unions/{union_id}/ledger.csv", tags=["figures"], summary="Every ledger line in the subtree, for auditors")
async def ledger_csv(union_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> Response:
    await _ensure_sees_subtree(rt.pool, caller, union_id)
    rows = await apps.ledger(rt.pool, union_id)
    out = io.StringIO()
    writer = csv.writer(out)
    columns = [
        "application_id",
        "booking_id",
        "child_id",
        "programme_id",
        "class_id",
        "priority_group",
        "status",
        "day",
        "fund_id",
        "policy_id",
        "amount_fen",
        "state",
    ]
    writer.writerow(columns)
    writer.writerows([[row[c] for c in columns] for row in rows])
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="ledger-{union_id}.csv"'},
    )
