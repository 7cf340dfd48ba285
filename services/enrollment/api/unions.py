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
from services.enrollment.db import organisation as db
from services.enrollment.domain.commands import CreateUnion
from services.enrollment.handlers import organisation as handlers
from shared.auth import Caller
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
