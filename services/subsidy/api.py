"""HTTP API of the subsidy service."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from services.subsidy import db
from shared.service import Runtime, runtime

router = APIRouter(tags=["applications"])


@router.get("/bookings/{booking_id}/applications", summary="Subsidy applications of a booking")
async def read_applications(
    booking_id: uuid.UUID, rt: Annotated[Runtime, Depends(runtime)]
) -> dict[str, Any]:
    return {"booking_id": booking_id, "applications": await db.applications_of(rt.pool, booking_id)}
