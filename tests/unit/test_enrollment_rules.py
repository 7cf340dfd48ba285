"""Enrollment request rules and message texts, without I/O."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from services.enrollment.domain import EnrollmentRequest
from services.notify.domain import enrolled_message
from tests.support.scenarios import child_enrolled, enrollment_request


def test_booked_days_are_kept_in_calendar_order() -> None:
    body = enrollment_request(days=3)
    body["days"].reverse()
    assert EnrollmentRequest.model_validate(body).days == sorted(EnrollmentRequest.model_validate(body).days)


def test_a_day_booked_twice_is_refused() -> None:
    body = enrollment_request(days=2)
    body["days"].append(body["days"][0])
    with pytest.raises(ValidationError, match="a day is booked twice"):
        EnrollmentRequest.model_validate(body)


def test_a_child_born_in_the_future_is_refused() -> None:
    body = enrollment_request()
    body["child"]["birth_date"] = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError, match="birth date is in the future"):
        EnrollmentRequest.model_validate(body)


def test_the_enrolment_message_names_the_child_and_the_days() -> None:
    event = child_enrolled(days=[dt.date(2026, 7, 6), dt.date(2026, 7, 10)])
    assert enrolled_message(event) == "小红 已报名托管班，共 2 天（07月06日–07月10日）。"
