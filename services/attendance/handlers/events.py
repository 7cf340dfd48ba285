"""Event handlers of the attendance service: the roster follows enrollment's events."""

from __future__ import annotations

import asyncpg

from services.attendance.db import checkin, timers
from services.attendance.db import roster as db
from shared.consumer import EventContext, EventRouter
from shared.contracts.enrollment import (
    BookingCancelled, BookingChanged, BookingPromoted, ChildEnrolled, ChildRegistered,
)

events = EventRouter()


@events.on(ChildRegistered)
async def know_the_child(event: ChildRegistered, ctx: EventContext, *, tx: asyncpg.Connection) -> None:
    """Keep who the child is and who may pick them up."""
    await db.upsert_child(tx, event, ctx.envelope.union_id)


@events.on(ChildEnrolled)
@events.on(BookingPromoted)
async def add_to_roster(event: ChildEnrolled | BookingPromoted, ctx: EventContext, *, tx: asyncpg.Connection) -> None:
    """Put the child on the roster of each confirmed day, and watch for them by the cut-off time."""
    await db.add_roster_days(tx, event)
    hours = await checkin.hours(tx, event.site_id)
    for day in event.days:
        await timers.schedule(tx, "absence", event.child_id, event.class_id, day, 0, hours.cutoff_at(day))


@events.on(BookingChanged)
async def drop_given_up_days(event: BookingChanged, ctx: EventContext, *, tx: asyncpg.Connection) -> None:
    await db.remove_roster_days(tx, event.booking_id, list(event.removed_days))
    await timers.cancel_days(tx, event.child_id, event.class_id, list(event.removed_days))


@events.on(BookingCancelled)
async def drop_cancelled_booking(event: BookingCancelled, ctx: EventContext, *, tx: asyncpg.Connection) -> None:
    await db.remove_roster_days(tx, event.booking_id, list(event.days))
    await timers.cancel_days(tx, event.child_id, event.class_id, list(event.days))
