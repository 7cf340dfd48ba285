"""Weekly boarding (周托): each night's presence of a boarding class's children."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.attendance.access import ensure_at_site
from services.attendance.api.responses import NightRecorded, NightRoll
from services.attendance.db import boarding as db
from services.attendance.db import roster
from services.attendance.domain.commands import NightPresence
from services.attendance.handlers import boarding
from shared.auth import Caller
from shared.errors import NotFound
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["weekly boarding"])
NIGHT = "/classes/{class_id}/nights/{night}"


@router.put(f"{NIGHT}/children/{{child_id}}", response_model=NightRecorded, summary="A boarding child's night")
async def record_night(
    class_id: uuid.UUID,
    night: dt.date,
    child_id: uuid.UUID,
    body: NightPresence,
    request: Request,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(
        request, caller, key, body, lambda uow: boarding.record_night(class_id, night, child_id, body, uow)
    )


@router.get(NIGHT, response_model=NightRoll, summary="Who stays the night, and whose night has no record")
async def night_roll(class_id: uuid.UUID, night: dt.date, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    facts = await roster.class_facts(rt.pool, class_id)
    if facts is None:
        raise NotFound("no bookings in this class", field="class_id")
    ensure_at_site(caller, facts["provider_id"], facts["union_path"])
    children = [
        {**c, "status": "missing" if c["present"] is None else "present" if c["present"] else "absent"}
        for c in await db.night_roll(rt.pool, class_id, night)
    ]
    return {
        "class_id": class_id,
        "night": night,
        "children": children,
        "missing": sum(1 for c in children if c["status"] == "missing"),
    }
