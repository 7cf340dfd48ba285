"""A class's timetable of activities, and outings with each guardian's consent."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.attendance.api.classes import class_in_scope
from services.attendance.api.responses import ConsentRecorded, Outing, OutingPlanned, TimetableSet
from services.attendance.db import outings as db
from services.attendance.domain.commands import OutingConsent, PlanOuting, Timetable
from services.attendance.handlers import outings
from shared.auth import Caller
from shared.errors import NotFound
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["activities"])


@router.put(
    "/classes/{class_id}/timetable",
    response_model=TimetableSet,
    summary="The class's week of activities by age group: homework help, reading, arts, sports, first aid ...",
)
async def set_timetable(
    class_id: uuid.UUID, body: Timetable, request: Request, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: outings.set_timetable(class_id, body, uow))


@router.get("/classes/{class_id}/timetable", response_model=TimetableSet, summary="The class's week of activities")
async def read_timetable(class_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    await class_in_scope(rt.pool, caller, class_id)
    activities = await db.timetable(rt.pool, class_id)
    if activities is None:
        raise NotFound("the class has no timetable yet", field="class_id")
    return {"class_id": class_id, "activities": activities}


@router.post(
    "/classes/{class_id}/outings",
    status_code=201,
    response_model=OutingPlanned,
    summary="Plan an outing (the provider's staff): each booked child's guardians are asked for consent",
)
async def plan_outing(
    class_id: uuid.UUID, body: PlanOuting, request: Request, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: outings.plan(class_id, body, uow))


@router.post(
    "/outings/{outing_id}/consents",
    response_model=ConsentRecorded,
    summary="A guardian consents to the outing for their child, or withdraws it (given: false)",
)
async def consent(
    outing_id: uuid.UUID, body: OutingConsent, request: Request, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: outings.consent(outing_id, body, uow))


@router.get(
    "/outings/{outing_id}",
    response_model=Outing,
    summary="Who goes (consent given) and who stays, with whom (no consent, or withdrawn)",
)
async def read_outing(outing_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    outing = await db.outing(rt.pool, outing_id)
    if outing is None:
        raise NotFound("no such outing", field="outing_id")
    await class_in_scope(rt.pool, caller, outing["class_id"])
    children = [
        {
            **child,
            "goes": child["consent"] is True,
            "stays_with": None if child["consent"] is True else outing["stays_with"],
        }
        for child in await db.children(rt.pool, dict(outing))
    ]
    return {**dict(outing), "children": children}
