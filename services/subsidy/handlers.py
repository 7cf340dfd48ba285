"""Event handlers of the subsidy service."""

from __future__ import annotations

import uuid

import asyncpg

from services.subsidy import db
from shared.consumer import EventContext, EventRouter
from shared.contracts.enrollment import ChildEnrolled
from shared.contracts.subsidy import SubsidyRequested

events = EventRouter()


@events.on(ChildEnrolled)
async def open_application(event: ChildEnrolled, ctx: EventContext, *, tx: asyncpg.Connection) -> None:
    """Open a subsidy application for the enrolled days and announce it."""
    requested = SubsidyRequested(
        application_id=uuid.uuid4(), booking_id=event.booking_id, child_id=event.child_id,
        days=len(event.days), fee_fen=len(event.days) * event.fee_per_day_fen,
    )
    await db.insert_application(tx, requested, ctx.envelope.union_id)
    await ctx.emit(tx, requested)
