"""Union staff inspect sites; the findings (failed checklist items) are tracked until closed, and
listed across a union's subtree with the overdue ones marked (handlers/inspections.py)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

import asyncpg
from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.enrollment.access import ensure_manages, ensure_oversees, not_found
from services.enrollment.api import responses
from services.enrollment.db import organisation
from services.enrollment.db import supervision as db
from services.enrollment.domain.commands import CloseFinding, RecordInspection
from services.enrollment.handlers import inspections as handlers
from shared.auth import Caller
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime
from shared.timezones import local_today

router = APIRouter(tags=["supervision"])


@router.post(
    "/inspections",
    status_code=201,
    response_model=responses.InspectionRecorded,
    summary="Record a site inspection's checklist; each failed item becomes a finding with its deadline",
)
async def record_inspection(
    body: RecordInspection, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.record(body, uow))


@router.get(
    "/inspections/{inspection_id}",
    response_model=responses.Inspection,
    summary="An inspection, its checklist and findings (union staff above the site, or its provider)",
)
async def read_inspection(inspection_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    inspection = await db.get_inspection(rt.pool, inspection_id)
    if inspection is None:
        raise not_found("inspection_id", "inspection")
    await ensure_oversees(rt.pool, caller, inspection["union_id"], inspection["provider_id"])
    findings = await db.findings_of_inspection(rt.pool, inspection_id)
    return {**dict(inspection), "findings": [_finding(f) for f in findings]}


@router.post(
    "/findings/{finding_id}/closure",
    response_model=responses.FindingClosed,
    summary="Close a finding with a note of what was fixed (union staff above the site)",
)
async def close_finding(
    finding_id: uuid.UUID,
    body: CloseFinding,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.close(finding_id, body, uow))


@router.get(
    "/unions/{union_id}/findings",
    response_model=responses.Findings,
    summary="Inspection findings at sites of the union's subtree, the earliest deadline first",
)
async def findings(
    union_id: uuid.UUID,
    rt: ServiceRuntime,
    caller: Caller,
    state: Literal["open", "closed", "all"] = Query("open"),
) -> dict[str, Any]:
    if await organisation.get_union(rt.pool, union_id) is None:
        raise not_found("union_id", "union")
    await ensure_manages(rt.pool, caller, union_id)
    found = [_finding(f) for f in await db.findings_within(rt.pool, union_id, state)]
    return {"union_id": union_id, "state": state, "overdue": sum(f["overdue"] for f in found), "findings": found}


def _finding(row: asyncpg.Record) -> dict[str, Any]:
    open_ = row["closed_at"] is None
    return {
        **dict(row),
        "state": "open" if open_ else "closed",
        "overdue": open_ and row["fix_by"] < local_today(),
    }
