"""A site's opening hours belong to it from the day union staff open it, before anyone books there."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from testkit.city import City, token
from tests.conftest import Stack
from tests.support.polling import eventually


async def test_the_provider_sets_the_hours_of_a_site_nobody_has_booked_yet(stack: Stack, start_service) -> None:
    enrollment, attendance = await asyncio.gather(
        *(start_service(s).wait_healthy() for s in ("enrollment", "attendance"))
    )
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=10) as http:
        city = City(http)
        union = await city.union("鹤壁市总工会")
        network = await city.network(union, satellites=1)
    provider = token("provider_staff", provider_id=network.provider_id)
    stranger = token("provider_staff", provider_id=uuid.uuid4())
    hours = {"checkin_cutoff": "09:00:00", "closing": "17:30:00"}

    async with httpx.AsyncClient(base_url=attendance.url, timeout=10) as http:

        async def put(bearer: str) -> httpx.Response:
            return await http.put(
                f"/sites/{network.satellite_ids[0]}/hours",
                json=hours,
                headers={"Authorization": f"Bearer {bearer}", "Idempotency-Key": f"hours-{uuid.uuid4()}"},
            )

        async def set_by_provider() -> httpx.Response | None:
            answer = await put(provider)
            return None if answer.status_code == 404 else answer  # a moment until site.opened arrives

        answer = await eventually(set_by_provider)
        assert answer.status_code == 200, answer.text
        assert answer.json()["closing"] == "17:30:00"
        assert (await put(stranger)).status_code == 403, "another provider's staff may not"
