"""Seats on one class day: a general pool plus quotas reserved for priority groups.

A quota's seats are held for its group until its release time. Afterwards its unused seats
join the general pool; seats already taken from it stay counted against it. So the seats in use
never exceed the day's capacity, before or after a release.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

GENERAL = "general"
DEFAULT_PRIORITY_ORDER = ("gig", "hardship", "migrant", "model_worker", "dual_worker", "regular")


@dataclass(frozen=True)
class Quota:
    seats: int
    release_at: dt.datetime


@dataclass(frozen=True)
class SeatDay:
    capacity: int
    quotas: Mapping[str, Quota]
    taken: Mapping[str, int]

    def held(self, now: dt.datetime) -> dict[str, Quota]:
        return {group: q for group, q in self.quotas.items() if now < q.release_at}

    def general_capacity(self, now: dt.datetime) -> int:
        held = self.held(now)
        released_taken = sum(self.taken.get(g, 0) for g in self.quotas if g not in held)
        return self.capacity - sum(q.seats for q in held.values()) - released_taken

    def pool_for(self, group: str, now: dt.datetime) -> str | None:
        """The pool a child of ``group`` takes a seat from, or None when the day is full for them."""
        held = self.held(now)
        if group in held and self.taken.get(group, 0) < held[group].seats:
            return group
        if self.taken.get(GENERAL, 0) < self.general_capacity(now):
            return GENERAL
        return None

    def free(self, now: dt.datetime) -> dict[str, int]:
        """Free seats per pool: general, and each quota still held."""
        free = {GENERAL: max(0, self.general_capacity(now) - self.taken.get(GENERAL, 0))}
        for group, quota in self.held(now).items():
            free[group] = max(0, quota.seats - self.taken.get(group, 0))
        return free


def priority_rank(priority_order: tuple[str, ...] | list[str], group: str) -> int:
    """Lower ranks are served first; a group the programme does not list comes last."""
    return list(priority_order).index(group) if group in priority_order else len(priority_order)


def child_priority_group(categories: list[str], priority_order: tuple[str, ...] = DEFAULT_PRIORITY_ORDER) -> str:
    """A child counts in the most favoured group any of their guardians belongs to."""
    return min(categories, key=lambda c: priority_rank(priority_order, c)) if categories else "regular"
