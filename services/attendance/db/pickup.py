"""Pick-up attempts (one-time codes) and handovers."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from shared.db import Conn


async def insert_attempt(
    tx: asyncpg.Connection,
    attempt_id: uuid.UUID,
    child_id: uuid.UUID,
    day: dt.date,
    adult: dict,
    code_hash: str,
    expires_at: dt.datetime,
    created_by: str,
) -> None:
    await tx.execute(
        """INSERT INTO pickup_attempts (attempt_id, child_id, day, adult_id, adult_name, code_hash, expires_at,
                                        created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
        attempt_id,
        child_id,
        day,
        uuid.UUID(adult["adult_id"]),
        adult["display_name"],
        code_hash,
        expires_at,
        created_by,
    )


async def lock_attempt(tx: asyncpg.Connection, attempt_id: uuid.UUID) -> asyncpg.Record | None:
    """The attempt, locked together with its child's day (see :func:`lock_child_day`)."""
    found = await tx.fetchrow("SELECT child_id, day FROM pickup_attempts WHERE attempt_id = $1", attempt_id)
    if found is None:
        return None
    await lock_child_day(tx, found["child_id"], found["day"])
    return await tx.fetchrow(
        """SELECT attempt_id, child_id, day, adult_id, adult_name, code_hash, expires_at, wrong_tries, status
           FROM pickup_attempts WHERE attempt_id = $1 FOR UPDATE""",
        attempt_id,
    )


async def set_attempt(tx: asyncpg.Connection, attempt_id: uuid.UUID, *, status: str, wrong_tries: int) -> None:
    await tx.execute(
        "UPDATE pickup_attempts SET status = $2, wrong_tries = $3 WHERE attempt_id = $1",
        attempt_id,
        status,
        wrong_tries,
    )


async def handover(conn: Conn, child_id: uuid.UUID, day: dt.date) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT adult_id, adult_name, released_at FROM handovers WHERE child_id = $1 AND day = $2", child_id, day
    )


async def insert_handover(tx: asyncpg.Connection, attempt: asyncpg.Record, at: dt.datetime, by: str) -> None:
    await tx.execute(
        """INSERT INTO handovers (child_id, day, adult_id, adult_name, attempt_id, released_at, released_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        attempt["child_id"],
        attempt["day"],
        attempt["adult_id"],
        attempt["adult_name"],
        attempt["attempt_id"],
        at,
        by,
    )


async def lock_child_day(tx: asyncpg.Connection, child_id: uuid.UUID, day: dt.date) -> None:
    """Serialise the pick-up commands of one child on one day (the daily caps count across attempts)."""
    await tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1::uuid::text || $2::date::text, 0))", child_id, day
    )


async def day_counts(tx: asyncpg.Connection, child_id: uuid.UUID, day: dt.date) -> asyncpg.Record:
    """Attempts started and wrong codes entered for the child that day, since union staff's last release."""
    row = await tx.fetchrow(
        """SELECT count(*) AS attempts, coalesce(sum(wrong_tries), 0)::int AS wrong_codes FROM pickup_attempts
           WHERE child_id = $1 AND day = $2 AND created_at > coalesce(
               (SELECT max(released_at) FROM pickup_releases WHERE child_id = $1 AND day = $2), '-infinity')""",
        child_id,
        day,
    )
    assert row is not None  # an aggregate returns one row
    return row


async def release_day(tx: asyncpg.Connection, child_id: uuid.UUID, day: dt.date, by: str, reason: str) -> None:
    """Start the day's counts afresh; attempts still pending are locked (a new one must be started)."""
    await tx.execute(
        "UPDATE pickup_attempts SET status = 'locked' WHERE child_id = $1 AND day = $2 AND status = 'pending'",
        child_id,
        day,
    )
    await tx.execute(
        "INSERT INTO pickup_releases (child_id, day, released_by, reason) VALUES ($1, $2, $3, $4)",
        child_id,
        day,
        by,
        reason,
    )
