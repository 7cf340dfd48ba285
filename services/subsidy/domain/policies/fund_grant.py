"""Grants from a capped fund: an amount per child-day, paid last, from what the others leave."""

from __future__ import annotations

from services.subsidy.domain.policies.base import PolicyKind, per_child_day

KIND = PolicyKind("fund_grant", order=40, required=("amount_per_day_fen",), amount=per_child_day)
