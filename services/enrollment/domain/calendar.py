"""Which days a booking asks for, by the class's booking mode: the whole term, whole weeks, or days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from services.enrollment.domain import BookingRefused


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def requested_days(
    mode: str, class_days: Iterable[dt.date], *, days: list[dt.date] | None, weeks: list[str] | None
) -> list[dt.date]:
    """The class days a request books, or ``BookingRefused`` saying what is wrong with it."""
    running = sorted(set(class_days))
    if mode == "term":
        if days or weeks:
            raise BookingRefused("days", "this class is booked for the whole term; leave days and weeks out")
        return running
    if mode == "week":
        if days or not weeks:
            raise BookingRefused("weeks", "this class is booked by the week; give weeks like 2026-W28")
        wanted = set(weeks)
        chosen = [d for d in running if iso_week(d) in wanted]
        unknown = wanted - {iso_week(d) for d in chosen}
        if unknown:
            raise BookingRefused("weeks", f"the class does not run in {', '.join(sorted(unknown))}")
        return chosen
    if weeks or not days:
        raise BookingRefused("days", "this class is booked by the day; give the days")
    not_running = sorted(set(days) - set(running))
    if not_running:
        raise BookingRefused("days", "the class does not run on " + ", ".join(d.isoformat() for d in not_running))
    return sorted(set(days))


def days_on(start: dt.date, days: int) -> dt.date:
    """``days`` after ``start``, or the last day there is (a range asked for far in the future)."""
    return start + dt.timedelta(days=days) if start <= dt.date.max - dt.timedelta(days=days) else dt.date.max
