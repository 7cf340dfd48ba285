"""Event handlers of the subsidy service: applications follow bookings, settlement follows attendance."""

from __future__ import annotations

import uuid

from services.subsidy.db import applications, children, funds, unions
from services.subsidy.db import days as known_days
from services.subsidy.domain import Request, automatic, subsidise
from services.subsidy.handlers import ledger, statements
from shared.contracts.attendance import ChildAbsent, ChildCheckedIn
from shared.contracts.enrollment import (
    BookingCancelled,
    BookingChanged,
    BookingPromoted,
    ChildEnrolled,
    ChildRegistered,
    SiteOpened,
)
from shared.contracts.subsidy import SubsidyRequested
from shared.db import present
from shared.routing import EventRouter
from shared.uow import UnitOfWork

events = EventRouter()
SYSTEM = "system:automatic-approval"


@events.on(ChildEnrolled)
@events.on(BookingPromoted)
async def open_application(event: ChildEnrolled | BookingPromoted, uow: UnitOfWork) -> None:
    """Compute the subsidy for the confirmed days; reserve it at once when the rules allow. Days
    attendance already told of are resolved at once (an attended day waits for approval). Then
    issue the family's statement for the days, with the subsidy reserved for them."""
    tx = uow.tx
    await known_days.lock_child(tx, event.child_id)
    union_path = list(event.union_path)
    policies, _ = await funds.policies_for(tx, union_path)
    request = Request(event.class_id, event.priority_group, event.days, event.fee_per_day_fen, event.provider_id)
    lines = subsidise(request, policies)
    amount = sum(line.amount_fen for line in lines)
    auto = automatic(lines)
    application_id = uuid.uuid4()
    status = "not_applicable" if not lines else "requested" if auto else "pending_review"
    await applications.insert_application(
        tx,
        application_id=application_id,
        source_event_id=uow.handled.event_id,
        event=event,
        union_path=union_path,
        amount_fen=amount,
        status=status,
    )
    await applications.insert_lines(tx, application_id, lines, "proposed")
    uow.emit(
        SubsidyRequested(
            application_id=application_id,
            booking_id=event.booking_id,
            child_id=event.child_id,
            days=len(event.days),
            fee_fen=len(event.days) * event.fee_per_day_fen,
            amount_fen=amount,
            automatic=auto,
        ),
    )
    if lines and auto:
        await ledger.approve(uow, present(await applications.lock(tx, application_id), "application"), by=SYSTEM)
    elif lines:
        await ledger.resolve_known_days(uow, present(await applications.lock(tx, application_id), "application"))
    await statements.follow_booking(event, uow)


@events.on(BookingChanged)
@events.on(BookingCancelled)
async def release_given_up_days(event: BookingChanged | BookingCancelled, uow: UnitOfWork) -> None:
    tx = uow.tx
    days = list(event.removed_days if isinstance(event, BookingChanged) else event.days)
    for row in await applications.open_applications(tx, event.booking_id):
        application = present(await applications.lock(tx, row["application_id"]), "application")
        await ledger.resolve_days(uow, application, days, attended=False)
    await statements.give_up(uow, event.booking_id, days, cause=event.TYPE)


@events.on(ChildCheckedIn)
@events.on(ChildAbsent)
async def settle_the_day(event: ChildCheckedIn | ChildAbsent, uow: UnitOfWork) -> None:
    """An attended day is paid; a missed day's money goes back to the fund. The day is kept, so
    that an application opened or approved later (its event can come after this one) still pays it."""
    tx = uow.tx
    attended = isinstance(event, ChildCheckedIn)
    await known_days.lock_child(tx, event.child_id)
    await known_days.record(tx, booking_id=event.booking_id, child_id=event.child_id, day=event.day, attended=attended)
    for row in await applications.open_applications(tx, event.booking_id):
        application = present(await applications.lock(tx, row["application_id"]), "application")
        await ledger.resolve_days(uow, application, [event.day], attended=attended)
    await statements.mark_day(uow, event.booking_id, event.day, attended=attended, cause=event.TYPE)


@events.on(SiteOpened)
async def know_the_union_tree(event: SiteOpened, uow: UnitOfWork) -> None:
    """Learn the site's union and those above it: their staff read the funds below them."""
    await unions.know_path(uow.tx, event.union_path)


@events.on(ChildRegistered)
async def know_the_guardians(event: ChildRegistered, uow: UnitOfWork) -> None:
    """Keep who the child's guardians are: they may read the child's applications."""
    await children.set_guardians(uow.tx, event.child_id, [g.guardian_id for g in event.guardians])
