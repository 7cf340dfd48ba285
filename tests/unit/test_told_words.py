"""What parents and staff read: an absence at the cut-off, a refused subsidy with its reason in
plain words, and the alerts for site leads and union staff, each wholly in one language."""

from __future__ import annotations

import datetime as dt
import re
import typing
import uuid

import pytest

from services.notify.domain import message
from services.notify.domain.others import emergency_contact_message, staff_message
from shared.contracts.attendance import CheckInUncovered, ChildAbsent, LatePickupEscalated, StaffingRatioExceeded
from shared.contracts.enrollment import FindingDue, InspectionRecorded
from shared.contracts.subsidy import FundExhausted, FundLow, SubsidyRejected

DAY = dt.date(2027, 7, 5)
CODES = typing.get_args(typing.get_args(SubsidyRejected.model_fields["reason_code"].annotation)[0])
ENGLISH_ONLY = re.compile(r"[\x20-\x7e¥]+")  # yuan amounts keep their sign
NO_LATIN = re.compile(r"[A-Za-z_]")


def rejected(code: str | None, reason: str = "fund 3f2a cannot cover ¥100.00") -> SubsidyRejected:
    return SubsidyRejected(
        application_id=uuid.uuid4(),
        booking_id=uuid.uuid4(),
        child_id=uuid.uuid4(),
        reason=reason,
        reason_code=code,
        decided_by="system",
    )


@pytest.mark.parametrize("code", CODES)
def test_a_subsidy_refused_by_the_rules_is_explained_in_plain_words(code: str) -> None:
    zh, en = message(rejected(code), "小明", "zh-CN"), message(rejected(code), "Xiaoming", "en")
    assert zh is not None and not NO_LATIN.search(zh), zh
    assert en is not None and ENGLISH_ONLY.fullmatch(en) and code not in en and "cannot cover" not in en, en


def test_a_subsidy_refused_by_union_staff_gives_their_reason() -> None:
    text = message(rejected(None, "  材料不全 "), "小明", "zh-CN")
    assert text == "小明 的托管费补贴未获批准，原因：材料不全。预订不受影响。"


def test_an_absence_at_the_cut_off_tells_the_day_and_what_to_do() -> None:
    absent = ChildAbsent(
        child_id=uuid.uuid4(),
        class_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        day=DAY,
        booking_id=uuid.uuid4(),
        programme_id=uuid.uuid4(),
    )
    assert (
        message(absent, "小明")
        == "小明 今日（07月05日）截止时间前未签到，已记为缺勤。如孩子应在托管点，请立即联系托管点。"
    )
    en = message(absent, "Xiaoming", "en")
    assert en is not None and "05 Jul" in en and "marked absent" in en and ENGLISH_ONLY.fullmatch(en)


def test_staff_alerts_are_wholly_in_the_contacts_language() -> None:
    site, fund = uuid.uuid4(), uuid.uuid4()
    events = [
        LatePickupEscalated(
            child_id=uuid.uuid4(), class_id=uuid.uuid4(), site_id=site, day=DAY, step=3, audience="site_lead"
        ),
        StaffingRatioExceeded(
            class_id=uuid.uuid4(), site_id=site, day=DAY, children_present=9, staff_on_duty=1, children_per_staff=7
        ),
        CheckInUncovered(
            child_id=uuid.uuid4(),
            class_id=uuid.uuid4(),
            site_id=site,
            day=DAY,
            booking_id=uuid.uuid4(),
            programme_id=uuid.uuid4(),
            cover="refused",
            at=dt.datetime(2027, 7, 5, 8, tzinfo=dt.UTC),
        ),
        FundLow(fund_id=fund, budget_fen=1000, available_fen=50),
        InspectionRecorded(
            inspection_id=uuid.uuid4(),
            site_id=site,
            inspected_on=DAY,
            union_path=(uuid.uuid4(),),
            findings=(FindingDue(finding_id=uuid.uuid4(), area="catering_hygiene", item="food samples", fix_by=DAY),),
        ),
        FundExhausted(fund_id=fund, budget_fen=1000, available_fen=0),
    ]
    for event in events:
        en = staff_message(event, "Xiaoming", "en")
        assert en is not None and ENGLISH_ONLY.fullmatch(en), en
        assert staff_message(event, "小明", "zh-CN") is not None


def test_only_step_3_of_a_late_pickup_is_for_the_site_lead() -> None:
    def step(n: int, audience: str) -> LatePickupEscalated:
        return LatePickupEscalated(
            child_id=uuid.uuid4(), class_id=uuid.uuid4(), site_id=uuid.uuid4(), day=DAY, step=n, audience=audience
        )

    assert staff_message(step(1, "guardians"), "小明") is None
    assert staff_message(step(2, "emergency_contact"), "小明") is None
    assert "小明" in emergency_contact_message(step(2, "emergency_contact"), "小明")
