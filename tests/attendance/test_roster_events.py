"""Attendance's event handlers, called as its consumer calls them (in-process, without Kafka): the
roster and its absence timers follow enrollment's bookings, and a site is known from its opening.
tests/attendance/test_roster_follows_enrollment.py and test_site_hours.py check the same across
the two services' processes."""

from __future__ import annotations

import datetime as dt
import uuid

from shared.contracts.enrollment import AuthorisedAdult, BookingCancelled, BookingChanged, SiteOpened
from testkit.city import token
from testkit.scenarios import WUHAN_STEEL_UNION, child_enrolled, child_registered, envelope
from tests.attendance.conftest import SiteDay, code_for, handled_by, today
from tests.conftest import Stack
from tests.support.inprocess import InProcess


async def _watched_days(attendance: InProcess, child_id: uuid.UUID) -> list[dt.date]:
    """The days attendance waits for the child by the cut-off (pending absence timers)."""
    rows = await attendance.runtime.pool.fetch(
        "SELECT day FROM timers WHERE child_id = $1 AND kind = 'absence' AND fired_at IS NULL ORDER BY day", child_id
    )
    return [r["day"] for r in rows]


async def test_the_roster_and_its_timers_follow_given_up_days_and_cancellations(
    stack: Stack, site: SiteDay, attendance: InProcess
) -> None:
    days = [today() + dt.timedelta(days=1), today() + dt.timedelta(days=2)]
    child = child_registered()
    booking = child_enrolled(
        child_id=child.child_id, class_id=site.class_id, site_id=site.site_id, provider_id=site.provider_id, days=days
    )
    await site.deliver([envelope(child), envelope(booking)])
    assert await site.on_roster(child.child_id, days[1]) is not None
    assert await _watched_days(attendance, child.child_id) == days

    changed = BookingChanged(
        booking_id=booking.booking_id,
        child_id=child.child_id,
        class_id=site.class_id,
        removed_days=(days[1],),
        confirmed_days=(days[0],),
        waitlisted_days=(),
    )
    await site.deliver([envelope(changed)])
    assert await site.on_roster(child.child_id, days[1]) is None, "the given-up day left the roster"
    assert await site.on_roster(child.child_id, days[0]) is not None, "the kept day stays"
    assert await _watched_days(attendance, child.child_id) == days[:1]

    cancelled = BookingCancelled(
        booking_id=booking.booking_id, child_id=child.child_id, class_id=site.class_id, days=(days[0],), reason="moved"
    )
    await site.deliver([envelope(cancelled)])
    assert (await site.get(f"/classes/{site.class_id}/roster/{days[0]}")).status_code == 404, "no bookings left"
    assert await _watched_days(attendance, child.child_id) == []


async def test_a_site_is_known_from_its_opening_before_anyone_books_there(
    stack: Stack, site: SiteDay, attendance: InProcess
) -> None:
    hours = {"checkin_cutoff": "09:00:00", "closing": "17:30:00"}
    unknown = await site.post(f"/sites/{site.site_id}/hours", hours, method="PUT")
    assert unknown.status_code == 404
    opened = SiteOpened(
        site_id=site.site_id, network_id=uuid.uuid4(), provider_id=site.provider_id, union_path=(WUHAN_STEEL_UNION,)
    )
    await handled_by(attendance)([envelope(opened)])
    answer = await site.post(f"/sites/{site.site_id}/hours", hours, method="PUT")
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "site_id": str(site.site_id),
        "checkin_cutoff": "09:00:00",
        "closing": "17:30:00",
        "grace_minutes": 15,
        "escalation_interval_s": 900,
        "site_lead_name": None,
        "site_lead_phone": None,
    }
    stranger = token("provider_staff", provider_id=uuid.uuid4())
    assert (await site.post(f"/sites/{site.site_id}/hours", hours, stranger, method="PUT")).status_code == 403


async def test_a_booking_cancelled_while_the_child_is_in_care_still_ends_with_a_handover(
    stack: Stack, site: SiteDay
) -> None:
    child = await site.book_child()
    assert (await site.check_in(child.child_id)).status_code == 201
    booking = site.bookings[child.child_id]
    cancelled = BookingCancelled(
        booking_id=booking.booking_id, child_id=child.child_id, class_id=site.class_id, days=(today(),), reason="moved"
    )
    await site.deliver([envelope(cancelled)])
    assert (await site.on_roster(child.child_id, today()))["status"] == "present", "the child is still here"

    adult = child.authorised_adults[0]
    attempt = await site.post("/pickups", {"child_id": str(child.child_id), "adult_id": str(adult.adult_id)})
    assert attempt.status_code == 201, attempt.text
    code = await code_for(stack, child.child_id, attempt.json()["attempt_id"])
    released = await site.post(f"/pickups/{attempt.json()['attempt_id']}/confirmation", {"code": code})
    assert released.status_code == 200, released.text
    assert (await site.on_roster(child.child_id, today()))["status"] == "picked_up"


async def test_the_staff_on_duty_see_a_childs_allergies_and_new_pick_up_adults_once_a_guardian_edits_them(
    stack: Stack, site: SiteDay, attendance: InProcess
) -> None:
    registered = await site.book_child()
    assert (await site.on_roster(registered.child_id, today()))["allergies"] is None
    uncle = AuthorisedAdult(adult_id=uuid.uuid4(), display_name="王舅舅", relationship="uncle")
    edited = registered.model_copy(
        update={"allergies": "花生过敏", "health_notes": "哮喘，书包里有吸入器", "authorised_adults": (uncle,)}
    )
    await site.deliver([envelope(edited)])  # what enrollment publishes after every edit of the record
    shown = await site.on_roster(registered.child_id, today())
    assert (shown["allergies"], shown["health_notes"]) == ("花生过敏", "哮喘，书包里有吸入器")
    adults = await attendance.runtime.pool.fetchval(
        "SELECT authorised_adults FROM roster_children WHERE child_id = $1", registered.child_id
    )
    assert [a["display_name"] for a in adults] == ["王舅舅"], "the pick-up check knows only the new list"
