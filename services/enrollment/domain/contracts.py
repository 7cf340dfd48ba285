"""Whether a provider contract lets a class run: the contract names the class's site and covers
every day of it, and the classes under it never need more places on a day than it has."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

Term = Mapping[str, dt.date]  # a contract's starts_on and ends_on


def uncovered(contracts: Sequence[Term], days: Sequence[dt.date]) -> str | None:
    """Why no contract of the site (``contracts``) covers all ``days``, or None when one does."""
    if not contracts:
        return "no provider contract names this site: union staff sign one for it first (POST /contracts)"
    first, last = min(days), max(days)
    if any(c["starts_on"] <= first and last <= c["ends_on"] for c in contracts):
        return None
    ended = max(c["ends_on"] for c in contracts)
    if ended < last:
        after = [d.isoformat() for d in sorted(days) if d > ended]
        return f"the site's provider contract ended on {ended.isoformat()}; the class runs after it on " + ", ".join(
            after
        )
    terms = ", ".join(f"{c['starts_on'].isoformat()} to {c['ends_on'].isoformat()}" for c in contracts)
    return f"no provider contract of the site covers {first.isoformat()} to {last.isoformat()} (its contracts: {terms})"


def short_of_places(places: int, taken: Mapping[dt.date, int], capacity: int) -> str | None:
    """Why a class of ``capacity`` does not fit a contract of ``places`` per day whose classes
    already take ``taken`` on some days, or None when it fits."""
    full = sorted(d for d, n in taken.items() if n + capacity > places)
    if not full:
        return None
    day = full[0]
    return (
        f"the provider contract has {places} places a day; its classes take {taken[day]} on {day.isoformat()}, "
        f"so a class of {capacity} does not fit"
    )
