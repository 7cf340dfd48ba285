"""The days of each child's insurance cover per programme, as insurers were told them."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg


async def days_of(tx: asyncpg.Connection, child_id: uuid.UUID, programme_id: uuid.UUID) -> tuple[dt.date, ...] | None:
    """The covered days; None when insurers were never told of this child in this programme."""
    days = await tx.fetchval(
        "SELECT days FROM insurance_covers WHERE child_id = $1 AND programme_id = $2", child_id, programme_id
    )
    return None if days is None else tuple(days)


async def save(tx: asyncpg.Connection, child_id: uuid.UUID, programme_id: uuid.UUID, days: tuple[dt.date, ...]) -> None:
    await tx.execute(
        """INSERT INTO insurance_covers (child_id, programme_id, days) VALUES ($1, $2, $3)
           ON CONFLICT (child_id, programme_id) DO UPDATE SET days = EXCLUDED.days""",
        child_id,
        programme_id,
        list(days),
    )
