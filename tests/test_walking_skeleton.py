"""The walking skeleton: a registration and a booking travel through all four services, each a
separate process with its own database, connected only by Kafka."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from testkit.city import SUMMER, City, token
from testkit.funds import members_discount
from tests.conftest import Stack
from tests.support.polling import eventually


async def test_a_booked_child_reaches_roster_subsidy_and_every_guardian(stack: Stack, start_service) -> None:
    services = {name: start_service(name) for name in ("enrollment", "attendance", "subsidy", "notify")}
    await asyncio.gather(*(s.wait_healthy() for s in services.values()))

    async with httpx.AsyncClient(base_url=services["enrollment"].url, timeout=10) as http:
        city = City(http)
        wuhan_steel = await city.union("武钢工会")
        network = await city.network(wuhan_steel, satellites=7)
        class_id = await city.klass(network, days=SUMMER[:3], site_id=network.satellite_ids[2])
        await members_discount(services["subsidy"].url, wuhan_steel.staff, percent_bp=1500)
        parent = city.parent(wuhan_steel)
        child = await city.child(parent, guardians=2)
        booking = (await city.book(parent, child["child_id"], class_id, days=SUMMER[:3])).json()
    assert booking["status"] == "confirmed"

    provider = token("provider_staff", provider_id=network.provider_id)
    async with httpx.AsyncClient(timeout=10) as http:

        async def on_roster() -> list:
            roster = await http.get(
                f"{services['attendance'].url}/classes/{class_id}/roster/{SUMMER[0]}",
                headers={"Authorization": f"Bearer {provider}"},
            )
            if roster.status_code == 404:  # attendance has not heard of the class yet
                return []
            return [c for c in roster.json()["children"] if c["child_id"] == child["child_id"]]

        async def applications() -> list:
            found = await http.get(
                f"{services['subsidy'].url}/bookings/{booking['booking_id']}/applications",
                headers={"Authorization": f"Bearer {wuhan_steel.staff}"},
            )
            return [a for a in found.json()["applications"] if a["status"] == "approved"]

        async def inbox(guardian_id: str) -> list:
            own = token("parent", union_id=wuhan_steel.union_id, member_id=uuid.UUID(guardian_id))
            found = await http.get(
                f"{services['notify'].url}/guardians/{guardian_id}/notifications",
                headers={"Authorization": f"Bearer {own}"},
            )
            return found.json()["notifications"]

        (on_the_roster,) = await eventually(on_roster)
        assert on_the_roster["status"] == "expected"
        (application,) = await eventually(applications)
        assert application["days"] == 3 and application["fee_fen"] == 3 * 4500
        assert application["amount_fen"] == 3 * 4500 * 15 // 100, "the members' 15 % discount, reserved"
        assert len(child["guardian_ids"]) == 2
        for guardian_id in child["guardian_ids"]:

            async def told(g: str = guardian_id) -> dict[str, list]:
                by_kind: dict[str, list] = {}
                for message in await inbox(g):
                    by_kind.setdefault(message["source_type"], []).append(message["body"])
                return by_kind if {"child.enrolled", "subsidy.approved"} <= set(by_kind) else {}

            messages = await eventually(told)
            assert messages["child.enrolled"] == ["小明 已报名托管班，共 3 天（07月05日–07月07日）。"]
            assert messages["subsidy.approved"] == ["小明 的托管费补贴 ¥20.25 已批准。"]

    conn = await stack.connect("attendance")
    try:
        days = await conn.fetchval(
            "SELECT count(*) FROM roster_entries WHERE child_id = $1", uuid.UUID(child["child_id"])
        )
        adults = await conn.fetchval(
            "SELECT authorised_adults FROM roster_children WHERE child_id = $1", uuid.UUID(child["child_id"])
        )
    finally:
        await conn.close()
    assert days == 3, "every booked day, and nothing more, is on attendance's own roster"
    assert [a["display_name"] for a in adults] == ["王奶奶"], "attendance knows who may pick the child up"
