"""What attendance said of each booked day (attended or absent), kept until settlement needs it."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg


async def lock_child(tx: asyncpg.Connection, child_id: uuid.UUID) -> None:
    """Serialise a child's applications with the days recorded for them, across concurrent batches."""
    await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7263011))", str(child_id))


async def record(
    tx: asyncpg.Connection, *, booking_id: uuid.UUID, child_id: uuid.UUID, day: dt.date, attended: bool
) -> None:
    """The first word on a day stands, as it does in the ledger (a resolved line is not resolved again)."""
    await tx.execute(
        """INSERT INTO attended_days (booking_id, day, child_id, attended) VALUES ($1, $2, $3, $4)
           ON CONFLICT (booking_id, day) DO NOTHING""",
        booking_id,
        day,
        child_id,
        attended,
    )


async def of_booking(tx: asyncpg.Connection, booking_id: uuid.UUID) -> dict[dt.date, bool]:
    rows = await tx.fetch("SELECT day, attended FROM attended_days WHERE booking_id = $1", booking_id)
    return {r["day"]: r["attended"] for r in rows}
