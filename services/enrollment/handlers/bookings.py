"""Booking days, and cancelling them (freed seats go to the waitlist: handlers/waitlist.py).

Lock order, everywhere: the class days (by date), then the children (by id). Seat counts change
only under the class day's lock, so no day is ever overbooked; a child's events are appended
under the child's lock, so they reach the outbox in the order they commit.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import asyncpg

from services.enrollment.access import ensure_acts_for_child, ensure_class_open_to_child, not_found
from services.enrollment.db import bookings as db
from services.enrollment.db import organisation, people, seats
from services.enrollment.domain import AlreadyBooked, AlreadyCancelled, RegistrationNotOpen
from services.enrollment.domain.ages import age_mismatch
from services.enrollment.domain.calendar import requested_days
from services.enrollment.domain.commands import BookDays, CancelBooking, ReportAbsence
from services.enrollment.domain.seats import priority_rank
from services.enrollment.handlers import agreements, confirmations, waitlist
from shared.contracts.enrollment import (
    ABSENCE_REPORTED,
    BookingCancelled,
    BookingChanged,
    BookingWaitlisted,
    ChangedBy,
    ChildEnrolled,
    WaitlistPlace,
)
from shared.db import present
from shared.errors import Invalid
from shared.outcomes import Created, Done
from shared.principal import Principal, require_role
from shared.timezones import LOCAL_TIME
from shared.uow import UnitOfWork


async def book(cmd: BookDays, uow: UnitOfWork) -> Created:
    tx, actor = uow.tx, uow.issuer
    now = actor.now
    care_class = await organisation.get_class(tx, cmd.class_id)
    if care_class is None:
        raise not_found("class_id", "class")
    child = await people.get_child(tx, cmd.child_id)
    if child is None:
        raise not_found("child_id", "child")
    await ensure_acts_for_child(tx, actor.principal, child)
    await ensure_class_open_to_child(tx, care_class, child)
    if now < care_class["registration_opens_at"]:
        raise RegistrationNotOpen(
            f"registration opens at {care_class['registration_opens_at'].isoformat()}", field="class_id"
        )
    await agreements.ensure_accepted(tx, care_class["programme_id"], child["child_id"])
    days = requested_days(care_class["booking_mode"], care_class["days"], days=cmd.days, weeks=cmd.weeks)
    today = now.astimezone(LOCAL_TIME).date()
    if past := [d.isoformat() for d in days if d < today]:
        raise Invalid("these days are past: " + ", ".join(past), field="days")
    if reason := age_mismatch(child["birth_date"], days[0], care_class["min_age_months"], care_class["max_age_months"]):
        raise Invalid(reason, field="child_id")

    seat_days = await seats.lock_seat_days(tx, care_class["class_id"], days)
    await people.lock_children(tx, [child["child_id"]])
    if already := await db.active_days_of_child(tx, child["child_id"], care_class["class_id"], days):
        raise AlreadyBooked("already booked on " + ", ".join(d.isoformat() for d in already), field="days")

    group = child["verified_group"]  # a declared category counts once verified (handlers/priority.py)
    rank = priority_rank(care_class["priority_order"], group)
    booking_id = uuid.uuid4()
    seq = await db.insert_booking(
        tx, booking_id, child["child_id"], care_class["class_id"], group, rank, actor.principal.sub
    )
    states: list[tuple[dt.date, str, str | None]] = []
    for day in days:
        pool = seat_days[day].pool_for(group, now)
        if pool is not None:
            await seats.take_seat(tx, care_class["class_id"], day, pool)
        states.append((day, "confirmed" if pool else "waitlisted", pool))
    await db.insert_booking_days(tx, booking_id, child["child_id"], care_class["class_id"], rank, seq, states)

    confirmed = [day for day, state, _ in states if state == "confirmed"]
    positions = await db.waitlist_positions(tx, booking_id)
    if confirmed:
        uow.emit(
            confirmations.seats_confirmed(ChildEnrolled, booking_id, child, care_class, confirmed, group),
            union_id=care_class["union_id"],
        )
        await confirmations.tell_partners(uow, care_class, child, booking_id, confirmed, cover=True, group=group)
    if positions:
        uow.emit(
            BookingWaitlisted(
                booking_id=booking_id,
                child_id=child["child_id"],
                class_id=care_class["class_id"],
                places=tuple(WaitlistPlace(day=d, position=p) for d, p in positions.items()),
            ),
            union_id=care_class["union_id"],
        )
    return Created(_booking_body(booking_id, states, positions))


async def cancel(booking_id: uuid.UUID, cmd: CancelBooking, uow: UnitOfWork, *, hold: dt.timedelta | None) -> Done:
    tx, actor = uow.tx, uow.issuer
    booking, child, care_class = await acted_on(uow, booking_id)
    active = {r["day"]: r for r in await db.booking_days(tx, booking_id) if r["state"] != "cancelled"}
    if not active:
        raise AlreadyCancelled("the booking is already cancelled", field="booking_id")
    giving_up = sorted(set(cmd.days) if cmd.days else set(active))
    if unknown := [d.isoformat() for d in giving_up if d not in active]:
        raise Invalid("the booking does not hold " + ", ".join(unknown), field="days")
    by = changed_by(actor.principal)
    return await give_up(uow, booking, child, care_class, giving_up, cmd.reason, by=by, now=actor.now, hold=hold)


async def report_absence(
    booking_id: uuid.UUID, cmd: ReportAbsence, uow: UnitOfWork, *, hold: dt.timedelta | None
) -> Done:
    """A guardian says ahead of time that the child will not come on a day: the day is given up
    (``booking.changed``, or ``booking.cancelled`` for its last day, with the reason ``ABSENCE_REPORTED``),
    so its seat goes to the waitlist, attendance stops expecting the child and subsidy releases
    the day's money, as for any day given up."""
    tx, actor = uow.tx, uow.issuer
    require_role(actor.principal, "parent")
    booking, child, care_class = await acted_on(uow, booking_id)
    today = actor.now.astimezone(LOCAL_TIME).date()
    if cmd.day <= today:
        raise Invalid(f"an absence is reported ahead: {cmd.day.isoformat()} is not after today", field="day")
    held = {r["day"]: r["state"] for r in await db.booking_days(tx, booking_id)}
    if held.get(cmd.day) != "confirmed":
        raise Invalid(
            f"the booking holds no seat on {cmd.day.isoformat()}"
            + (" (the day is waitlisted: cancel it instead)" if held.get(cmd.day) == "waitlisted" else ""),
            field="day",
        )
    by = changed_by(actor.principal)
    return await give_up(uow, booking, child, care_class, [cmd.day], ABSENCE_REPORTED, by=by, now=actor.now, hold=hold)


async def acted_on(uow: UnitOfWork, booking_id: uuid.UUID) -> tuple[asyncpg.Record, asyncpg.Record, asyncpg.Record]:
    """The booking, its child and class, when the issuer acts for the child."""
    tx = uow.tx
    booking = await db.get_booking(tx, booking_id)
    if booking is None:
        raise not_found("booking_id", "booking")
    child = present(await people.get_child(tx, booking["child_id"]), "child")
    await ensure_acts_for_child(tx, uow.issuer.principal, child)
    return booking, child, present(await organisation.get_class(tx, booking["class_id"]), "class")


def changed_by(principal: Principal) -> tuple[ChangedBy, str | None]:
    """Who changes a booking, as its events say it: the role, and a staff member's subject (a
    parent's is personal data, and the family knows who they are)."""
    return principal.role, None if principal.role == "parent" else principal.sub


async def give_up(
    uow: UnitOfWork,
    booking: asyncpg.Record,
    child: asyncpg.Record,
    care_class: asyncpg.Record,
    days: list[dt.date],
    reason: str,
    *,
    by: tuple[ChangedBy, str | None],
    now: dt.datetime,
    hold: dt.timedelta | None,
) -> Done:
    """Give up ``days`` of the booking (those still held: the rest were given up meanwhile), say
    so, and give the freed seats to the waitlist (held until a deadline when ``hold``)."""
    tx, booking_id = uow.tx, booking["booking_id"]
    await seats.lock_seat_days(tx, booking["class_id"], days)
    await people.lock_children(tx, [booking["child_id"]])
    active = {r["day"]: r for r in await db.booking_days(tx, booking_id) if r["state"] != "cancelled"}  # re-read
    giving_up = [day for day in days if day in active]
    if not giving_up:
        raise AlreadyCancelled("these days are given up already", field="booking_id")
    freed = []
    for day in giving_up:
        if active[day]["state"] == "confirmed":
            await seats.free_seat(tx, booking["class_id"], day, active[day]["pool"])
            freed.append(day)
        await db.set_day_state(tx, booking_id, day, "cancelled", None)
    remaining = {d: r["state"] for d, r in active.items() if d not in giving_up}
    who = {"by": by[0], "by_id": by[1]}
    if remaining:
        uow.emit(
            BookingChanged(
                booking_id=booking_id,
                child_id=booking["child_id"],
                class_id=booking["class_id"],
                removed_days=tuple(giving_up),
                confirmed_days=tuple(d for d, s in sorted(remaining.items()) if s == "confirmed"),
                waitlisted_days=tuple(d for d, s in sorted(remaining.items()) if s == "waitlisted"),
                reason=reason,
                **who,
            ),
            union_id=care_class["union_id"],
        )
    else:
        await db.cancel_booking(tx, booking_id)
        uow.emit(
            BookingCancelled(
                booking_id=booking_id,
                child_id=booking["child_id"],
                class_id=booking["class_id"],
                days=tuple(giving_up),
                reason=reason,
                **who,
            ),
            union_id=care_class["union_id"],
        )
    if freed:
        await confirmations.tell_partners(uow, care_class, child, booking_id, freed, cover=False)
    seat_days = await seats.lock_seat_days(tx, booking["class_id"], freed) if freed else {}  # counts after release
    promoted = await waitlist.promote(uow, care_class, seat_days, now=now, hold=hold)
    return Done(
        {
            "booking_id": str(booking_id),
            "cancelled_days": [d.isoformat() for d in giving_up],
            "status": "changed" if remaining else "cancelled",
            "promoted_bookings": [str(b) for b in promoted],
        }
    )


def _booking_body(
    booking_id: uuid.UUID, states: list[tuple[dt.date, str, str | None]], positions: dict[dt.date, int]
) -> dict[str, Any]:
    confirmed = sum(1 for _, state, _ in states if state == "confirmed")
    status = "confirmed" if confirmed == len(states) else "waitlisted" if confirmed == 0 else "partly_waitlisted"
    return {
        "booking_id": str(booking_id),
        "status": status,
        "days": [
            {
                "day": day.isoformat(),
                "state": state,
                **({"waitlist_position": positions[day]} if day in positions else {}),
            }
            for day, state, _ in states
        ],
    }
