"""Event handlers of the attendance service: the roster follows enrollment's events."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.attendance.db import checkin, timers
from services.attendance.db import roster as db
from services.attendance.domain.boarding import last_day_of_stay
from services.attendance.domain.hours import ESCALATION
from shared.contracts.enrollment import (
    BookingCancelled,
    BookingChanged,
    BookingPromoted,
    ChildCoverConfirmed,
    ChildCoverRefused,
    ChildEnrolled,
    ChildRegistered,
    SiteOpened,
)
from shared.routing import EventBatch, EventRouter
from shared.uow import UnitOfWork

events = EventRouter()


@events.on_batch(ChildRegistered)
async def know_the_children(batch: EventBatch[ChildRegistered]) -> None:
    """Keep who each child is and who may pick them up."""
    await db.upsert_children(batch[0][1].tx, [(event, uow.union_id) for event, uow in batch])


@events.on(SiteOpened)
async def know_the_site(event: SiteOpened, uow: UnitOfWork) -> None:
    """Know the site from its opening, so its hours can be set before anyone books there."""
    await db.add_site(uow.tx, event.site_id, event.network_id, event.provider_id, list(event.union_path))


@events.on_batch(ChildEnrolled, BookingPromoted)
async def add_to_roster(batch: EventBatch[ChildEnrolled | BookingPromoted]) -> None:
    """Put each child on the roster of each confirmed day, and watch for them by the cut-off time.
    A boarding stay's (周托) hand-over is watched on its last day from now on: its late pick-up
    steps fire only if the child was admitted during the stay and is still there."""
    tx = batch[0][1].tx
    bookings = [event for event, _ in batch]
    await db.add_roster_days(tx, bookings)
    hours = await checkin.hours_of(tx, {b.site_id for b in bookings})
    await timers.schedule_many(
        tx,
        [
            timers.Timer("absence", b.child_id, b.class_id, day, 0, hours[b.site_id].cutoff_at(day))
            for b in bookings
            for day in b.days
        ]
        + [
            timers.Timer("late_pickup", b.child_id, b.class_id, day, step, hours[b.site_id].escalation_at(day, step))
            for b in bookings
            if b.boarding
            for day in b.days
            if last_day_of_stay(b.days, day) == day
            for step in ESCALATION
        ],
    )


@events.on_batch(ChildCoverConfirmed, ChildCoverRefused)
async def know_the_cover(batch: EventBatch[ChildCoverConfirmed | ChildCoverRefused]) -> None:
    """Keep each insurer's answer about each day of a child's cover: the roster shows it, and a
    check-in without confirmed cover is flagged."""
    await db.record_cover_answers(batch[0][1].tx, [event for event, _ in batch])


@events.on(BookingChanged)
async def drop_given_up_days(event: BookingChanged, uow: UnitOfWork) -> None:
    await _drop_days(uow.tx, event.booking_id, event.child_id, event.class_id, list(event.removed_days))


@events.on(BookingCancelled)
async def drop_cancelled_booking(event: BookingCancelled, uow: UnitOfWork) -> None:
    await _drop_days(uow.tx, event.booking_id, event.child_id, event.class_id, list(event.days))


async def _drop_days(
    tx: asyncpg.Connection, booking_id: uuid.UUID, child_id: uuid.UUID, class_id: uuid.UUID, days: list[dt.date]
) -> None:
    """Days given up leave the roster and their timers go, except a day the child is already in:
    a child admitted at the door stays on the roster, and its pick-up and late pick-up watch go
    on, until an authorised adult takes the child home."""
    in_care = await db.days_in_care(tx, child_id, days)
    gone = [day for day in days if day not in in_care]
    await db.remove_roster_days(tx, booking_id, gone)
    await timers.cancel_days(tx, child_id, class_id, gone)
