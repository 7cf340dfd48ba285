"""Weekly boarding (周托, Xinxiang): children stay from the first day of their stay to the last.
They are checked in on the first day and handed over on the last; staff record every night; the
late pick-up watch runs on the last day only. Attendance runs in the test's process."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace

import pytest

from shared.contracts.enrollment import ChildRegistered
from shared.timezones import LOCAL_TIME
from testkit.city import token
from tests.attendance.conftest import SiteDay, attendance_events, code_for, handled_by, today
from tests.attendance.test_timers import _wait_past_local_midnight_risk
from tests.conftest import Stack, _fast_retries
from tests.support.inprocess import InProcess, in_process
from tests.support.polling import eventually

DAY = dt.timedelta(days=1)


def _closing_in(seconds: int) -> dt.time:
    return (dt.datetime.now(LOCAL_TIME) + dt.timedelta(seconds=seconds)).time().replace(microsecond=0)


async def _checked_in_on(stack: Stack, site: SiteDay, child: ChildRegistered, day: dt.date) -> None:
    """The child was admitted at the door on an earlier day of the stay (the week began before the test)."""
    booking = site.bookings[child.child_id]
    conn = await stack.connect("attendance")
    try:
        await conn.execute(
            """INSERT INTO checkins (checkin_id, child_id, class_id, site_id, booking_id, day, by_staff,
                                     temperature_c, admitted)
               VALUES ($1, $2, $3, $4, $5, $6, 'staff-at-the-door', 36.5, true)""",
            uuid.uuid4(),
            child.child_id,
            site.class_id,
            site.site_id,
            booking.booking_id,
            day,
        )
    finally:
        await conn.close()


async def _escalations(stack: Stack, child: ChildRegistered) -> list[dict]:
    return await attendance_events(stack, "pickup.late_escalated", child.child_id)


async def _hand_over(stack: Stack, site: SiteDay, child: ChildRegistered) -> None:
    adult = str(child.guardians[0].guardian_id)
    attempt = (await site.post("/pickups", {"child_id": str(child.child_id), "adult_id": adult})).json()
    code = await code_for(stack, child.child_id, attempt["attempt_id"])
    confirmed = await site.post(f"/pickups/{attempt['attempt_id']}/confirmation", {"code": code})
    assert confirmed.status_code == 200, confirmed.text


async def test_a_boarding_child_checked_in_on_monday_raises_no_late_pick_up_alarm_that_evening(stack: Stack) -> None:
    await _wait_past_local_midnight_risk()
    async with in_process(stack, "attendance", **_fast_retries()) as attendance:
        boarding = SiteDay(stack, attendance.http, handled_by(attendance), boarding=True)
        day_class = replace(boarding, boarding=False, class_id=uuid.uuid4(), bookings={})
        week = [today() + n * DAY for n in range(5)]
        boarder = await boarding.book_child(days=week)
        day_child = await day_class.book_child()
        await boarding.hours(cutoff=dt.time(0, 0, 1), closing=_closing_in(3), grace_minutes=0, interval_s=1)
        assert (await boarding.check_in(boarder.child_id)).status_code == 201
        assert (await day_class.check_in(day_child.child_id)).status_code == 201

        async def day_child_escalated() -> list:
            return await _escalations(stack, day_child)

        await eventually(day_child_escalated, timeout=20)  # closing has passed, and the timers ticked
        assert await _escalations(stack, boarder) == []
        watched = await _late_pickup_days(stack, boarder)
    assert watched == [week[-1]] * 3  # the three steps, on Friday only


async def _late_pickup_days(stack: Stack, child: ChildRegistered) -> list[dt.date]:
    conn = await stack.connect("attendance")
    try:
        rows = await conn.fetch(
            "SELECT day FROM timers WHERE kind = 'late_pickup' AND child_id = $1 ORDER BY day, step", child.child_id
        )
    finally:
        await conn.close()
    return [r["day"] for r in rows]


async def test_the_hand_over_on_the_last_day_of_the_stay_escalates_when_nobody_comes(stack: Stack) -> None:
    await _wait_past_local_midnight_risk()
    async with in_process(stack, "attendance", **_fast_retries()) as attendance:
        site = SiteDay(stack, attendance.http, handled_by(attendance), boarding=True)
        stay = [today() - DAY, today()]  # in since yesterday; today is the stay's last day
        collected, forgotten = await site.book_child(days=stay), await site.book_child(days=stay)
        for child in (collected, forgotten):
            await _checked_in_on(stack, site, child, stay[0])
        await site.hours(cutoff=dt.time(0, 0, 1), closing=_closing_in(4), grace_minutes=0, interval_s=1)
        await _hand_over(stack, site, collected)  # the handshake works on the admission of the first day

        async def forgotten_escalated() -> list:
            steps = await _escalations(stack, forgotten)
            return steps if len(steps) >= 3 else []

        steps = await eventually(forgotten_escalated, timeout=20)
        assert [(s["step"], s["audience"]) for s in steps] == [
            (1, "guardians"),
            (2, "emergency_contact"),
            (3, "site_lead"),
        ]
        assert all(s["day"] == today().isoformat() for s in steps)
        assert await _escalations(stack, collected) == []
        assert (await site.on_roster(collected.child_id, today()))["status"] == "picked_up"


@pytest.fixture
async def site(stack: Stack, attendance: InProcess) -> SiteDay:
    """A boarding class at a site, its provider's staff at the door (timers tick hourly)."""
    return SiteDay(stack, attendance.http, handled_by(attendance), boarding=True)


def yesterday_to_tomorrow() -> list[dt.date]:
    return [today() - DAY, today(), today() + DAY]


async def test_a_boarding_child_in_since_monday_is_not_checked_in_again_on_tuesday(stack: Stack, site: SiteDay) -> None:
    child = await site.book_child(days=yesterday_to_tomorrow())
    await _checked_in_on(stack, site, child, today() - DAY)

    again = await site.check_in(child.child_id)

    assert again.status_code == 200, again.text
    assert again.json()["already_checked_in"] is True
    assert again.json()["in_care_since"] == (today() - DAY).isoformat()
    assert await attendance_events(stack, "child.checked_in", child.child_id) == []
    assert (await site.on_roster(child.child_id, today()))["status"] == "present"


async def test_a_boarding_child_who_missed_the_first_day_is_checked_in_when_they_arrive(
    stack: Stack, site: SiteDay
) -> None:
    child = await site.book_child(days=yesterday_to_tomorrow())

    arrived = await site.check_in(child.child_id)

    assert arrived.status_code == 201, arrived.text
    assert len(await attendance_events(stack, "child.checked_in", child.child_id)) == 1
    assert await _late_pickup_days(stack, child) == [today() + DAY] * 3


async def test_each_night_of_the_stay_is_recorded_and_a_night_without_a_record_shows(site: SiteDay) -> None:
    stay = [today(), today() + DAY]
    sleeps_here, went_home = await site.book_child(days=stay), await site.book_child(days=stay)
    for child in (sleeps_here, went_home):
        assert (await site.check_in(child.child_id)).status_code == 201
    tonight = f"/classes/{site.class_id}/nights/{today()}"

    before = (await site.get(tonight)).json()
    assert before["missing"] == 2
    assert {c["status"] for c in before["children"]} == {"missing"}

    here = await site.post(f"{tonight}/children/{sleeps_here.child_id}", {"present": True}, method="PUT")
    assert here.status_code == 200, here.text
    away = {"present": False, "note": "fever at 20:00, taken home by her mother after a call"}
    assert (await site.post(f"{tonight}/children/{went_home.child_id}", away, method="PUT")).status_code == 200

    after = (await site.get(tonight)).json()
    assert after["missing"] == 0
    statuses = {c["child_id"]: (c["status"], c["note"]) for c in after["children"]}
    assert statuses == {str(sleeps_here.child_id): ("present", None), str(went_home.child_id): ("absent", away["note"])}


async def test_a_night_is_refused_with_reasons(stack: Stack, attendance: InProcess, site: SiteDay) -> None:
    stay = [today(), today() + DAY]
    checked_in, not_in = await site.book_child(days=stay), await site.book_child(days=stay)
    assert (await site.check_in(checked_in.child_id)).status_code == 201
    day_class = SiteDay(
        stack, attendance.http, handled_by(attendance), site_id=site.site_id, provider_id=site.provider_id
    )
    day_child = await day_class.book_child()
    assert (await day_class.check_in(day_child.child_id)).status_code == 201

    def night(day: dt.date, child: ChildRegistered, class_id: uuid.UUID = site.class_id) -> str:
        return f"/classes/{class_id}/nights/{day}/children/{child.child_id}"

    async def put(path: str, body: dict, bearer: str | None = None) -> int:
        return (await site.post(path, body, bearer, method="PUT")).status_code

    assert await put(night(today(), checked_in), {"present": False}) == 422  # an absence needs a note
    assert await put(night(today(), checked_in), {"present": "maybe"}) == 422
    assert await put(night(today(), checked_in), {"present": True, "note": ""}) == 422
    assert await put(night(today() + DAY, checked_in), {"present": True}) == 422  # not come yet
    assert await put(night(today(), not_in), {"present": True}) == 409  # never admitted: not staying
    assert await put(night(today(), day_child, day_class.class_id), {"present": True}) == 409  # no boarding
    assert await put(night(today(), checked_in, uuid.uuid4()), {"present": True}) == 404
    other_provider = token("provider_staff", provider_id=uuid.uuid4())
    assert await put(night(today(), checked_in), {"present": True}, other_provider) == 403
    parent = token("parent", member_id=checked_in.guardians[0].guardian_id)
    assert (await site.get(f"/classes/{site.class_id}/nights/{today()}", parent)).status_code == 403
    assert (await site.get(f"/classes/{site.class_id}/nights/{today()}")).json()["missing"] == 1


async def test_boarders_in_since_monday_count_against_tuesdays_staffing_ratio_and_as_attended(
    stack: Stack, attendance: InProcess
) -> None:
    infants = SiteDay(stack, attendance.http, handled_by(attendance), class_type="infant", boarding=True)
    boarders = [await infants.book_child(days=yesterday_to_tomorrow()) for _ in range(6)]  # 5 infants per staff
    for child in boarders:
        await _checked_in_on(stack, infants, child, today() - DAY)

    one_carer = {"staff_name": "刘阿姨", "role": "carer", "qualifications": []}
    assert (await infants.post(f"/classes/{infants.class_id}/days/{today()}/staff", one_carer)).status_code == 201

    (alarm,) = await attendance_events(stack, "staffing.ratio_exceeded", infants.class_id)
    assert alarm["day"] == today().isoformat() and alarm["children_present"] == 6
    union_staff = token("union_staff", union_id=infants.union_path[-1])
    (booking,) = (await infants.get(f"/children/{boarders[0].child_id}/attendance", union_staff)).json()["bookings"]
    assert (booking["booked_days"], booking["attended_days"]) == (3, 2)  # Monday and today; tomorrow to come
