"""Union staff set up the union tree, providers, 1+N networks, programmes and classes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.enrollment.access import ensure_manages, ensure_sees_class, ensure_sees_roster, not_found
from services.enrollment.api import responses
from services.enrollment.db import bookings, seats
from services.enrollment.db import organisation as db
from services.enrollment.domain.commands import (
    CreateClass,
    CreateNetwork,
    CreateProgramme,
    CreateProvider,
    CreateSite,
    CreateUnion,
)
from services.enrollment.handlers import organisation as handlers
from shared.auth import Caller
from shared.errors import Invalid
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime

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


@router.post(
    "/providers",
    status_code=201,
    response_model=responses.ProviderCreated,
    summary="Register a care provider contracted by a union",
)
async def create_provider(
    body: CreateProvider, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.create_provider(body, uow))


@router.post("/networks", status_code=201, response_model=responses.NetworkCreated, summary="Create a 1+N site network")
async def create_network(
    body: CreateNetwork, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.create_network(body, uow))


@router.post(
    "/sites",
    status_code=201,
    response_model=responses.SiteCreated,
    summary="Add the hub or a satellite site to a network",
)
async def create_site(
    body: CreateSite, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.create_site(body, uow))


@router.post(
    "/programmes",
    status_code=201,
    response_model=responses.ProgrammeCreated,
    summary="Open a programme (a term) at a network",
)
async def create_programme(
    body: CreateProgramme, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.create_programme(body, uow))


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


@router.get("/classes/{class_id}", response_model=responses.CareClass, summary="A class, its days and quotas")
async def read_class(class_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    care_class = await db.get_class(rt.pool, class_id)
    if care_class is None:
        raise not_found("class_id", "class")
    await ensure_sees_class(rt.pool, caller, care_class)
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
    care_class = await db.get_class(rt.pool, class_id)
    if care_class is None:
        raise not_found("class_id", "class")
    await ensure_sees_class(rt.pool, caller, care_class)
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
    care_class = await db.get_class(rt.pool, class_id)
    if care_class is None:
        raise not_found("class_id", "class")
    await ensure_sees_roster(rt.pool, caller, care_class)
    return {
        "class_id": class_id,
        "day": day,
        "capacity": care_class["capacity_per_day"],
        "children": await bookings.roster(rt.pool, class_id, day),
    }


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
