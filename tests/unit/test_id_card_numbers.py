"""Resident ID-card numbers (GB 11643): the ISO 7064 MOD 11-2 check digit catches a slip of one
digit or two swapped neighbours, and the birth date inside must be a date."""

from __future__ import annotations

import pytest

from services.enrollment.domain.identity import id_number, masked

VALID = ["11010519491231002X", "440524188001010014", "11010519491231002x"]


@pytest.mark.parametrize("number", VALID)
def test_a_number_with_the_right_check_digit_is_taken_with_a_capital_x(number: str) -> None:
    assert id_number(number) == number.upper()


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("11010519491231003X", "check digit"),  # one digit mistyped
        ("11010591491231002X", "check digit"),  # two neighbours swapped
        ("110105194902300021", "not a date"),  # 30 February
        ("1101051949123100X2", "17 digits followed by"),
        ("11010519491231002", "17 digits followed by"),
    ],
)
def test_a_number_that_cannot_be_real_is_refused_with_the_reason(number: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        id_number(number)


def test_a_number_is_shown_with_its_region_and_last_four_only() -> None:
    assert masked("11010519491231002X") == "110105********002X"
    assert masked(None) is None
