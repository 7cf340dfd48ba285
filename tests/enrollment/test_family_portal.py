"""What a parent's pages ask of enrollment: find a class near home (by district, site, dates, age,
free seats, programme, union), see their own children with each booking's days and waitlist places
and where subsidy answers for them, and report ahead a day the child will be away (the seat goes to
the next waiting child, subsidy releases the day as for any day given up)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from shared.timezones import local_today
from testkit.city import SUMMER, City, Network, Parent, Union, contract_body
from tests.support.inprocess import InProcess


@dataclass
class Town:
    city_union: Union
    district_union: Union
    network: Network
    jinshui: uuid.UUID  # a satellite in 金水区
    erqi: uuid.UUID  # a satellite in 二七区


async def town(city: City) -> Town:
    zhengzhou = await city.union("郑州市总工会")
    jinshui_union = await city.union("金水区总工会", "district", zhengzhou)
    network = await city.network(zhengzhou, satellites=0, contract=False)
    sites = {}
    for district, address in (("金水区", "郑州市金水区花园路 88 号"), ("二七区", "郑州市二七区大学路 12 号")):
        body = {
            "network_id": str(network.network_id),
            "provider_id": str(network.provider_id),
            "role": "satellite",
            "name": f"{district}站",
            "address": address,
            "district": district,
        }
        sites[district] = uuid.UUID((await city.post("/sites", body, zhengzhou.staff)).json()["site_id"])
    all_sites = [network.hub_id, *sites.values()]
    await city.post(
        "/contracts", contract_body(zhengzhou, network.provider_id, all_sites, SUMMER[0], SUMMER[-1]), zhengzhou.staff
    )
    return Town(zhengzhou, jinshui_union, network, sites["金水区"], sites["二七区"])


async def search(city: City, parent: Parent, **params: Any) -> list[dict[str, Any]]:
    found = await city.get("/classes", parent.token, **params)
    assert found.status_code == 200, found.text
    return found.json()["classes"]


async def test_a_parent_finds_a_class_near_home_by_district_age_dates_and_free_seats(city: City) -> None:
    t = await town(city)
    school = await city.klass(t.network, site_id=t.jinshui, days=SUMMER[:5])
    full = await city.klass(t.network, site_id=t.jinshui, capacity=1, days=SUMMER[5:7])
    infants = await city.klass(t.network, site_id=t.erqi, class_type="kindergarten", days=SUMMER[:5])
    neighbour = city.parent(t.city_union)
    await city.book(neighbour, (await city.child(neighbour))["child_id"], full, days=SUMMER[5:7])
    parent = city.parent(t.district_union)  # a member below the city union: its classes are open to them

    near = await search(city, parent, district="金水区")
    assert {c["class_id"] for c in near} == {str(school), str(full)}
    assert near[0]["address"] == "郑州市金水区花园路 88 号" and near[0]["district"] == "金水区"
    assert {c["class_id"] for c in await search(city, parent, district="金水区", free_seats=True)} == {str(school)}
    assert [c["class_id"] for c in await search(city, parent, age=4)] == [str(infants)], "a 4-year-old: kindergarten"
    in_week_two = await search(city, parent, **{"from": SUMMER[5].isoformat(), "to": SUMMER[9].isoformat()})
    assert [(c["class_id"], c["days_in_range"], c["days_with_free_seats"]) for c in in_week_two] == [(str(full), 2, 0)]
    assert {c["class_id"] for c in await search(city, parent, site_id=str(t.erqi))} == {str(infants)}
    assert len(await search(city, parent, programme_id=str(t.network.programme_id))) == 3
    assert await search(city, parent, union_id=str(t.district_union.union_id)) == [], "none run by the district"

    paged = await city.get("/classes", parent.token, limit=2)
    assert (len(paged.json()["classes"]), paged.json()["next_offset"]) == (2, 2)
    rest = await city.get("/classes", parent.token, limit=2, offset=2)
    assert (len(rest.json()["classes"]), rest.json()["next_offset"]) == (1, None)

    stranger = city.parent(await city.union("洛阳市总工会"))
    assert await search(city, stranger, district="金水区") == [], "another city's classes are not open to them"


async def test_a_site_address_or_district_that_means_nothing_is_refused(city: City) -> None:
    union = await city.union("郑州市总工会")
    network = await city.network(union, satellites=0)
    site = {"network_id": str(network.network_id), "provider_id": str(network.provider_id), "role": "satellite"}
    for extra, field in (({"district": " "}, "district"), ({"address": "路"}, "address")):
        refused = await city.post("/sites", {**site, "name": "站点", **extra}, union.staff, expect=422)
        assert [r["field"] for r in refused.json()["reasons"]] == [field], refused.json()
    bad = await city.get("/classes", city.parent(union).token, age=40)
    assert bad.status_code == 422 and "age" in str(bad.json())
    backwards = await city.get("/classes", city.parent(union).token, **{"from": SUMMER[4], "to": SUMMER[0]})
    assert backwards.json()["reasons"] == [{"field": "from", "reason": "from is after to"}]


async def test_a_parent_sees_their_children_bookings_waitlist_places_and_where_subsidy_answers(city: City) -> None:
    t = await town(city)
    class_id = await city.klass(t.network, site_id=t.jinshui, capacity=1, days=SUMMER[:2])
    first = city.parent(t.city_union)
    await city.book(first, (await city.child(first))["child_id"], class_id, days=SUMMER[:1])
    parent = city.parent(t.city_union)
    child = await city.child(parent, name="小红")
    booking = (await city.book(parent, child["child_id"], class_id, days=SUMMER[:2])).json()
    await city.child(parent, name="小刚")

    mine = (await city.get("/me/children", parent.token)).json()
    assert [c["display_name"] for c in mine["children"]] == ["小红", "小刚"] and mine["next_offset"] is None
    (shown,) = mine["children"][0]["bookings"]
    assert (shown["booking_id"], shown["site_name"], shown["status"]) == (booking["booking_id"], "金水区站", "active")
    assert shown["days"] == [
        {"day": SUMMER[0].isoformat(), "state": "waitlisted", "waitlist_position": 1},
        {"day": SUMMER[1].isoformat(), "state": "confirmed"},
    ]
    assert mine["children"][0]["subsidy"] == {
        "service": "subsidy",
        "applications": f"/children/{child['child_id']}/applications",
        "statements": f"/children/{child['child_id']}/statements",
    }
    assert mine["family_statements"] == f"/guardians/{parent.member_id}/statements"
    assert (await city.get("/me/children", parent.token, limit=1)).json()["next_offset"] == 1
    assert (await city.get("/me/children", t.city_union.staff)).status_code == 403, "a parent's own list"


async def test_a_reported_absence_frees_the_seat_for_the_next_child_and_says_why(
    enrollment: InProcess, city: City
) -> None:
    t = await town(city)
    class_id = await city.klass(t.network, site_id=t.jinshui, capacity=1, days=SUMMER[:3])
    parent, waiting = city.parent(t.city_union), city.parent(t.city_union)
    booking = (await city.book(parent, (await city.child(parent))["child_id"], class_id, days=SUMMER[:3])).json()
    queued = (await city.book(waiting, (await city.child(waiting))["child_id"], class_id, days=SUMMER[1:2])).json()
    path = f"/bookings/{booking['booking_id']}/absences"

    reported = await city.post(path, {"day": SUMMER[1].isoformat()}, parent.token, expect=200, key="away-on-day-2")
    retried = await city.post(path, {"day": SUMMER[1].isoformat()}, parent.token, expect=200, key="away-on-day-2")
    assert retried.json() == reported.json(), "a retry is answered as the first, with no second effect"
    assert reported.json() == {
        "booking_id": booking["booking_id"],
        "cancelled_days": [SUMMER[1].isoformat()],
        "status": "changed",
        "promoted_bookings": [queued["booking_id"]],
    }
    (changed,) = await enrollment.emitted("booking.changed", booking_id=booking["booking_id"])
    assert (changed["removed_days"], changed["reason"], changed["by"]) == (
        [SUMMER[1].isoformat()],
        "absence reported by a parent",
        "parent",
    ), "subsidy releases the removed day; attendance stops expecting the child"
    assert await enrollment.emitted("booking.promoted", booking_id=queued["booking_id"])

    again = await city.post(path, {"day": SUMMER[1].isoformat()}, parent.token, expect=422)
    assert "holds no seat" in again.json()["reasons"][0]["reason"]
    today = local_today().isoformat()
    past = await city.post(path, {"day": today}, parent.token, expect=422)
    assert "ahead" in past.json()["reasons"][0]["reason"]
    await city.post(path, {"day": SUMMER[0].isoformat()}, city.parent(t.city_union).token, expect=403)
    await city.post(path, {"day": SUMMER[0].isoformat()}, t.city_union.staff, expect=403)  # a parent reports it
    await city.post(f"/bookings/{uuid.uuid4()}/absences", {"day": SUMMER[0].isoformat()}, parent.token, expect=404)
