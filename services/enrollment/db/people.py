"""Children, their guardians and the adults allowed to pick them up."""

from __future__ import annotations

import uuid

import asyncpg

from shared.contracts.enrollment import ChildRegistered

Conn = asyncpg.Connection | asyncpg.Pool


async def insert_child(tx: Conn, child: ChildRegistered, union_id: uuid.UUID, birth_date) -> None:
    await tx.execute(
        """INSERT INTO children (child_id, union_id, display_name, birth_date, priority_group, authorised_adults,
                                 emergency_contact) VALUES ($1, $2, $3, $4, $5, $6, $7)""",
        child.child_id, union_id, child.display_name, birth_date, child.priority_group,
        [a.model_dump(mode="json") for a in child.authorised_adults],
        child.emergency_contact.model_dump(mode="json") if child.emergency_contact else None,
    )
    await tx.executemany(
        """INSERT INTO guardianships (child_id, guardian_id, display_name, employment_category, channels)
           VALUES ($1, $2, $3, $4, $5)""",
        [(child.child_id, g.guardian_id, g.display_name, g.employment_category,
          [c.model_dump() for c in g.channels]) for g in child.guardians],
    )


async def get_child(conn: Conn, child_id: uuid.UUID, *, lock: bool = False) -> asyncpg.Record | None:
    return await conn.fetchrow(
        f"""SELECT child_id, union_id, display_name, birth_date, priority_group, authorised_adults, emergency_contact,
                   ARRAY(SELECT guardian_id FROM guardianships g WHERE g.child_id = c.child_id) AS guardian_ids
            FROM children c WHERE child_id = $1 {'FOR UPDATE' if lock else ''}""",
        child_id,
    )


async def lock_children(tx: asyncpg.Connection, child_ids: list[uuid.UUID]) -> None:
    """Row locks in id order: a child's events then reach the outbox in commit order."""
    await tx.execute("SELECT 1 FROM children WHERE child_id = ANY($1::uuid[]) ORDER BY child_id FOR UPDATE",
                     sorted(set(child_ids)))


async def guardians_of(conn: Conn, child_id: uuid.UUID) -> list[dict]:
    rows = await conn.fetch(
        """SELECT guardian_id, display_name, employment_category, channels FROM guardianships
           WHERE child_id = $1 ORDER BY display_name""", child_id)
    return [dict(r) for r in rows]
