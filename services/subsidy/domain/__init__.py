"""Subsidy rules with no I/O: which policies apply, in which order, and how much each pays.

Order: full coverage for priority groups, then the members' percentage discount, then a fixed
amount per child-day, then grants from a capped fund (each kind in its own module in ``policies``,
with its place in the order and its amount). Each step pays at most what the fee still
leaves uncovered and at most its cap per child. Money is integer fen. A percentage is taken of
the whole fee and rounded down to the fen (the fund never pays a fraction of a fen too much).
A policy may be limited in time (``valid_from`` .. ``valid_until``, both inclusive) and to named
providers: it then pays only for the booked days within its dates, at one of its providers, and
its amount (a percentage too) is taken of the fee of those days alone.
An amount is spread over the booked days evenly, the remainder fen going to the earliest days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from services.subsidy.domain.model import Line, Policy, Request
from services.subsidy.domain.policies import KINDS, ORDER
from shared.money import yuan

LOW_SHARE = 0.10  # a fund is "low" when less than this share of its budget is left


def subsidise(request: Request, policies: list[Policy]) -> list[Line]:
    """The amount each applicable policy pays, in the defined order; zero lines are left out."""
    paid = dict.fromkeys(request.days, 0)  # what the policies so far pay for each day
    lines = []
    for policy in sorted(policies, key=lambda p: (ORDER.index(p.kind), str(p.policy_id))):
        days = covered_days(policy, request)
        remaining = sum(request.fee_per_day_fen - paid[day] for day in days)  # the fee these days still leave
        if remaining <= 0:
            continue
        amount = min(KINDS[policy.kind].amount(policy, replace(request, days=days)), remaining)
        if policy.cap_per_child_fen is not None:
            amount = min(amount, policy.cap_per_child_fen)
        if amount > 0:
            per_day = spread(amount, days)
            lines.append(Line(policy, amount, per_day))
            for day, fen in per_day.items():
                paid[day] += fen
    return lines


def covered_days(policy: Policy, request: Request) -> tuple[dt.date, ...]:
    """The booked days the policy pays for: within its dates, at one of its providers, for its
    classes and groups (none when it does not apply to the booking at all)."""
    return tuple(
        day
        for day in request.days
        if policy.applies_to(request.priority_group, request.class_id, request.provider_id, day)
    )


def spread(amount: int, days: tuple[dt.date, ...]) -> dict[dt.date, int]:
    ordered = sorted(days)
    share, extra = divmod(amount, len(ordered))
    return {day: share + (1 if i < extra else 0) for i, day in enumerate(ordered)}


def automatic(lines: list[Line]) -> bool:
    """Approved without a person when every policy's automatic limit covers its line."""
    return all(
        line.policy.auto_approve_up_to_fen is None or line.amount_fen <= line.policy.auto_approve_up_to_fen
        for line in lines
    )


__all__ = [
    "KINDS",
    "LOW_SHARE",
    "ORDER",
    "Line",
    "Policy",
    "Request",
    "automatic",
    "covered_days",
    "spread",
    "subsidise",
    "yuan",
]
