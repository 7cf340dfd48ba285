"""Queries of the enrollment service (its own database only)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from services.enrollment.domain import EnrollmentRequest
from shared.contracts.enrollment import GuardianContact


async def insert_child(tx: asyncpg.Connection, child_id: uuid.UUID, request: EnrollmentRequest) -> None:
    await tx.execute(
        "INSERT INTO children (child_id, union_id, display_name, birth_date) VALUES ($1, $2, $3, $4)",
        child_id, request.union_id, request.child.display_name, request.child.birth_date,
    )


async def insert_guardians(tx: asyncpg.Connection, child_id: uuid.UUID, guardians: list[GuardianContact]) -> None:
    await tx.executemany(
        "INSERT INTO guardians (guardian_id, child_id, display_name, channels) VALUES ($1, $2, $3, $4)",
        [(g.guardian_id, child_id, g.display_name, [c.model_dump() for c in g.channels]) for g in guardians],
    )


async def insert_enrollment(
    tx: asyncpg.Connection, enrollment_id: uuid.UUID, child_id: uuid.UUID, request: EnrollmentRequest
) -> None:
    await tx.execute(
        """INSERT INTO enrollments (enrollment_id, child_id, union_id, class_id, site_id, days, fee_per_day_fen)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        enrollment_id, child_id, request.union_id, request.class_id, request.site_id, request.days,
        request.fee_per_day_fen,
    )


async def get_enrollment(conn: asyncpg.Connection | asyncpg.Pool, enrollment_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        """SELECT e.enrollment_id, e.child_id, e.union_id, e.class_id, e.site_id, e.days, e.status,
                  e.fee_per_day_fen, c.display_name AS child_display_name
           FROM enrollments e JOIN children c USING (child_id) WHERE e.enrollment_id = $1""",
        enrollment_id,
    )
    return dict(row) if row else None
