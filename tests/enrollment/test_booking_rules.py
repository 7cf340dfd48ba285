"""Booking rules: ages, booking modes, double bookings, opening times, retries."""

from __future__ import annotations

import datetime as dt

from testkit.city import SUMMER, City
from tests.support.inprocess import InProcess


async def test_a_child_too_old_for_infant_care_is_refused_with_the_reason(city: City) -> None:
    gongshu = await city.union("拱墅区总工会")
    class_id = await city.klass(await city.network(gongshu), capacity=40, class_type="infant", days=SUMMER[:5])
    parent = city.parent(gongshu)
    child = await city.child(parent, birth_date=dt.date(2019, 1, 10))
    refused = await city.book(parent, child["child_id"], class_id, days=SUMMER[:1], expect=422)
    (reason,) = refused.json()["reasons"]
    assert reason["field"] == "child_id"
    assert reason["reason"].startswith("the child is 8 years 5 months old on 2027-07-05")
    assert "up to (not including) 3 years" in reason["reason"]


async def test_a_weekly_class_is_booked_by_whole_weeks(enrollment: InProcess, city: City) -> None:
    chaoyang = await city.union("朝阳区总工会")
    class_id = await city.klass(await city.network(chaoyang), mode="week", days=SUMMER[:10])
    parent = city.parent(chaoyang)
    child = await city.child(parent)
    by_day = await city.book(parent, child["child_id"], class_id, days=SUMMER[:1], expect=422)
    assert by_day.json()["reasons"][0]["field"] == "weeks"
    bad_week = await city.book(parent, child["child_id"], class_id, weeks=["week 29"], expect=422)
    assert bad_week.json()["reasons"][0]["field"] == "weeks"
    booked = (await city.book(parent, child["child_id"], class_id, weeks=["2027-W28"])).json()
    assert [d["day"] for d in booked["days"]] == [d.isoformat() for d in SUMMER[5:10]]
    (enrolled,) = await enrollment.emitted("child.enrolled", booking_id=booked["booking_id"])
    assert enrolled["days"] == [d.isoformat() for d in SUMMER[5:10]] and enrolled["fee_per_day_fen"] == 4500


async def test_a_term_class_books_every_day(city: City) -> None:
    xinxiang = await city.union("新乡市总工会")
    class_id = await city.klass(await city.network(xinxiang), mode="term", days=SUMMER[:7])
    parent = city.parent(xinxiang)
    booked = (await city.book(parent, (await city.child(parent))["child_id"], class_id)).json()
    assert len(booked["days"]) == 7 and booked["status"] == "confirmed"


async def test_the_same_day_cannot_be_booked_twice_for_one_child(city: City) -> None:
    union = await city.union("开封市总工会")
    class_id = await city.klass(await city.network(union), days=SUMMER[:3])
    parent = city.parent(union)
    child = await city.child(parent)
    await city.book(parent, child["child_id"], class_id, days=SUMMER[:2])
    twice = await city.book(parent, child["child_id"], class_id, days=SUMMER[1:3], expect=409)
    assert twice.json()["reasons"][0]["reason"] == f"already booked on {SUMMER[1].isoformat()}"


async def test_days_already_past_cannot_be_booked(city: City) -> None:
    union = await city.union("许昌市总工会")
    last_summer = [dt.date(2026, 7, 6), dt.date(2026, 7, 7)]
    network = await city.network(union, starts_on=last_summer[0], ends_on=SUMMER[-1])
    class_id = await city.klass(network, days=[*last_summer, SUMMER[0]])
    parent = city.parent(union)
    past = await city.book(parent, (await city.child(parent))["child_id"], class_id, days=last_summer, expect=422)
    assert past.json()["reasons"] == [{"field": "days", "reason": "these days are past: 2026-07-06, 2026-07-07"}]


async def test_booking_before_registration_opens_is_refused(city: City) -> None:
    union = await city.union("安阳市总工会")
    opens = dt.datetime(2030, 6, 1, 8, tzinfo=dt.UTC)
    class_id = await city.klass(await city.network(union), days=SUMMER[:1], opens=opens)
    parent = city.parent(union)
    early = await city.book(parent, (await city.child(parent))["child_id"], class_id, days=SUMMER[:1], expect=409)
    assert early.json()["reasons"][0]["reason"] == "registration opens at 2030-06-01T08:00:00+00:00"


async def test_a_retried_booking_books_once(enrollment: InProcess, city: City) -> None:
    union = await city.union("焦作市总工会")
    class_id = await city.klass(await city.network(union), days=SUMMER[:2])
    parent = city.parent(union)
    child = await city.child(parent)
    body = {"child_id": child["child_id"], "class_id": str(class_id), "days": [SUMMER[0].isoformat()]}
    first = await city.post("/bookings", body, parent.token, key="retry-me-0001")
    second = await city.post("/bookings", body, parent.token, key="retry-me-0001")
    assert first.json() == second.json()
    other = await city.post(
        "/bookings", {**body, "days": [SUMMER[1].isoformat()]}, parent.token, key="retry-me-0001", expect=422
    )
    assert other.json()["reasons"][0]["field"] == "Idempotency-Key"
    assert len(await enrollment.emitted("child.enrolled", child_id=child["child_id"])) == 1


async def test_registering_a_child_announces_guardians_and_pick_up_adults(enrollment: InProcess, city: City) -> None:
    union = await city.union("平顶山市总工会")
    parent = city.parent(union)
    child = await city.child(parent, category="gig", guardians=2)
    assert child["priority_group"] == "gig", "the most favoured guardian's group counts"
    registered, accepted = await enrollment.emitted("child.registered", child_id=child["child_id"])
    assert [g["guardian_id"] for g in registered["guardians"]] == [str(parent.member_id)]
    assert sorted(g["guardian_id"] for g in accepted["guardians"]) == sorted(child["guardian_ids"]), (
        "the co-guardian's acceptance announces the child again, with both guardians"
    )
    assert registered["authorised_adults"][0]["display_name"] == "王奶奶"
    assert "birth_date" not in registered, "other services do not need the birth date"
