"""Role x endpoint, across all four services: union staff inside and outside the subtree, provider
staff at their own site and at another, a parent with their own child and with someone else's."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from deploy.city import SUMMER, City, token
from tests.conftest import Stack
from tests.support.funds import members_discount
from tests.support.polling import eventually

ROLES = ("staff_inside", "staff_outside", "provider_own", "provider_other", "parent_own", "parent_other")
Y, N = 200, 403


def expect(*allowed: str) -> dict[str, int]:
    return {role: Y if role in allowed else N for role in ROLES}


async def test_every_role_sees_exactly_what_it_is_entitled_to(stack: Stack, start_service) -> None:
    services = {name: start_service(name) for name in ("enrollment", "attendance", "subsidy", "notify")}
    await asyncio.gather(*(s.wait_healthy() for s in services.values()))
    async with httpx.AsyncClient(timeout=30) as http:
        http.base_url = services["enrollment"].url
        city = City(http)
        zhengzhou = await city.union("郑州市总工会")
        inside = await city.union("金水区总工会", level="district", parent=zhengzhou)
        outside = await city.union("二七区总工会", level="district", parent=zhengzhou)
        network = await city.network(inside)
        class_id = await city.klass(network, days=SUMMER[:1])
        await members_discount(services["subsidy"].url, inside.staff)
        own, other = city.parent(inside), city.parent(inside)
        child = await city.child(own)
        await city.child(other)
        booking = (await city.book(own, child["child_id"], class_id, days=SUMMER[:1])).json()

    bearer = {
        "staff_inside": inside.staff, "staff_outside": outside.staff,
        "provider_own": token("provider_staff", provider_id=network.provider_id),
        "provider_other": token("provider_staff", provider_id=uuid.uuid4()),
        "parent_own": own.token, "parent_other": other.token,
    }
    e, a, s, n = (services[x].url for x in ("enrollment", "attendance", "subsidy", "notify"))
    day, guardian = SUMMER[0], child["guardian_ids"][0]
    matrix = {
        f"{e}/classes/{class_id}": expect("staff_inside", "provider_own", "parent_own", "parent_other"),
        f"{e}/classes/{class_id}/roster/{day}": expect("staff_inside", "provider_own"),
        f"{e}/children/{child['child_id']}": expect("staff_inside", "parent_own"),
        f"{e}/bookings/{booking['booking_id']}": expect("staff_inside", "parent_own"),
        f"{e}/unions/{inside.union_id}/figures": expect("staff_inside"),
        f"{a}/classes/{class_id}/roster/{day}": expect("staff_inside", "provider_own"),
        f"{a}/children/{child['child_id']}/attendance": expect("staff_inside", "parent_own"),
        f"{s}/bookings/{booking['booking_id']}/applications": expect("staff_inside"),
        f"{s}/unions/{inside.union_id}/spending": expect("staff_inside"),
        f"{n}/guardians/{guardian}/notifications": expect("parent_own"),
        f"{n}/guardians/{guardian}/preferences": expect("parent_own"),
    }
    async with httpx.AsyncClient(timeout=30) as http:
        async def answer(url: str, role: str) -> int:
            return (await http.get(url, headers={"Authorization": f"Bearer {bearer[role]}"})).status_code

        # The other services learn of the booking from events: wait until the entitled can see it.
        for url, row in matrix.items():
            entitled = next(role for role, status in row.items() if status == Y)
            await eventually(lambda u=url, r=entitled: _is(answer(u, r), Y), timeout=30)
        (applications,) = [(await http.get(f"{s}/bookings/{booking['booking_id']}/applications",
                                           headers={"Authorization": f"Bearer {inside.staff}"})).json()]
        assert applications["applications"], "an application exists, so a refusal is about the caller"

        seen = {url: {role: await answer(url, role) for role in ROLES} for url in matrix}
        anonymous = {url: (await http.get(url)).status_code for url in matrix}
    assert seen == matrix
    assert set(anonymous.values()) == {401}, "no token, no answer"


async def _is(probe, status: int) -> bool:
    return await probe == status

