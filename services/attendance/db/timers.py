"""Persisted timers: absence checks and late pick-up escalation steps."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import NamedTuple

import asyncpg

from services.attendance.domain.hours import SiteHours
from shared.db import columns


class Timer(NamedTuple):
    kind: str
    child_id: uuid.UUID
    class_id: uuid.UUID
    day: dt.date
    step: int
    due_at: dt.datetime


async def schedule_many(tx: asyncpg.Connection, timers: Sequence[Timer]) -> None:
    """Several timers in one statement; one already set is left as it is."""
    await tx.execute(
        """INSERT INTO timers (kind, child_id, class_id, day, step, due_at)
           SELECT * FROM unnest($1::text[], $2::uuid[], $3::uuid[], $4::date[], $5::int[], $6::timestamptz[])
           ON CONFLICT (kind, child_id, class_id, day, step) DO NOTHING""",
        *columns([tuple(t) for t in timers], 6),
    )


async def cancel(tx: asyncpg.Connection, kind: str, child_id: uuid.UUID, day: dt.date) -> None:
    await tx.execute(
        "DELETE FROM timers WHERE kind = $1 AND child_id = $2 AND day = $3 AND fired_at IS NULL", kind, child_id, day
    )


async def cancel_days(tx: asyncpg.Connection, child_id: uuid.UUID, class_id: uuid.UUID, days: list[dt.date]) -> None:
    await tx.execute(
        """DELETE FROM timers WHERE child_id = $1 AND class_id = $2 AND day = ANY($3::date[])
                        AND fired_at IS NULL""",
        child_id,
        class_id,
        days,
    )


async def claim_due(tx: asyncpg.Connection, now: dt.datetime, limit: int = 100) -> list[asyncpg.Record]:
    """Due timers, locked so that another instance skips them; fire them in the same transaction."""
    return await tx.fetch(
        """SELECT timer_id, kind, child_id, class_id, day, step FROM timers
           WHERE fired_at IS NULL AND due_at <= $1 ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED""",
        now,
        limit,
    )


async def mark_fired(tx: asyncpg.Connection, timer_id: int, at: dt.datetime) -> None:
    await tx.execute("UPDATE timers SET fired_at = $2 WHERE timer_id = $1", timer_id, at)


async def reschedule_site(tx: asyncpg.Connection, site_id: uuid.UUID, hours: SiteHours) -> None:
    """New site hours move the site's pending timers; the rows stay locked until the commit, so
    that no instance fires one at its old time meanwhile."""
    pending = await tx.fetch(
        """SELECT t.timer_id, t.kind, t.day, t.step FROM timers t
           WHERE t.fired_at IS NULL AND EXISTS (
               SELECT 1 FROM roster_entries e
               WHERE e.child_id = t.child_id AND e.class_id = t.class_id AND e.day = t.day AND e.site_id = $1)
           FOR UPDATE""",
        site_id,
    )
    await tx.execute(
        """UPDATE timers t SET due_at = moved.due_at
           FROM unnest($1::bigint[], $2::timestamptz[]) AS moved (timer_id, due_at)
           WHERE t.timer_id = moved.timer_id""",
        [t["timer_id"] for t in pending],
        [hours.due_at(t["kind"], t["day"], t["step"]) for t in pending],
    )
