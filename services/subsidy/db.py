"""Queries of the subsidy service (its own database only)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from shared.contracts.subsidy import SubsidyRequested


async def insert_application(tx: asyncpg.Connection, app: SubsidyRequested, union_id: uuid.UUID | None) -> None:
    await tx.execute(
        """INSERT INTO applications (application_id, booking_id, child_id, union_id, days, fee_fen)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        app.application_id, app.booking_id, app.child_id, union_id, app.days, app.fee_fen,
    )


async def applications_of(pool: asyncpg.Pool, booking_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        """SELECT application_id, booking_id, child_id, union_id, days, fee_fen, status, opened_at
           FROM applications WHERE booking_id = $1""",
        booking_id,
    )
    return [dict(r) for r in rows]
