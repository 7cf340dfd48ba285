"""Funds and policies. A fund's balance changes only through guarded updates."""

from __future__ import annotations

import uuid

import asyncpg

from services.subsidy.domain import Policy
from shared.db import Conn


async def insert_fund(tx: Conn, fund_id: uuid.UUID, union_id: uuid.UUID | None, name: str, budget_fen: int) -> None:
    """A new fund; a ``union_id`` of None (a staff token naming no union, see ``access.own_union``)
    is refused by the table's NOT NULL constraint."""
    await tx.execute(
        "INSERT INTO funds (fund_id, union_id, name, budget_fen) VALUES ($1, $2, $3, $4)",
        fund_id,
        union_id,
        name,
        budget_fen,
    )


async def get_fund(conn: Conn, fund_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT fund_id, union_id, name, budget_fen, reserved_fen, spent_fen,
                  budget_fen - reserved_fen - spent_fen AS available_fen, low_alerted, exhausted_alerted
           FROM funds WHERE fund_id = $1""",
        fund_id,
    )


async def reserve(tx: asyncpg.Connection, fund_id: uuid.UUID, amount: int) -> asyncpg.Record | None:
    """Reserve ``amount`` if the fund still has it; None when it does not (nothing changes then)."""
    return await tx.fetchrow(
        """UPDATE funds SET reserved_fen = reserved_fen + $2
           WHERE fund_id = $1 AND budget_fen - reserved_fen - spent_fen >= $2
           RETURNING fund_id, union_id, budget_fen, budget_fen - reserved_fen - spent_fen AS available_fen,
                     low_alerted""",
        fund_id,
        amount,
    )


async def release(tx: asyncpg.Connection, fund_id: uuid.UUID, amount: int) -> None:
    await tx.execute(
        "UPDATE funds SET reserved_fen = reserved_fen - $2, exhausted_alerted = false WHERE fund_id = $1",
        fund_id,
        amount,
    )


async def spend(tx: asyncpg.Connection, fund_id: uuid.UUID, amount: int) -> None:
    await tx.execute(
        "UPDATE funds SET reserved_fen = reserved_fen - $2, spent_fen = spent_fen + $2 WHERE fund_id = $1",
        fund_id,
        amount,
    )


async def flag(tx: asyncpg.Connection, fund_id: uuid.UUID, column: str) -> bool:
    """Set an alert flag; True when it was not set before (so the alert goes out once)."""
    assert column in ("low_alerted", "exhausted_alerted")
    return bool(
        await tx.fetchval(
            f"UPDATE funds SET {column} = true WHERE fund_id = $1 AND NOT {column} RETURNING true", fund_id
        )
    )


async def use_programme_cap(
    tx: asyncpg.Connection, policy_id: uuid.UUID, programme_id: uuid.UUID, amount: int, cap: int
) -> bool:
    """Count ``amount`` against a policy's cap for a programme; False (no change) when it would exceed it."""
    return bool(
        await tx.fetchval(
            """INSERT INTO programme_usage AS u (policy_id, programme_id, used_fen) SELECT $1, $2, $3 WHERE $3 <= $4
           ON CONFLICT (policy_id, programme_id) DO UPDATE SET used_fen = u.used_fen + EXCLUDED.used_fen
           WHERE u.used_fen + EXCLUDED.used_fen <= $4 RETURNING true""",
            policy_id,
            programme_id,
            amount,
            cap,
        )
    )


async def unuse_programme_cap(
    tx: asyncpg.Connection, policy_id: uuid.UUID, programme_id: uuid.UUID, amount: int
) -> None:
    await tx.execute(
        "UPDATE programme_usage SET used_fen = used_fen - $3 WHERE policy_id = $1 AND programme_id = $2",
        policy_id,
        programme_id,
        amount,
    )


async def insert_policy(tx: Conn, policy_id: uuid.UUID, union_id: uuid.UUID, body: dict) -> None:
    await tx.execute(
        """INSERT INTO policies (policy_id, union_id, fund_id, kind, percent_bp, amount_per_day_fen, groups, class_ids,
                                 cap_per_child_fen, cap_per_programme_fen, auto_approve_up_to_fen,
                                 valid_from, valid_until, provider_ids)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)""",
        policy_id,
        union_id,
        body["fund_id"],
        body["kind"],
        body.get("percent_bp"),
        body.get("amount_per_day_fen"),
        body.get("groups") or [],
        body.get("class_ids") or [],
        body.get("cap_per_child_fen"),
        body.get("cap_per_programme_fen"),
        body.get("auto_approve_up_to_fen"),
        body.get("valid_from"),
        body.get("valid_until"),
        body.get("provider_ids") or [],
    )


async def policies_for(conn: Conn, union_path: list[uuid.UUID]) -> tuple[list[Policy], dict[uuid.UUID, int | None]]:
    """The policies of every union on the class's path, and each one's cap per programme."""
    rows = await conn.fetch(
        """SELECT policy_id, fund_id, kind, percent_bp, amount_per_day_fen, groups, class_ids, cap_per_child_fen,
                  cap_per_programme_fen, auto_approve_up_to_fen, valid_from, valid_until, provider_ids
           FROM policies WHERE union_id = ANY($1::uuid[])""",
        union_path,
    )
    policies = [
        Policy(
            policy_id=r["policy_id"],
            fund_id=r["fund_id"],
            kind=r["kind"],
            percent_bp=r["percent_bp"],
            amount_per_day_fen=r["amount_per_day_fen"],
            groups=tuple(r["groups"]),
            class_ids=tuple(r["class_ids"]),
            cap_per_child_fen=r["cap_per_child_fen"],
            auto_approve_up_to_fen=r["auto_approve_up_to_fen"],
            valid_from=r["valid_from"],
            valid_until=r["valid_until"],
            provider_ids=tuple(r["provider_ids"]),
        )
        for r in rows
    ]
    return policies, {r["policy_id"]: r["cap_per_programme_fen"] for r in rows}


async def programme_caps(conn: Conn, policy_ids: list[uuid.UUID]) -> dict[uuid.UUID, int | None]:
    """Each policy's cap per programme (None: no cap)."""
    rows = await conn.fetch(
        "SELECT policy_id, cap_per_programme_fen FROM policies WHERE policy_id = ANY($1::uuid[])", policy_ids
    )
    return {r["policy_id"]: r["cap_per_programme_fen"] for r in rows}


async def nearest_exhaustion(conn: Conn, limit: int) -> list[asyncpg.Record]:
    """The ``limit`` funds with the smallest share of their budget left (for the metrics)."""
    return await conn.fetch(
        """SELECT fund_id, union_id, budget_fen, budget_fen - reserved_fen - spent_fen AS available_fen
           FROM funds ORDER BY (budget_fen - reserved_fen - spent_fen)::float8 / budget_fen, fund_id LIMIT $1""",
        limit,
    )
