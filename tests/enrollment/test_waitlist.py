"""Reserved quotas for priority groups, and the waitlist that fills freed seats by itself."""

from __future__ import annotations

import datetime as dt

from testkit.city import SUMMER, City
from tests.support.inprocess import InProcess
from tests.support.polling import eventually

FAR_FUTURE = "2030-01-01T00:00:00Z"


async def test_a_couriers_child_gets_the_reserved_seat_a_regular_members_child_cannot_take(city: City) -> None:
    county = await city.union("某县总工会")
    network = await city.network(county)
    class_id = await city.klass(
        network, capacity=2, days=SUMMER[:1], quotas=[{"priority_group": "gig", "seats": 1, "release_at": FAR_FUTURE}]
    )
    regular, second_regular, courier = city.parent(county), city.parent(county), city.parent(county)
    first = await city.book(regular, (await city.child(regular))["child_id"], class_id, days=SUMMER[:1])
    blocked = await city.book(second_regular, (await city.child(second_regular))["child_id"], class_id, days=SUMMER[:1])
    reserved = await city.book(
        courier, (await city.child(courier, category="gig"))["child_id"], class_id, days=SUMMER[:1]
    )
    assert first.json()["status"] == "confirmed"
    assert blocked.json()["status"] == "waitlisted", "the last seat is held for couriers' children"
    assert reserved.json()["status"] == "confirmed"


async def test_after_the_release_time_the_unused_reserved_seat_goes_to_the_waitlist(
    enrollment: InProcess, city: City
) -> None:
    county = await city.union("某县总工会")
    network = await city.network(county)
    release_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=3)
    class_id = await city.klass(
        network,
        capacity=2,
        days=SUMMER[:1],
        quotas=[{"priority_group": "gig", "seats": 1, "release_at": release_at.isoformat()}],
    )
    first, waiting = city.parent(county), city.parent(county)
    await city.book(first, (await city.child(first))["child_id"], class_id, days=SUMMER[:1])
    booking = (await city.book(waiting, (await city.child(waiting))["child_id"], class_id, days=SUMMER[:1])).json()
    assert booking["status"] == "waitlisted"

    async def promoted() -> bool:
        found = await city.get(f"/bookings/{booking['booking_id']}", waiting.token)
        return found.json()["days"][0]["state"] == "confirmed"

    assert await eventually(promoted, timeout=30), "the quota release timer promoted the waiting child"
    (event,) = await enrollment.emitted("booking.promoted", booking_id=booking["booking_id"])
    assert event["days"] == [SUMMER[0].isoformat()]


async def test_a_cancellation_promotes_the_most_favoured_waiting_child_and_says_so(
    enrollment: InProcess, city: City
) -> None:
    union = await city.union("新乡市总工会")
    network = await city.network(union)
    class_id = await city.klass(network, capacity=1, days=SUMMER[:2])
    holder, early_regular, late_hardship = city.parent(union), city.parent(union), city.parent(union)
    held = (await city.book(holder, (await city.child(holder))["child_id"], class_id, days=SUMMER[:2])).json()
    early = (
        await city.book(early_regular, (await city.child(early_regular))["child_id"], class_id, days=SUMMER[:2])
    ).json()
    late = (
        await city.book(
            late_hardship, (await city.child(late_hardship, category="hardship"))["child_id"], class_id, days=SUMMER[:2]
        )
    ).json()
    assert [d["waitlist_position"] for d in late["days"]] == [1, 1], "priority before arrival"
    assert [d["waitlist_position"] for d in early["days"]] == [1, 1], "first in line when it booked"
    early_then = (await city.get(f"/bookings/{early['booking_id']}", early_regular.token)).json()
    assert [d["waitlist_position"] for d in early_then["days"]] == [2, 2], "then overtaken by a hardship family"

    # Giving up one day frees that day's seat only.
    changed = await city.post(
        f"/bookings/{held['booking_id']}/cancellation", {"days": [SUMMER[1].isoformat()]}, holder.token, expect=200
    )
    assert changed.json()["status"] == "changed"
    assert changed.json()["promoted_bookings"] == [late["booking_id"]]
    late_now = (await city.get(f"/bookings/{late['booking_id']}", late_hardship.token)).json()
    assert [d["state"] for d in late_now["days"]] == ["waitlisted", "confirmed"]
    early_now = (await city.get(f"/bookings/{early['booking_id']}", early_regular.token)).json()
    assert [d.get("waitlist_position") for d in early_now["days"]] == [2, 1]

    cancelled = await city.post(f"/bookings/{held['booking_id']}/cancellation", {}, holder.token, expect=200)
    assert cancelled.json()["status"] == "cancelled"

    (change,) = await enrollment.emitted("booking.changed", booking_id=held["booking_id"])
    assert change["removed_days"] == [SUMMER[1].isoformat()] and change["confirmed_days"] == [SUMMER[0].isoformat()]
    (cancel,) = await enrollment.emitted("booking.cancelled", booking_id=held["booking_id"])
    assert cancel["days"] == [SUMMER[0].isoformat()]
    promotions = await enrollment.emitted("booking.promoted", booking_id=late["booking_id"])
    assert [p["days"] for p in promotions] == [[SUMMER[1].isoformat()], [SUMMER[0].isoformat()]]
    assert not await enrollment.emitted("booking.promoted", booking_id=early["booking_id"])


async def test_cancelling_twice_is_refused(city: City) -> None:
    union = await city.union("洛阳市总工会")
    class_id = await city.klass(await city.network(union), capacity=5, days=SUMMER[:1])
    parent = city.parent(union)
    booking = (await city.book(parent, (await city.child(parent))["child_id"], class_id, days=SUMMER[:1])).json()
    await city.post(f"/bookings/{booking['booking_id']}/cancellation", {}, parent.token, expect=200)
    again = await city.post(f"/bookings/{booking['booking_id']}/cancellation", {}, parent.token, expect=409)
    assert again.json()["reasons"][0]["reason"] == "the booking is already cancelled"
