"""Check-in at the door: booked today at this site, and a health screening that passes."""

from __future__ import annotations

import json
import uuid

from services.attendance.domain.staffing import CHILDREN_PER_STAFF
from testkit.city import token
from tests.attendance.conftest import SiteDay, attendance_events, today
from tests.conftest import Stack


async def test_a_child_not_booked_today_at_this_site_is_refused(stack: Stack, site: SiteDay) -> None:
    booked_elsewhere_in_time = await site.book_child(day=today().replace(year=today().year + 1))
    refused = await site.check_in(booked_elsewhere_in_time.child_id)
    assert refused.status_code == 409
    assert refused.json()["reasons"] == [{"field": "child_id", "reason": "the child is not booked at this site today"}]


async def test_a_failed_health_screening_refuses_entry_and_tells_nobody_the_temperature(
    stack: Stack, site: SiteDay
) -> None:
    child = await site.book_child()
    refused = await site.check_in(child.child_id, temperature_c=37.8)
    assert refused.status_code == 422
    assert refused.json()["reasons"] == [
        {"field": "health_screening", "reason": "temperature 37.8 °C is 37.3 °C or above"}
    ]
    coughing = await site.check_in(child.child_id, temperature_c=36.5, symptoms=["cough"])
    assert coughing.json()["reasons"][0]["reason"] == "symptoms: cough"

    events = await attendance_events(stack, "checkin.refused", child.child_id)
    assert len(events) == 2 and all(e["screening"] == "refused" for e in events)
    assert "37.8" not in json.dumps(events) and "cough" not in json.dumps(events), "health details stay here"
    assert (await site.on_roster(child.child_id, today()))["status"] == "refused"


async def test_checking_the_same_child_in_twice_has_one_effect(stack: Stack, site: SiteDay) -> None:
    child = await site.book_child()
    first = await site.check_in(child.child_id)
    again = await site.check_in(child.child_id)
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["already_checked_in"] is True and again.json()["checkin_id"] == first.json()["checkin_id"]
    assert len(await attendance_events(stack, "child.checked_in", child.child_id)) == 1
    assert (await site.on_roster(child.child_id, today()))["status"] == "present"


async def test_staff_of_another_provider_cannot_check_the_child_in(stack: Stack, site: SiteDay) -> None:
    child = await site.book_child()
    stranger = token("provider_staff", provider_id=uuid.uuid4())
    assert (await site.check_in(child.child_id, bearer=stranger)).status_code == 403
    assert (await site.get(f"/classes/{site.class_id}/roster/{today()}", stranger)).status_code == 403


async def test_more_children_than_the_staff_may_look_after_raises_the_ratio_alarm(stack: Stack, site: SiteDay) -> None:
    site.class_type = "infant"
    children = [await site.book_child() for _ in range(CHILDREN_PER_STAFF["infant"] + 1)]
    added = await site.post(
        f"/classes/{site.class_id}/days/{today()}/staff", {"staff_name": "李老师", "role": "teacher"}
    )
    assert added.status_code == 201
    for child in children:
        assert (await site.check_in(child.child_id)).status_code == 201
    roster = (await site.get(f"/classes/{site.class_id}/roster/{today()}")).json()
    assert roster["children_present"] == 6 and len(roster["staff_on_duty"]) == 1 and roster["ratio_exceeded"]
    (alarm,) = await attendance_events(stack, "staffing.ratio_exceeded", site.class_id)
    assert (alarm["children_present"], alarm["staff_on_duty"], alarm["children_per_staff"]) == (6, 1, 5)


async def test_the_ratio_alarm_is_raised_once_while_over_and_cleared_when_staff_come(
    stack: Stack, site: SiteDay
) -> None:
    site.class_type = "infant"
    per_staff = CHILDREN_PER_STAFF["infant"]
    children = [await site.book_child() for _ in range(per_staff + 3)]
    await site.post(f"/classes/{site.class_id}/days/{today()}/staff", {"staff_name": "李老师", "role": "teacher"})
    for child in children:
        assert (await site.check_in(child.child_id)).status_code == 201
    (alarm,) = await attendance_events(stack, "staffing.ratio_exceeded", site.class_id)
    assert (alarm["children_present"], alarm["staff_on_duty"]) == (per_staff + 1, 1), "once, not on every check-in"

    added = await site.post(f"/classes/{site.class_id}/days/{today()}/staff", {"staff_name": "王老师", "role": "carer"})
    assert added.status_code == 201
    (cleared,) = await attendance_events(stack, "staffing.ratio_restored", site.class_id)
    assert (cleared["children_present"], cleared["staff_on_duty"]) == (per_staff + 3, 2)

    later = [await site.book_child() for _ in range(per_staff)]  # over again: 2 x 5 + 3 present
    for child in later:
        assert (await site.check_in(child.child_id)).status_code == 201
    alarms = await attendance_events(stack, "staffing.ratio_exceeded", site.class_id)
    assert [a["children_present"] for a in alarms] == [per_staff + 1, 2 * per_staff + 1]
