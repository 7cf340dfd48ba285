"""Each child's guardians, as enrollment last told them."""

from __future__ import annotations

import uuid

import asyncpg

from shared.db import Conn


async def set_guardians(tx: asyncpg.Connection, child_id: uuid.UUID, guardian_ids: list[uuid.UUID]) -> None:
    await tx.execute(
        """INSERT INTO child_guardians (child_id, guardian_ids) VALUES ($1, $2)
           ON CONFLICT (child_id) DO UPDATE SET guardian_ids = EXCLUDED.guardian_ids""",
        child_id,
        guardian_ids,
    )


async def is_guardian(conn: Conn, child_id: uuid.UUID, member_id: uuid.UUID) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT $2 = ANY(guardian_ids) FROM child_guardians WHERE child_id = $1", child_id, member_id
        )
    )
