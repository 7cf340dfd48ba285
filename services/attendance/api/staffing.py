"""Staffing by role: a site's staffing rule, and a class-day's duty against it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.attendance.api.classes import class_in_scope
from services.attendance.api.responses import Duty, StaffingRuleSet
from services.attendance.db import duty
from services.attendance.domain.commands import StaffingRule
from services.attendance.domain.roles import lapses, role_counts
from services.attendance.handlers import roles
from shared.auth import Caller
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["staffing"])


@router.put(
    "/sites/{site_id}/staffing-rule",
    response_model=StaffingRuleSet,
    summary="The roles a class at the site needs, per class and per N children (e.g. 2+1+N)",
)
async def set_rule(
    site_id: uuid.UUID, body: StaffingRule, request: Request, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: roles.set_rule(site_id, body, uow))


@router.get(
    "/classes/{class_id}/duty/{day}",
    response_model=Duty,
    summary="The staff on duty with their roles and qualifications, against the site's staffing rule",
)
async def read_duty(class_id: uuid.UUID, day: dt.date, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    facts = await class_in_scope(rt.pool, caller, class_id)
    rule = await duty.rule_for(rt.pool, facts["site_id"], facts["class_type"])
    children = await duty.children_booked(rt.pool, class_id, day)
    staff = await duty.on_duty(rt.pool, class_id, day)
    counts = role_counts(rule or [], children, [s["role"] for s in staff])
    return {
        "class_id": class_id,
        "day": day,
        "children_booked": children,
        "rule": rule,
        "staff_on_duty": staff,
        "roles": [{**dataclasses.asdict(c), "missing": c.missing} for c in counts],
        "missing_roles": [c.role for c in counts if c.missing],
        "lapsed_qualifications": [dataclasses.asdict(lapse) for lapse in lapses(rule or [], staff, day)],
    }
