"""Attendance figures: a child's booked, attended and absent days; a union's classes on a day, and
its sites that day with a daily log missing."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Query

from services.attendance.access import ensure_sees_child, ensure_sees_union
from services.attendance.api.responses import ChildAttendance, UnionAttendance
from services.attendance.db import logs, roster
from services.attendance.domain.logs import missing_logs
from shared.auth import Caller
from shared.db import Conn
from shared.errors import NotFound
from shared.principal import Principal
from shared.service import ServiceRuntime

router = APIRouter(tags=["figures"])


async def ensure_union_figures(pool: Conn, caller: Principal, union_id: uuid.UUID) -> None:
    """A union's figures, incidents and logs: its own staff, staff of a union above it, admins."""
    above = (
        caller.role == "union_staff"
        and caller.union_id is not None
        and caller.union_id != union_id
        and await roster.is_above(pool, caller.union_id, union_id)
    )
    ensure_sees_union(caller, union_id, above)


@router.get(
    "/children/{child_id}/attendance",
    response_model=ChildAttendance,
    summary="Booked, attended and absent days per booking (guardians, and staff above the class)",
)
async def child_attendance(
    child_id: uuid.UUID, rt: ServiceRuntime, caller: Caller, programme_id: uuid.UUID | None = None
) -> dict[str, Any]:
    child = await roster.child_facts(rt.pool, child_id)
    if child is None:
        raise NotFound("no such child", field="child_id")
    in_tree = caller.role == "union_staff" and await roster.in_union_tree(rt.pool, child_id, caller.union_id)
    ensure_sees_child(caller, child["guardians"], in_tree)
    return {"child_id": child_id, "bookings": await roster.attended_days(rt.pool, child_id, programme_id)}


@router.get(
    "/unions/{union_id}/attendance",
    response_model=UnionAttendance,
    summary="Booked, attended and absent children per class on a day, within a union's subtree",
)
async def union_attendance(
    union_id: uuid.UUID, rt: ServiceRuntime, caller: Caller, day: dt.date = Query()
) -> dict[str, Any]:
    await ensure_union_figures(rt.pool, caller, union_id)
    classes = await roster.figures(rt.pool, union_id, day)
    logged = await logs.logged_kinds(rt.pool, sorted({c["site_id"] for c in classes}), day)
    missing = [{"site_id": site, "missing": m} for site, kinds in logged.items() if (m := missing_logs(kinds))]
    return {
        "union_id": union_id,
        "day": day,
        "classes": classes,
        "booked": sum(c["booked"] for c in classes),
        "attended": sum(c["attended"] for c in classes),
        "absent": sum(c["absent"] for c in classes),
        "sites_missing_logs": len(missing),
        "missing_logs": missing,
    }
