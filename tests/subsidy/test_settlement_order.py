"""No attended day is left unpaid, whichever reaches subsidy first and whenever staff decide.

A check-in travels on attendance's topic and the booking on enrollment's: nothing orders the two,
so the day's check-in or absence can arrive before the application exists. Staff can also decide
after the days were attended.
"""

from __future__ import annotations

import datetime as dt

import pytest

from shared.contracts.attendance import ChildAbsent, ChildCheckedIn
from tests.subsidy.conftest import UnionFunds


def _the_days(booking) -> tuple[ChildCheckedIn, ChildAbsent]:
    where = {
        "child_id": booking.child_id,
        "class_id": booking.class_id,
        "site_id": booking.site_id,
        "booking_id": booking.booking_id,
        "programme_id": booking.programme_id,
    }
    first, second = booking.days
    return (
        ChildCheckedIn(**where, day=first, at=dt.datetime(2027, 7, 5, 0, 10, tzinfo=dt.UTC)),
        ChildAbsent(**where, day=second),
    )


@pytest.mark.parametrize("staff_decide", [False, True], ids=["automatic", "staff-approve-after-the-days"])
@pytest.mark.parametrize("days_first", [True, False], ids=["days-before-booking", "booking-before-days"])
async def test_the_attended_day_is_paid_and_the_missed_day_released(
    union: UnionFunds, days_first: bool, staff_decide: bool
) -> None:
    fund = await union.fund(budget_fen=100_000)
    await union.policy(
        fund, "member_percent", percent_bp=1500, **({"auto_approve_up_to_fen": 0} if staff_decide else {})
    )
    booking = union.booking(days=2, fee=4999)  # 15 % of 2 x 49.99 is paid as 750 + 749
    checked_in, absent = _the_days(booking)
    if days_first:
        await union.deliver(checked_in, absent)
        await union.deliver(booking)
    else:
        await union.deliver(booking)
        await union.deliver(checked_in, absent)
    (application,) = await union.applications(booking.booking_id)
    if staff_decide:
        assert application["status"] == "pending_review"
        decided = await union.post(
            f"/applications/{application['application_id']}/decision", {"approve": True}, expect=200
        )
        assert decided.json()["approved"] is True

    balance = await union.balance(fund)
    assert (balance["spent_fen"], balance["reserved_fen"], balance["available_fen"]) == (750, 0, 100_000 - 750)
    (application,) = await union.applications(booking.booking_id)
    assert application["status"] == "settled"
    (settled,) = await union.emitted("subsidy.settled", booking_id=booking.booking_id)
    assert (settled["spent_fen"], settled["released_fen"]) == (750, 749)


async def test_a_day_attended_before_a_rejection_costs_the_fund_nothing(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=100_000)
    await union.policy(fund, "per_day", amount_per_day_fen=1000, auto_approve_up_to_fen=0)
    booking = union.booking(days=2)
    checked_in, _ = _the_days(booking)
    await union.deliver(checked_in)
    await union.deliver(booking)
    (application,) = await union.applications(booking.booking_id)
    await union.post(
        f"/applications/{application['application_id']}/decision",
        {"approve": False, "reason": "not a member"},
        expect=200,
    )
    balance = await union.balance(fund)
    assert (balance["spent_fen"], balance["reserved_fen"], balance["available_fen"]) == (0, 0, 100_000)
