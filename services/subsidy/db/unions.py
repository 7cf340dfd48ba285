"""The union tree: each union's path from the root, learnt from the sites enrollment opens."""

from __future__ import annotations

import uuid

from shared.db import Conn


async def know_path(tx: Conn, union_path: tuple[uuid.UUID, ...]) -> None:
    """Record the path of the site's union and of each union above it."""
    await tx.executemany(
        "INSERT INTO union_paths (union_id, union_path) VALUES ($1, $2) ON CONFLICT (union_id) DO NOTHING",
        [(union_path[i - 1], list(union_path[:i])) for i in range(1, len(union_path) + 1)],
    )


async def is_above(conn: Conn, upper_id: uuid.UUID, union_id: uuid.UUID) -> bool:
    """Whether ``upper_id`` is an ancestor of ``union_id`` in the known tree."""
    return await conn.fetchval(
        """SELECT EXISTS (SELECT 1 FROM union_paths WHERE union_id = $2 AND union_path @> ARRAY[$1]::uuid[]
                          AND union_id <> $1)""",
        upper_id,
        union_id,
    )


async def funds_of_subtree(conn: Conn, union_id: uuid.UUID) -> list[dict]:
    """Every fund of ``union_id`` and of the unions known to be below it, deepest last."""
    rows = await conn.fetch(
        """SELECT f.fund_id, f.union_id, f.name, f.budget_fen, f.reserved_fen, f.spent_fen,
                  f.budget_fen - f.reserved_fen - f.spent_fen AS available_fen
           FROM funds f LEFT JOIN union_paths u ON u.union_id = f.union_id
           WHERE f.union_id = $1 OR u.union_path @> ARRAY[$1]::uuid[]
           ORDER BY coalesce(cardinality(u.union_path), 0), f.name, f.fund_id""",
        union_id,
    )
    return [dict(r) for r in rows]
