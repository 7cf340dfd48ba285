"""A class's day: the staff on duty, and the roster against the staffing ratio."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.attendance.access import ensure_at_site
from services.attendance.api.responses import Roster, StaffOnDutyList
from services.attendance.db import checkin as checkin_db
from services.attendance.db import roster
from services.attendance.domain.adults import pickup_adults
from services.attendance.domain.commands import StaffOnDuty
from services.attendance.domain.staffing import children_per_staff, ratio_exceeded
from services.attendance.handlers import site
from shared.auth import Caller
from shared.db import Conn
from shared.errors import NotFound
from shared.http_commands import IdempotencyKey, respond
from shared.principal import Principal
from shared.service import ServiceRuntime

router = APIRouter(tags=["roster"])


@router.post(
    "/classes/{class_id}/days/{day}/staff",
    status_code=201,
    response_model=StaffOnDutyList,
    summary="Record a member of staff on duty",
)
async def add_staff(
    class_id: uuid.UUID,
    day: dt.date,
    body: StaffOnDuty,
    request: Request,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: site.add_staff(class_id, day, body, uow))


@router.get(
    "/classes/{class_id}/roster/{day}",
    response_model=Roster,
    summary="The day's roster: each child's status, children present against the staffing ratio",
)
async def read_roster(class_id: uuid.UUID, day: dt.date, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    facts = await roster.class_facts(rt.pool, class_id)
    if facts is None:
        raise NotFound("no bookings in this class", field="class_id")
    ensure_at_site(caller, facts["provider_id"], facts["union_path"])
    children = [
        {**c, "pickup_adults": list(pickup_adults(c["authorised_adults"], c["guardians"]).values())}
        for c in await roster.roster(rt.pool, class_id, day)
    ]
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


async def class_in_scope(pool: Conn, caller: Principal, class_id: uuid.UUID) -> asyncpg.Record:
    """The class (site, provider, union path, type), once the caller is checked to see it: the
    provider's staff, union staff above it, admins."""
    facts = await roster.class_facts(pool, class_id)
    if facts is None:
        raise NotFound("no bookings in this class", field="class_id")
    ensure_at_site(caller, facts["provider_id"], facts["union_path"])
    return facts
