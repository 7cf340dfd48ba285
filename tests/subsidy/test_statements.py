"""Families' statements: each booked day's fee, subsidy and family share, revised as days are given
up, missed or subsidised later; payments from staff and the payment gateway; refunds by the
programme's rule. The rules are in services/subsidy/domain/statements.py."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import uuid

import pytest
from standardwebhooks.webhooks import Webhook

from services.subsidy.app import definition
from shared.contracts.attendance import ChildAbsent, ChildCheckedIn
from shared.contracts.enrollment import BookingCancelled, BookingChanged, ChildEnrolled
from shared.envelope import Envelope
from shared.secrets import SecretMissing
from shared.service import create_app
from shared.timezones import LOCAL_TIME
from testkit.city import token
from testkit.scenarios import SUMMER_DAYS, child_enrolled, child_registered
from tests.conftest import Stack
from tests.subsidy.conftest import UnionFunds

FEE = 5000  # ¥50.00 a day


async def statement(union: UnionFunds, booking_id: uuid.UUID, bearer: str | None = None) -> dict:
    answer = await union.get(f"/bookings/{booking_id}/statement", bearer)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def pay(union: UnionFunds, booking_id: uuid.UUID, amount_fen: int, expect: int | None = 201, **extra):
    return await union.post(
        f"/bookings/{booking_id}/payments", {"amount_fen": amount_fen, "method": "cash", **extra}, expect=expect
    )


def given_up(booking: ChildEnrolled, days: list[dt.date], at: dt.datetime) -> Envelope:
    """The parent gives up ``days`` of the booking at ``at`` (as enrollment publishes it)."""
    kept = tuple(d for d in booking.days if d not in days)
    event = BookingChanged(
        booking_id=booking.booking_id,
        child_id=booking.child_id,
        class_id=booking.class_id,
        removed_days=tuple(days),
        confirmed_days=kept,
        waitlisted_days=(),
    )
    return Envelope.wrap(event, producer="enrollment", union_id=None, correlation_id=uuid.uuid4(), occurred_at=at)


def morning_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 0), LOCAL_TIME)


async def test_a_gongshu_member_pays_exactly_85_percent_of_the_fee(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=1_000_000)
    await union.policy(fund, "member_percent", percent_bp=1500)
    even, odd = union.booking(days=3, fee=FEE), union.booking(days=2, fee=4999)
    await union.deliver(even, odd)

    whole = await statement(union, even.booking_id)
    assert (whole["fee_fen"], whole["subsidy_fen"], whole["family_fen"]) == (15_000, 2250, 12_750)
    assert whole["family_fen"] * 100 == whole["fee_fen"] * 85, "exactly 85 %"
    assert [d["family_fen"] for d in whole["days"]] == [4250, 4250, 4250]
    # ¥99.98: 15 % is ¥14.997, the subsidy rounds down to ¥14.99 (750 + 749 over the days), and the
    # family pays the rest, ¥84.99: 85 % rounded up to the fen.
    rounded = await statement(union, odd.booking_id)
    assert (rounded["fee_fen"], rounded["subsidy_fen"], rounded["family_fen"]) == (9998, 1499, 8499)
    assert [(d["subsidy_fen"], d["family_fen"]) for d in rounded["days"]] == [(750, 4249), (749, 4250)]
    assert (rounded["revision"], rounded["balance_fen"]) == (1, 8499)
    (issued,) = await union.emitted("statement.issued", booking_id=odd.booking_id)
    assert (issued["revision"], issued["family_fen"], issued["balance_fen"]) == (1, 8499, 8499)
    assert issued["cause"] == "child.enrolled"


async def test_a_zhumadian_priority_group_family_pays_nothing(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=1_000_000)
    await union.policy(fund, "priority_full", groups=["gig"])  # 驻马店: the union pays the whole fee
    courier, neighbour = union.booking(days=5, fee=FEE, group="gig"), union.booking(days=5, fee=FEE)
    await union.deliver(courier, neighbour)

    free = await statement(union, courier.booking_id)
    assert (free["fee_fen"], free["subsidy_fen"], free["family_fen"], free["balance_fen"]) == (25_000, 25_000, 0, 0)
    assert {d["family_fen"] for d in free["days"]} == {0}
    refused = await pay(union, courier.booking_id, 1, expect=409)
    assert refused.json()["reasons"][0]["reason"] == "¥0.01 is more than the ¥0.00 still to pay"
    assert (await statement(union, neighbour.booking_id))["family_fen"] == 25_000, "not in the group: the fee"


async def test_a_cancellation_refunds_the_days_given_up_before_the_cut_off(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=1_000_000)
    await union.policy(fund, "member_percent", percent_bp=1500)
    booking = union.booking(days=4, fee=FEE)  # 4 x ¥42.50 for the family
    await union.deliver(booking)
    await pay(union, booking.booking_id, 17_000)
    first, second, third, fourth = booking.days

    # Given up the evening before: refunded in full; given up on the morning itself: charged in full.
    evening_before = dt.datetime.combine(first - dt.timedelta(days=1), dt.time(20, 0), LOCAL_TIME)
    await union.deliver_envelopes(given_up(booking, [first], evening_before))
    (refund,) = await union.emitted("refund.issued", booking_id=booking.booking_id)
    assert refund["amount_fen"] == 4250
    await union.deliver_envelopes(given_up(booking, [second], morning_of(second)))
    after = await statement(union, booking.booking_id)
    assert [(d["state"], d["fee_fen"], d["subsidy_fen"]) for d in after["days"][:2]] == [
        ("given_up_early", 0, 0),
        ("given_up_late", FEE, 0),  # no refund, and the union's money follows attended days
    ]
    assert (after["family_fen"], after["paid_fen"], after["refunded_fen"]) == (FEE + 2 * 4250, 17_000, 4250)
    assert after["balance_fen"] == FEE + 2 * 4250 - (17_000 - 4250)
    assert [r["amount_fen"] for r in after["refunds"]] == [4250]

    await union.deliver(
        BookingCancelled(
            booking_id=booking.booking_id,
            child_id=booking.child_id,
            class_id=booking.class_id,
            days=(third, fourth),
            reason="搬家",
        )
    )
    cancelled = await statement(union, booking.booking_id)
    assert (cancelled["family_fen"], cancelled["balance_fen"]) == (FEE, 0)
    refunds = await union.emitted("refund.issued", booking_id=booking.booking_id)
    assert [r["amount_fen"] for r in refunds] == [4250, 17_000 - 4250 - FEE]
    assert sum(r["amount_fen"] for r in refunds) == cancelled["refunded_fen"]
    revisions = [s["revision"] for s in await union.emitted("statement.issued", booking_id=booking.booking_id)]
    assert revisions == [1, 2, 3, 4]


async def test_a_no_show_is_charged_the_whole_fee_and_an_attended_day_as_booked(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=1_000_000)
    await union.policy(fund, "member_percent", percent_bp=1500)
    booking = union.booking(days=2, fee=FEE)
    await union.deliver(booking)
    where = {k: getattr(booking, k) for k in ("child_id", "class_id", "site_id", "booking_id", "programme_id")}
    await union.deliver(ChildAbsent(**where, day=booking.days[0]))
    await union.deliver(ChildCheckedIn(**where, day=booking.days[1], at=morning_of(booking.days[1])))
    missed = await statement(union, booking.booking_id)
    assert [(d["state"], d["family_fen"]) for d in missed["days"]] == [("absent", FEE), ("attended", 4250)]
    (_, revised) = await union.emitted("statement.issued", booking_id=booking.booking_id)
    assert (revised["revision"], revised["cause"], revised["family_fen"]) == (2, "child.absent", FEE + 4250)
    assert missed["revision"] == 2, "an attended day changes nothing the family pays: no new revision"


async def test_a_subsidy_decided_later_revises_the_statement_and_refunds(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=1_000_000)
    await union.policy(fund, "per_day", amount_per_day_fen=2000, auto_approve_up_to_fen=0)  # staff decide
    booking = union.booking(days=2, fee=FEE)
    await union.deliver(booking)
    assert (await statement(union, booking.booking_id))["family_fen"] == 2 * FEE, "not subsidised until decided"
    await pay(union, booking.booking_id, 2 * FEE)
    (application,) = await union.applications(booking.booking_id)
    await union.post(f"/applications/{application['application_id']}/decision", {"approve": True}, expect=200)

    decided = await statement(union, booking.booking_id)
    assert (decided["revision"], decided["subsidy_fen"], decided["family_fen"]) == (2, 4000, 6000)
    assert (decided["refunded_fen"], decided["balance_fen"]) == (4000, 0)
    (refund,) = await union.emitted("refund.issued", booking_id=booking.booking_id)
    assert refund["amount_fen"] == 4000


async def test_payments_racing_cancellations_never_leave_a_wrong_statement(union: UnionFunds) -> None:
    days = [SUMMER_DAYS[0] + dt.timedelta(days=i) for i in range(10)]
    booking = child_enrolled(child_id=uuid.uuid4(), days=days, union_path=(union.union_id,), fee_per_day_fen=FEE)
    await union.deliver(booking)
    early = morning_of(days[0]) - dt.timedelta(days=3)
    cancellations = [union.deliver_envelopes(given_up(booking, [day], early)) for day in days[:6]]
    payments = [pay(union, booking.booking_id, 3000, expect=None) for _ in range(20)]
    outcomes = await asyncio.gather(*cancellations, *payments)

    answers = [o for o in outcomes if o is not None]
    assert {a.status_code for a in answers} <= {201, 409}, {a.text for a in answers}
    accepted = sum(3000 for a in answers if a.status_code == 201)
    final = await statement(union, booking.booking_id)
    assert final["family_fen"] == 4 * FEE, "four days left, no subsidy"
    assert final["paid_fen"] == accepted == sum(p["amount_fen"] for p in final["payments"])
    refunds = await union.emitted("refund.issued", booking_id=booking.booking_id)
    assert final["refunded_fen"] == sum(r["amount_fen"] for r in refunds)
    net = final["paid_fen"] - final["refunded_fen"]
    assert 0 <= net <= final["family_fen"] and final["balance_fen"] == final["family_fen"] - net
    revisions = [s["revision"] for s in await union.emitted("statement.issued", booking_id=booking.booking_id)]
    assert sorted(revisions) == list(range(1, 8)), "one revision per cancellation, none lost"
    received = await union.emitted("payment.received", booking_id=booking.booking_id)
    assert len(received) == accepted // 3000


async def test_a_duplicated_cancellation_revises_and_refunds_once(union: UnionFunds) -> None:
    booking = union.booking(days=3, fee=FEE)
    await union.deliver(booking)
    await pay(union, booking.booking_id, 3 * FEE)
    once = given_up(booking, [booking.days[0]], morning_of(booking.days[0]) - dt.timedelta(days=2))
    await union.deliver_envelopes(once, once)
    await union.deliver_envelopes(once)
    assert [r["amount_fen"] for r in await union.emitted("refund.issued", booking_id=booking.booking_id)] == [FEE]
    assert len(await union.emitted("statement.issued", booking_id=booking.booking_id)) == 2
    assert (await statement(union, booking.booking_id))["refunded_fen"] == FEE


async def test_bad_payments_are_refused_with_reasons(union: UnionFunds) -> None:
    booking = union.booking(days=1, fee=FEE)
    await union.deliver(booking)
    path = f"/bookings/{booking.booking_id}/payments"
    zero = await union.post(path, {"amount_fen": 0, "method": "cash"}, expect=422)
    assert zero.json()["reasons"][0]["field"] == "amount_fen"
    barter = await union.post(path, {"amount_fen": 100, "method": "barter"}, expect=422)
    assert barter.json()["reasons"][0]["field"] == "method"
    too_much = await pay(union, booking.booking_id, FEE + 1, expect=409)
    assert too_much.json()["reasons"][0] == {
        "field": "amount_fen",
        "reason": "¥50.01 is more than the ¥50.00 still to pay",
    }
    await pay(union, uuid.uuid4(), 100, expect=404)
    parent = token("parent", member_id=uuid.uuid4())
    outsider = token("union_staff", union_id=uuid.uuid4())
    for who in (parent, outsider):
        await union.post(path, {"amount_fen": 100, "method": "cash"}, who, expect=403)
    receipt = await pay(union, booking.booking_id, 100, reference="收据-0001")
    again = await pay(union, booking.booking_id, 100, expect=409, reference="收据-0001")
    assert again.status_code == 409, "one receipt, one payment"
    assert (await statement(union, booking.booking_id))["payments"][0]["payment_id"] == receipt.json()["payment_id"]
    assert (await statement(union, booking.booking_id))["balance_fen"] == FEE - 100


def signed(body: dict, message_id: str, secret: str | None = None) -> tuple[bytes, dict[str, str]]:
    """What the payment gateway sends: the JSON body and its Standard Webhooks signature."""
    raw = json.dumps(body).encode()
    now = dt.datetime.now(dt.UTC)
    key = (secret or os.environ["SUBSIDY_PAYMENT_GATEWAY_SECRET"]).encode()
    return raw, {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(key).sign(message_id, now, raw.decode()),
    }


async def test_the_payment_gateway_tells_of_a_payment_in_a_signed_callback(union: UnionFunds) -> None:
    booking = union.booking(days=2, fee=FEE)
    await union.deliver(booking)
    paid = {"transaction_id": "wx-4200001", "booking_id": str(booking.booking_id), "amount_fen": 6000}
    body = {**paid, "method": "wechat_pay"}

    async def callback(raw: bytes, headers: dict[str, str]):
        return await union.http.post("/payment-gateway/payments", content=raw, headers=headers)

    forged = await callback(*signed(body, "msg_forged", secret="not-the-gateway-" + "x" * 32))
    unsigned = await callback(json.dumps(body).encode(), {"content-type": "application/json"})
    assert (forged.status_code, unsigned.status_code) == (401, 401)
    first = await callback(*signed(body, "msg_1"))
    assert first.status_code == 201, first.text
    assert first.json()["balance_fen"] == 2 * FEE - 6000
    redelivered = await callback(*signed(body, "msg_1"))
    told_again = await callback(*signed(body, "msg_2"))
    assert redelivered.json() == told_again.json() == first.json()
    changed = await callback(*signed({**body, "amount_fen": 100}, "msg_3"))
    assert changed.status_code == 409
    bad = await callback(*signed({**body, "amount_fen": -1, "transaction_id": "wx-2"}, "msg_4"))
    assert bad.status_code == 422 and bad.json()["reasons"][0]["field"] == "amount_fen"

    (received,) = await union.emitted("payment.received", booking_id=booking.booking_id)
    assert (received["amount_fen"], received["source"], received["balance_fen"]) == (6000, "gateway", 4000)
    (payment,) = (await statement(union, booking.booking_id))["payments"]
    assert (payment["reference"], payment["method"], payment["recorded_by"]) == (
        "wx-4200001",
        "wechat_pay",
        "payment-gateway",
    )


async def test_a_childs_statements_are_read_by_its_guardians_only(union: UnionFunds) -> None:
    registered = child_registered(guardians=1)
    booking = child_enrolled(
        child_id=registered.child_id, days=list(SUMMER_DAYS[:2]), union_path=(union.union_id,), fee_per_day_fen=FEE
    )
    await union.deliver(registered)
    await union.deliver(booking)
    guardian = token("parent", member_id=registered.guardians[0].guardian_id)
    mine = await union.get(f"/children/{registered.child_id}/statements", guardian)
    assert mine.status_code == 200 and [s["booking_id"] for s in mine.json()["statements"]] == [str(booking.booking_id)]
    assert (await statement(union, booking.booking_id, guardian))["family_fen"] == 2 * FEE
    family = await union.get(f"/guardians/{registered.guardians[0].guardian_id}/statements", guardian)
    assert [s["booking_id"] for s in family.json()["statements"]] == [str(booking.booking_id)]
    stranger = token("parent", member_id=uuid.uuid4())
    outsider = token("union_staff", union_id=uuid.uuid4())
    for who in (stranger, outsider):
        assert (await union.get(f"/bookings/{booking.booking_id}/statement", who)).status_code == 403
        assert (await union.get(f"/children/{registered.child_id}/statements", who)).status_code == 403
        assert (await union.get(f"/guardians/{registered.guardians[0].guardian_id}/statements", who)).status_code == 403


async def refund_rule(union: UnionFunds, union_id: uuid.UUID, notice_days: int, bearer: str | None = None):
    return await union.http.put(
        f"/unions/{union_id}/refund-rule",
        json={"notice_days": notice_days},
        headers={"Authorization": f"Bearer {bearer or union.staff}", "Idempotency-Key": f"k-{uuid.uuid4()}"},
    )


async def test_a_unions_refund_rule_sets_the_cut_off_for_its_classes(union: UnionFunds) -> None:
    district = uuid.uuid4()
    booking = child_enrolled(
        child_id=uuid.uuid4(), days=list(SUMMER_DAYS[:2]), union_path=(union.union_id, district), fee_per_day_fen=FEE
    )
    await union.deliver(booking)
    answer = await refund_rule(union, union.union_id, 3)
    assert answer.status_code == 200 and answer.json() == {"union_id": str(union.union_id), "notice_days": 3}
    first, second = booking.days
    await union.deliver_envelopes(given_up(booking, [first], morning_of(first) - dt.timedelta(days=2)))
    assert (await statement(union, booking.booking_id))["days"][0]["state"] == "given_up_late", "3 days' notice"

    district_staff = token("union_staff", union_id=district)  # the deepest union with a rule decides
    assert (await refund_rule(union, district, 0, district_staff)).status_code == 200
    await union.deliver_envelopes(given_up(booking, [second], morning_of(second)))
    assert (await statement(union, booking.booking_id))["days"][1]["state"] == "given_up_early"

    assert (await refund_rule(union, union.union_id, 0, district_staff)).status_code == 403
    negative = await refund_rule(union, district, -1, district_staff)
    assert negative.status_code == 422 and negative.json()["reasons"][0]["field"] == "notice_days"


@pytest.mark.parametrize(("value", "says"), [("short-7d3f9a2c", "at least 32"), ("change-me-" + "x" * 30, "known")])
async def test_subsidy_will_not_start_with_a_weak_payment_gateway_secret(
    stack: Stack, monkeypatch: pytest.MonkeyPatch, value: str, says: str
) -> None:
    for name, setting in stack.service_env().items():
        monkeypatch.setenv(name, setting)
    monkeypatch.setenv("SUBSIDY_PAYMENT_GATEWAY_SECRET", value)
    with pytest.raises(SecretMissing, match=f"SUBSIDY_PAYMENT_GATEWAY_SECRET .*{says}"):
        create_app(definition, messaging=False)
