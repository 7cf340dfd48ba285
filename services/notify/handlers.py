"""Event handlers of the notify service: every guardian of the child hears about the child's events."""

from __future__ import annotations

import uuid

import asyncpg

from services.notify import db
from services.notify.domain import message
from shared.consumer import EventContext, EventRouter
from shared.contracts.attendance import (
    CheckInRefused, ChildCheckedIn, ChildPickedUp, LatePickupEscalated, PickupCodeIssued, PickupRefused,
)
from shared.contracts.enrollment import (
    BookingCancelled, BookingPromoted, BookingWaitlisted, ChildEnrolled, ChildRegistered,
)
from shared.contracts.notify import NotificationDelivered

events = EventRouter()


@events.on(ChildRegistered)
async def know_the_guardians(event: ChildRegistered, ctx: EventContext, *, tx: asyncpg.Connection) -> None:
    """Keep each guardian's channels, replacing what was known of this child; then tell them what
    happened before their registration reached notify."""
    await db.replace_recipients(tx, event)
    for waiting in await db.take_deferred(tx, event.child_id):
        await _tell(waiting.payload(), EventContext(envelope=waiting, outbox=ctx.outbox), tx)


@events.on(ChildEnrolled)
@events.on(BookingWaitlisted)
@events.on(BookingPromoted)
@events.on(BookingCancelled)
@events.on(ChildCheckedIn)
@events.on(CheckInRefused)
@events.on(PickupCodeIssued)
@events.on(PickupRefused)
@events.on(ChildPickedUp)
@events.on(LatePickupEscalated)
async def tell_the_guardians(event, ctx: EventContext, *, tx: asyncpg.Connection) -> None:
    """One in-app notification per guardian of the child."""
    await _tell(event, ctx, tx)


async def _tell(event, ctx: EventContext, tx: asyncpg.Connection) -> None:
    recipients = await db.recipients_of(tx, event.child_id)
    if not recipients:
        # Attendance's events travel on another topic than the child's registration and can
        # overtake it: keep the event until the registration arrives, rather than tell nobody.
        await db.defer(tx, ctx.envelope, event.child_id)
        return
    for recipient in recipients:
        body = message(event, recipient["child_name"])
        if body is None:
            continue
        notification_id = uuid.uuid4()
        await db.insert_notification(
            tx, notification_id=notification_id, envelope=ctx.envelope, guardian_id=recipient["guardian_id"],
            child_id=event.child_id, channel="inapp", body=body,
        )
        await ctx.emit(tx, NotificationDelivered(
            notification_id=notification_id, guardian_id=recipient["guardian_id"], child_id=event.child_id,
            channel="inapp", source_event_id=ctx.envelope.event_id, source_event_type=ctx.envelope.type,
        ))
