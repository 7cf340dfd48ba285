"""Applications and their ledger lines (one per policy and day)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from services.subsidy.domain import Line
from shared.db import Conn


async def insert_application(
    tx: asyncpg.Connection,
    *,
    application_id: uuid.UUID,
    source_event_id: uuid.UUID,
    event: Any,
    union_path: list[uuid.UUID],
    amount_fen: int,
    status: str,
) -> None:
    await tx.execute(
        """INSERT INTO applications (application_id, booking_id, child_id, union_id, days, fee_fen, status,
                                     source_event_id, class_id, programme_id, priority_group, union_path, amount_fen)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)""",
        application_id,
        event.booking_id,
        event.child_id,
        union_path[-1],
        len(event.days),
        len(event.days) * event.fee_per_day_fen,
        status,
        source_event_id,
        event.class_id,
        event.programme_id,
        event.priority_group,
        union_path,
        amount_fen,
    )


async def insert_lines(tx: asyncpg.Connection, application_id: uuid.UUID, lines: list[Line], state: str) -> None:
    await tx.executemany(
        """INSERT INTO application_lines (application_id, policy_id, fund_id, day, amount_fen, state)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        [
            (application_id, line.policy.policy_id, line.policy.fund_id, day, amount, state)
            for line in lines
            for day, amount in line.per_day.items()
            if amount > 0
        ],
    )


async def lock(tx: asyncpg.Connection, application_id: uuid.UUID) -> asyncpg.Record | None:
    return await tx.fetchrow(
        """SELECT application_id, booking_id, child_id, status, amount_fen, programme_id, union_path, priority_group
           FROM applications WHERE application_id = $1 FOR UPDATE""",
        application_id,
    )


async def set_status(
    tx: asyncpg.Connection, application_id: uuid.UUID, status: str, *, by: str | None = None, reason: str | None = None
) -> None:
    await tx.execute(
        """UPDATE applications SET status = $2, decided_by = coalesce($3, decided_by), reason = coalesce($4, reason),
           decided_at = CASE WHEN $3 IS NULL THEN decided_at ELSE now() END WHERE application_id = $1""",
        application_id,
        status,
        by,
        reason,
    )


async def lines_by_policy(tx: asyncpg.Connection, application_id: uuid.UUID, state: str) -> list[asyncpg.Record]:
    return await tx.fetch(
        """SELECT policy_id, fund_id, sum(amount_fen)::bigint AS amount_fen FROM application_lines
           WHERE application_id = $1 AND state = $2 GROUP BY policy_id, fund_id ORDER BY fund_id, policy_id""",
        application_id,
        state,
    )


async def move_lines(
    tx: asyncpg.Connection, application_id: uuid.UUID, frm: tuple[str, ...], to: str, days: list[dt.date] | None = None
) -> list[asyncpg.Record]:
    """Move lines to a new state; returns the moved lines (with the state they left)."""
    return await tx.fetch(
        """WITH moved AS (SELECT application_id, policy_id, day, state AS was FROM application_lines
                          WHERE application_id = $1 AND state = ANY($2::text[])
                            AND ($4::date[] IS NULL OR day = ANY($4::date[])) FOR UPDATE)
           UPDATE application_lines l SET state = $3 FROM moved
           WHERE l.application_id = moved.application_id AND l.policy_id = moved.policy_id AND l.day = moved.day
           RETURNING l.policy_id, l.fund_id, l.day, l.amount_fen, moved.was""",
        application_id,
        list(frm),
        to,
        days,
    )


async def open_applications(tx: asyncpg.Connection, booking_id: uuid.UUID) -> list[asyncpg.Record]:
    return await tx.fetch(
        """SELECT application_id FROM applications WHERE booking_id = $1
           AND status IN ('requested', 'pending_review', 'approved') ORDER BY application_id FOR UPDATE""",
        booking_id,
    )


async def totals(tx: Conn, application_id: uuid.UUID) -> dict[str, int]:
    rows = await tx.fetch(
        "SELECT state, sum(amount_fen)::bigint AS fen FROM application_lines WHERE application_id = $1 GROUP BY state",
        application_id,
    )
    return {r["state"]: r["fen"] for r in rows}


async def get(conn: Conn, application_id: uuid.UUID) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        """SELECT application_id, booking_id, child_id, class_id, programme_id, priority_group, union_path, days,
                  fee_fen, amount_fen, status, reason, decided_by, decided_at, opened_at
           FROM applications WHERE application_id = $1""",
        application_id,
    )
    return dict(row) if row else None


_LISTED = "application_id, booking_id, child_id, days, fee_fen, amount_fen, status, reason, union_path, opened_at"


async def of_booking(conn: Conn, booking_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(f"SELECT {_LISTED} FROM applications WHERE booking_id = $1 ORDER BY opened_at", booking_id)
    return [dict(r) for r in rows]


async def of_child(conn: Conn, child_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(f"SELECT {_LISTED} FROM applications WHERE child_id = $1 ORDER BY opened_at", child_id)
    return [dict(r) for r in rows]


async def in_subtree(conn: Conn, union_id: uuid.UUID, status: str, limit: int, offset: int) -> list[dict[str, Any]]:
    """Applications in a status whose class runs in the union or below it, oldest first."""
    rows = await conn.fetch(
        f"""SELECT {_LISTED} FROM applications WHERE union_path @> ARRAY[$1]::uuid[] AND status = $2
            ORDER BY opened_at, application_id LIMIT $3 OFFSET $4""",
        union_id,
        status,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def is_above(conn: Conn, upper_id: uuid.UUID, union_id: uuid.UUID) -> bool:
    """Whether some class's path runs through ``upper_id`` and then ``union_id`` (root first)."""
    return await conn.fetchval(
        """SELECT EXISTS (SELECT 1 FROM applications WHERE union_path @> ARRAY[$1, $2]::uuid[]
                          AND array_position(union_path, $1) < array_position(union_path, $2))""",
        upper_id,
        union_id,
    )


async def spending(conn: Conn, union_id: uuid.UUID, by: str) -> list[dict[str, Any]]:
    column = {"employment_category": "a.priority_group", "programme": "a.programme_id::text"}[by]
    rows = await conn.fetch(
        f"""SELECT {column} AS key,
                   coalesce(sum(l.amount_fen) FILTER (WHERE l.state = 'reserved'), 0)::bigint AS reserved_fen,
                   coalesce(sum(l.amount_fen) FILTER (WHERE l.state = 'spent'), 0)::bigint AS spent_fen,
                   count(DISTINCT a.child_id) AS children
            FROM applications a JOIN application_lines l USING (application_id)
            WHERE $1 = ANY(a.union_path) GROUP BY 1 ORDER BY 1""",
        union_id,
    )
    return [dict(r) for r in rows]


async def ledger(conn: Conn, union_id: uuid.UUID) -> list[asyncpg.Record]:
    return await conn.fetch(
        """SELECT a.application_id, a.booking_id, a.child_id, a.programme_id, a.class_id, a.priority_group, a.status,
                  l.day, l.fund_id, l.policy_id, l.amount_fen, l.state
           FROM applications a JOIN application_lines l USING (application_id)
           WHERE $1 = ANY(a.union_path) ORDER BY a.opened_at, a.application_id, l.day, l.policy_id""",
        union_id,
    )


async def fund_owners(conn: Conn, application_id: uuid.UUID) -> list[uuid.UUID]:
    """The unions owning the funds an application's lines draw on."""
    rows = await conn.fetch(
        "SELECT DISTINCT f.union_id FROM application_lines l JOIN funds f USING (fund_id) WHERE l.application_id = $1",
        application_id,
    )
    return [r["union_id"] for r in rows]
