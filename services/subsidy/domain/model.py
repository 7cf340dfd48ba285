"""What the subsidy rules work on: a policy, a child's request for its booked days, and a line paid."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Policy:
    policy_id: uuid.UUID
    fund_id: uuid.UUID
    kind: str  # one of ``policies.KINDS``
    percent_bp: int | None = None  # member_percent: basis points of the fee (1500 = 15 %)
    amount_per_day_fen: int | None = None  # per_day and fund_grant
    groups: tuple[str, ...] = ()  # priority_full: the groups fully covered; others: empty = everyone
    class_ids: tuple[uuid.UUID, ...] = ()  # empty = every class
    cap_per_child_fen: int | None = None
    auto_approve_up_to_fen: int | None = None  # None: always automatic
    valid_from: dt.date | None = None  # inclusive; None: from the start
    valid_until: dt.date | None = None  # inclusive; None: without end
    provider_ids: tuple[uuid.UUID, ...] = ()  # empty = every provider

    def applies_to(self, group: str, class_id: uuid.UUID, provider_id: uuid.UUID | None, day: dt.date) -> bool:
        """Whether the policy pays for this day of a booking at this provider, in this class, for this group."""
        if self.class_ids and class_id not in self.class_ids:
            return False
        if self.provider_ids and provider_id not in self.provider_ids:
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        if self.valid_until is not None and day > self.valid_until:
            return False
        return not self.groups or group in self.groups


@dataclass(frozen=True)
class Request:
    class_id: uuid.UUID
    priority_group: str
    days: tuple[dt.date, ...]
    fee_per_day_fen: int
    provider_id: uuid.UUID | None = None  # the booking's provider (None: unknown, only unlimited policies pay)

    @property
    def fee_fen(self) -> int:
        return self.fee_per_day_fen * len(self.days)


@dataclass(frozen=True)
class Line:
    policy: Policy
    amount_fen: int
    per_day: dict[dt.date, int] = field(default_factory=dict)
