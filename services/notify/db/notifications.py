"""Notifications (one guardian, one channel), their delivery attempts, and the in-app inbox."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from services.notify.domain.codes import NO_CODE, SealedCode
from shared.db import Conn
from shared.envelope import Envelope

LEASE = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Notification:
    """One message for one recipient on one channel, about one event. A recipient who is not a
    guardian (``recipient``: an emergency contact, a staff contact) has their own id in ``guardian_id``."""

    notification_id: uuid.UUID
    envelope: Envelope
    guardian_id: uuid.UUID
    child_id: uuid.UUID | None
    channel: str
    address: str
    body: str
    safety: bool
    language: str
    due_at: dt.datetime
    code: SealedCode = NO_CODE
    recipient: str = "guardian"
    traceparent: str | None = None  # the trace of the event's handling, which the delivery joins


async def insert(tx: asyncpg.Connection, notes: list[Notification]) -> set[uuid.UUID]:
    """Record notifications in one statement; the ids of those that are new (an event reaches a
    guardian on a channel once). In-app ones are delivered as they are written."""
    if not notes:
        return set()
    rows = await tx.fetch(
        """INSERT INTO notifications (notification_id, source_event_id, source_type, guardian_id, child_id, channel,
                                      address, body, safety, language, status, due_at, delivered_at, sealed_code,
                                      code_expires_at, recipient, traceparent)
           SELECT n, e, t, g, c, ch, a, b, s, l, CASE WHEN ch = 'inapp' THEN 'delivered' ELSE 'pending' END, d,
                  CASE WHEN ch = 'inapp' THEN now() END, sc, sx, r, tp
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::uuid[], $6::text[], $7::text[], $8::text[],
                       $9::bool[], $10::text[], $11::timestamptz[], $12::text[], $13::timestamptz[], $14::text[],
                       $15::text[])
                AS u(n, e, t, g, c, ch, a, b, s, l, d, sc, sx, r, tp)
           ON CONFLICT ON CONSTRAINT notifications_once DO NOTHING RETURNING notification_id""",
        [n.notification_id for n in notes],
        [n.envelope.event_id for n in notes],
        [n.envelope.type for n in notes],
        [n.guardian_id for n in notes],
        [n.child_id for n in notes],
        [n.channel for n in notes],
        [n.address for n in notes],
        [n.body for n in notes],
        [n.safety for n in notes],
        [n.language for n in notes],
        [n.due_at for n in notes],
        [n.code.sealed for n in notes],
        [n.code.expires_at for n in notes],
        [n.recipient for n in notes],
        [n.traceparent for n in notes],
    )
    return {r["notification_id"] for r in rows}


async def share_since(
    tx: asyncpg.Connection, child_id: uuid.UUID, guardian_id: uuid.UUID, since: dt.datetime
) -> list[asyncpg.Record]:
    """Give a guardian who joined the child the in-app notifications the child's other guardians got
    from ``since`` on (one per event); the new ones (``notification_id``, ``source_event_id``,
    ``source_type``)."""
    return await tx.fetch(
        """INSERT INTO notifications (notification_id, source_event_id, source_type, guardian_id, child_id, channel,
                                      address, body, safety, language, status, due_at, delivered_at, sealed_code,
                                      code_expires_at)
           SELECT DISTINCT ON (source_event_id) gen_random_uuid(), source_event_id, source_type, $2, child_id,
                  'inapp', address, body, safety, language, 'delivered', due_at, now(), sealed_code, code_expires_at
           FROM notifications
           WHERE child_id = $1 AND channel = 'inapp' AND guardian_id <> $2 AND created_at >= $3
           ORDER BY source_event_id, created_at
           ON CONFLICT ON CONSTRAINT notifications_once DO NOTHING
           RETURNING notification_id, source_event_id, source_type""",
        child_id,
        guardian_id,
        since,
    )


async def claim_due(conn: Conn, now: dt.datetime, limit: int) -> list[asyncpg.Record]:
    """Due notifications for outside channels, leased to this instance (a crashed one's lease runs out),
    with a webhook endpoint's signing key."""
    return await conn.fetch(
        """UPDATE notifications n SET status = 'sending', lease_until = $1::timestamptz + $3::interval,
                                      attempts = attempts + 1
           WHERE notification_id IN (
               SELECT notification_id FROM notifications
               WHERE (status = 'pending' AND due_at <= $1) OR (status = 'sending' AND lease_until < $1)
               ORDER BY safety DESC, due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING notification_id, guardian_id, child_id, channel, address, body, safety, language, attempts,
                     source_event_id, source_type, sealed_code, code_expires_at, recipient, traceparent,
                     (SELECT secret FROM webhook_endpoints w WHERE n.channel = 'webhook'
                      AND w.guardian_id = n.guardian_id AND w.url = n.address) AS signing_secret""",
        now,
        limit,
        LEASE,
    )


async def record_attempt(
    tx: asyncpg.Connection, notification_id: uuid.UUID, attempt: int, outcome: str, detail: str
) -> None:
    await tx.execute(
        """INSERT INTO delivery_log (notification_id, attempt, outcome, detail) VALUES ($1, $2, $3, $4)
           ON CONFLICT (notification_id, attempt) DO NOTHING""",
        notification_id,
        attempt,
        outcome,
        detail[:500],
    )


async def mark_delivered(tx: asyncpg.Connection, notification_id: uuid.UUID) -> bool:
    return bool(
        await tx.fetchval(
            """UPDATE notifications SET status = 'delivered', delivered_at = now(), lease_until = NULL
           WHERE notification_id = $1 AND status = 'sending' RETURNING true""",
            notification_id,
        )
    )


async def retry_later(tx: asyncpg.Connection, notification_id: uuid.UUID, due_at: dt.datetime, error: str) -> None:
    await tx.execute(
        """UPDATE notifications SET status = 'pending', due_at = $2, last_error = $3, lease_until = NULL
                        WHERE notification_id = $1""",
        notification_id,
        due_at,
        error[:500],
    )


async def mark_failed(tx: asyncpg.Connection, notification_id: uuid.UUID, error: str) -> None:
    await tx.execute(
        """UPDATE notifications SET status = 'failed', last_error = $2, lease_until = NULL
                        WHERE notification_id = $1""",
        notification_id,
        error[:500],
    )


async def inbox_of(
    conn: Conn, guardian_id: uuid.UUID, limit: int, since: dt.datetime | None = None
) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT notification_id, source_type, child_id, channel, body, safety, created_at, language, sealed_code,
                  code_expires_at
           FROM notifications WHERE guardian_id = $1 AND channel = 'inapp' AND ($3::timestamptz IS NULL OR created_at >= $3)
           ORDER BY created_at DESC LIMIT $2""",
        guardian_id,
        limit,
        since,
    )
    return [dict(r) for r in rows]


def sealed_code(row: asyncpg.Record | dict[str, Any]) -> SealedCode:
    return SealedCode(row["sealed_code"], row["code_expires_at"])


async def blank_expired_codes(conn: Conn, now: dt.datetime) -> int:
    """Forget the sealed pick-up codes that have expired; how many were blanked."""
    return len(
        await conn.fetch(
            """UPDATE notifications SET sealed_code = NULL WHERE sealed_code IS NOT NULL AND code_expires_at <= $1
           RETURNING notification_id""",
            now,
        )
    )


async def deliveries_of(conn: Conn, guardian_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT notification_id, source_type, channel, address, status, attempts, due_at, delivered_at, last_error
           FROM notifications WHERE guardian_id = $1 AND recipient = 'guardian' ORDER BY created_at DESC LIMIT 200""",
        guardian_id,
    )
    return [dict(r) for r in rows]
