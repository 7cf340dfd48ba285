"""Weekly boarding (周托): a stay is a run of consecutive days a child is booked in a boarding class.
The child is checked in on its first day and handed over on its last; they sleep at the site every
night in between, and the late pick-up watch runs on the last day only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

ONE_DAY = dt.timedelta(days=1)


def last_day_of_stay(booked: Collection[dt.date], day: dt.date) -> dt.date:
    """The last day of the stay ``day`` belongs to: consecutive booked days from it onwards."""
    last = day
    while last + ONE_DAY in booked:
        last += ONE_DAY
    return last


def night_refusal(night: dt.date, today: dt.date) -> str | None:
    """Why a night's presence cannot be recorded yet, or None."""
    if night > today:
        return "the night has not come yet"
    return None
