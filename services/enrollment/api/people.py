"""Parents register their children, guardians, pick-up adults and an emergency contact."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.enrollment.access import ensure_acts_for_child, not_found
from shared.commands import IdempotencyKey, respond
from shared.service import Rt
from services.enrollment.db import people as db
from services.enrollment.domain.commands import RegisterChild
from services.enrollment.handlers import people as handlers
from shared.auth import Caller

router = APIRouter(tags=["children"])


@router.post("/children", status_code=201, summary="Register a child (parents only; the caller is a guardian)")
async def register_child(body: RegisterChild, request: Request, rt: Rt, caller: Caller,
                         key: IdempotencyKey) -> JSONResponse:
    return await respond(request, caller, key, body,
                     lambda tx, a: handlers.register_child(body, a, tx=tx, outbox=rt.outbox))


@router.get("/children/{child_id}", summary="A child, with guardians and pick-up adults")
async def read_child(child_id: uuid.UUID, rt: Rt, caller: Caller) -> dict[str, Any]:
    child = await db.get_child(rt.pool, child_id)
    if child is None:
        raise not_found("child_id", "child")
    await ensure_acts_for_child(rt.pool, caller, child)
    return {**dict(child), "guardians": await db.guardians_of(rt.pool, child_id)}
