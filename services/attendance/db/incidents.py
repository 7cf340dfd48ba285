"""Accident and incident reports."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from services.attendance.domain.commands import ReportIncident
from shared.db import Conn


async def insert(
    tx: asyncpg.Connection,
    incident_id: uuid.UUID,
    cmd: ReportIncident,
    entry: asyncpg.Record,
    *,
    day: dt.date,
    by: str,
    now: dt.datetime,
) -> None:
    await tx.execute(
        """INSERT INTO incidents (incident_id, child_id, class_id, site_id, union_path, day, at, kind, what_happened,
                                  first_aid, guardians_told_by, follow_up, reported_by, reported_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""",
        incident_id,
        cmd.child_id,
        entry["class_id"],
        cmd.site_id,
        entry["union_path"] or [],
        day,
        cmd.at,
        cmd.kind,
        cmd.what_happened,
        cmd.first_aid,
        cmd.guardians_told_by,
        cmd.follow_up,
        by,
        now,
    )


async def in_union(conn: Conn, union_id: uuid.UUID, since: dt.date, until: dt.date) -> list[dict[str, Any]]:
    """The incidents at classes under ``union_id`` between two days, newest first."""
    rows = await conn.fetch(
        """SELECT i.incident_id, i.child_id, c.display_name, i.class_id, i.site_id, i.day, i.at, i.kind,
                  i.what_happened, i.first_aid, i.guardians_told_by, i.follow_up, i.reported_by, i.reported_at
           FROM incidents i LEFT JOIN roster_children c USING (child_id)
           WHERE $1 = ANY(i.union_path) AND i.day BETWEEN $2 AND $3 ORDER BY i.at DESC, i.incident_id""",
        union_id,
        since,
        until,
    )
    return [dict(r) for r in rows]
