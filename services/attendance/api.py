"""HTTP API of the attendance service."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from services.attendance import db
from shared.service import Runtime, runtime

router = APIRouter(tags=["roster"])


@router.get("/classes/{class_id}/roster/{day}", summary="Children booked in a class on a day")
async def read_roster(
    class_id: uuid.UUID, day: dt.date, rt: Annotated[Runtime, Depends(runtime)]
) -> dict[str, Any]:
    return {"class_id": class_id, "day": day, "children": await db.roster(rt.pool, class_id, day)}
