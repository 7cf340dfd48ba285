"""HTTP API of the subsidy service."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from services.subsidy import db
from shared.service import Runtime, runtime

router = APIRouter(tags=["applications"])


@router.get("/enrollments/{enrollment_id}/applications", summary="Subsidy applications of an enrollment")
async def read_applications(
    enrollment_id: uuid.UUID, rt: Annotated[Runtime, Depends(runtime)]
) -> dict[str, Any]:
    return {"enrollment_id": enrollment_id, "applications": await db.applications_of(rt.pool, enrollment_id)}
