"""Promoted seats held until a deadline (``ENROLLMENT_PROMOTION_HOLD_S``; 0, the default: a
promotion confirms at once, as before).

A promoted seat is confirmed from the moment of promotion: it is counted, on the roster and
subsidised like any other, so no other child can take it and no seat is ever in between. Until
the deadline the family accepts it (then it is simply theirs) or releases it; a seat neither
accepted nor released by then is given up by the service (``by: system``) and goes to the next
child on the waitlist, held for them in turn. So a family that does not answer cannot keep a seat
another family would use, and a family that answers keeps theirs."""

from __future__ import annotations

import datetime as dt
import uuid

from services.enrollment.db import bookings as db
from services.enrollment.db import organisation, people, seats
from services.enrollment.handlers.bookings import acted_on, changed_by, give_up
from shared.db import present
from shared.errors import Conflict
from shared.outcomes import Done
from shared.uow import UnitOfWork

RELEASED = "the family released the promoted seat"
LAPSED = "the promoted seat was not accepted by its deadline"


async def accept(booking_id: uuid.UUID, uow: UnitOfWork) -> Done:
    """The family accepts the seats held for the booking: no deadline any more."""
    tx, actor = uow.tx, uow.issuer
    booking, _, _ = await acted_on(uow, booking_id)
    # The class days' locks, as the deadline timer takes them: one of the two decides first, the
    # other sees what it did (the timer finds the seat accepted, or this finds it given up).
    await seats.lock_seat_days(tx, booking["class_id"], _held(await db.booking_days(tx, booking_id), after=actor.now))
    accepted = await db.accept_held_days(tx, booking_id, actor.now)
    if not accepted:
        raise Conflict("no seat of this booking is held for acceptance (accepted, or past its deadline)")
    return Done({"booking_id": str(booking_id), "accepted_days": [d.isoformat() for d in accepted]})


async def release(booking_id: uuid.UUID, uow: UnitOfWork, *, hold: dt.timedelta | None) -> Done:
    """The family gives the held seats back before the deadline; the next child gets them."""
    actor = uow.issuer
    booking, child, care_class = await acted_on(uow, booking_id)
    held = _held(await db.booking_days(uow.tx, booking_id), after=actor.now)
    if not held:
        raise Conflict("no seat of this booking is held for acceptance (accepted, or past its deadline)")
    by = changed_by(actor.principal)
    return await give_up(uow, booking, child, care_class, held, RELEASED, by=by, now=actor.now, hold=hold)


async def release_lapsed(uow: UnitOfWork, *, now: dt.datetime, hold: dt.timedelta | None) -> int:
    """Timer: seats not accepted by their deadline go to the next child. Locks as a cancellation
    does (class days, then the child), and only then decides, so an acceptance that got in first wins."""
    tx, released = uow.tx, 0
    for due in await db.lapsed_holds(tx, now):
        booking = present(await db.get_booking(tx, due["booking_id"]), "booking")
        care_class = present(await organisation.get_class(tx, booking["class_id"]), "class")
        days = [r["day"] for r in await db.booking_days(tx, booking["booking_id"]) if r["hold_until"]]
        await seats.lock_seat_days(tx, booking["class_id"], days)
        child = present(await people.get_child(tx, booking["child_id"], lock=True), "child")
        lapsed = [r["day"] for r in await db.booking_days(tx, booking["booking_id"]) if _lapsed(r, now)]
        if lapsed:
            await give_up(uow, booking, child, care_class, lapsed, LAPSED, by=("system", None), now=now, hold=hold)
            released += 1
    return released


def _held(days: list, *, after: dt.datetime) -> list[dt.date]:
    return [r["day"] for r in days if r["state"] == "confirmed" and r["hold_until"] and r["hold_until"] > after]


def _lapsed(day, now: dt.datetime) -> bool:
    return day["state"] == "confirmed" and day["hold_until"] is not None and day["hold_until"] <= now
