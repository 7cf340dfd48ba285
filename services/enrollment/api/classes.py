"""Union staff create classes; staff, the provider and the union's members read a class, its free
seats and (staff and the provider only) who is on it on a day."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.enrollment.access import class_search_scope, ensure_sees_class, ensure_sees_roster, not_found
from services.enrollment.api import responses
from services.enrollment.api.paging import Page
from services.enrollment.db import bookings, seats
from services.enrollment.db import organisation as db
from services.enrollment.domain.calendar import days_on
from services.enrollment.domain.commands import CreateClass
from services.enrollment.handlers import organisation as handlers
from shared.auth import Caller
from shared.contracts.enrollment import ClassType
from shared.errors import Invalid
from shared.http_commands import IdempotencyKey, respond
from shared.principal import Principal
from shared.service import Runtime, ServiceRuntime
from shared.timezones import local_today

router = APIRouter(tags=["organisation"])


@router.post(
    "/classes",
    status_code=201,
    response_model=responses.ClassCreated,
    summary="Create a class with its days, capacity, fee and quotas",
)
async def create_class(
    body: CreateClass, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.create_class(body, uow))


@router.get(
    "/classes",
    response_model=responses.ClassSearch,
    summary="Find classes to book: by programme, union (its subtree), district, site, dates, age and free seats",
)
async def search_classes(
    rt: ServiceRuntime,
    caller: Caller,
    paging: Page,
    start: dt.date | None = Query(None, alias="from", description="Classes with a day on or after this; today"),
    end: dt.date | None = Query(None, alias="to", description="and on or before this (a year after from)"),
    programme_id: uuid.UUID | None = None,
    union_id: uuid.UUID | None = Query(None, description="Classes run by this union or a union below it"),
    district: str | None = Query(None, min_length=2, max_length=40, description="The sites' district, e.g. 金水区"),
    site_id: uuid.UUID | None = None,
    age: int | None = Query(None, ge=0, le=17, description="The child's age in whole years: classes that take it"),
    class_type: ClassType | None = None,
    free_seats: bool = Query(False, description="Only classes with a seat free on a day in the range"),
) -> dict[str, Any]:
    start = start or local_today()
    end = end or days_on(start, 366)
    if end < start:
        raise Invalid("from is after to", field="from")
    filters = {
        "start": start,
        "end": end,
        "free": free_seats,
        "programme_id": programme_id,
        "union_id": union_id,
        "district": district.strip() if district else None,
        "site_id": site_id,
        "age_years": age,
        "class_type": class_type,
    }
    found = await db.search_classes(rt.pool, filters, class_search_scope(caller), paging.fetch, paging.offset)
    classes, page = paging.page(found)
    return {**page, "classes": classes}


@router.get("/classes/{class_id}", response_model=responses.CareClass, summary="A class, its days and quotas")
async def read_class(class_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    care_class = await _class_seen_by(rt, caller, class_id)
    return {**dict(care_class), "quotas": await db.quotas_of(rt.pool, class_id)}


@router.get(
    "/classes/{class_id}/availability",
    response_model=responses.Availability,
    summary="Free seats per day, per pool, and the waitlist length",
)
async def availability(
    class_id: uuid.UUID,
    rt: ServiceRuntime,
    caller: Caller,
    start: dt.date = Query(alias="from"),
    end: dt.date = Query(alias="to"),
) -> dict[str, Any]:
    if end < start:
        raise Invalid("from is after to", field="from")
    await _class_seen_by(rt, caller, class_id)
    now = dt.datetime.now(dt.UTC)
    days = await seats.read_seat_days(rt.pool, class_id, start, end)
    waiting = await bookings.waiting_counts(rt.pool, class_id, start, end)
    return {
        "class_id": class_id,
        "days": [
            {
                "day": day,
                "capacity": seat.capacity,
                "taken": sum(seat.taken.values()),
                "free": seat.free(now),
                "waitlisted": waiting.get(day, 0),
            }
            for day, seat in days.items()
        ],
    }


@router.get(
    "/classes/{class_id}/roster/{day}",
    response_model=responses.Roster,
    summary="Children with a confirmed seat on a day",
)
async def roster(class_id: uuid.UUID, day: dt.date, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    care_class = await _class_seen_by(rt, caller, class_id, roster=True)
    return {
        "class_id": class_id,
        "day": day,
        "capacity": care_class["capacity_per_day"],
        "children": await bookings.roster(rt.pool, class_id, day),
    }


@router.get(
    "/classes/{class_id}/waitlist/{day}",
    response_model=responses.Waitlist,
    summary="The children waiting for a seat on a class day, in the order they are served (staff)",
)
async def waitlist(
    class_id: uuid.UUID, day: dt.date, rt: ServiceRuntime, caller: Caller, paging: Page
) -> dict[str, Any]:
    await _class_seen_by(rt, caller, class_id, roster=True)
    waiting, page = paging.page(await bookings.waitlist_page(rt.pool, class_id, day, paging.fetch, paging.offset))
    return {**page, "class_id": class_id, "day": day, "waiting": [dict(w) for w in waiting]}


async def _class_seen_by(
    rt: Runtime, caller: Principal, class_id: uuid.UUID, *, roster: bool = False
) -> asyncpg.Record:
    """The class, if the caller may see it (or its ``roster``)."""
    care_class = await db.get_class(rt.pool, class_id)
    if care_class is None:
        raise not_found("class_id", "class")
    if roster:
        await ensure_sees_roster(rt.pool, caller, care_class)
    else:
        await ensure_sees_class(rt.pool, caller, care_class)
    return care_class
