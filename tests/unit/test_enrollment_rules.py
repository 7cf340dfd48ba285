"""Enrollment rules without I/O: ages, booking calendars, seats, quotas and priorities."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from services.enrollment.domain import BookingRefused
from services.enrollment.domain.ages import age_in_months, age_mismatch
from services.enrollment.domain.calendar import requested_days
from services.enrollment.domain.seats import GENERAL, Quota, SeatDay, child_priority_group, priority_rank
from services.notify.domain import message
from testkit.scenarios import child_enrolled

NOW = dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(days=10)
WEEK_28 = [dt.date(2026, 7, 6) + dt.timedelta(days=i) for i in range(5)]
WEEK_29 = [d + dt.timedelta(days=7) for d in WEEK_28]


def test_age_counts_whole_months() -> None:
    assert age_in_months(dt.date(2023, 3, 15), dt.date(2026, 3, 14)) == 35
    assert age_in_months(dt.date(2023, 3, 15), dt.date(2026, 3, 15)) == 36


def test_a_three_year_old_is_too_old_for_infant_care() -> None:
    reason = age_mismatch(dt.date(2023, 3, 15), dt.date(2026, 7, 6), 0, 36)
    assert reason == (
        "the child is 3 years 3 months old on 2026-07-06; this class takes children from "
        "0 years up to (not including) 3 years"
    )
    assert age_mismatch(dt.date(2024, 3, 15), dt.date(2026, 7, 6), 0, 36) is None


def test_a_term_class_books_every_day_it_runs() -> None:
    assert requested_days("term", WEEK_29 + WEEK_28, days=None, weeks=None) == WEEK_28 + WEEK_29
    with pytest.raises(BookingRefused, match="whole term"):
        requested_days("term", WEEK_28, days=WEEK_28[:1], weeks=None)


def test_a_weekly_class_books_whole_weeks() -> None:
    assert requested_days("week", WEEK_28 + WEEK_29, days=None, weeks=["2026-W29"]) == WEEK_29
    with pytest.raises(BookingRefused, match="2026-W31"):
        requested_days("week", WEEK_28 + WEEK_29, days=None, weeks=["2026-W31"])
    with pytest.raises(BookingRefused, match="by the week"):
        requested_days("week", WEEK_28, days=WEEK_28[:2], weeks=None)


def test_a_daily_class_books_only_days_it_runs() -> None:
    assert requested_days("day", WEEK_28, days=[WEEK_28[3], WEEK_28[1]], weeks=None) == [WEEK_28[1], WEEK_28[3]]
    with pytest.raises(BookingRefused, match="2026-07-11"):
        requested_days("day", WEEK_28, days=[dt.date(2026, 7, 11)], weeks=None)


def test_a_couriers_child_gets_a_reserved_seat_a_regular_child_cannot_take() -> None:
    day = SeatDay(capacity=3, quotas={"gig": Quota(1, LATER)}, taken={GENERAL: 2})
    assert day.pool_for("regular", NOW) is None
    assert day.pool_for("gig", NOW) == "gig"
    assert day.free(NOW) == {GENERAL: 0, "gig": 1}


def test_after_release_the_unused_reserved_seats_are_for_everyone() -> None:
    day = SeatDay(capacity=3, quotas={"gig": Quota(1, NOW)}, taken={GENERAL: 2})
    assert day.pool_for("regular", NOW) == GENERAL
    used = SeatDay(capacity=3, quotas={"gig": Quota(1, NOW)}, taken={GENERAL: 2, "gig": 1})
    assert used.pool_for("regular", NOW) is None, "a reserved seat already taken stays taken"


def test_a_full_general_pool_sends_a_priority_child_to_its_quota_and_then_the_waitlist() -> None:
    day = SeatDay(capacity=2, quotas={"gig": Quota(1, LATER)}, taken={GENERAL: 1, "gig": 1})
    assert day.pool_for("gig", NOW) is None


def test_priority_follows_the_programme_order_and_the_most_favoured_guardian() -> None:
    order = ("gig", "hardship", "migrant", "model_worker", "dual_worker", "regular")
    assert priority_rank(order, "gig") < priority_rank(order, "model_worker") < priority_rank(order, "regular")
    assert priority_rank(("gig",), "regular") == 1
    assert child_priority_group(["regular", "hardship"]) == "hardship"
    assert child_priority_group([]) == "regular"


def test_the_enrolment_message_names_the_child_and_the_days() -> None:
    event = child_enrolled(child_id=uuid.uuid4(), days=[dt.date(2026, 7, 6), dt.date(2026, 7, 10)])
    assert message(event, "小红") == "小红 已报名托管班，共 2 天（07月06日–07月10日）。"


def test_an_approved_subsidy_is_told_in_yuan_in_either_language() -> None:
    from shared.contracts.subsidy import FundShare, SubsidyApproved

    event = SubsidyApproved(
        application_id=uuid.uuid4(),
        booking_id=uuid.uuid4(),
        child_id=uuid.uuid4(),
        amount_fen=2249,
        funds=(FundShare(fund_id=uuid.uuid4(), amount_fen=2249),),
        decided_by="system",
    )
    assert message(event, "小红") == "小红 的托管费补贴 ¥22.49 已批准。"
    assert message(event, "Xiaohong", "en") == "A childcare subsidy of ¥22.49 for Xiaohong is approved."
