"""Queries of the attendance service (its own database only)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from shared.contracts.enrollment import ChildEnrolled


async def upsert_child(tx: asyncpg.Connection, event: ChildEnrolled, union_id: uuid.UUID | None) -> None:
    await tx.execute(
        """INSERT INTO roster_children (child_id, union_id, display_name, guardians) VALUES ($1, $2, $3, $4)
           ON CONFLICT (child_id) DO UPDATE SET display_name = EXCLUDED.display_name,
                                                guardians = EXCLUDED.guardians""",
        event.child_id, union_id, event.child_display_name,
        [g.model_dump(mode="json") for g in event.guardians],
    )


async def add_roster_days(tx: asyncpg.Connection, event: ChildEnrolled) -> None:
    await tx.executemany(
        """INSERT INTO roster_entries (enrollment_id, child_id, class_id, site_id, day)
           VALUES ($1, $2, $3, $4, $5)""",
        [(event.enrollment_id, event.child_id, event.class_id, event.site_id, day) for day in event.days],
    )


async def roster(pool: asyncpg.Pool, class_id: uuid.UUID, day: dt.date) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        """SELECT c.child_id, c.display_name, e.enrollment_id, e.site_id
           FROM roster_entries e JOIN roster_children c USING (child_id)
           WHERE e.class_id = $1 AND e.day = $2 ORDER BY c.display_name""",
        class_id, day,
    )
    return [dict(r) for r in rows]
