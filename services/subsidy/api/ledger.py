"""The ledger: every line of money in a union's subtree, as CSV for auditors."""

from __future__ import annotations

import csv
import io
import uuid

from fastapi import APIRouter
from fastapi.responses import Response

from services.subsidy import access
from services.subsidy.db import applications
from shared.auth import Caller
from shared.service import ServiceRuntime

router = APIRouter(tags=["figures"])

COLUMNS = [
    "application_id",
    "booking_id",
    "child_id",
    "programme_id",
    "class_id",
    "priority_group",
    "status",
    "day",
    "fund_id",
    "policy_id",
    "amount_fen",
    "state",
]


@router.get(
    "/unions/{union_id}/ledger.csv",
    response_class=Response,
    responses={
        200: {
            "description": "One row per application line: a header row with the columns, then the lines",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
    summary="Every ledger line in the subtree, for auditors",
)
async def ledger_csv(union_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> Response:
    await access.ensure_sees_subtree(rt.pool, caller, union_id)
    rows = await applications.ledger(rt.pool, union_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerows([[row[c] for c in COLUMNS] for row in rows])
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="ledger-{union_id}.csv"'},
    )
