"""Bookings, their days and the waitlist (seats: db/seats.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from shared.db import Conn


async def active_days_of_child(
    conn: Conn, child_id: uuid.UUID, class_id: uuid.UUID, days: list[dt.date]
) -> list[dt.date]:
    return [
        r["day"]
        for r in await conn.fetch(
            """SELECT day FROM booking_days WHERE child_id = $1 AND class_id = $2 AND day = ANY($3::date[])
           AND state <> 'cancelled' ORDER BY day""",
            child_id,
            class_id,
            days,
        )
    ]


async def insert_booking(
    tx: asyncpg.Connection,
    booking_id: uuid.UUID,
    child_id: uuid.UUID,
    class_id: uuid.UUID,
    group: str,
    rank: int,
    booked_by: str,
) -> int:
    """Insert the booking; return its arrival sequence number."""
    return await tx.fetchval(
        """INSERT INTO bookings (booking_id, child_id, class_id, priority_group, priority_rank, booked_by)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq""",
        booking_id,
        child_id,
        class_id,
        group,
        rank,
        booked_by,
    )


async def insert_booking_days(
    tx: asyncpg.Connection,
    booking_id: uuid.UUID,
    child_id: uuid.UUID,
    class_id: uuid.UUID,
    rank: int,
    seq: int,
    states: list[tuple[dt.date, str, str | None]],
) -> None:
    await tx.executemany(
        """INSERT INTO booking_days (booking_id, class_id, day, child_id, state, pool, priority_rank, seq)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        [(booking_id, class_id, day, child_id, state, pool, rank, seq) for day, state, pool in states],
    )


async def set_day_state(
    tx: asyncpg.Connection,
    booking_id: uuid.UUID,
    day: dt.date,
    state: str,
    pool: str | None,
    *,
    hold_until: dt.datetime | None = None,
) -> None:
    """The day's new state; a promoted seat held for the family until ``hold_until`` (none: theirs)."""
    await tx.execute(
        "UPDATE booking_days SET state = $3, pool = $4, hold_until = $5 WHERE booking_id = $1 AND day = $2",
        booking_id,
        day,
        state,
        pool,
        hold_until,
    )


async def cancel_booking(tx: asyncpg.Connection, booking_id: uuid.UUID) -> None:
    await tx.execute("UPDATE bookings SET status = 'cancelled' WHERE booking_id = $1", booking_id)


async def waitlist(tx: Conn, class_id: uuid.UUID, day: dt.date) -> list[asyncpg.Record]:
    """Waiting bookings for a class day, in the order they are served."""
    return await tx.fetch(
        """SELECT bd.booking_id, bd.child_id, b.priority_group FROM booking_days bd JOIN bookings b USING (booking_id)
           WHERE bd.class_id = $1 AND bd.day = $2 AND bd.state = 'waitlisted' ORDER BY bd.priority_rank, bd.seq""",
        class_id,
        day,
    )


async def waitlist_positions(conn: Conn, booking_id: uuid.UUID) -> dict[dt.date, int]:
    rows = await conn.fetch(
        """SELECT mine.day, 1 + (SELECT count(*) FROM booking_days ahead
                                 WHERE ahead.class_id = mine.class_id AND ahead.day = mine.day
                                   AND ahead.state = 'waitlisted'
                                   AND (ahead.priority_rank, ahead.seq) < (mine.priority_rank, mine.seq)) AS position
           FROM booking_days mine WHERE mine.booking_id = $1 AND mine.state = 'waitlisted' ORDER BY mine.day""",
        booking_id,
    )
    return {r["day"]: r["position"] for r in rows}


async def get_booking(conn: Conn, booking_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT booking_id, child_id, class_id, status, priority_group, priority_rank, seq, requested_at
           FROM bookings WHERE booking_id = $1""",
        booking_id,
    )


async def booking_days(conn: Conn, booking_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        "SELECT day, state, pool, hold_until FROM booking_days WHERE booking_id = $1 ORDER BY day", booking_id
    )


async def roster(conn: Conn, class_id: uuid.UUID, day: dt.date) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT bd.child_id, c.display_name, bd.booking_id, bd.pool, b.priority_group
           FROM booking_days bd JOIN children c USING (child_id) JOIN bookings b USING (booking_id)
           WHERE bd.class_id = $1 AND bd.day = $2 AND bd.state = 'confirmed' ORDER BY c.display_name, bd.child_id""",
        class_id,
        day,
    )
    return [dict(r) for r in rows]


async def waiting_counts(conn: Conn, class_id: uuid.UUID, start: dt.date, end: dt.date) -> dict[dt.date, int]:
    rows = await conn.fetch(
        """SELECT day, count(*) AS waiting FROM booking_days WHERE class_id = $1 AND state = 'waitlisted'
           AND day BETWEEN $2 AND $3 GROUP BY day""",
        class_id,
        start,
        end,
    )
    return {r["day"]: r["waiting"] for r in rows}


async def waitlisted_days(conn: Conn, class_id: uuid.UUID) -> list[dt.date]:
    return [
        r["day"]
        for r in await conn.fetch(
            "SELECT DISTINCT day FROM booking_days WHERE class_id = $1 AND state = 'waitlisted' ORDER BY day", class_id
        )
    ]


async def accept_held_days(tx: asyncpg.Connection, booking_id: uuid.UUID, now: dt.datetime) -> list[dt.date]:
    """The family accepts the seats held for it (before their deadline): they are simply theirs now."""
    rows = await tx.fetch(
        """UPDATE booking_days SET hold_until = NULL WHERE booking_id = $1 AND state = 'confirmed'
           AND hold_until > $2 RETURNING day""",
        booking_id,
        now,
    )
    return sorted(r["day"] for r in rows)


async def lapsed_holds(tx: asyncpg.Connection, now: dt.datetime, limit: int = 20) -> list[asyncpg.Record]:
    """Bookings with promoted seats not accepted by their deadline. Not locked here: the caller locks
    the class days first (the order every seat change takes) and then reads again."""
    return await tx.fetch(
        """SELECT DISTINCT booking_id FROM (
               SELECT booking_id FROM booking_days WHERE hold_until <= $1 AND state = 'confirmed'
               ORDER BY hold_until LIMIT $2) due""",
        now,
        limit,
    )


async def waitlist_page(conn: Conn, class_id: uuid.UUID, day: dt.date, limit: int, offset: int) -> list[asyncpg.Record]:
    """The class day's waitlist in the order it is served, with each booking's position (a page)."""
    return await conn.fetch(
        """SELECT row_number() OVER (ORDER BY bd.priority_rank, bd.seq) AS position, bd.booking_id, bd.child_id,
                  c.display_name, b.priority_group, b.requested_at
           FROM booking_days bd JOIN bookings b USING (booking_id) JOIN children c ON c.child_id = bd.child_id
           WHERE bd.class_id = $1 AND bd.day = $2 AND bd.state = 'waitlisted'
           ORDER BY bd.priority_rank, bd.seq LIMIT $3 OFFSET $4""",
        class_id,
        day,
        limit,
        offset,
    )


async def bookings_of_children(conn: Conn, child_ids: list[uuid.UUID]) -> list[asyncpg.Record]:
    """The children's bookings, latest first, with their class and site names."""
    return await conn.fetch(
        """SELECT b.booking_id, b.child_id, b.class_id, b.status, b.priority_group, b.requested_at,
                  k.name AS class_name, k.site_id, s.name AS site_name, k.fee_per_day_fen
           FROM bookings b JOIN classes k USING (class_id) JOIN sites s ON s.site_id = k.site_id
           WHERE b.child_id = ANY($1::uuid[]) ORDER BY b.requested_at DESC, b.booking_id""",
        child_ids,
    )


async def days_of_children(conn: Conn, child_ids: list[uuid.UUID]) -> list[asyncpg.Record]:
    """Every day of the children's bookings, with a waiting day's position on its waitlist."""
    return await conn.fetch(
        """SELECT mine.booking_id, mine.day, mine.state, mine.hold_until,
                  CASE WHEN mine.state = 'waitlisted' THEN 1 + (
                      SELECT count(*) FROM booking_days ahead
                      WHERE ahead.class_id = mine.class_id AND ahead.day = mine.day AND ahead.state = 'waitlisted'
                        AND (ahead.priority_rank, ahead.seq) < (mine.priority_rank, mine.seq)) END AS position
           FROM booking_days mine WHERE mine.child_id = ANY($1::uuid[]) ORDER BY mine.booking_id, mine.day""",
        child_ids,
    )


async def occupancy(conn: Conn, class_ids: list[uuid.UUID], start: dt.date, end: dt.date) -> list[asyncpg.Record]:
    """Per class day in [start, end]: its seats, the children confirmed and those waiting."""
    return await conn.fetch(
        """SELECT d.class_id, d.day, d.capacity,
                  count(*) FILTER (WHERE bd.state = 'confirmed') AS confirmed,
                  count(*) FILTER (WHERE bd.state = 'waitlisted') AS waitlisted
           FROM class_days d LEFT JOIN booking_days bd ON bd.class_id = d.class_id AND bd.day = d.day
           WHERE d.class_id = ANY($1::uuid[]) AND d.day BETWEEN $2 AND $3
           GROUP BY d.class_id, d.day, d.capacity ORDER BY d.class_id, d.day""",
        class_ids,
        start,
        end,
    )
