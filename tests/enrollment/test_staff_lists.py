"""What the staff pages ask of enrollment: the waitlist of a class day in the order it is served
(priority group first, then arrival), and a union's classes across its subtree with each day's
seats, confirmed and waiting children. Nobody outside sees either."""

from __future__ import annotations

from testkit.city import SUMMER, City, token


async def test_staff_read_a_class_days_waitlist_in_the_order_it_is_served(city: City) -> None:
    union = await city.union("新乡市总工会")
    network = await city.network(union)
    class_id = await city.klass(network, capacity=1, days=SUMMER[:1])
    first, regular, courier = city.parent(union), city.parent(union), city.parent(union)
    await city.book(first, (await city.child(first))["child_id"], class_id, days=SUMMER[:1])
    late = await city.book(regular, (await city.child(regular, name="小刚"))["child_id"], class_id, days=SUMMER[:1])
    favoured = await city.book(
        courier, (await city.child(courier, category="gig", name="小丽"))["child_id"], class_id, days=SUMMER[:1]
    )

    listed = await city.get(f"/classes/{class_id}/waitlist/{SUMMER[0]}", union.staff)
    assert listed.status_code == 200, listed.text
    waiting = [
        (w["position"], w["booking_id"], w["priority_group"], w["display_name"]) for w in listed.json()["waiting"]
    ]
    assert waiting == [
        (1, favoured.json()["booking_id"], "gig", "小丽"),
        (2, late.json()["booking_id"], "regular", "小刚"),
    ], "a courier's child is served before an earlier regular member's"
    second_page = (await city.get(f"/classes/{class_id}/waitlist/{SUMMER[0]}", union.staff, limit=1, offset=1)).json()
    assert [w["position"] for w in second_page["waiting"]] == [2] and second_page["next_offset"] is None
    provider = token("provider_staff", provider_id=network.provider_id)
    assert (await city.get(f"/classes/{class_id}/waitlist/{SUMMER[0]}", provider)).status_code == 200
    for outsider in (first.token, (await city.union("洛阳市总工会")).staff):
        assert (await city.get(f"/classes/{class_id}/waitlist/{SUMMER[0]}", outsider)).status_code == 403


async def test_a_union_sees_its_subtrees_classes_with_seats_confirmed_and_waiting_per_day(city: City) -> None:
    province = await city.union("河南省总工会", "province")
    zhengzhou = await city.union("郑州市总工会", "city", province)
    below = await city.network(zhengzhou)
    aside = await city.network(await city.union("洛阳市总工会", "city", province))
    small = await city.klass(below, capacity=1, days=SUMMER[:2])
    await city.klass(aside, days=SUMMER[:2])
    one, two = city.parent(zhengzhou), city.parent(zhengzhou)
    await city.book(one, (await city.child(one))["child_id"], small, days=SUMMER[:2])
    await city.book(two, (await city.child(two))["child_id"], small, days=SUMMER[:1])

    window = {"from": SUMMER[0].isoformat(), "to": SUMMER[4].isoformat()}
    mine = (await city.get(f"/unions/{zhengzhou.union_id}/classes", zhengzhou.staff, **window)).json()
    (shown,) = mine["classes"]
    assert shown["class_id"] == str(small)
    assert [(d["capacity"], d["confirmed"], d["waitlisted"]) for d in shown["days"]] == [(1, 1, 1), (1, 1, 0)]
    everything = (await city.get(f"/unions/{province.union_id}/classes", province.staff, **window)).json()
    assert len(everything["classes"]) == 2, "the province sees both cities' classes"
    assert (await city.get(f"/unions/{province.union_id}/classes", zhengzhou.staff)).status_code == 403
    assert (await city.get(f"/unions/{zhengzhou.union_id}/classes", one.token)).status_code == 403
    too_long = {"from": SUMMER[0].isoformat(), "to": SUMMER[-1].replace(year=2028).isoformat()}
    refused = await city.get(f"/unions/{zhengzhou.union_id}/classes", zhengzhou.staff, **too_long)
    assert refused.status_code == 422 and refused.json()["reasons"][0]["field"] == "to"
