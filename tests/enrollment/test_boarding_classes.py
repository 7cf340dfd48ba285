"""A weekly boarding class (周托, Xinxiang) is marked when it is created, and every booking in it
tells attendance so: its children stay the nights between their booked days."""

from __future__ import annotations

from testkit.city import SUMMER, City, class_body
from tests.support.inprocess import InProcess


async def test_a_booking_in_a_boarding_class_tells_attendance_the_child_boards(
    enrollment: InProcess, city: City
) -> None:
    xinxiang = await city.union("新乡市总工会")
    network = await city.network(xinxiang)
    boarding = await city.klass(network, days=SUMMER[:5], mode="week", boarding=True)
    day_care = await city.klass(network, days=SUMMER[:5])
    parent = city.parent(xinxiang)
    child = await city.child(parent)
    await city.book(parent, child["child_id"], boarding, weeks=["2027-W27"])

    (enrolled,) = await enrollment.emitted("child.enrolled", child_id=child["child_id"], class_id=boarding)
    assert enrolled["boarding"] is True and enrolled["days"] == [d.isoformat() for d in SUMMER[:5]]
    assert (await city.get(f"/classes/{boarding}", xinxiang.staff)).json()["boarding"] is True
    assert (await city.get(f"/classes/{day_care}", xinxiang.staff)).json()["boarding"] is False


async def test_a_class_is_boarding_or_not(enrollment: InProcess, city: City) -> None:
    network = await city.network(await city.union("新乡市总工会"))
    body = {**class_body(network), "boarding": "every other night"}
    refused = await city.post("/classes", body, network.union.staff, expect=422)
    assert any("boarding" in str(r) for r in refused.json()["reasons"])
