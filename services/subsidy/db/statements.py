"""Families' statements (one per booking), their days, payments and refunds."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from services.subsidy.domain.statements import DayCharge, DayState, Totals
from shared.db import Conn


async def open_statement(tx: asyncpg.Connection, event: Any, union_path: list[uuid.UUID]) -> None:
    """The booking's statement (if new) and its confirmed days, booked; a day already known stays as it is."""
    await tx.execute(
        """INSERT INTO statements (booking_id, child_id, class_id, programme_id, provider_id, union_path, fee_per_day_fen)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (booking_id) DO NOTHING""",
        event.booking_id,
        event.child_id,
        event.class_id,
        event.programme_id,
        event.provider_id,
        union_path,
        event.fee_per_day_fen,
    )
    await tx.executemany(
        "INSERT INTO statement_days (booking_id, day, state) VALUES ($1, $2, 'booked') ON CONFLICT DO NOTHING",
        [(event.booking_id, day) for day in event.days],
    )


async def lock(tx: asyncpg.Connection, booking_id: uuid.UUID) -> asyncpg.Record | None:
    return await tx.fetchrow(
        """SELECT booking_id, child_id, union_path, fee_per_day_fen, revision, fee_fen, subsidy_fen, family_fen,
                  paid_fen, refunded_fen FROM statements WHERE booking_id = $1 FOR UPDATE""",
        booking_id,
    )


async def booked_days(tx: asyncpg.Connection, booking_id: uuid.UUID, days: list[dt.date]) -> list[dt.date]:
    """Those of ``days`` the statement holds as booked (nothing yet became of them)."""
    rows = await tx.fetch(
        "SELECT day FROM statement_days WHERE booking_id = $1 AND day = ANY($2::date[]) AND state = 'booked'",
        booking_id,
        days,
    )
    return [r["day"] for r in rows]


async def set_state(tx: asyncpg.Connection, booking_id: uuid.UUID, day: dt.date, state: DayState) -> None:
    """What became of a booked day; a day something already became of keeps it (the first word stands)."""
    await tx.execute(
        "UPDATE statement_days SET state = $3 WHERE booking_id = $1 AND day = $2 AND state = 'booked'",
        booking_id,
        day,
        state,
    )


async def day_states(tx: asyncpg.Connection, booking_id: uuid.UUID) -> list[tuple[dt.date, DayState]]:
    rows = await tx.fetch("SELECT day, state FROM statement_days WHERE booking_id = $1 ORDER BY day", booking_id)
    return [(r["day"], r["state"]) for r in rows]


async def ledger_subsidy(tx: asyncpg.Connection, booking_id: uuid.UUID) -> dict[dt.date, int]:
    """The subsidy of each day: what the booking's applications hold reserved or spent for it."""
    rows = await tx.fetch(
        """SELECT l.day, sum(l.amount_fen)::bigint AS fen FROM applications a JOIN application_lines l USING (application_id)
           WHERE a.booking_id = $1 AND l.state IN ('reserved', 'spent') GROUP BY l.day""",
        booking_id,
    )
    return {r["day"]: r["fen"] for r in rows}


async def store_revision(
    tx: asyncpg.Connection, booking_id: uuid.UUID, days: list[DayCharge], totals: Totals, refunded_fen: int
) -> int:
    """Write the revised days and totals (and what was refunded with them); the new revision number."""
    await tx.executemany(
        "UPDATE statement_days SET fee_fen = $3, subsidy_fen = $4 WHERE booking_id = $1 AND day = $2",
        [(booking_id, d.day, d.fee_fen, d.subsidy_fen) for d in days],
    )
    revision: int = await tx.fetchval(
        """UPDATE statements SET revision = revision + 1, fee_fen = $2, subsidy_fen = $3, family_fen = $4,
                  refunded_fen = refunded_fen + $5, issued_at = now()
           WHERE booking_id = $1 RETURNING revision""",
        booking_id,
        totals.fee_fen,
        totals.subsidy_fen,
        totals.family_fen,
        refunded_fen,
    )
    return revision


async def insert_refund(
    tx: asyncpg.Connection, refund_id: uuid.UUID, booking_id: uuid.UUID, amount_fen: int, reason: str
) -> None:
    await tx.execute(
        "INSERT INTO refunds (refund_id, booking_id, amount_fen, reason) VALUES ($1, $2, $3, $4)",
        refund_id,
        booking_id,
        amount_fen,
        reason,
    )


async def payment_by_reference(tx: Conn, source: str, reference: str) -> asyncpg.Record | None:
    return await tx.fetchrow(
        "SELECT payment_id, booking_id, amount_fen FROM payments WHERE source = $1 AND reference = $2",
        source,
        reference,
    )


async def insert_payment(tx: asyncpg.Connection, payment_id: uuid.UUID, booking_id: uuid.UUID, **fields: Any) -> int:
    """Record a payment and count it as paid; what the family still owes after it."""
    await tx.execute(
        """INSERT INTO payments (payment_id, booking_id, amount_fen, source, method, reference, recorded_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        payment_id,
        booking_id,
        fields["amount_fen"],
        fields["source"],
        fields["method"],
        fields["reference"],
        fields["recorded_by"],
    )
    balance: int = await tx.fetchval(
        """UPDATE statements SET paid_fen = paid_fen + $2 WHERE booking_id = $1
           RETURNING family_fen - paid_fen + refunded_fen""",
        booking_id,
        fields["amount_fen"],
    )
    return balance


_STATEMENT = """SELECT booking_id, child_id, class_id, programme_id, union_path, fee_per_day_fen, revision, fee_fen,
                       subsidy_fen, family_fen, paid_fen, refunded_fen,
                       family_fen - paid_fen + refunded_fen AS balance_fen, issued_at
                FROM statements"""


async def get(conn: Conn, booking_id: uuid.UUID) -> dict[str, Any] | None:
    """A statement with its days, payments and refunds; None when the booking has none."""
    row = await conn.fetchrow(f"{_STATEMENT} WHERE booking_id = $1", booking_id)
    if row is None:
        return None
    days = await conn.fetch(
        """SELECT day, state, fee_fen, subsidy_fen, fee_fen - subsidy_fen AS family_fen
           FROM statement_days WHERE booking_id = $1 ORDER BY day""",
        booking_id,
    )
    payments = await conn.fetch(
        """SELECT payment_id, amount_fen, source, method, reference, recorded_by, received_at
           FROM payments WHERE booking_id = $1 ORDER BY received_at, payment_id""",
        booking_id,
    )
    refunds = await conn.fetch(
        "SELECT refund_id, amount_fen, reason, issued_at FROM refunds WHERE booking_id = $1 ORDER BY issued_at",
        booking_id,
    )
    return {
        **dict(row),
        "days": [dict(d) for d in days],
        "payments": [dict(p) for p in payments],
        "refunds": [dict(r) for r in refunds],
    }


async def of_child(conn: Conn, child_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(f"{_STATEMENT} WHERE child_id = $1 ORDER BY issued_at, booking_id", child_id)
    return [dict(r) for r in rows]


async def of_guardian(conn: Conn, guardian_id: uuid.UUID) -> list[dict[str, Any]]:
    """The statements of every child the member is a guardian of: the family's."""
    rows = await conn.fetch(
        f"""{_STATEMENT} WHERE child_id IN (SELECT child_id FROM child_guardians WHERE $1 = ANY(guardian_ids))
            ORDER BY child_id, issued_at, booking_id""",
        guardian_id,
    )
    return [dict(r) for r in rows]


async def known_class(conn: Conn, class_id: uuid.UUID) -> asyncpg.Record | None:
    """A class subsidy knows from its bookings: its operator (provider) and its union path."""
    return await conn.fetchrow(
        "SELECT class_id, provider_id, union_path FROM statements WHERE class_id = $1 LIMIT 1", class_id
    )


async def set_refund_rule(tx: Conn, union_id: uuid.UUID, notice_days: int, set_by: str) -> None:
    await tx.execute(
        """INSERT INTO refund_rules (union_id, notice_days, set_by) VALUES ($1, $2, $3)
           ON CONFLICT (union_id) DO UPDATE SET notice_days = EXCLUDED.notice_days, set_by = EXCLUDED.set_by,
           set_at = now()""",
        union_id,
        notice_days,
        set_by,
    )


async def refund_notice(conn: Conn, union_path: list[uuid.UUID]) -> int | None:
    """The notice of the deepest union on the path with a refund rule; None when none has one."""
    return await conn.fetchval(
        """SELECT notice_days FROM refund_rules WHERE union_id = ANY($1::uuid[])
           ORDER BY array_position($1::uuid[], union_id) DESC LIMIT 1""",
        union_path,
    )
