"""Who to tell about a child (from child.registered), their preferences, and events waiting for them."""

from __future__ import annotations

import uuid

import asyncpg

from services.notify.domain import Preferences
from shared.contracts.enrollment import ChildRegistered
from shared.envelope import Envelope

Conn = asyncpg.Connection | asyncpg.Pool


async def lock_child(tx: asyncpg.Connection, child_id: uuid.UUID) -> None:
    """Serialise a child's registration with the deferral of events that overtook it."""
    await tx.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7263003))", str(child_id))


async def replace_recipients(tx: asyncpg.Connection, event: ChildRegistered) -> None:
    await tx.execute("DELETE FROM recipients WHERE child_id = $1", event.child_id)
    await tx.executemany(
        """INSERT INTO recipients (child_id, guardian_id, child_name, display_name, channels)
           VALUES ($1, $2, $3, $4, $5)""",
        [(event.child_id, g.guardian_id, event.display_name, g.display_name,
          [c.model_dump() for c in g.channels]) for g in event.guardians],
    )


async def recipients_of(tx: Conn, child_id: uuid.UUID) -> list[asyncpg.Record]:
    return await tx.fetch(
        "SELECT guardian_id, child_name, display_name, channels FROM recipients WHERE child_id = $1 ORDER BY guardian_id",
        child_id)


async def preferences(conn: Conn, guardian_id: uuid.UUID) -> Preferences:
    row = await conn.fetchrow(
        "SELECT muted_kinds, channels, quiet_start, quiet_end, language FROM preferences WHERE guardian_id = $1",
        guardian_id)
    if row is None:
        return Preferences()
    return Preferences(tuple(row["muted_kinds"]), tuple(row["channels"]) if row["channels"] is not None else None,
                       row["quiet_start"], row["quiet_end"], row["language"])


async def save_preferences(tx: Conn, guardian_id: uuid.UUID, p: Preferences) -> None:
    await tx.execute(
        """INSERT INTO preferences (guardian_id, muted_kinds, channels, quiet_start, quiet_end, language)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (guardian_id) DO UPDATE SET muted_kinds = EXCLUDED.muted_kinds, channels = EXCLUDED.channels,
               quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end, language = EXCLUDED.language""",
        guardian_id, list(p.muted_kinds), list(p.channels) if p.channels is not None else None, p.quiet_start,
        p.quiet_end, p.language)


async def defer(tx: asyncpg.Connection, envelope: Envelope, child_id: uuid.UUID) -> None:
    await tx.execute("INSERT INTO deferred_events (event_id, child_id, envelope) VALUES ($1, $2, $3) "
                     "ON CONFLICT DO NOTHING", envelope.event_id, child_id, envelope.to_bytes())


async def take_deferred(tx: asyncpg.Connection, child_id: uuid.UUID) -> list[Envelope]:
    rows = await tx.fetch("DELETE FROM deferred_events WHERE child_id = $1 RETURNING envelope, deferred_at", child_id)
    return [Envelope.model_validate_json(r["envelope"]) for r in sorted(rows, key=lambda r: r["deferred_at"])]
