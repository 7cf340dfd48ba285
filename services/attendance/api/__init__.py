"""HTTP API of the attendance service. Every endpoint needs a bearer token; commands need an
``Idempotency-Key``."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.attendance.access import ensure_at_site, ensure_guardian
from services.attendance.db import checkin as checkin_db
from services.attendance.db import roster
from services.attendance.domain import children_per_staff, ratio_exceeded
from services.attendance.handlers import checkin, pickup, site
from shared.auth import Caller
from shared.errors import NotFound
from shared.http_commands import IdempotencyKey, respond
from shared.principal import forbidden
from shared.service import ServiceRuntime

router = APIRouter()


@router.post(
    "/checkins",
    status_code=201,
    tags=["check-in"],
    summary="Check a child in with a health screening (provider staff at the child's site)",
)
async def check_in(
    body: checkin.CheckIn, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: checkin.check_in(body, uow))


@router.post(
    "/pickups",
    status_code=201,
    tags=["pick-up"],
    summary="An adult asks for a child: refused unless authorised, else a code goes to the guardians",
)
async def start_pickup(
    body: pickup.StartPickup, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(
        request,
        caller,
        key,
        body,
        lambda uow: pickup.start(body, uow, seal_to=rt.settings.notify_seal_public_key),
    )


@router.post(
    "/pickups/{attempt_id}/confirmation",
    tags=["pick-up"],
    summary="The adult confirms with the one-time code; the child is released",
)
async def confirm_pickup(
    attempt_id: uuid.UUID,
    body: pickup.ConfirmPickup,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: pickup.confirm(attempt_id, body, uow))


@router.post(
    "/children/{child_id}/pickup-release",
    tags=["pick-up"],
    summary="Union staff lift today's lock on a child's pick-up (too many wrong codes or attempts)",
)
async def release_pickup(
    child_id: uuid.UUID,
    body: pickup.ReleasePickup,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: pickup.release(child_id, body, uow))


@router.put("/sites/{site_id}/hours", tags=["sites"], summary="Check-in cut-off, closing time, escalation pace")
async def set_hours(
    site_id: uuid.UUID, body: site.Hours, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: site.set_hours(site_id, body, uow))


@router.post(
    "/classes/{class_id}/days/{day}/staff", status_code=201, tags=["roster"], summary="Record a member of staff on duty"
)
async def add_staff(
    class_id: uuid.UUID,
    day: dt.date,
    body: site.StaffOnDuty,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: site.add_staff(class_id, day, body, uow))


@router.get(
    "/classes/{class_id}/roster/{day}",
    tags=["roster"],
    summary="The day's roster: each child's status, children present against the staffing ratio",
)
async def read_roster(class_id: uuid.UUID, day: dt.date, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    facts = await roster.class_facts(rt.pool, class_id)
    if facts is None:
        raise NotFound("no bookings in this class", field="class_id")
    ensure_at_site(caller, facts["provider_id"], facts["union_path"])
    children = await roster.roster(rt.pool, class_id, day)
    present = sum(1 for c in children if c["status"] == "present")
    staff = await checkin_db.staff_on_duty(rt.pool, class_id, day)
    return {
        "class_id": class_id,
        "day": day,
        "children": children,
        "children_present": present,
        "staff_on_duty": staff,
        "children_per_staff": children_per_staff(facts["class_type"]),
        "ratio_exceeded": ratio_exceeded(facts["class_type"], present, len(staff)),
    }


@router.get(
    "/children/{child_id}/attendance",
    tags=["figures"],
    summary="Booked, attended and absent days per booking (guardians, and staff above the class)",
)
async def child_attendance(
    child_id: uuid.UUID, rt: ServiceRuntime, caller: Caller, programme_id: uuid.UUID | None = None
) -> dict[str, Any]:
    child = await roster.child_facts(rt.pool, child_id)
    if child is None:
        raise NotFound("no such child", field="child_id")
    if caller.role == "parent":
        ensure_guardian(caller, child["guardians"])
    elif caller.role == "union_staff":
        paths = await rt.pool.fetchval(
            "SELECT bool_or($2 = ANY(union_path)) FROM roster_entries WHERE child_id = $1", child_id, caller.union_id
        )
        if not paths:
            raise forbidden("this child is outside your part of the union tree")
    elif caller.role != "admin":
        raise forbidden("guardians and union staff only")
    return {"child_id": child_id, "bookings": await roster.attended_days(rt.pool, child_id, programme_id)}


@router.get(
    "/unions/{union_id}/attendance",
    tags=["figures"],
    summary="Booked, attended and absent children per class on a day, within a union's subtree",
)
async def union_attendance(
    union_id: uuid.UUID, rt: ServiceRuntime, caller: Caller, day: dt.date = Query()
) -> dict[str, Any]:
    if caller.role != "admin" and not (
        caller.role == "union_staff"
        and caller.union_id
        and (caller.union_id == union_id or await roster.is_above(rt.pool, caller.union_id, union_id))
    ):
        raise forbidden("union staff see their own union's subtree")
    classes = await roster.figures(rt.pool, union_id, day)
    return {
        "union_id": union_id,
        "day": day,
        "classes": classes,
        "booked": sum(c["booked"] for c in classes),
        "attended": sum(c["attended"] for c in classes),
        "absent": sum(c["absent"] for c in classes),
    }
