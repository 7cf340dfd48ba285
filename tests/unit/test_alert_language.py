"""A guardian reads every alert wholly in their own language: no reason codes in the sentence."""

from __future__ import annotations

import datetime as dt
import re
import typing
import uuid

import pytest

from services.notify.domain import message
from shared.contracts.attendance import PickupRefused

REASONS = typing.get_args(PickupRefused.model_fields["reason"].annotation)


def refused(reason: str) -> PickupRefused:
    return PickupRefused(
        child_id=uuid.uuid4(),
        class_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        day=dt.date(2027, 7, 5),
        reason=reason,
        at=dt.datetime(2027, 7, 5, 9, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize("reason", REASONS)
def test_a_refused_pickup_alert_in_chinese_has_no_english_in_it(reason: str) -> None:
    text = message(refused(reason), "小明", "zh-CN")
    assert text is not None and not re.search(r"[A-Za-z_]", text), text


@pytest.mark.parametrize("reason", REASONS)
def test_a_refused_pickup_alert_in_english_says_why_in_words(reason: str) -> None:
    text = message(refused(reason), "Xiaoming", "en")
    assert text is not None and f"({reason})" not in text and "_" not in text, text
    assert re.fullmatch(r"[\x20-\x7e]+", text), text
