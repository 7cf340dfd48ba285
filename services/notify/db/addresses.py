"""Guardians' outside addresses (e-mail, SMS, WeChat, webhook) and their confirmation state."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg

from services.notify.domain.codes import CONFIRMATION, PendingCode
from shared.db import Conn

Offered = tuple[uuid.UUID, str, str]  # guardian id, kind, address


async def lock_guardians(tx: asyncpg.Connection, guardian_ids: Iterable[uuid.UUID]) -> None:
    """Serialise changes to guardians' addresses (so that quotas hold); always after children's locks."""
    await tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended(g, 7263011)) FROM unnest($1::text[]) AS g",
        sorted({str(g) for g in guardian_ids}),
    )


async def learn(tx: asyncpg.Connection, offered: Sequence[Offered]) -> None:
    """Keep addresses notify has not seen for these guardians; each new one starts unconfirmed,
    waiting for its code."""
    if offered:
        await tx.execute(
            """INSERT INTO contact_addresses (address_id, guardian_id, kind, address)
               SELECT gen_random_uuid(), g, k, a FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(g, k, a)
               ON CONFLICT DO NOTHING""",
            [g for g, _, _ in offered],
            [k for _, k, _ in offered],
            [a for _, _, a in offered],
        )


async def add(tx: asyncpg.Connection, guardian_id: uuid.UUID, kind: str, address: str) -> asyncpg.Record:
    """The address (``address_id``, ``state``), kept unconfirmed if it is new."""
    await learn(tx, [(guardian_id, kind, address)])
    row = await tx.fetchrow(
        "SELECT address_id, state FROM contact_addresses WHERE guardian_id = $1 AND kind = $2 AND address = $3",
        guardian_id,
        kind,
        address,
    )
    assert row is not None  # learn() has just stored it in this transaction
    return row


async def count(conn: Conn, guardian_id: uuid.UUID, kind: str) -> int:
    return await conn.fetchval(
        "SELECT count(*) FROM contact_addresses WHERE guardian_id = $1 AND kind = $2", guardian_id, kind
    )


async def forget(conn: Conn, guardian_id: uuid.UUID, kind: str, address: str) -> None:
    await conn.execute(
        "DELETE FROM contact_addresses WHERE guardian_id = $1 AND kind = $2 AND address = $3",
        guardian_id,
        kind,
        address,
    )


async def confirmed_of(conn: Conn, guardian_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, list[dict]]:
    """Each guardian's confirmed addresses, as channels (``kind``, ``address``)."""
    rows = await conn.fetch(
        """SELECT guardian_id, kind, address FROM contact_addresses
           WHERE guardian_id = ANY($1::uuid[]) AND state = 'confirmed' ORDER BY created_at""",
        list(guardian_ids),
    )
    found: dict[uuid.UUID, list[dict]] = {}
    for row in rows:
        found.setdefault(row["guardian_id"], []).append({"kind": row["kind"], "address": row["address"]})
    return found


async def of_guardian(conn: Conn, guardian_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT address_id, kind, address, state, created_at, confirmed_at, code_expires_at FROM contact_addresses
           WHERE guardian_id = $1 ORDER BY kind, created_at""",
        guardian_id,
    )
    return [dict(r) for r in rows]


async def pending_code(
    tx: asyncpg.Connection, guardian_id: uuid.UUID, address_id: uuid.UUID
) -> tuple[str, PendingCode] | None:
    """The address's state and outstanding code, locked; None if the guardian has no such address."""
    row = await tx.fetchrow(
        """SELECT state, code_hash, code_expires_at, wrong_codes FROM contact_addresses
           WHERE guardian_id = $1 AND address_id = $2 FOR UPDATE""",
        guardian_id,
        address_id,
    )
    return (
        None
        if row is None
        else (row["state"], PendingCode(row["code_hash"], row["code_expires_at"], row["wrong_codes"]))
    )


async def confirm(tx: asyncpg.Connection, address_id: uuid.UUID) -> None:
    await tx.execute(
        """UPDATE contact_addresses SET state = 'confirmed', confirmed_at = now(), code_hash = NULL,
                  code_expires_at = NULL, code_wanted = false WHERE address_id = $1""",
        address_id,
    )


async def count_wrong_code(tx: asyncpg.Connection, address_id: uuid.UUID) -> int:
    return await tx.fetchval(
        "UPDATE contact_addresses SET wrong_codes = wrong_codes + 1 WHERE address_id = $1 RETURNING wrong_codes",
        address_id,
    )


async def want_code(conn: Conn, guardian_id: uuid.UUID, address_id: uuid.UUID, max_codes: int) -> str | None:
    """Ask for a new code for an unconfirmed address: None when one will be sent, else why not."""
    row = await conn.fetchrow(
        """UPDATE contact_addresses SET code_wanted = true
           WHERE guardian_id = $1 AND address_id = $2 AND state = 'unconfirmed' AND codes_sent < $3
           RETURNING address_id""",
        guardian_id,
        address_id,
        max_codes,
    )
    if row is not None:
        return None
    state = await conn.fetchval(
        "SELECT state FROM contact_addresses WHERE guardian_id = $1 AND address_id = $2", guardian_id, address_id
    )
    return {None: "missing", "confirmed": "confirmed"}.get(state, "too_many")


async def drop_over_quota(tx: asyncpg.Connection, per_kind: int) -> list[asyncpg.Record]:
    """Forget addresses learned from registrations beyond a guardian's quota per kind (the oldest are kept)."""
    return await tx.fetch(
        """DELETE FROM contact_addresses a WHERE a.code_wanted AND a.codes_sent = 0 AND a.state = 'unconfirmed'
             AND (SELECT count(*) FROM contact_addresses b WHERE b.guardian_id = a.guardian_id AND b.kind = a.kind
                  AND (b.created_at, b.address_id) < (a.created_at, a.address_id)) >= $1
           RETURNING guardian_id, kind""",
        per_kind,
    )


async def claim_code_wanted(tx: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """Addresses waiting for a code, locked for this transaction."""
    return await tx.fetch(
        """SELECT a.address_id, a.guardian_id, a.kind, a.address, coalesce(p.language, 'zh-CN') AS language
           FROM contact_addresses a LEFT JOIN preferences p USING (guardian_id)
           WHERE a.code_wanted AND a.state = 'unconfirmed' ORDER BY a.created_at LIMIT $1
           FOR UPDATE OF a SKIP LOCKED""",
        limit,
    )


async def issue_code(
    tx: asyncpg.Connection,
    address: asyncpg.Record,
    *,
    code_hash: str,
    sealed_code: str,
    expires_at: dt.datetime,
    body: str,
) -> None:
    """Keep the new code's hash (the last code is void) and queue its message, the code sealed."""
    await tx.execute(
        """UPDATE contact_addresses SET code_wanted = false, code_hash = $2, code_expires_at = $3, wrong_codes = 0,
                  codes_sent = codes_sent + 1 WHERE address_id = $1""",
        address["address_id"],
        code_hash,
        expires_at,
    )
    await tx.execute(
        """INSERT INTO notifications (notification_id, source_event_id, source_type, guardian_id, child_id, channel,
                                      address, body, language, status, due_at, sealed_code, code_expires_at)
           VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, 'pending', now(), $9, $10)""",
        uuid.uuid4(),
        uuid.uuid4(),
        CONFIRMATION,
        address["guardian_id"],
        address["kind"],
        address["address"],
        body,
        address["language"],
        sealed_code,
        expires_at,
    )
