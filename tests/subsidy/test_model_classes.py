"""Henan's model classes: the province designates classes run by the county unions below it and pays
each class's operator a lump-sum grant from its ¥1,000,000 fund, which is never overspent."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter

from testkit.city import token
from testkit.scenarios import child_enrolled
from tests.subsidy.conftest import UnionFunds

HENAN_FUND = 100_000_000  # ¥1,000,000
GRANT = 10_000_000  # ¥100,000: the fund covers ten of them


async def county_classes(union: UnionFunds, count: int) -> list:
    """Classes run in a county under the province (``union``), each known to subsidy from a booking."""
    county = uuid.uuid4()
    bookings = [child_enrolled(child_id=uuid.uuid4(), union_path=(union.union_id, county)) for _ in range(count)]
    await union.deliver(*bookings)
    return bookings


async def designate(union: UnionFunds, class_id: uuid.UUID, bearer: str | None = None, expect: int = 201):
    return await union.post("/model-classes", {"class_id": str(class_id)}, bearer, expect=expect)


async def test_the_province_designates_a_model_class_and_pays_its_operator(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=HENAN_FUND)
    (booking,) = await county_classes(union, 1)
    made = (await designate(union, booking.class_id)).json()
    assert made == {
        "class_id": str(booking.class_id),
        "provider_id": str(booking.provider_id),
        "union_id": str(union.union_id),
    }
    await designate(union, booking.class_id, expect=409)
    paid = await union.post(f"/model-classes/{booking.class_id}/grants", {"fund_id": fund, "amount_fen": GRANT})
    assert paid.json()["provider_id"] == str(booking.provider_id)

    balance = await union.balance(fund)
    assert (balance["spent_fen"], balance["reserved_fen"], balance["available_fen"]) == (GRANT, 0, HENAN_FUND - GRANT)
    read = (await union.get(f"/model-classes/{booking.class_id}")).json()
    assert [(g["fund_id"], g["amount_fen"]) for g in read["grants"]] == [(fund, GRANT)]
    (designated,) = await union.emitted("model_class.designated", class_id=booking.class_id)
    assert designated["provider_id"] == str(booking.provider_id)
    (grant,) = await union.emitted("model_class.grant_paid", class_id=booking.class_id)
    assert (grant["amount_fen"], grant["fund_id"]) == (GRANT, fund)


async def test_grants_racing_for_the_last_of_the_fund_never_overspend_it(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=HENAN_FUND)
    bookings = await county_classes(union, 12)
    for booking in bookings:
        await designate(union, booking.class_id)
    answers = await asyncio.gather(
        *(
            union.post(f"/model-classes/{b.class_id}/grants", {"fund_id": fund, "amount_fen": GRANT}, expect=None)
            for b in bookings
        )
    )
    assert Counter(a.status_code for a in answers) == {201: 10, 409: 2}
    refused = [a.json() for a in answers if a.status_code == 409]
    assert all(r["reasons"][0]["reason"] == "the fund has ¥0.00 left, less than ¥100000.00" for r in refused)
    balance = await union.balance(fund)
    assert (balance["spent_fen"], balance["available_fen"]) == (HENAN_FUND, 0)
    assert len(await union.emitted("model_class.grant_paid", fund_id=fund)) == 10
    assert len(await union.emitted("fund.exhausted", fund_id=fund)) == 1, "the fund ran dry: told once"
    assert len(await union.emitted("fund.low", fund_id=fund)) == 1


async def test_only_staff_of_the_unions_running_the_class_designate_and_grant(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=HENAN_FUND)
    (booking,) = await county_classes(union, 1)
    outsider = token("union_staff", union_id=uuid.uuid4())
    parent = token("parent", member_id=uuid.uuid4())
    for who in (outsider, parent):
        await designate(union, booking.class_id, who, expect=403)
    await designate(union, uuid.uuid4(), expect=404)
    await designate(union, booking.class_id)
    grants = f"/model-classes/{booking.class_id}/grants"
    await union.post(grants, {"fund_id": fund, "amount_fen": GRANT}, outsider, expect=403)
    other_fund = await UnionFunds(union.service).fund(budget_fen=HENAN_FUND)  # a union not above the class
    wrong = await union.post(grants, {"fund_id": other_fund, "amount_fen": GRANT}, expect=422)
    assert wrong.json()["reasons"][0]["field"] == "fund_id"
    zero = await union.post(grants, {"fund_id": fund, "amount_fen": 0}, expect=422)
    assert zero.json()["reasons"][0]["field"] == "amount_fen"
    await union.post(f"/model-classes/{uuid.uuid4()}/grants", {"fund_id": fund, "amount_fen": 1}, expect=404)
    assert (await union.get(f"/model-classes/{booking.class_id}", outsider)).status_code == 403
    assert (await union.balance(fund))["spent_fen"] == 0
