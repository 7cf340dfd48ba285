"""Insurers' feed: one cover per child and programme (the covered period), told once, then updated.

A booking's days can be confirmed in several steps (part of it waitlisted and promoted later, or a
second booking in the same programme): the first step says a cover is needed, the later ones
change the same cover (its id is the child and programme, pseudonymous). The caller holds the
child's lock, so the steps of one child are told in order.
"""

from __future__ import annotations

import datetime as dt

import asyncpg

from services.enrollment.db import covers
from shared.contracts.partners import CoverChanged, CoverEnded, CoverNeeded
from shared.partners import age_band, cover_id, pseudonym
from shared.uow import UnitOfWork


async def cover(uow: UnitOfWork, care_class: asyncpg.Record, child: asyncpg.Record, days: tuple[dt.date, ...]) -> None:
    """The child needs cover on ``days`` too: a new cover, or an update of the programme's one."""
    tx, child_id, programme_id, union_id = uow.tx, child["child_id"], care_class["programme_id"], care_class["union_id"]
    before = await covers.days_of(tx, child_id, programme_id)
    now = tuple(sorted(set(before or ()) | set(days)))
    if before is not None and now == tuple(sorted(before)):
        return
    await covers.save(tx, child_id, programme_id, now)
    if before is None:
        band = age_band(child["birth_date"], now[0])
        uow.emit(
            lambda partner: CoverNeeded(
                pseudonym=pseudonym(partner, child_id),
                cover_id=cover_id(partner, child_id, programme_id),
                days=now,
                age_band=band,
                class_type=care_class["class_type"],
                union_id=union_id,
            ),
            to="insurance",
            union_id=union_id,
        )
    else:
        uow.emit(
            lambda partner: CoverChanged(
                pseudonym=pseudonym(partner, child_id), cover_id=cover_id(partner, child_id, programme_id), days=now
            ),
            to="insurance",
            union_id=union_id,
        )


async def uncover(
    uow: UnitOfWork, care_class: asyncpg.Record, child: asyncpg.Record, days: tuple[dt.date, ...]
) -> None:
    """The child no longer needs cover on ``days`` (given up)."""
    tx, child_id, programme_id, union_id = uow.tx, child["child_id"], care_class["programme_id"], care_class["union_id"]
    before = await covers.days_of(tx, child_id, programme_id) or ()
    await covers.save(tx, child_id, programme_id, tuple(d for d in before if d not in days))
    uow.emit(
        lambda partner: CoverEnded(
            pseudonym=pseudonym(partner, child_id), cover_id=cover_id(partner, child_id, programme_id), days=days
        ),
        to="insurance",
        union_id=union_id,
    )
