"""Union staff build the union tree (the platform admin starts it with a city federation) and read
how many children are enrolled in their part of it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.enrollment.access import ensure_manages, not_found
from services.enrollment.api import responses
from services.enrollment.api.paging import Page
from services.enrollment.db import bookings
from services.enrollment.db import organisation as db
from services.enrollment.domain.calendar import days_on
from services.enrollment.domain.commands import CreateUnion
from services.enrollment.handlers import organisation as handlers
from shared.auth import Caller
from shared.errors import Invalid
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime
from shared.timezones import local_today

router = APIRouter(tags=["organisation"])


@router.post(
    "/unions",
    status_code=201,
    response_model=responses.UnionCreated,
    summary="Create a union under one you manage (admin: a city federation)",
)
async def create_union(
    body: CreateUnion, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.create_union(body, uow))


@router.get(
    "/unions/{union_id}/figures",
    response_model=responses.Figures,
    summary="Children enrolled in the union's subtree, by priority group",
)
async def figures(
    union_id: uuid.UUID,
    rt: ServiceRuntime,
    caller: Caller,
    start: dt.date | None = Query(None, alias="from"),
    end: dt.date | None = Query(None, alias="to"),
) -> dict[str, Any]:
    if await db.get_union(rt.pool, union_id) is None:
        raise not_found("union_id", "union")
    await ensure_manages(rt.pool, caller, union_id)
    return {"union_id": union_id, **await db.figures(rt.pool, union_id, start, end)}


LONGEST_RANGE = dt.timedelta(days=92)


@router.get(
    "/unions/{union_id}/classes",
    response_model=responses.UnionClasses,
    summary="The classes run in the union's subtree, with seats, confirmed and waitlisted children per day",
)
async def classes(
    union_id: uuid.UUID,
    rt: ServiceRuntime,
    caller: Caller,
    paging: Page,
    start: dt.date | None = Query(None, alias="from", description="First day shown; today when absent"),
    end: dt.date | None = Query(None, alias="to", description="Last day shown (at most 92 days on); 4 weeks on"),
) -> dict[str, Any]:
    start = start or local_today()
    end = end or days_on(start, 27)
    if end < start:
        raise Invalid("from is after to", field="from")
    if end - start > LONGEST_RANGE:
        raise Invalid(f"at most {LONGEST_RANGE.days} days at a time", field="to")
    if await db.get_union(rt.pool, union_id) is None:
        raise not_found("union_id", "union")
    await ensure_manages(rt.pool, caller, union_id)
    found, page = paging.page(await db.classes_within(rt.pool, union_id, paging.fetch, paging.offset))
    days: dict[uuid.UUID, list[dict[str, Any]]] = {c["class_id"]: [] for c in found}
    for d in await bookings.occupancy(rt.pool, list(days), start, end):
        days[d["class_id"]].append(dict(d))
    return {
        **page,
        "union_id": union_id,
        "start": start,
        "end": end,
        "classes": [{**c, "days": days[c["class_id"]]} for c in found],
    }
