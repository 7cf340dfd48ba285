"""Fan-out: every guardian of the child, on each of their channels, once per event."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.notify.db import notifications, recipients
from services.notify.domain import SAFETY_ALERTS, message, plan
from shared.consumer import EventContext, EventRouter
from shared.contracts.attendance import (
    CheckInRefused, ChildCheckedIn, ChildPickedUp, LatePickupEscalated, PickupCodeIssued, PickupRefused,
)
from shared.contracts.enrollment import (
    BookingCancelled, BookingPromoted, BookingWaitlisted, ChildEnrolled, ChildRegistered,
)
from shared.contracts.notify import NotificationDelivered
from shared.contracts.subsidy import SubsidyApproved

events = EventRouter()


@events.on(ChildRegistered)
async def know_the_guardians(event: ChildRegistered, ctx: EventContext, *, tx: asyncpg.Connection) -> None:
    """Keep each guardian's channels, replacing what was known of this child; then tell them what
    happened before their registration reached notify."""
    await recipients.lock_child(tx, event.child_id)
    await recipients.replace_recipients(tx, event)
    for waiting in await recipients.take_deferred(tx, event.child_id):
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
@events.on(SubsidyApproved)
async def tell_the_guardians(event, ctx: EventContext, *, tx: asyncpg.Connection) -> None:
    await _tell(event, ctx, tx)


async def _tell(event, ctx: EventContext, tx: asyncpg.Connection) -> None:
    known = await recipients.recipients_of(tx, event.child_id)
    if not known:
        # Attendance's events travel on another topic than the child's registration and can
        # overtake it: keep the event until the registration arrives, rather than tell nobody.
        # The registration may be committing in a concurrent batch right now: under the child's
        # lock, either it has committed (and we see its guardians) or it will see our deferral.
        await recipients.lock_child(tx, event.child_id)
        known = await recipients.recipients_of(tx, event.child_id)
    if not known:
        await recipients.defer(tx, ctx.envelope, event.child_id)
        return
    now = dt.datetime.now(dt.UTC)
    for guardian in known:
        prefs = await recipients.preferences(tx, guardian["guardian_id"])
        body = message(event, guardian["child_name"], prefs.language)
        if body is None:
            continue
        for planned in plan(event, guardian["channels"], prefs, now):
            notification_id = uuid.uuid4()
            fresh = await notifications.insert(
                tx, notification_id=notification_id, envelope=ctx.envelope, guardian_id=guardian["guardian_id"],
                child_id=event.child_id, channel=planned.channel, address=planned.address, body=body,
                safety=isinstance(event, SAFETY_ALERTS), language=prefs.language, due_at=planned.due_at)
            if fresh and planned.channel == "inapp":
                await ctx.emit(tx, NotificationDelivered(
                    notification_id=notification_id, guardian_id=guardian["guardian_id"], child_id=event.child_id,
                    channel="inapp", source_event_id=ctx.envelope.event_id, source_event_type=ctx.envelope.type))
