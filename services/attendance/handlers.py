"""Event handlers of the attendance service."""

from __future__ import annotations

import asyncpg

from services.attendance import db
from shared.consumer import EventContext, EventRouter
from shared.contracts.enrollment import ChildEnrolled

events = EventRouter()


@events.on(ChildEnrolled)
async def add_to_roster(event: ChildEnrolled, ctx: EventContext, *, tx: asyncpg.Connection) -> None:
    """Put the child on the roster of each booked day."""
    await db.upsert_child(tx, event, ctx.envelope.union_id)
    await db.add_roster_days(tx, event)
