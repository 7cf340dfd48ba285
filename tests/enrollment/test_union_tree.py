"""A union tree of any depth, its levels named by data: province, city, district, street, grassroots."""

from __future__ import annotations

from testkit.city import SUMMER, City


async def test_province_staff_see_a_grassroots_class_five_levels_down_and_a_sibling_street_does_not(
    city: City,
) -> None:
    henan = await city.union("河南省总工会", level="province")
    zhengzhou = await city.union("郑州市总工会", level="city", parent=henan)
    jinshui = await city.union("金水区总工会", level="district", parent=zhengzhou)
    street = await city.union("花园路街道总工会", level="street", parent=jinshui)
    sibling = await city.union("丰产路街道总工会", level="street", parent=jinshui)
    grassroots = await city.union("某外卖站点工会", level="grassroots", parent=street)
    class_id = await city.klass(await city.network(grassroots), days=SUMMER[:1])
    parent = city.parent(grassroots)
    child = await city.child(parent, category="gig")
    booking = (await city.book(parent, child["child_id"], class_id, days=SUMMER[:1])).json()
    assert booking["status"] == "confirmed"

    reads = [
        f"/classes/{class_id}",
        f"/classes/{class_id}/roster/{SUMMER[0]}",
        f"/children/{child['child_id']}",
        f"/bookings/{booking['booking_id']}",
        f"/unions/{grassroots.union_id}/figures",
    ]
    for above in (henan, zhengzhou, jinshui, street):
        for path in reads:
            assert (await city.get(path, above.staff)).status_code == 200, path
    for path in reads:
        assert (await city.get(path, sibling.staff)).status_code == 403, f"a sibling street does not see {path}"
    figures = (await city.get(f"/unions/{henan.union_id}/figures", henan.staff)).json()
    assert figures["by_priority_group"] == {"gig": {"children": 1, "child_days": 1}}, "five levels down counts"
    assert (await city.get(f"/unions/{street.union_id}/figures", sibling.staff)).status_code == 403


async def test_a_level_is_a_label_and_only_the_admin_starts_a_tree(city: City) -> None:
    province = await city.union("湖北省总工会", level="province")
    for level in ("", "City", "市级", "a" * 33, "x"):
        body = {"name": "某工会", "level": level, "parent_id": str(province.union_id)}
        refused = await city.post("/unions", body, province.staff, expect=422)
        assert refused.json()["reasons"][0]["field"] == "level", level
    park = await city.union("光谷园区工会", level="industrial_park", parent=province)
    root = await city.post("/unions", {"name": "某省总工会", "level": "province"}, park.staff, expect=403)
    assert root.json()["reasons"][0]["reason"] == "only the platform admin creates a city federation"
