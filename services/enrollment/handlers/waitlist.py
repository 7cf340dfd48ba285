"""The waitlist: waiting children take seats as they free up (a cancellation) or as a quota's
hold on them ends (a timer). Locks in the order handlers/bookings.py gives: class days, then children."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict

import asyncpg

from services.enrollment.db import bookings as db
from services.enrollment.db import organisation, people, seats
from services.enrollment.domain.seats import SeatDay
from services.enrollment.handlers import confirmations
from shared.contracts.enrollment import BookingPromoted
from shared.db import present
from shared.uow import UnitOfWork


async def promote(
    uow: UnitOfWork,
    care_class: asyncpg.Record,
    seat_days: dict[dt.date, SeatDay],
    *,
    now: dt.datetime,
    hold: dt.timedelta | None = None,
) -> list[uuid.UUID]:
    """Give free seats on the (already locked) days to the waitlist, in priority then arrival order.

    A waiting child takes a seat only from a pool open to them: a seat a quota still holds for
    couriers goes to the first waiting courier's child, not to whoever is first in line. With a
    ``hold`` the seats are the family's until ``now + hold``: they accept them by then or the
    seats go on to the next child (handlers/holds.py).
    """
    tx = uow.tx
    accept_by = now + hold if hold else None
    won: dict[uuid.UUID, list[dt.date]] = defaultdict(list)
    children: dict[uuid.UUID, uuid.UUID] = {}
    groups: dict[uuid.UUID, str] = {}
    for day, seat_day in sorted(seat_days.items()):
        taken = dict(seat_day.taken)
        for waiting in await db.waitlist(tx, care_class["class_id"], day):
            if not any(SeatDay(seat_day.capacity, seat_day.quotas, taken).free(now).values()):
                break
            pool = SeatDay(seat_day.capacity, seat_day.quotas, taken).pool_for(waiting["priority_group"], now)
            if pool is None:
                continue
            taken[pool] = taken.get(pool, 0) + 1
            await seats.take_seat(tx, care_class["class_id"], day, pool)
            await db.set_day_state(tx, waiting["booking_id"], day, "confirmed", pool, hold_until=accept_by)
            won[waiting["booking_id"]].append(day)
            children[waiting["booking_id"]] = waiting["child_id"]
            groups[waiting["booking_id"]] = waiting["priority_group"]
    await people.lock_children(tx, list(children.values()))
    for booking_id, days in won.items():
        child = present(await people.get_child(tx, children[booking_id]), "child")
        uow.emit(
            confirmations.seats_confirmed(
                BookingPromoted, booking_id, child, care_class, days, groups[booking_id], accept_by
            ),
            union_id=care_class["union_id"],
        )
        await confirmations.tell_partners(
            uow, care_class, child, booking_id, days, cover=True, group=groups[booking_id]
        )
    return list(won)


async def release_due_quotas(uow: UnitOfWork, *, now: dt.datetime, hold: dt.timedelta | None = None) -> int:
    """Quotas past their release time hand their unused seats to the waitlist; each release once."""
    tx = uow.tx
    due = await seats.due_quota_releases(tx)
    for quota in due:
        care_class = present(await organisation.get_class(tx, quota["class_id"]), "class")
        if days := await db.waitlisted_days(tx, care_class["class_id"]):
            seat_days = await seats.lock_seat_days(tx, care_class["class_id"], days)
            await promote(uow, care_class, seat_days, now=now, hold=hold)
        await seats.mark_release_handled(tx, quota["class_id"], quota["priority_group"])
    return len(due)
