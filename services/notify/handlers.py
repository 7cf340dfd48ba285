"""Event handlers of the notify service."""

from __future__ import annotations

import uuid

import asyncpg

from services.notify import db
from services.notify.domain import enrolled_message
from shared.consumer import EventContext, EventRouter
from shared.contracts.enrollment import ChildEnrolled
from shared.contracts.notify import NotificationDelivered

events = EventRouter()


@events.on(ChildEnrolled)
async def tell_guardians_of_enrollment(event: ChildEnrolled, ctx: EventContext, *, tx: asyncpg.Connection) -> None:
    """One in-app notification per guardian."""
    body = enrolled_message(event)
    for guardian in event.guardians:
        notification_id = uuid.uuid4()
        await db.insert_notification(
            tx, notification_id=notification_id, envelope=ctx.envelope, guardian_id=guardian.guardian_id,
            child_id=event.child_id, channel="inapp", body=body,
        )
        await ctx.emit(tx, NotificationDelivered(
            notification_id=notification_id, guardian_id=guardian.guardian_id, child_id=event.child_id,
            channel="inapp", source_event_id=ctx.envelope.event_id, source_event_type=ctx.envelope.type,
        ))
