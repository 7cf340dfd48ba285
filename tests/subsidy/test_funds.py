"""Funds are never overspent; money follows cancellations, attendance and no-shows."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections import Counter

from shared.contracts.attendance import ChildAbsent, ChildCheckedIn
from shared.contracts.enrollment import BookingCancelled
from testkit.city import token
from testkit.scenarios import envelope
from tests.subsidy.conftest import UnionFunds

APPLICATIONS = 60
COVERED = 25


async def test_many_approvals_racing_for_a_small_fund_never_overspend_it(union: UnionFunds) -> None:
    amount = 2 * 5000  # each application: two days fully covered
    fund = await union.fund(budget_fen=COVERED * amount + amount // 2)  # 25 and a half applications' worth
    await union.policy(fund, "priority_full", groups=["gig"], auto_approve_up_to_fen=0)  # staff decide each
    bookings = [union.booking(group="gig") for _ in range(APPLICATIONS)]
    await union.deliver(*bookings)
    pending = [(await union.applications(b.booking_id))[0] for b in bookings]
    assert {a["status"] for a in pending} == {"pending_review"}

    decisions = await asyncio.gather(
        *(union.post(f"/applications/{a['application_id']}/decision", {"approve": True}, expect=200) for a in pending)
    )
    outcomes = Counter(d.json()["status"] for d in decisions)
    assert outcomes == {"approved": COVERED, "rejected": APPLICATIONS - COVERED}, outcomes
    balance = await union.balance(fund)
    assert balance["reserved_fen"] == COVERED * amount
    assert balance["reserved_fen"] + balance["spent_fen"] <= balance["budget_fen"]
    assert balance["available_fen"] == amount // 2
    rejected = [d.json() for d in decisions if d.json()["status"] == "rejected"]
    assert all(r["reason"] == f"fund {fund} cannot cover ¥100.00" for r in rejected)
    assert len(await union.emitted("fund.exhausted", fund_id=fund, union_id=union.union_id)) == 1, "one alert, not 35"
    assert len(await union.emitted("fund.low", fund_id=fund, union_id=union.union_id)) == 1, (
        "its union's staff are told"
    )
    codes = {
        r["reason_code"] for r in await union.emitted("subsidy.rejected") if r["reason"].startswith(f"fund {fund}")
    }
    assert codes == {"fund_exhausted"}, "notify explains the rules' refusal in the parents' words"


async def test_a_cancellation_gives_the_reserved_money_back(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=100_000)
    await union.policy(fund, "per_day", amount_per_day_fen=1200)
    booking = union.booking(days=3)
    await union.deliver(booking)
    (application,) = await union.applications(booking.booking_id)
    assert (application["status"], application["amount_fen"]) == ("approved", 3600)
    assert (await union.balance(fund))["reserved_fen"] == 3600

    await union.deliver(
        BookingCancelled(
            booking_id=booking.booking_id,
            child_id=booking.child_id,
            class_id=booking.class_id,
            days=booking.days,
            reason="家里有事",
        )
    )
    balance = await union.balance(fund)
    assert (balance["reserved_fen"], balance["spent_fen"], balance["available_fen"]) == (0, 0, 100_000)
    (application,) = await union.applications(booking.booking_id)
    assert application["status"] == "cancelled"
    (settled,) = await union.emitted("subsidy.settled", booking_id=booking.booking_id)
    assert (settled["spent_fen"], settled["released_fen"]) == (0, 3600)


async def test_settlement_pays_attended_days_and_returns_the_no_shows(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=100_000)
    await union.policy(fund, "member_percent", percent_bp=1500)
    booking = union.booking(days=2, fee=4999)  # 2 x 49.99: 15 % is 14.997, paid as 14.99 = 750 + 749
    await union.deliver(booking)
    where = {
        "child_id": booking.child_id,
        "class_id": booking.class_id,
        "site_id": booking.site_id,
        "booking_id": booking.booking_id,
        "programme_id": booking.programme_id,
    }
    first, second = booking.days
    await union.deliver(
        ChildCheckedIn(**where, day=first, at=dt.datetime(2027, 7, 5, 0, 10, tzinfo=dt.UTC)),
        ChildAbsent(**where, day=second),
    )
    balance = await union.balance(fund)
    assert (balance["spent_fen"], balance["reserved_fen"], balance["available_fen"]) == (750, 0, 100_000 - 750)
    (settled,) = await union.emitted("subsidy.settled", booking_id=booking.booking_id)
    assert (settled["spent_fen"], settled["released_fen"]) == (750, 749)


async def test_a_duplicated_enrollment_event_reserves_once(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=100_000)
    await union.policy(fund, "per_day", amount_per_day_fen=1000)
    booking = union.booking(days=2)
    once = envelope(booking)
    await union.deliver_envelopes(once, once)
    (application,) = await union.applications(booking.booking_id)
    assert application["amount_fen"] == 2000
    assert (await union.balance(fund))["reserved_fen"] == 2000
    assert len(await union.emitted("subsidy.approved", booking_id=booking.booking_id)) == 1


async def test_union_staff_outside_the_subtree_are_denied(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=50_000)
    await union.policy(fund, "per_day", amount_per_day_fen=1000, auto_approve_up_to_fen=0)
    booking = union.booking(days=1)
    await union.deliver(booking)
    (application,) = await union.applications(booking.booking_id)
    outsider = token("union_staff", union_id=uuid.uuid4())
    denied = [
        await union.post(
            f"/applications/{application['application_id']}/decision", {"approve": True}, outsider, expect=None
        ),
        await union.get(f"/funds/{fund}", outsider),
        await union.get(f"/applications/{application['application_id']}", outsider),
        await union.get(f"/unions/{union.union_id}/spending", outsider),
        await union.get(f"/unions/{union.union_id}/ledger.csv", outsider),
        await union.post(
            "/policies",
            {"fund_id": fund, "kind": "per_day", "amount_per_day_fen": 1, "union_id": str(union.union_id)},
            outsider,
            expect=None,
        ),
    ]
    assert [d.status_code for d in denied] == [403] * 6
    assert (await union.get(f"/applications/{application['application_id']}")).json()["status"] == "pending_review"


async def test_staff_reject_with_a_reason_and_auditors_get_the_ledger(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=50_000)
    await union.policy(fund, "per_day", amount_per_day_fen=1000, auto_approve_up_to_fen=0)
    kept, refused = union.booking(days=2, group="gig"), union.booking(days=1)
    await union.deliver(kept, refused)
    (a,) = await union.applications(kept.booking_id)
    (b,) = await union.applications(refused.booking_id)
    no_reason = await union.post(f"/applications/{b['application_id']}/decision", {"approve": False}, expect=422)
    assert no_reason.json()["reasons"][0]["reason"].endswith("a rejection needs a reason")
    await union.post(
        f"/applications/{b['application_id']}/decision", {"approve": False, "reason": "not a member"}, expect=200
    )
    await union.post(f"/applications/{a['application_id']}/decision", {"approve": True}, expect=200)
    (rejection,) = await union.emitted("subsidy.rejected", booking_id=refused.booking_id)
    assert rejection["reason"] == "not a member" and rejection["reason_code"] is None, "staff's own words"

    spending = (await union.get(f"/unions/{union.union_id}/spending?by=employment_category")).json()["rows"]
    assert [(r["key"], r["reserved_fen"], r["children"]) for r in spending] == [("gig", 2000, 1), ("regular", 0, 1)]
    csv = (await union.get(f"/unions/{union.union_id}/ledger.csv")).text.splitlines()
    assert csv[0].startswith("application_id,booking_id,child_id")
    assert sum(1 for line in csv[1:] if line.endswith(",1000,reserved")) == 2
    assert sum(1 for line in csv[1:] if line.endswith(",1000,released")) == 1
