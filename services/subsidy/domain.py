"""Subsidy rules with no I/O: which policies apply, in which order, and how much each pays.

Order: full coverage for priority groups, then the members' percentage discount, then a fixed
amount per child-day, then grants from a capped fund. Each step pays at most what the fee still
leaves uncovered and at most its cap per child. Money is integer fen. A percentage is taken of
the whole fee and rounded down to the fen (the fund never pays a fraction of a fen too much).
An amount is spread over the booked days evenly, the remainder fen going to the earliest days.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

ORDER = ("priority_full", "member_percent", "per_day", "fund_grant")
LOW_SHARE = 0.10  # a fund is "low" when less than this share of its budget is left


@dataclass(frozen=True)
class Policy:
    policy_id: uuid.UUID
    fund_id: uuid.UUID
    kind: str
    percent_bp: int | None = None  # member_percent: basis points of the fee (1500 = 15 %)
    amount_per_day_fen: int | None = None  # per_day and fund_grant
    groups: tuple[str, ...] = ()  # priority_full: the groups fully covered; others: empty = everyone
    class_ids: tuple[uuid.UUID, ...] = ()  # empty = every class
    cap_per_child_fen: int | None = None
    auto_approve_up_to_fen: int | None = None  # None: always automatic

    def applies_to(self, group: str, class_id: uuid.UUID) -> bool:
        if self.class_ids and class_id not in self.class_ids:
            return False
        return not self.groups or group in self.groups


@dataclass(frozen=True)
class Request:
    class_id: uuid.UUID
    priority_group: str
    days: tuple[dt.date, ...]
    fee_per_day_fen: int

    @property
    def fee_fen(self) -> int:
        return self.fee_per_day_fen * len(self.days)


@dataclass(frozen=True)
class Line:
    policy: Policy
    amount_fen: int
    per_day: dict[dt.date, int] = field(default_factory=dict)


def subsidise(request: Request, policies: list[Policy]) -> list[Line]:
    """The amount each applicable policy pays, in the defined order; zero lines are left out."""
    remaining = request.fee_fen
    lines = []
    for policy in sorted(policies, key=lambda p: (ORDER.index(p.kind), str(p.policy_id))):
        if remaining == 0 or not policy.applies_to(request.priority_group, request.class_id):
            continue
        amount = min(_raw(policy, request), remaining)
        if policy.cap_per_child_fen is not None:
            amount = min(amount, policy.cap_per_child_fen)
        if amount > 0:
            lines.append(Line(policy, amount, spread(amount, request.days)))
            remaining -= amount
    return lines


def _raw(policy: Policy, request: Request) -> int:
    if policy.kind == "priority_full":
        return request.fee_fen
    if policy.kind == "member_percent":
        return request.fee_fen * (policy.percent_bp or 0) // 10_000
    return (policy.amount_per_day_fen or 0) * len(request.days)


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


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"
