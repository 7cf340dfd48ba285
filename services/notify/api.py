"""HTTP API of the notify service."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from services.notify import db
from shared.service import Runtime, runtime

router = APIRouter(tags=["inbox"])


@router.get("/guardians/{guardian_id}/notifications", summary="A guardian's in-app inbox, newest first")
async def read_inbox(
    guardian_id: uuid.UUID,
    rt: Annotated[Runtime, Depends(runtime)],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    return {"guardian_id": guardian_id, "notifications": await db.inbox_of(rt.pool, guardian_id, limit)}
