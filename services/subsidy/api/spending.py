"""Spending: money reserved and spent in a union's subtree, summed for its staff."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query

from services.subsidy import access
from services.subsidy.api.responses import Spending
from services.subsidy.db import applications
from services.subsidy.domain.commands import SpendingBy
from shared.auth import Caller
from shared.service import ServiceRuntime

router = APIRouter(tags=["figures"])


@router.get(
    "/unions/{union_id}/spending",
    response_model=Spending,
    summary="Money reserved and spent in the union's subtree, by employment category or programme",
)
async def spending(
    union_id: uuid.UUID,
    rt: ServiceRuntime,
    caller: Caller,
    by: SpendingBy = Query("employment_category"),
) -> dict[str, Any]:
    await access.ensure_sees_subtree(rt.pool, caller, union_id)
    return {"union_id": union_id, "by": by, "rows": await applications.spending(rt.pool, union_id, by)}
