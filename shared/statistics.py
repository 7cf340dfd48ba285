"""Statistics for partners: periodic aggregates per cell, never one record per child.

A service counts a fact (a booking confirmed, a child-day attended or missed, subsidy money
approved or settled) into its own ``statistics_facts`` table in the transaction that records the
fact. The fact's id is the primary key, so an event redelivered or a command retried counts once.

A timer (:func:`publish_statistics`) publishes every period that is over: one
``partner.statistics_cell`` per cell (union, measure, class type, priority group) to each
statistics partner, through the outbox, and records the period as published in the same
transaction, so each period goes out once. A cell of fewer than ``SMALLEST_CELL`` children is
published as suppressed, without its numbers: the office knows its table is incomplete there.

Periods last ``<SERVICE>_STATISTICS_PERIOD_S`` seconds (a day by default), counted from midnight
in China Standard Time, and a fact belongs to the period in which its transaction started. A
period is published ``<SERVICE>_STATISTICS_GRACE_S`` after its end, so that transactions still
open at the end have committed; a fact that commits later still is not published.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg

from shared.contracts.partners import SMALLEST_CELL, Measure, StatisticsCell
from shared.timezones import LOCAL_TIME
from shared.topics import Partner
from shared.uow import UnitOfWork

if TYPE_CHECKING:
    from shared.service import Runtime

PERIOD_ORIGIN = dt.datetime(2000, 1, 1, tzinfo=LOCAL_TIME)
PUBLISH_LOCK = 7_263_011  # one publisher at a time per service database


@dataclass(frozen=True)
class Fact:
    """Something counted once: ``fact_id`` names it within its measure (a booking, a child-day)."""

    measure: Measure
    fact_id: str
    union_id: uuid.UUID
    child_id: uuid.UUID
    class_type: str | None = None
    priority_group: str | None = None
    amount_fen: int | None = None


async def count(tx: asyncpg.Connection, fact: Fact) -> None:
    """Count ``fact`` in the caller's transaction; counting it again changes nothing."""
    await tx.execute(
        """INSERT INTO statistics_facts (measure, fact_id, union_id, child_id, class_type, priority_group, amount_fen)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (measure, fact_id) DO NOTHING""",
        fact.measure,
        fact.fact_id,
        fact.union_id,
        fact.child_id,
        fact.class_type,
        fact.priority_group,
        fact.amount_fen,
    )


def period_start(moment: dt.datetime, period_s: int) -> dt.datetime:
    """The start of the period ``moment`` falls in."""
    length = dt.timedelta(seconds=period_s)
    return PERIOD_ORIGIN + (moment - PERIOD_ORIGIN) // length * length


async def publish_closed_periods(uow: UnitOfWork, *, now: dt.datetime, period_s: int, grace_s: float) -> int:
    """Publish every cell of the periods that ended ``grace_s`` before ``now`` and are not yet
    published; returns how many cells."""
    tx = uow.tx
    await tx.execute("SELECT pg_advisory_xact_lock($1)", PUBLISH_LOCK)
    length = dt.timedelta(seconds=period_s)
    cells = await tx.fetch(
        """SELECT date_bin($1, at, $2) AS period_start, union_id, measure, class_type, priority_group,
                  count(DISTINCT child_id) AS children, sum(amount_fen) AS amount_fen
           FROM statistics_facts
           WHERE at >= (SELECT coalesce(max(period_end), '-infinity') FROM statistics_periods) AND at < $3
           GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5""",
        length,
        PERIOD_ORIGIN,
        period_start(now - dt.timedelta(seconds=grace_s), period_s),
    )
    if not cells:
        return 0
    await tx.executemany(
        "INSERT INTO statistics_periods (period_start, period_end) VALUES ($1, $2)",
        sorted({(c["period_start"], c["period_start"] + length) for c in cells}),
    )
    for cell in cells:
        uow.emit(functools.partial(_published, cell, length), to="statistics", union_id=cell["union_id"])
    return len(cells)


def _published(cell: asyncpg.Record, length: dt.timedelta, _partner: Partner) -> StatisticsCell:
    """The cell as every statistics office gets it: the same for each partner."""
    shown = cell["children"] >= SMALLEST_CELL
    start = cell["period_start"].astimezone(LOCAL_TIME)
    return StatisticsCell(
        union_id=cell["union_id"],
        measure=cell["measure"],
        class_type=cell["class_type"],
        priority_group=cell["priority_group"],
        period_start=start,
        period_end=start + length,
        suppressed=not shown,
        children=cell["children"] if shown else None,
        amount_fen=cell["amount_fen"] if shown else None,
    )


async def publish_statistics(rt: Runtime) -> None:
    """Timer: the statistics offices' aggregates of every period that is over."""
    async with UnitOfWork.begin(rt.pool, rt.outbox) as uow:
        await publish_closed_periods(
            uow,
            now=dt.datetime.now(dt.UTC),
            period_s=rt.settings.statistics_period_s,
            grace_s=rt.settings.statistics_grace_s,
        )
