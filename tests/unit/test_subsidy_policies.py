"""Subsidy policies alone and combined, to the fen."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

from services.subsidy.domain import Policy, Request, automatic, spread, subsidise

DAYS = tuple(dt.date(2027, 7, 5) + dt.timedelta(days=i) for i in range(3))
FUND = uuid.uuid4()
MODEL_CLASS = uuid.uuid4()


def policy(kind: str, **fields) -> Policy:
    return Policy(policy_id=uuid.uuid4(), fund_id=FUND, kind=kind, **fields)


def request(group: str = "regular", fee_per_day: int = 4999, class_id: uuid.UUID = MODEL_CLASS) -> Request:
    return Request(class_id=class_id, priority_group=group, days=DAYS, fee_per_day_fen=fee_per_day)


def amounts(lines) -> list[tuple[str, int]]:
    return [(line.policy.kind, line.amount_fen) for line in lines]


def test_gongshu_members_get_15_percent_rounded_down_to_the_fen() -> None:
    # 3 days x 49.99 = 149.97 yuan; 15 % is 22.4955 yuan, paid as 22.49
    assert amounts(subsidise(request(), [policy("member_percent", percent_bp=1500)])) == [("member_percent", 2249)]


def test_a_city_union_pays_the_whole_fee_for_couriers() -> None:
    full = policy("priority_full", groups=("gig",))
    assert amounts(subsidise(request("gig"), [full])) == [("priority_full", 14997)]
    assert subsidise(request("regular"), [full]) == []


def test_a_fixed_amount_per_child_day() -> None:
    assert amounts(subsidise(request(), [policy("per_day", amount_per_day_fen=1000)])) == [("per_day", 3000)]


def test_a_fund_grant_for_model_classes_only() -> None:
    grant = policy("fund_grant", amount_per_day_fen=2000, class_ids=(MODEL_CLASS,))
    assert amounts(subsidise(request(), [grant])) == [("fund_grant", 6000)]
    assert subsidise(request(class_id=uuid.uuid4()), [grant]) == []


def test_combined_policies_pay_in_order_and_never_more_than_the_fee() -> None:
    lines = subsidise(
        request("hardship"),
        [
            policy("fund_grant", amount_per_day_fen=4000),
            policy("per_day", amount_per_day_fen=1000),
            policy("member_percent", percent_bp=1500),
        ],
    )
    # 14997 fee: 15 % = 2249, then 3 x 10.00 = 3000, then the grant covers what is left: 9748, not 12000
    assert amounts(lines) == [("member_percent", 2249), ("per_day", 3000), ("fund_grant", 9748)]
    assert sum(line.amount_fen for line in lines) == 14997


def test_full_coverage_comes_first_and_leaves_nothing_for_the_rest() -> None:
    lines = subsidise(
        request("gig"), [policy("member_percent", percent_bp=1500), policy("priority_full", groups=("gig",))]
    )
    assert amounts(lines) == [("priority_full", 14997)]


def test_a_cap_per_child_limits_a_policy() -> None:
    assert amounts(subsidise(request(), [policy("per_day", amount_per_day_fen=3000, cap_per_child_fen=5000)])) == [
        ("per_day", 5000)
    ]


def test_an_amount_is_spread_over_the_days_with_the_remainder_first() -> None:
    assert list(spread(2249, DAYS).values()) == [750, 750, 749]
    assert sum(spread(2249, DAYS).values()) == 2249


def test_above_the_automatic_limit_union_staff_decide() -> None:
    lines = subsidise(request(), [policy("per_day", amount_per_day_fen=1000, auto_approve_up_to_fen=2000)])
    assert not automatic(lines)
    assert automatic(subsidise(request(), [policy("per_day", amount_per_day_fen=500, auto_approve_up_to_fen=2000)]))


def test_a_policy_pays_only_for_the_days_within_its_validity() -> None:
    gongshu = policy(
        "member_percent", percent_bp=1500, valid_from=dt.date(2026, 7, 1), valid_until=dt.date(2029, 6, 30)
    )
    inside = (dt.date(2026, 7, 1), dt.date(2027, 7, 5), dt.date(2029, 6, 30))  # both ends are inclusive
    outside = dt.date(2029, 7, 1)
    within = Request(class_id=MODEL_CLASS, priority_group="regular", days=inside, fee_per_day_fen=4999)
    assert amounts(subsidise(within, [gongshu])) == [("member_percent", 2249)]  # 15 % of 3 x 49.99, as always
    late = Request(class_id=MODEL_CLASS, priority_group="regular", days=(outside,), fee_per_day_fen=4999)
    assert subsidise(late, [gongshu]) == []
    early = Request(class_id=MODEL_CLASS, priority_group="regular", days=(dt.date(2026, 6, 30),), fee_per_day_fen=4999)
    assert subsidise(early, [gongshu]) == []
    # a booking across the end: only the day inside is paid, 15 % of its own fee
    (line,) = subsidise(replace(late, days=(dt.date(2029, 6, 30), outside)), [gongshu])
    assert (line.amount_fen, line.per_day) == (749, {dt.date(2029, 6, 30): 749})


def test_a_policy_for_named_providers_pays_only_at_those_providers() -> None:
    a, b, c = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    limited = policy("per_day", amount_per_day_fen=1000, provider_ids=(a, b))
    assert amounts(subsidise(replace(request(), provider_id=a), [limited])) == [("per_day", 3000)]
    assert amounts(subsidise(replace(request(), provider_id=b), [limited])) == [("per_day", 3000)]
    assert subsidise(replace(request(), provider_id=c), [limited]) == []
    assert subsidise(request(), [limited]) == []  # a booking whose provider is not known
    everyone = policy("per_day", amount_per_day_fen=1000)
    assert amounts(subsidise(replace(request(), provider_id=c), [everyone])) == [("per_day", 3000)]
