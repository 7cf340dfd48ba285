"""Activities and outings: a class's timetable by age group; an outing asks each child's guardians
for consent first, a consent can be withdrawn, and a child without consent stays with a named
member of staff."""

from __future__ import annotations

import datetime as dt
import uuid

from services.notify.domain import message
from shared.contracts.attendance import OutingConsentRequested
from shared.contracts.enrollment import ChildRegistered
from testkit.city import token
from tests.attendance.conftest import SiteDay, today
from tests.support.inprocess import InProcess

TOMORROW = today() + dt.timedelta(days=1)
MUSEUM = {
    "day": TOMORROW.isoformat(),
    "destination": "湖北省博物馆",
    "leaves_at": "09:30:00",
    "returns_at": "15:00:00",
    "stays_with": "李老师",
}


def guardian(child: ChildRegistered, which: int = 0) -> str:
    return token("parent", member_id=child.guardians[which].guardian_id, union_id=uuid.uuid4())


async def consent(site: SiteDay, outing_id: str, child: ChildRegistered, given: bool, bearer: str) -> int:
    answer = await site.post(
        f"/outings/{outing_id}/consents", {"child_id": str(child.child_id), "given": given}, bearer
    )
    return answer.status_code


async def test_a_child_without_consent_stays_with_the_named_member_of_staff(
    site: SiteDay, attendance: InProcess
) -> None:
    consented, silent, withdrawn = [await site.book_child(TOMORROW) for _ in range(3)]
    planned = await site.post(f"/classes/{site.class_id}/outings", MUSEUM)
    assert planned.status_code == 201, planned.text
    outing_id = planned.json()["outing_id"]
    assert planned.json()["asked"] == 3
    asked = await attendance.emitted("outing.consent_requested", outing_id=outing_id)
    assert sorted(a["child_id"] for a in asked) == sorted(str(c.child_id) for c in (consented, silent, withdrawn))

    assert await consent(site, outing_id, consented, True, guardian(consented)) == 200
    assert await consent(site, outing_id, withdrawn, True, guardian(withdrawn, 1)) == 200
    assert await consent(site, outing_id, withdrawn, False, guardian(withdrawn, 0)) == 200  # the other withdraws
    assert await consent(site, outing_id, silent, True, guardian(consented)) == 403, "not their child"
    assert await consent(site, outing_id, silent, True, site.staff) == 403, "staff cannot consent for parents"

    outing = (await site.get(f"/outings/{outing_id}")).json()
    seen = {c["child_id"]: (c["goes"], c["consent"], c["stays_with"]) for c in outing["children"]}
    assert seen == {
        str(consented.child_id): (True, True, None),
        str(silent.child_id): (False, None, "李老师"),
        str(withdrawn.child_id): (False, False, "李老师"),
    }
    above = await site.get(f"/outings/{outing_id}", token("union_staff", union_id=site.union_path[-1]))
    assert above.status_code == 200
    assert (await site.get(f"/outings/{outing_id}", guardian(silent))).status_code == 403


async def test_an_outing_is_planned_by_the_sites_staff_ahead_and_consented_only_for_a_booked_child(
    site: SiteDay,
) -> None:
    child = await site.book_child(TOMORROW)
    stranger = token("provider_staff", provider_id=uuid.uuid4())
    assert (await site.post(f"/classes/{site.class_id}/outings", MUSEUM, stranger)).status_code == 403
    past = await site.post(f"/classes/{site.class_id}/outings", {**MUSEUM, "day": "2026-01-05"})
    assert past.status_code == 422 and past.json()["reasons"][0]["field"] == "day"
    backwards = await site.post(f"/classes/{site.class_id}/outings", {**MUSEUM, "returns_at": "08:00:00"})
    assert backwards.status_code == 422 and "returns after it leaves" in backwards.text
    outing_id = (await site.post(f"/classes/{site.class_id}/outings", MUSEUM)).json()["outing_id"]

    other = await site.book_child(TOMORROW + dt.timedelta(days=1))  # booked another day
    assert await consent(site, outing_id, other, True, guardian(other)) == 409
    missing = await site.post(f"/outings/{uuid.uuid4()}/consents", {"child_id": str(child.child_id), "given": True})
    assert missing.status_code == 404


async def test_a_class_has_a_timetable_of_activities_by_age_group(site: SiteDay) -> None:
    await site.book_child()
    week = {
        "activities": [
            {"weekday": 1, "starts": "09:00", "ends": "10:30", "age_group": "6-9", "activity": "homework_help"},
            {"weekday": 1, "starts": "10:45", "ends": "11:30", "age_group": "6-9", "activity": "reading"},
            {"weekday": 2, "starts": "14:00", "ends": "15:00", "age_group": "9-12", "activity": "first_aid"},
        ]
    }
    assert (await site.get(f"/classes/{site.class_id}/timetable")).status_code == 404
    assert (await site.post(f"/classes/{site.class_id}/timetable", week, method="PUT")).status_code == 200
    shown = (await site.get(f"/classes/{site.class_id}/timetable")).json()
    assert [(a["weekday"], a["activity"]) for a in shown["activities"]] == [
        (1, "homework_help"),
        (1, "reading"),
        (2, "first_aid"),
    ]
    wrong = {"activities": [{**week["activities"][0], "ends": "08:00"}]}
    assert (await site.post(f"/classes/{site.class_id}/timetable", wrong, method="PUT")).status_code == 422
    stranger = token("provider_staff", provider_id=uuid.uuid4())
    assert (await site.post(f"/classes/{site.class_id}/timetable", week, stranger, method="PUT")).status_code == 403


def test_the_guardians_are_asked_in_their_own_words() -> None:
    asked = OutingConsentRequested(
        child_id=uuid.uuid4(),
        class_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        day=dt.date(2027, 7, 8),
        outing_id=uuid.uuid4(),
        destination="湖北省博物馆",
        leaves_at=dt.time(9, 30),
        returns_at=dt.time(15),
    )
    assert message(asked, "小红") == (
        "小红 所在班级计划 07月08日（09:30–15:00）外出活动：湖北省博物馆。请在应用中确认是否同意；未同意的孩子由老师在托管点照看。"
    )
    assert "without consent 小红 stays at the site" in (message(asked, "小红", "en") or "")
