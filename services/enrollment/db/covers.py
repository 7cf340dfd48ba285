"""The days of each child's insurance cover per programme, as insurers were told them."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg


async def days_of(tx: asyncpg.Connection, child_id: uuid.UUID, programme_id: uuid.UUID) -> tuple[dt.date, ...] | None:
    """The covered days; None when insurers were never told of this child in this programme."""
    days = await tx.fetchval(
        "SELECT days FROM insurance_covers WHERE child_id = $1 AND programme_id = $2", child_id, programme_id
    )
    return None if days is None else tuple(days)


async def save(tx: asyncpg.Connection, child_id: uuid.UUID, programme_id: uuid.UUID, days: tuple[dt.date, ...]) -> None:
    await tx.execute(
        """INSERT INTO insurance_covers (child_id, programme_id, days) VALUES ($1, $2, $3)
           ON CONFLICT (child_id, programme_id) DO UPDATE SET days = EXCLUDED.days""",
        child_id,
        programme_id,
        list(days),
    )


async def remember_ids(
    tx: asyncpg.Connection,
    child_id: uuid.UUID,
    programme_id: uuid.UUID,
    union_id: uuid.UUID | None,
    ids: dict[str, str],
) -> None:
    """The cover id each insurer (``{insurer: cover_id}``) was told, so that its answer finds the child."""
    await tx.execute(
        """INSERT INTO insurer_covers (insurer, cover_id, child_id, programme_id, union_id)
           SELECT i, c, $3, $4, $5 FROM unnest($1::text[], $2::text[]) AS x(i, c)
           ON CONFLICT (insurer, cover_id) DO NOTHING""",
        list(ids),
        list(ids.values()),
        child_id,
        programme_id,
        union_id,
    )


async def reopen(tx: asyncpg.Connection, child_id: uuid.UUID, programme_id: uuid.UUID) -> None:
    """The cover gained days: every insurer's answer is awaited again (for all its days)."""
    await tx.execute(
        """UPDATE insurer_covers SET status = 'pending', policy_number = NULL
           WHERE child_id = $1 AND programme_id = $2 AND status <> 'pending'""",
        child_id,
        programme_id,
    )


async def insurer_cover(tx: asyncpg.Connection, insurer: str, cover_id: str) -> asyncpg.Record | None:
    """The cover ``insurer`` knows as ``cover_id``, with its answer so far and the covered days; locked."""
    return await tx.fetchrow(
        """SELECT i.child_id, i.programme_id, i.union_id, i.status, i.policy_number, c.days
           FROM insurer_covers i JOIN insurance_covers c USING (child_id, programme_id)
           WHERE i.insurer = $1 AND i.cover_id = $2 FOR UPDATE OF i""",
        insurer,
        cover_id,
    )


async def record_answer(
    tx: asyncpg.Connection, insurer: str, cover_id: str, status: str, policy_number: str | None
) -> None:
    await tx.execute(
        "UPDATE insurer_covers SET status = $3, policy_number = $4 WHERE insurer = $1 AND cover_id = $2",
        insurer,
        cover_id,
        status,
        policy_number,
    )
