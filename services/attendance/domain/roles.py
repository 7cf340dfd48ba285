"""Staffing by role: what a site's rule requires of a class-day, and what its staff on duty lack.

Xinxiang's "2+1+N" is teachers 2 per class, a floater 1 per class and a helper per N children;
Wuhan's is a lead, a health worker and a guard per class. A role may require qualifications
(a teacher certificate, a health certificate, first aid), each held with an expiry date.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


def role_key(role: str) -> str:
    """Roles are compared as staff write them, without case or surrounding spaces."""
    return " ".join(role.lower().split())


@dataclass(frozen=True)
class RoleCount:
    role: str
    required: int
    on_duty: int

    @property
    def missing(self) -> bool:
        return self.on_duty < self.required


@dataclass(frozen=True)
class Lapse:
    """A qualification a member of staff on duty needs and does not hold valid on the day."""

    staff_name: str
    role: str
    qualification: str
    expires_on: dt.date | None  # None: not held at all


def required(need: Mapping[str, Any], children: int) -> int:
    per_class: int = need.get("per_class", 0)
    per_children: int | None = need.get("per_children")
    return per_class + (math.ceil(children / per_children) if per_children else 0)


def role_counts(rule: Sequence[Mapping[str, Any]], children: int, roles_on_duty: Iterable[str]) -> list[RoleCount]:
    """Each role of ``rule``: how many it requires for ``children``, and how many are on duty."""
    counted = Counter(role_key(r) for r in roles_on_duty)
    return [RoleCount(need["role"], required(need, children), counted[role_key(need["role"])]) for need in rule]


def lapses(rule: Sequence[Mapping[str, Any]], staff: Sequence[Mapping[str, Any]], day: dt.date) -> list[Lapse]:
    """Each qualification a member of staff's role requires that they lack, or that expired before ``day``."""
    needed = {role_key(n["role"]): n.get("qualifications", []) for n in rule}
    found = []
    for member in staff:
        held = {q["kind"]: dt.date.fromisoformat(str(q["expires_on"])) for q in member["qualifications"]}
        for kind in needed.get(role_key(member["role"]), []):
            expires = held.get(kind)
            if expires is None or expires < day:
                found.append(Lapse(member["staff_name"], member["role"], kind, expires))
    return found
