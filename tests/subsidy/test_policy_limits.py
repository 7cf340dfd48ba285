"""Policies limited in time and to named providers, as the seeds describe Gongshu's: a 15 %
members' discount for three years, at three providers."""

from __future__ import annotations

import datetime as dt
import uuid

from testkit.scenarios import SUMMER_DAYS, child_enrolled
from tests.subsidy.conftest import UnionFunds

THREE_YEARS = {"valid_from": "2026-07-01", "valid_until": "2029-06-30"}


async def test_gongshu_members_get_15_percent_at_its_three_providers_for_three_years(union: UnionFunds) -> None:
    providers = [uuid.uuid4() for _ in range(3)]
    fund = await union.fund(budget_fen=1_000_000)
    answer = await union.post(
        "/policies",
        {
            "fund_id": fund,
            "kind": "member_percent",
            "percent_bp": 1500,
            **THREE_YEARS,
            "provider_ids": [str(p) for p in providers],
        },
    )
    created = answer.json()
    assert (created["valid_from"], created["valid_until"]) == ("2026-07-01", "2029-06-30")
    assert created["provider_ids"] == [str(p) for p in providers]

    def booking(provider: uuid.UUID, days: list[dt.date]):
        return child_enrolled(
            child_id=uuid.uuid4(),
            days=days,
            provider_id=provider,
            union_path=(union.union_id,),
            fee_per_day_fen=4999,
        )

    at_one = booking(providers[1], list(SUMMER_DAYS[:2]))  # 2 x 49.99 = 99.98: 15 % is 14.997, paid as 14.99
    at_a_fourth = booking(uuid.uuid4(), list(SUMMER_DAYS[:2]))
    too_late = booking(providers[0], [dt.date(2029, 7, 2)])
    await union.deliver(at_one, at_a_fourth, too_late)

    (paid,) = await union.applications(at_one.booking_id)
    assert (paid["status"], paid["fee_fen"], paid["amount_fen"]) == ("approved", 9998, 1499)
    assert 9998 * 1500 // 10_000 == 1499  # the registry's rule: 15 % of the fee, rounded down to the fen
    for refused in (at_a_fourth, too_late):
        (nothing,) = await union.applications(refused.booking_id)
        assert (nothing["status"], nothing["amount_fen"]) == ("not_applicable", 0)
    assert (await union.balance(fund))["reserved_fen"] == 1499


async def test_a_policy_without_dates_or_providers_says_so(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=10_000)
    created = (await union.post("/policies", {"fund_id": fund, "kind": "per_day", "amount_per_day_fen": 100})).json()
    assert (created["valid_from"], created["valid_until"], created["provider_ids"]) == (None, None, [])


async def test_a_validity_that_ends_before_it_starts_is_refused(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=10_000)
    body = {"fund_id": fund, "kind": "member_percent", "percent_bp": 1500}
    answer = await union.post(
        "/policies", {**body, "valid_from": "2029-06-30", "valid_until": "2026-07-01"}, expect=422
    )
    assert answer.json()["reasons"][0]["reason"].endswith("valid_until comes before valid_from")
    too_many = [str(uuid.uuid4()) for _ in range(51)]
    await union.post("/policies", {**body, "provider_ids": too_many}, expect=422)
    await union.post("/policies", {**body, "valid_from": "2026-07-01", "valid_until": "2026-07-01"})  # one day
