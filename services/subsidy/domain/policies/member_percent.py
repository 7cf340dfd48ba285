"""The members' discount: a percentage of the whole fee, rounded down to the fen (the fund never
pays a fraction of a fen too much)."""

from __future__ import annotations

from services.subsidy.domain.model import Policy, Request
from services.subsidy.domain.policies.base import PolicyKind


def share_of_fee(policy: Policy, request: Request) -> int:
    return request.fee_fen * (policy.percent_bp or 0) // 10_000


KIND = PolicyKind("member_percent", order=20, required=("percent_bp",), amount=share_of_fee)
