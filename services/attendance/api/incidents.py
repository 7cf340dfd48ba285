"""Accident and incident reports: site staff report them, union staff read them across their subtree."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.attendance.api.figures import ensure_union_figures
from services.attendance.api.responses import IncidentRecorded, UnionIncidents
from services.attendance.db import incidents
from services.attendance.domain.commands import ReportIncident
from services.attendance.handlers import incidents as incident
from shared.auth import Caller
from shared.errors import Invalid
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["incidents"])
LONGEST_SPAN = dt.timedelta(days=366)


@router.post(
    "/incidents",
    status_code=201,
    response_model=IncidentRecorded,
    summary="Report an accident or incident (the provider's staff at the child's site); the guardians are alerted",
)
async def report(body: ReportIncident, request: Request, caller: Caller, key: IdempotencyKey) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: incident.report(body, uow))


@router.get(
    "/unions/{union_id}/incidents",
    response_model=UnionIncidents,
    summary="Incidents at the classes in a union's subtree between two days (union staff)",
)
async def union_incidents(
    union_id: uuid.UUID, rt: ServiceRuntime, caller: Caller, since: dt.date = Query(), until: dt.date = Query()
) -> dict[str, Any]:
    await ensure_union_figures(rt.pool, caller, union_id)
    if until < since or until - since > LONGEST_SPAN:
        raise Invalid("until is before since, or more than a year after it", field="until")
    return {
        "union_id": union_id,
        "since": since,
        "until": until,
        "incidents": await incidents.in_union(rt.pool, union_id, since, until),
    }
