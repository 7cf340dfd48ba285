"""Queries of the notify service (its own database only)."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from shared.contracts.enrollment import ChildRegistered
from shared.envelope import Envelope


async def replace_recipients(tx: asyncpg.Connection, event: ChildRegistered) -> None:
    await tx.execute("DELETE FROM recipients WHERE child_id = $1", event.child_id)
    await tx.executemany(
        """INSERT INTO recipients (child_id, guardian_id, child_name, display_name, channels)
           VALUES ($1, $2, $3, $4, $5)""",
        [(event.child_id, g.guardian_id, event.display_name, g.display_name,
          [c.model_dump() for c in g.channels]) for g in event.guardians],
    )


async def recipients_of(tx: asyncpg.Connection, child_id: uuid.UUID) -> list[asyncpg.Record]:
    return await tx.fetch(
        "SELECT guardian_id, child_name, display_name, channels FROM recipients WHERE child_id = $1 ORDER BY guardian_id",
        child_id)


async def insert_notification(
    tx: asyncpg.Connection, *, notification_id: uuid.UUID, envelope: Envelope, guardian_id: uuid.UUID,
    child_id: uuid.UUID, channel: str, body: str,
) -> None:
    await tx.execute(
        """INSERT INTO notifications (notification_id, source_event_id, source_type, guardian_id, child_id,
                                      channel, body)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        notification_id, envelope.event_id, envelope.type, guardian_id, child_id, channel, body,
    )


async def inbox_of(pool: asyncpg.Pool, guardian_id: uuid.UUID, limit: int) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        """SELECT notification_id, source_type, child_id, channel, body, created_at
           FROM notifications WHERE guardian_id = $1 ORDER BY created_at DESC LIMIT $2""",
        guardian_id, limit,
    )
    return [dict(r) for r in rows]


async def defer(tx: asyncpg.Connection, envelope: Envelope, child_id: uuid.UUID) -> None:
    await tx.execute("INSERT INTO deferred_events (event_id, child_id, envelope) VALUES ($1, $2, $3) "
                     "ON CONFLICT DO NOTHING", envelope.event_id, child_id, envelope.to_bytes())


async def take_deferred(tx: asyncpg.Connection, child_id: uuid.UUID) -> list[Envelope]:
    rows = await tx.fetch("DELETE FROM deferred_events WHERE child_id = $1 RETURNING envelope, deferred_at", child_id)
    return [Envelope.model_validate_json(r["envelope"]) for r in sorted(rows, key=lambda r: r["deferred_at"])]
