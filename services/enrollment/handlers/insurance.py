"""Insurers' feed: one cover per child and programme (the covered period), told once, then updated.

A booking's days can be confirmed in several steps (part of it waitlisted and promoted later, or a
second booking in the same programme): the first step says a cover is needed, the later ones
change the same cover (its id is the child and programme, pseudonymous). The caller holds the
child's lock, so the steps of one child are told in order.

Insurers answer on their inbound topics (:func:`answer`): the cover id an insurer was given finds
the child, and the answer goes on to attendance as ``child.cover_confirmed`` or ``child.cover_refused``.
An answer covers the days the cover has when it arrives; days gained later await a new answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import asyncpg

from services.enrollment.db import covers
from shared.contracts.enrollment import ChildCoverConfirmed, ChildCoverRefused
from shared.contracts.partners import CoverChanged, CoverEnded, CoverNeeded
from shared.errors import UnknownReference
from shared.partners import age_band, cover_id, of_feed, pseudonym
from shared.uow import UnitOfWork


async def cover(uow: UnitOfWork, care_class: asyncpg.Record, child: asyncpg.Record, days: tuple[dt.date, ...]) -> None:
    """The child needs cover on ``days`` too: a new cover, or an update of the programme's one."""
    tx, child_id, programme_id, union_id = uow.tx, child["child_id"], care_class["programme_id"], care_class["union_id"]
    before = await covers.days_of(tx, child_id, programme_id)
    now = tuple(sorted(set(before or ()) | set(days)))
    if before is not None and now == tuple(sorted(before)):
        return
    await covers.save(tx, child_id, programme_id, now)
    ids = {p.name: cover_id(p, child_id, programme_id) for p in of_feed("insurance")}
    await covers.remember_ids(tx, child_id, programme_id, union_id, ids)
    if before is not None:
        await covers.reopen(tx, child_id, programme_id)
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


async def answer(
    uow: UnitOfWork,
    told_as: str,
    status: Literal["confirmed", "refused"],
    *,
    policy_number: str | None = None,
    reason: str | None = None,
) -> None:
    """An insurer's answer about the cover it was told of as ``told_as``; the same answer again changes nothing.
    The insurer is the owner of the topic the answer came on, whatever the answer says."""
    insurer = uow.sender
    found = await covers.insurer_cover(uow.tx, insurer, told_as) if insurer else None
    if insurer is None or found is None:
        raise UnknownReference(f"{insurer or 'this sender'} was told of no cover {told_as}", field="cover_id")
    if (found["status"], found["policy_number"]) == (status, policy_number):
        return
    await covers.record_answer(uow.tx, insurer, told_as, status, policy_number)
    days = tuple(sorted(found["days"]))
    if not days:  # every day was given up meanwhile: nobody is covered or uncovered
        return
    child_id, programme_id = found["child_id"], found["programme_id"]
    uow.emit(
        ChildCoverConfirmed(
            child_id=child_id, programme_id=programme_id, days=days, insurer=insurer, policy_number=policy_number or ""
        )
        if status == "confirmed"
        else ChildCoverRefused(child_id=child_id, programme_id=programme_id, days=days, insurer=insurer, reason=reason),
        union_id=found["union_id"],
    )
