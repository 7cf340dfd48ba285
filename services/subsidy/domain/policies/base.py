"""What every kind of subsidy policy declares: its place in the order, the fields it cannot do
without, and what it pays before the fee left and the cap per child limit it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from services.subsidy.domain.model import Policy, Request


@dataclass(frozen=True)
class PolicyKind:
    name: str  # as stored in policies.kind, and the name of the kind's module
    order: int  # kinds with a lower order pay first
    required: tuple[str, ...]  # fields of the policy that must be set (and not empty)
    amount: Callable[[Policy, Request], int]
    needs: str = ""  # how to say a required field is missing, when "needs <field>" is not clear

    def missing(self, fields: Mapping[str, object]) -> str | None:
        """Why a policy with these fields is incomplete, or None when it is complete."""
        for name in self.required:
            if not fields.get(name):
                return f"a {self.name} policy {self.needs or 'needs ' + name}"
        return None


def per_child_day(policy: Policy, request: Request) -> int:
    """A fixed amount for each booked day."""
    return (policy.amount_per_day_fen or 0) * len(request.days)
