"""Queries of the attendance service (its own database only)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from shared.contracts.enrollment import BookingPromoted, ChildEnrolled, ChildRegistered


async def upsert_child(tx: asyncpg.Connection, event: ChildRegistered, union_id: uuid.UUID | None) -> None:
    await tx.execute(
        """INSERT INTO roster_children (child_id, union_id, display_name, guardians, priority_group,
                                        authorised_adults, emergency_contact)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (child_id) DO UPDATE SET display_name = EXCLUDED.display_name,
               guardians = EXCLUDED.guardians, priority_group = EXCLUDED.priority_group,
               authorised_adults = EXCLUDED.authorised_adults, emergency_contact = EXCLUDED.emergency_contact""",
        event.child_id, union_id, event.display_name, [g.model_dump(mode="json") for g in event.guardians],
        event.priority_group, [a.model_dump(mode="json") for a in event.authorised_adults],
        event.emergency_contact.model_dump(mode="json") if event.emergency_contact else None,
    )


async def add_roster_days(tx: asyncpg.Connection, event: ChildEnrolled | BookingPromoted) -> None:
    await tx.executemany(
        "INSERT INTO roster_entries (booking_id, child_id, class_id, site_id, day) VALUES ($1, $2, $3, $4, $5)",
        [(event.booking_id, event.child_id, event.class_id, event.site_id, day) for day in event.days],
    )


async def remove_roster_days(tx: asyncpg.Connection, booking_id: uuid.UUID, days: list[dt.date]) -> None:
    await tx.execute("DELETE FROM roster_entries WHERE booking_id = $1 AND day = ANY($2::date[])", booking_id, days)


async def roster(pool: asyncpg.Pool, class_id: uuid.UUID, day: dt.date) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        """SELECT c.child_id, c.display_name, e.booking_id, e.site_id
           FROM roster_entries e JOIN roster_children c USING (child_id)
           WHERE e.class_id = $1 AND e.day = $2 ORDER BY c.display_name, c.child_id""",
        class_id, day,
    )
    return [dict(r) for r in rows]
