"""A class's timetable of activities, its outings and the guardians' consents to them."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

import asyncpg

from services.attendance.domain.commands import PlanOuting
from shared.db import Conn


async def set_timetable(
    tx: asyncpg.Connection, class_id: uuid.UUID, activities: list[dict], by: str, at: dt.datetime
) -> None:
    await tx.execute(
        """INSERT INTO timetables (class_id, activities, set_by, set_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (class_id) DO UPDATE SET activities = EXCLUDED.activities, set_by = EXCLUDED.set_by,
               set_at = EXCLUDED.set_at""",
        class_id,
        activities,
        by,
        at,
    )


async def timetable(conn: Conn, class_id: uuid.UUID) -> list[dict[str, Any]] | None:
    return await conn.fetchval("SELECT activities FROM timetables WHERE class_id = $1", class_id)


async def insert_outing(
    tx: asyncpg.Connection,
    outing_id: uuid.UUID,
    class_id: uuid.UUID,
    site_id: uuid.UUID,
    cmd: PlanOuting,
    by: str,
    at: dt.datetime,
) -> None:
    await tx.execute(
        """INSERT INTO outings (outing_id, class_id, site_id, day, destination, leaves_at, returns_at, stays_with,
                                planned_by, planned_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""",
        outing_id,
        class_id,
        site_id,
        cmd.day,
        cmd.destination,
        cmd.leaves_at,
        cmd.returns_at,
        cmd.stays_with,
        by,
        at,
    )


async def outing(conn: Conn, outing_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT outing_id, class_id, site_id, day, destination, leaves_at, returns_at, stays_with
           FROM outings WHERE outing_id = $1""",
        outing_id,
    )


async def record_consent(
    tx: asyncpg.Connection,
    outing_id: uuid.UUID,
    child_id: uuid.UUID,
    guardian_id: uuid.UUID,
    given: bool,
    at: dt.datetime,
) -> None:
    await tx.execute(
        "INSERT INTO outing_consents (outing_id, child_id, guardian_id, given, at) VALUES ($1, $2, $3, $4, $5)",
        outing_id,
        child_id,
        guardian_id,
        given,
        at,
    )


async def children(conn: Conn, outing: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The children booked in the outing's class that day, each with their guardians' latest word."""
    rows = await conn.fetch(
        """SELECT e.child_id, c.display_name, k.given AS consent, k.guardian_id AS consent_by, k.at AS consent_at
           FROM roster_entries e JOIN roster_children c USING (child_id)
           LEFT JOIN LATERAL (SELECT given, guardian_id, at FROM outing_consents o
                              WHERE o.outing_id = $3 AND o.child_id = e.child_id
                              ORDER BY consent_id DESC LIMIT 1) k ON true
           WHERE e.class_id = $1 AND e.day = $2 ORDER BY c.display_name, e.child_id""",
        outing["class_id"],
        outing["day"],
        outing["outing_id"],
    )
    return [dict(r) for r in rows]
