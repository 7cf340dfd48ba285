"""A fixed amount per child-day."""

from __future__ import annotations

from services.subsidy.domain.policies.base import PolicyKind, per_child_day

KIND = PolicyKind("per_day", order=30, required=("amount_per_day_fen",), amount=per_child_day)
