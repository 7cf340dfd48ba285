"""Attendance's roster is built from enrollment's events only, and follows cancellations."""

from __future__ import annotations

import asyncio
import datetime as dt

import httpx

from testkit.city import City, token
from tests.attendance.conftest import today
from tests.conftest import Stack
from tests.support.polling import eventually


async def test_the_roster_follows_a_booking_cancelled_in_enrollment(stack: Stack, start_service) -> None:
    enrollment, attendance = (
        start_service("enrollment"),
        start_service("attendance", ATTENDANCE_TIMER_INTERVAL_S="3600"),
    )
    await asyncio.gather(enrollment.wait_healthy(), attendance.wait_healthy())
    days = [today(), today() + dt.timedelta(days=1)]
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=30) as http:
        city = City(http)
        union = await city.union("新乡市总工会")
        network = await city.network(union, starts_on=days[0], ends_on=days[-1])
        class_id = await city.klass(network, days=days)
        parent = city.parent(union)
        child = await city.child(parent)
        booking = (await city.book(parent, child["child_id"], class_id, days=days)).json()
        provider = token("provider_staff", provider_id=network.provider_id)

        async def on_roster(day: dt.date) -> bool:
            found = await http.get(
                f"{attendance.url}/classes/{class_id}/roster/{day}", headers={"Authorization": f"Bearer {provider}"}
            )
            return found.status_code == 200 and any(
                c["child_id"] == child["child_id"] for c in found.json()["children"]
            )

        assert await eventually(lambda: on_roster(days[1]))
        await city.post(
            f"/bookings/{booking['booking_id']}/cancellation", {"days": [days[1].isoformat()]}, parent.token, expect=200
        )
        assert await eventually(lambda: _not(on_roster(days[1]))), "the given-up day left the roster"
        assert await on_roster(days[0]), "the kept day stays"
        await city.post(f"/bookings/{booking['booking_id']}/cancellation", {}, parent.token, expect=200)
        assert await eventually(lambda: _not(on_roster(days[0]))), "the cancelled booking left the roster"


async def _not(probe) -> bool:
    return not await probe
