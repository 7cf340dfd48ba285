"""The two-party pick-up handshake: only an authorised adult, and only with the guardians' code."""

from __future__ import annotations

import uuid

from services.attendance.domain.staffing import CHILDREN_PER_STAFF
from testkit.city import token
from testkit.scenarios import WUHAN_STEEL_UNION
from tests.attendance.conftest import SiteDay, attendance_events, code_for, today
from tests.conftest import Stack


async def _present_child(site: SiteDay):
    child = await site.book_child()
    assert (await site.check_in(child.child_id)).status_code == 201
    return child


async def test_a_stranger_cannot_pick_up_the_child(stack: Stack, site: SiteDay) -> None:
    child = await _present_child(site)
    refused = await site.post("/pickups", {"child_id": str(child.child_id), "adult_id": str(uuid.uuid4())})
    assert refused.status_code == 403
    assert refused.json()["reasons"][0] == {
        "field": "adult_id",
        "reason": "this adult is not authorised to pick the child up",
    }
    (alert,) = await attendance_events(stack, "pickup.refused", child.child_id)
    assert alert["reason"] == "not_authorised"
    assert (await site.on_roster(child.child_id, today()))["status"] == "present", "the child stays"


async def test_a_wrong_code_is_refused_and_three_lock_the_attempt(stack: Stack, site: SiteDay) -> None:
    child = await _present_child(site)
    grandmother = child.authorised_adults[0]
    attempt = (
        await site.post("/pickups", {"child_id": str(child.child_id), "adult_id": str(grandmother.adult_id)})
    ).json()
    right = await code_for(stack, child.child_id, attempt["attempt_id"])
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    answers = [await site.post(f"/pickups/{attempt['attempt_id']}/confirmation", {"code": wrong}) for _ in range(3)]
    assert [a.status_code for a in answers] == [422, 422, 422]
    assert answers[-1].json()["reasons"][0]["reason"] == "wrong code; this attempt is now locked"
    too_late = await site.post(f"/pickups/{attempt['attempt_id']}/confirmation", {"code": right})
    assert too_late.status_code == 409, "a locked attempt stays locked, even with the right code"
    reasons = [e["reason"] for e in await attendance_events(stack, "pickup.refused", child.child_id)]
    assert reasons == ["wrong_code", "wrong_code", "too_many_attempts"]
    assert (await site.on_roster(child.child_id, today()))["status"] == "present"


async def test_the_authorised_adult_with_the_right_code_takes_the_child_home(stack: Stack, site: SiteDay) -> None:
    child = await _present_child(site)
    grandmother = child.authorised_adults[0]
    attempt = (
        await site.post("/pickups", {"child_id": str(child.child_id), "adult_id": str(grandmother.adult_id)})
    ).json()
    assert attempt["adult_name"] == "王奶奶" and attempt["code_sent_to"] == "guardians"
    code = await code_for(stack, child.child_id, attempt["attempt_id"])
    released = await site.post(f"/pickups/{attempt['attempt_id']}/confirmation", {"code": code})
    assert released.status_code == 200 and released.json()["released_to"] == "王奶奶"

    (picked_up,) = await attendance_events(stack, "child.picked_up", child.child_id)
    assert picked_up["adult_id"] == str(grandmother.adult_id) and picked_up["adult_name"] == "王奶奶"
    entry = await site.on_roster(child.child_id, today())
    assert entry["status"] == "picked_up" and entry["picked_up_by"] == "王奶奶"
    again = await site.post("/pickups", {"child_id": str(child.child_id), "adult_id": str(grandmother.adult_id)})
    assert again.status_code == 409


async def test_a_malformed_code_is_refused_before_it_is_checked(stack: Stack, site: SiteDay) -> None:
    child = await _present_child(site)
    attempt = (
        await site.post("/pickups", {"child_id": str(child.child_id), "adult_id": str(child.guardians[0].guardian_id)})
    ).json()
    malformed = await site.post(f"/pickups/{attempt['attempt_id']}/confirmation", {"code": "12ab"})
    assert malformed.status_code == 422 and malformed.json()["reasons"][0]["field"] == "code"
    assert not await attendance_events(stack, "pickup.refused", child.child_id)


async def _wrong_codes(site: SiteDay, stack: Stack, child, attempts: int, wrong_each: int) -> list:
    """Start ``attempts`` pick-ups by the grandmother and enter ``wrong_each`` wrong codes in each."""
    answers = []
    for _ in range(attempts):
        attempt = (
            await site.post(
                "/pickups", {"child_id": str(child.child_id), "adult_id": str(child.authorised_adults[0].adult_id)}
            )
        ).json()
        right = await code_for(stack, child.child_id, attempt["attempt_id"])
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        answers += [
            await site.post(f"/pickups/{attempt['attempt_id']}/confirmation", {"code": wrong})
            for _ in range(wrong_each)
        ]
    return answers


async def test_wrong_codes_across_attempts_lock_the_childs_pick_up_for_the_day(stack: Stack, site: SiteDay) -> None:
    child = await _present_child(site)
    earlier = (
        await site.post("/pickups", {"child_id": str(child.child_id), "adult_id": str(child.guardians[0].guardian_id)})
    ).json()
    answers = await _wrong_codes(site, stack, child, attempts=2, wrong_each=3)
    assert [a.status_code for a in answers] == [422, 422, 422, 422, 422, 409]
    assert answers[4].json()["reasons"][0]["reason"] == (
        "wrong code; pick-up is now locked for today until union staff release it"
    ), "five wrong codes today, in two attempts"
    right = await code_for(stack, child.child_id, earlier["attempt_id"])
    still_open = await site.post(f"/pickups/{earlier['attempt_id']}/confirmation", {"code": right})
    assert still_open.status_code == 429, "an attempt started before the lock cannot be used either"
    assert still_open.json()["reasons"][0]["reason"] == (
        "5 wrong codes today; pick-up is locked until union staff release it"
    )
    again = await site.post(
        "/pickups", {"child_id": str(child.child_id), "adult_id": str(child.guardians[0].guardian_id)}
    )
    assert again.status_code == 429, "not even a guardian can start a new attempt today"
    assert again.json()["reasons"][0] == {
        "field": "child_id",
        "reason": "5 wrong codes today; pick-up is locked until union staff release it",
    }
    reasons = [e["reason"] for e in await attendance_events(stack, "pickup.refused", child.child_id)]
    assert reasons[-3:] == ["too_many_attempts"] * 3, "each refusal is an alert"
    assert (await site.on_roster(child.child_id, today()))["status"] == "present"

    release = {"reason": "called the mother on file; she confirmed the grandmother"}
    assert (await site.post(f"/children/{child.child_id}/pickup-release", release)).status_code == 403, (
        "the staff at the door cannot lift the lock themselves"
    )
    union_staff = token("union_staff", union_id=WUHAN_STEEL_UNION)
    assert (await site.post(f"/children/{child.child_id}/pickup-release", release, union_staff)).status_code == 200
    attempt = (
        await site.post(
            "/pickups", {"child_id": str(child.child_id), "adult_id": str(child.authorised_adults[0].adult_id)}
        )
    ).json()
    code = await code_for(stack, child.child_id, attempt["attempt_id"])
    released = await site.post(f"/pickups/{attempt['attempt_id']}/confirmation", {"code": code})
    assert released.status_code == 200 and released.json()["released_to"] == "王奶奶"


async def test_a_child_may_have_only_five_pick_up_attempts_a_day(stack: Stack, site: SiteDay) -> None:
    child = await _present_child(site)
    started = [
        await site.post("/pickups", {"child_id": str(child.child_id), "adult_id": str(child.guardians[0].guardian_id)})
        for _ in range(6)
    ]
    assert [s.status_code for s in started] == [201] * 5 + [429]
    assert started[-1].json()["reasons"][0]["reason"] == (
        "5 pick-up attempts today; pick-up is locked until union staff release it"
    )
    (refused,) = await attendance_events(stack, "pickup.refused", child.child_id)
    assert refused["reason"] == "too_many_attempts"


async def test_picking_children_up_clears_the_ratio_alarm_once_the_class_is_back_within_it(
    stack: Stack, site: SiteDay
) -> None:
    site.class_type = "infant"
    per_staff = CHILDREN_PER_STAFF["infant"]
    children = [await site.book_child() for _ in range(per_staff + 2)]
    staff = await site.post(
        f"/classes/{site.class_id}/days/{today()}/staff", {"staff_name": "李老师", "role": "teacher"}
    )
    assert staff.status_code == 201
    for child in children:
        assert (await site.check_in(child.child_id)).status_code == 201
    (alarm,) = await attendance_events(stack, "staffing.ratio_exceeded", site.class_id)
    assert alarm["children_present"] == per_staff + 1

    for child, still_over in zip(children[:2], (True, False), strict=True):
        adult = child.authorised_adults[0]
        attempt = (
            await site.post("/pickups", {"child_id": str(child.child_id), "adult_id": str(adult.adult_id)})
        ).json()
        code = await code_for(stack, child.child_id, attempt["attempt_id"])
        assert (await site.post(f"/pickups/{attempt['attempt_id']}/confirmation", {"code": code})).status_code == 200
        roster = (await site.get(f"/classes/{site.class_id}/roster/{today()}")).json()
        assert roster["ratio_exceeded"] is still_over

    (cleared,) = await attendance_events(stack, "staffing.ratio_restored", site.class_id)
    assert (cleared["children_present"], cleared["staff_on_duty"]) == (per_staff, 1), "cleared once, by the pick-up"
    assert len(await attendance_events(stack, "staffing.ratio_exceeded", site.class_id)) == 1
