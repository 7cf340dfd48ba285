"""Model classes and the lump-sum grants paid to their operators."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from shared.db import Conn


async def designate(tx: asyncpg.Connection, known: asyncpg.Record, union_id: uuid.UUID, designated_by: str) -> bool:
    """Make the class a model class; False when it already is one."""
    return bool(
        await tx.fetchval(
            """INSERT INTO model_classes (class_id, provider_id, union_path, union_id, designated_by)
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT (class_id) DO NOTHING RETURNING true""",
            known["class_id"],
            known["provider_id"],
            known["union_path"],
            union_id,
            designated_by,
        )
    )


async def get(conn: Conn, class_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow(
        """SELECT class_id, provider_id, union_path, union_id, designated_by, designated_at
           FROM model_classes WHERE class_id = $1""",
        class_id,
    )


async def insert_grant(
    tx: asyncpg.Connection, grant_id: uuid.UUID, model: asyncpg.Record, fund_id: uuid.UUID, amount: int, by: str
) -> None:
    await tx.execute(
        """INSERT INTO model_class_grants (grant_id, class_id, fund_id, provider_id, amount_fen, granted_by)
           VALUES ($1, $2, $3, $4, $5, $6)""",
        grant_id,
        model["class_id"],
        fund_id,
        model["provider_id"],
        amount,
        by,
    )


async def grants(conn: Conn, class_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await conn.fetch(
        """SELECT grant_id, fund_id, provider_id, amount_fen, granted_by, granted_at
           FROM model_class_grants WHERE class_id = $1 ORDER BY granted_at, grant_id""",
        class_id,
    )
    return [dict(r) for r in rows]
