"""Union staff act only within their subtree, providers at their own sites, parents for their own children."""

from __future__ import annotations

import jwt

from testkit.city import SUMMER, City, token


async def test_staff_of_one_union_cannot_read_or_change_another_unions_data(city: City) -> None:
    zhengzhou = await city.union("郑州市总工会")
    jinshui = await city.union("金水区总工会", level="district", parent=zhengzhou)
    erqi = await city.union("二七区总工会", level="district", parent=zhengzhou)
    erqi_network = await city.network(erqi)
    erqi_class = await city.klass(erqi_network, days=SUMMER[:1])
    erqi_parent = city.parent(erqi)
    erqi_child = await city.child(erqi_parent)
    booking = (await city.book(erqi_parent, erqi_child["child_id"], erqi_class, days=SUMMER[:1])).json()

    outsider = jinshui.staff
    reads = [
        f"/classes/{erqi_class}",
        f"/classes/{erqi_class}/roster/{SUMMER[0]}",
        f"/children/{erqi_child['child_id']}",
        f"/bookings/{booking['booking_id']}",
        f"/unions/{erqi.union_id}/figures",
    ]
    for path in reads:
        assert (await city.get(path, outsider)).status_code == 403, path
        assert (await city.get(path, zhengzhou.staff)).status_code == 200, f"the city federation sees {path}"
    writes = [
        (
            "/classes",
            {
                "programme_id": str(erqi_network.programme_id),
                "site_id": str(erqi_network.hub_id),
                "name": "x",
                "class_type": "school_age",
                "capacity_per_day": 5,
                "days": [SUMMER[0].isoformat()],
                "booking_mode": "day",
                "fee_per_day_fen": 0,
                "registration_opens_at": "2026-01-01T00:00:00Z",
            },
        ),
        ("/unions", {"name": "x", "level": "grassroots", "parent_id": str(erqi.union_id)}),
        (f"/bookings/{booking['booking_id']}/cancellation", {}),
        (
            "/bookings",
            {"child_id": erqi_child["child_id"], "class_id": str(erqi_class), "days": [SUMMER[0].isoformat()]},
        ),
    ]
    for path, body in writes:
        assert (await city.post(path, body, outsider, expect=None)).status_code == 403, path
    assert (await city.get(f"/unions/{jinshui.union_id}/figures", outsider)).status_code == 200


async def test_a_parent_sees_only_their_own_children_and_bookings(city: City) -> None:
    union = await city.union("鹤壁市总工会")
    class_id = await city.klass(await city.network(union), days=SUMMER[:1])
    mine, theirs = city.parent(union), city.parent(union)
    my_child = await city.child(mine)
    their_child = await city.child(theirs)
    their_booking = (await city.book(theirs, their_child["child_id"], class_id, days=SUMMER[:1])).json()
    assert (await city.get(f"/children/{my_child['child_id']}", mine.token)).status_code == 200
    assert (await city.get(f"/children/{their_child['child_id']}", mine.token)).status_code == 403
    assert (await city.get(f"/bookings/{their_booking['booking_id']}", mine.token)).status_code == 403
    assert (await city.book(mine, their_child["child_id"], class_id, days=SUMMER[:1], expect=None)).status_code == 403
    assert (await city.get(f"/classes/{class_id}/roster/{SUMMER[0]}", mine.token)).status_code == 403


async def test_a_provider_sees_the_roster_of_its_own_sites_only(city: City) -> None:
    union = await city.union("漯河市总工会")
    ours, others = await city.network(union), await city.network(union)
    our_class = await city.klass(ours, days=SUMMER[:1])
    other_class = await city.klass(others, days=SUMMER[:1])
    provider = token("provider_staff", provider_id=ours.provider_id)
    assert (await city.get(f"/classes/{our_class}/roster/{SUMMER[0]}", provider)).status_code == 200
    assert (await city.get(f"/classes/{other_class}/roster/{SUMMER[0]}", provider)).status_code == 403


async def test_figures_count_children_by_priority_group_within_the_subtree(city: City) -> None:
    henan = await city.union("河南省总工会（统计）")
    county = await city.union("某县总工会", level="district", parent=henan)
    class_id = await city.klass(await city.network(county), days=SUMMER[:2])
    for category in ["gig", "gig", "regular"]:
        parent = city.parent(county)
        await city.book(parent, (await city.child(parent, category=category))["child_id"], class_id, days=SUMMER[:2])
    figures = (await city.get(f"/unions/{henan.union_id}/figures", henan.staff)).json()
    assert figures["children_enrolled"] == 3 and figures["child_days"] == 6
    assert figures["by_priority_group"] == {
        "gig": {"children": 2, "child_days": 4},
        "regular": {"children": 1, "child_days": 2},
    }


async def test_every_command_is_audited_accepted_or_refused(city: City) -> None:
    union = await city.union("审计测试工会")
    class_id = await city.klass(await city.network(union), days=SUMMER[:1])
    parent, stranger = city.parent(union), city.parent(union)
    child = await city.child(parent)
    booking = (await city.book(parent, child["child_id"], class_id, days=SUMMER[:1])).json()
    await city.post(f"/bookings/{booking['booking_id']}/cancellation", {}, stranger.token, expect=403)

    trail = (await city.get("/audit", city.admin, limit=500)).json()
    mine = [e for e in trail if e["actor_sub"] in (_sub(parent.token), _sub(stranger.token))]
    actions = sorted((e["action"], e["status_code"], e["service"]) for e in mine)
    assert actions == [
        ("POST /bookings", 201, "enrollment"),
        ("POST /bookings/{booking_id}/cancellation", 403, "enrollment"),
        ("POST /children", 201, "enrollment"),
    ]
    refused = next(e for e in mine if e["status_code"] == 403)
    assert refused["target"] == {"booking_id": booking["booking_id"]} and refused["actor_role"] == "parent"
    assert (await city.get("/audit", union.staff)).status_code == 403, "the trail is for the platform admin"


def _sub(bearer: str) -> str:
    return jwt.decode(bearer, options={"verify_signature": False})["sub"]
