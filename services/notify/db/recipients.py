"""Who to tell about a child (from child.registered), their preferences, and events waiting for them."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

import asyncpg

from services.notify.domain.planning import Preferences
from shared.contracts.enrollment import ChildRegistered
from shared.db import Conn, columns, json_text
from shared.envelope import Envelope


async def lock_children(tx: asyncpg.Connection, child_ids: Iterable[uuid.UUID]) -> None:
    """Serialise children's registrations with the deferral of events that overtook them."""
    await tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(c, 7263003)) FROM unnest($1::text[]) AS c",
        sorted({str(c) for c in child_ids}),
    )


async def replace_recipients(tx: asyncpg.Connection, registrations: Sequence[ChildRegistered]) -> None:
    """Each child's guardians as its last registration in ``registrations`` names them."""
    latest = {r.child_id: r for r in registrations}
    await tx.execute("DELETE FROM recipients WHERE child_id = ANY($1::uuid[])", list(latest))
    rows = [
        (r.child_id, g.guardian_id, r.display_name, g.display_name, json_text([c.model_dump() for c in g.channels]))
        for r in latest.values()
        for g in r.guardians
    ]
    await tx.execute(
        """INSERT INTO recipients (child_id, guardian_id, child_name, display_name, channels)
           SELECT c, g, n, d, ch::jsonb FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[])
               AS u(c, g, n, d, ch)""",
        *columns(rows, 5),
    )


async def recipients_of(tx: Conn, child_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[asyncpg.Record]]:
    """Each child's guardians (children nobody registered yet are left out)."""
    rows = await tx.fetch(
        """SELECT child_id, guardian_id, child_name, display_name, channels FROM recipients
           WHERE child_id = ANY($1::uuid[]) ORDER BY child_id, guardian_id""",
        list(child_ids),
    )
    known: dict[uuid.UUID, list[asyncpg.Record]] = {}
    for row in rows:
        known.setdefault(row["child_id"], []).append(row)
    return known


async def preferences_of(conn: Conn, guardian_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Preferences]:
    """The guardians' saved preferences; a guardian who never saved any is left out."""
    rows = await conn.fetch(
        """SELECT guardian_id, muted_kinds, channels, quiet_start, quiet_end, language FROM preferences
           WHERE guardian_id = ANY($1::uuid[])""",
        list(guardian_ids),
    )
    return {r["guardian_id"]: _preferences(r) for r in rows}


async def preferences(conn: Conn, guardian_id: uuid.UUID) -> Preferences:
    row = await conn.fetchrow(
        "SELECT muted_kinds, channels, quiet_start, quiet_end, language FROM preferences WHERE guardian_id = $1",
        guardian_id,
    )
    return Preferences() if row is None else _preferences(row)


def _preferences(row: asyncpg.Record) -> Preferences:
    return Preferences(
        tuple(row["muted_kinds"]),
        tuple(row["channels"]) if row["channels"] is not None else None,
        row["quiet_start"],
        row["quiet_end"],
        row["language"],
    )


async def save_preferences(tx: Conn, guardian_id: uuid.UUID, p: Preferences) -> None:
    await tx.execute(
        """INSERT INTO preferences (guardian_id, muted_kinds, channels, quiet_start, quiet_end, language)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (guardian_id) DO UPDATE SET muted_kinds = EXCLUDED.muted_kinds, channels = EXCLUDED.channels,
               quiet_start = EXCLUDED.quiet_start, quiet_end = EXCLUDED.quiet_end, language = EXCLUDED.language""",
        guardian_id,
        list(p.muted_kinds),
        list(p.channels) if p.channels is not None else None,
        p.quiet_start,
        p.quiet_end,
        p.language,
    )


async def defer(tx: asyncpg.Connection, waiting: Sequence[tuple[Envelope, uuid.UUID]]) -> None:
    """Keep events about children notify does not know yet, until their registration arrives."""
    if waiting:
        await tx.execute(
            """INSERT INTO deferred_events (event_id, child_id, envelope)
               SELECT e, c, v FROM unnest($1::uuid[], $2::uuid[], $3::bytea[]) WITH ORDINALITY AS u(e, c, v, n)
               ORDER BY n ON CONFLICT DO NOTHING""",
            [e.event_id for e, _ in waiting],
            [c for _, c in waiting],
            [e.to_bytes() for e, _ in waiting],
        )


async def deferred(tx: asyncpg.Connection, child_ids: Iterable[uuid.UUID]) -> list[asyncpg.Record]:
    """The events kept for these children (``event_id``, ``envelope``), oldest first, locked."""
    return await tx.fetch(
        """SELECT event_id, envelope FROM deferred_events WHERE child_id = ANY($1::uuid[])
           ORDER BY seq FOR UPDATE""",
        list(child_ids),
    )


async def forget_deferred(tx: asyncpg.Connection, event_id: uuid.UUID) -> None:
    await tx.execute("DELETE FROM deferred_events WHERE event_id = $1", event_id)
