"""Seats of a class day, by pool, and the quotas holding some of them. Every seat change holds the
class day's row lock."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.enrollment.domain.seats import Quota, SeatDay
from shared.db import Conn


async def lock_seat_days(tx: asyncpg.Connection, class_id: uuid.UUID, days: list[dt.date]) -> dict[dt.date, SeatDay]:
    """Lock the class days (in date order, so two transactions never wait on each other in a circle)
    and read their seats."""
    capacities = await tx.fetch(
        "SELECT day, capacity FROM class_days WHERE class_id = $1 AND day = ANY($2::date[]) ORDER BY day FOR UPDATE",
        class_id,
        days,
    )
    return await _seat_days(tx, class_id, {r["day"]: r["capacity"] for r in capacities})


async def read_seat_days(conn: Conn, class_id: uuid.UUID, start: dt.date, end: dt.date) -> dict[dt.date, SeatDay]:
    capacities = await conn.fetch(
        "SELECT day, capacity FROM class_days WHERE class_id = $1 AND day BETWEEN $2 AND $3 ORDER BY day",
        class_id,
        start,
        end,
    )
    return await _seat_days(conn, class_id, {r["day"]: r["capacity"] for r in capacities})


async def _seat_days(conn: Conn, class_id: uuid.UUID, capacities: dict[dt.date, int]) -> dict[dt.date, SeatDay]:
    quotas = {
        r["priority_group"]: Quota(r["seats"], r["release_at"])
        for r in await conn.fetch(
            "SELECT priority_group, seats, release_at FROM class_quotas WHERE class_id = $1", class_id
        )
    }
    taken: dict[dt.date, dict[str, int]] = {day: {} for day in capacities}
    for row in await conn.fetch(
        "SELECT day, pool, taken FROM seat_counts WHERE class_id = $1 AND day = ANY($2::date[])",
        class_id,
        list(capacities),
    ):
        taken[row["day"]][row["pool"]] = row["taken"]
    return {day: SeatDay(capacity, quotas, taken[day]) for day, capacity in capacities.items()}


async def take_seat(tx: asyncpg.Connection, class_id: uuid.UUID, day: dt.date, pool: str) -> None:
    await tx.execute(
        """INSERT INTO seat_counts (class_id, day, pool, taken) VALUES ($1, $2, $3, 1)
           ON CONFLICT (class_id, day, pool) DO UPDATE SET taken = seat_counts.taken + 1""",
        class_id,
        day,
        pool,
    )


async def free_seat(tx: asyncpg.Connection, class_id: uuid.UUID, day: dt.date, pool: str) -> None:
    await tx.execute(
        "UPDATE seat_counts SET taken = taken - 1 WHERE class_id = $1 AND day = $2 AND pool = $3", class_id, day, pool
    )


async def due_quota_releases(tx: asyncpg.Connection, limit: int = 20) -> list[asyncpg.Record]:
    return await tx.fetch(
        """SELECT class_id, priority_group FROM class_quotas WHERE NOT release_handled AND release_at <= now()
           ORDER BY release_at LIMIT $1 FOR UPDATE SKIP LOCKED""",
        limit,
    )


async def mark_release_handled(tx: asyncpg.Connection, class_id: uuid.UUID, group: str) -> None:
    await tx.execute(
        "UPDATE class_quotas SET release_handled = true WHERE class_id = $1 AND priority_group = $2", class_id, group
    )
