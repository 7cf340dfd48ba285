"""Full coverage for priority groups: the whole fee, for the groups the policy names."""

from __future__ import annotations

from services.subsidy.domain.model import Policy, Request
from services.subsidy.domain.policies.base import PolicyKind


def whole_fee(policy: Policy, request: Request) -> int:
    return request.fee_fen


KIND = PolicyKind("priority_full", order=10, required=("groups",), amount=whole_fee, needs="names the groups it covers")
