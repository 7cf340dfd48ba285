"""Weekly boarding (周托): the days of a child's stay and each night's presence."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from services.attendance.db.checkin import holding_admission
from shared.db import Conn


async def booked_days(conn: Conn, child_id: uuid.UUID, class_id: uuid.UUID) -> set[dt.date]:
    """Every day the child is booked in the boarding class."""
    rows = await conn.fetch(
        "SELECT day FROM roster_entries WHERE child_id = $1 AND class_id = $2 AND boarding", child_id, class_id
    )
    return {r["day"] for r in rows}


async def night_roll(
    conn: Conn, class_id: uuid.UUID, night: dt.date, child_id: uuid.UUID | None = None
) -> list[dict[str, Any]]:
    """The children staying the night after ``night`` (in care that day, not handed over, booked
    the next day too), with the night's record where there is one (``present`` None: missing)."""
    rows = await conn.fetch(
        f"""SELECT c.child_id, c.display_name, n.present, n.note, n.recorded_by, n.recorded_at
            FROM roster_entries e JOIN roster_children c USING (child_id)
            JOIN LATERAL ({holding_admission("e.child_id", "e.day")}) ci ON ci.class_id = e.class_id
            LEFT JOIN boarding_nights n ON n.child_id = e.child_id AND n.night = e.day
            WHERE e.class_id = $1 AND e.day = $2 AND e.boarding AND ($3::uuid IS NULL OR e.child_id = $3)
              AND EXISTS (SELECT 1 FROM roster_entries nx WHERE nx.child_id = e.child_id
                          AND nx.class_id = e.class_id AND nx.day = e.day + 1 AND nx.boarding)
              AND NOT EXISTS (SELECT 1 FROM handovers h WHERE h.child_id = e.child_id AND h.day = e.day)
            ORDER BY c.display_name, c.child_id""",
        class_id,
        night,
        child_id,
    )
    return [dict(r) for r in rows]


async def record_night(
    tx: asyncpg.Connection,
    child_id: uuid.UUID,
    class_id: uuid.UUID,
    night: dt.date,
    *,
    present: bool,
    note: str | None,
    by: str,
    at: dt.datetime,
) -> None:
    """The night's presence; a later record of the same night corrects it."""
    await tx.execute(
        """INSERT INTO boarding_nights (child_id, class_id, night, present, note, recorded_by, recorded_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (child_id, night) DO UPDATE SET present = EXCLUDED.present, note = EXCLUDED.note,
               recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at""",
        child_id,
        class_id,
        night,
        present,
        note,
        by,
        at,
    )
