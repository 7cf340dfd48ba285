"""Parents (or union staff for them) book days or weeks, see their waitlist place, and cancel."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.enrollment.access import ensure_acts_for_child, not_found
from services.enrollment.api import responses
from services.enrollment.config import settings_of
from services.enrollment.db import bookings as db
from services.enrollment.db import people
from services.enrollment.domain.commands import AcceptSeats, BookDays, CancelBooking, ReleaseSeats, ReportAbsence
from services.enrollment.handlers import bookings as handlers
from services.enrollment.handlers import holds
from shared.auth import Caller
from shared.db import present
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["bookings"])


@router.post(
    "/bookings",
    status_code=201,
    response_model=responses.BookingMade,
    summary="Book a child into a class: confirmed where seats are free, waitlisted elsewhere",
)
async def book(
    body: BookDays, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.book(body, uow))


@router.post(
    "/bookings/{booking_id}/cancellation",
    response_model=responses.BookingCancelled,
    summary="Give up some days of a booking, or all of them",
)
async def cancel(
    booking_id: uuid.UUID,
    body: CancelBooking,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    hold = settings_of(rt).promotion_hold
    return await respond(request, caller, key, body, lambda uow: handlers.cancel(booking_id, body, uow, hold=hold))


@router.post(
    "/bookings/{booking_id}/absences",
    response_model=responses.BookingCancelled,
    summary="Report ahead that the child will not come on a day (a guardian): the seat goes to the waitlist "
    "and the day's subsidy is released",
)
async def report_absence(
    booking_id: uuid.UUID,
    body: ReportAbsence,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    hold = settings_of(rt).promotion_hold
    return await respond(
        request, caller, key, body, lambda uow: handlers.report_absence(booking_id, body, uow, hold=hold)
    )


@router.post(
    "/bookings/{booking_id}/promotion/acceptance",
    response_model=responses.SeatsAccepted,
    summary="Accept the seats a promotion holds for the family until its deadline",
)
async def accept_promotion(
    booking_id: uuid.UUID, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, AcceptSeats(), lambda uow: holds.accept(booking_id, uow))


@router.post(
    "/bookings/{booking_id}/promotion/release",
    response_model=responses.BookingCancelled,
    summary="Give back the seats a promotion holds for the family; the next waiting child gets them",
)
async def release_promotion(
    booking_id: uuid.UUID, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    hold = settings_of(rt).promotion_hold
    return await respond(request, caller, key, ReleaseSeats(), lambda uow: holds.release(booking_id, uow, hold=hold))


@router.get(
    "/bookings/{booking_id}",
    response_model=responses.Booking,
    response_model_exclude_unset=True,
    summary="A booking's days, and its waitlist position on each waiting day",
)
async def read_booking(booking_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    booking = await db.get_booking(rt.pool, booking_id)
    if booking is None:
        raise not_found("booking_id", "booking")
    await ensure_acts_for_child(rt.pool, caller, present(await people.get_child(rt.pool, booking["child_id"]), "child"))
    positions = await db.waitlist_positions(rt.pool, booking_id)
    return {
        "booking_id": booking_id,
        "child_id": booking["child_id"],
        "class_id": booking["class_id"],
        "status": booking["status"],
        "priority_group": booking["priority_group"],
        "days": [
            {
                "day": r["day"],
                "state": r["state"],
                **({"accept_by": r["hold_until"]} if r["hold_until"] else {}),
                **({"waitlist_position": positions[r["day"]]} if r["day"] in positions else {}),
            }
            for r in await db.booking_days(rt.pool, booking_id)
        ],
    }
