"""Resident ID-card numbers (居民身份证号码, GB 11643-1999): 17 digits and a check digit, ISO 7064
MOD 11-2 over them. A pick-up adult's number is checked here, so a typing slip is caught at the edge."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_DIGITS = "10X98765432"  # indexed by the weighted sum mod 11
SHAPE = re.compile(r"^\d{17}[\dX]$")


def check_digit(first17: str) -> str:
    """The check digit of the first 17 digits."""
    return CHECK_DIGITS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def id_number(text: str) -> str:
    """``text`` as an 18-character ID number (a final x written X); ValueError with the reason."""
    number = text.strip().upper()
    if not SHAPE.match(number):
        raise ValueError("an ID-card number is 17 digits followed by a digit or X")
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValueError(f"the ID-card number's birth date {number[6:14]} is not a date") from None
    if (expected := check_digit(number[:17])) != number[17]:
        raise ValueError(f"the ID-card number's check digit is {number[17]}, but its first 17 digits give {expected}")
    return number


def shown(adult: dict[str, Any]) -> dict[str, Any]:
    """A pick-up adult as an answer shows them: the ID-card number masked."""
    return {**adult, "id_number": masked(adult.get("id_number"))}


def masked(number: str | None) -> str | None:
    """The number as it is shown back: the region and the last four characters only."""
    return f"{number[:6]}{'*' * 8}{number[-4:]}" if number else None
