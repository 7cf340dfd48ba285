"""What follows a seat confirmed (booked or promoted) or given up: the event, and the partners told."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.enrollment.handlers import insurance
from shared import statistics
from shared.contracts.enrollment import BookingPromoted, ChildEnrolled
from shared.uow import UnitOfWork


async def tell_partners(
    uow: UnitOfWork,
    care_class: asyncpg.Record,
    child: asyncpg.Record,
    booking_id: uuid.UUID,
    days: list[dt.date],
    *,
    cover: bool,
    group: str = "regular",
) -> None:
    """Insurers learn which days a (pseudonymous) child needs cover; statistics count the booking,
    once however many of its days are confirmed, and publish it only in a period's aggregate, in
    the booking's (verified) ``group``."""
    if not cover:
        await insurance.uncover(uow, care_class, child, tuple(sorted(days)))
        return
    await insurance.cover(uow, care_class, child, tuple(sorted(days)))
    await statistics.count(
        uow.tx,
        statistics.Fact(
            "enrolled",
            str(booking_id),
            care_class["union_id"],
            child["child_id"],
            class_type=care_class["class_type"],
            priority_group=group,
        ),
    )


def seats_confirmed(
    kind: type[ChildEnrolled] | type[BookingPromoted],
    booking_id: uuid.UUID,
    child: asyncpg.Record,
    care_class: asyncpg.Record,
    days: list[dt.date],
    group: str,
    accept_by: dt.datetime | None = None,
) -> ChildEnrolled | BookingPromoted:
    """The event of seats confirmed, in the booking's ``group`` (verified when it was made)."""
    extra = {"accept_by": accept_by} if accept_by else {}
    return kind(
        booking_id=booking_id,
        child_id=child["child_id"],
        class_id=care_class["class_id"],
        site_id=care_class["site_id"],
        provider_id=care_class["provider_id"],
        union_path=tuple(care_class["union_path"]),
        programme_id=care_class["programme_id"],
        class_type=care_class["class_type"],
        boarding=care_class["boarding"],
        days=tuple(days),
        fee_per_day_fen=care_class["fee_per_day_fen"],
        priority_group=group,
        **extra,
    )
