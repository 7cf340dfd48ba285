"""Whether a child's age fits a class type (infant 0–3, kindergarten 3–6, school age 6–14)."""

from __future__ import annotations

import datetime as dt

# Default age range per class type, in months: [min, max).
CLASS_TYPE_AGES: dict[str, tuple[int, int]] = {
    "infant": (0, 36),
    "kindergarten": (36, 72),
    "school_age": (72, 168),
}


def age_in_months(birth_date: dt.date, on: dt.date) -> int:
    months = (on.year - birth_date.year) * 12 + (on.month - birth_date.month)
    return months - 1 if on.day < birth_date.day else months


def _years_months(months: int) -> str:
    years, rest = divmod(months, 12)
    return f"{years} years {rest} months" if rest else f"{years} years"


def age_mismatch(birth_date: dt.date, on: dt.date, min_months: int, max_months: int) -> str | None:
    """The reason a child of ``birth_date`` cannot join on ``on``, or None when the age fits."""
    age = age_in_months(birth_date, on)
    if min_months <= age < max_months:
        return None
    return (
        f"the child is {_years_months(max(age, 0))} old on {on.isoformat()}; this class takes children from "
        f"{_years_months(min_months)} up to (not including) {_years_months(max_months)}"
    )
