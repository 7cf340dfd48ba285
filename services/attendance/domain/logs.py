"""A site's daily logs: which a day needs, and how long a food sample is kept. No I/O."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from services.attendance.domain.hours import local_today

DAILY_LOGS = ("disinfection", "menu", "food_sample", "morning_check")
SAMPLE_KEPT = dt.timedelta(hours=48)  # 留样: each dish's sample is kept 48 hours at least


def missing_logs(logged: Iterable[str]) -> list[str]:
    """The logs a site-day with classes lacks, in the order of DAILY_LOGS."""
    have = set(logged)
    return [kind for kind in DAILY_LOGS if kind not in have]


def off_the_day(moment: dt.datetime, day: dt.date, now: dt.datetime) -> str | None:
    """Why ``moment`` cannot be logged on ``day``, or None."""
    if local_today(moment) != day:
        return f"{moment.isoformat()} is not on {day.isoformat()} (Asia/Shanghai)"
    if moment > now + dt.timedelta(minutes=2):
        return "it is in the future"
    return None


def early_discard(kept_at: dt.datetime, discarded_at: dt.datetime) -> str | None:
    """Why a sample may not be discarded at ``discarded_at``, or None."""
    if discarded_at < kept_at + SAMPLE_KEPT:
        kept_for = discarded_at - kept_at
        return (
            f"a food sample is kept 48 hours; this one was kept {kept_for.total_seconds() / 3600:.1f} hours "
            f"(from {kept_at.isoformat()}): it may be discarded from {(kept_at + SAMPLE_KEPT).isoformat()}"
        )
    return None
