"""A co-guardian is told about the child only once they have accepted: before that, notify does
not know them as the child's guardian; afterwards they get what the other guardian gets."""

from __future__ import annotations

import asyncio

import httpx

from testkit.city import SUMMER, City, Parent
from tests.conftest import Stack
from tests.support.polling import eventually


async def inbox(http: httpx.AsyncClient, notify_url: str, guardian: Parent) -> list[str]:
    found = await http.get(
        f"{notify_url}/guardians/{guardian.member_id}/notifications",
        headers={"Authorization": f"Bearer {guardian.token}"},
    )
    return [n["source_type"] for n in found.json()["notifications"]]


async def test_an_invited_guardian_is_told_about_the_child_only_after_accepting(stack: Stack, start_service) -> None:
    enrollment, notify = start_service("enrollment"), start_service("notify")
    await asyncio.gather(enrollment.wait_healthy(), notify.wait_healthy())
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=10) as http:
        city = City(http)
        union = await city.union("南阳市总工会")
        class_id = await city.klass(await city.network(union), days=SUMMER[:2])
        mother = city.parent(union)
        father = city.co_guardian(mother)
        child_id = (
            await city.post(
                "/children",
                {
                    "display_name": "小军",
                    "birth_date": "2018-05-01",
                    "guardians": [
                        {
                            "display_name": "王芳",
                            "employment_category": "regular",
                            "channels": [{"kind": "inapp", "address": "app"}],
                        },
                        {
                            "member_id": str(father.member_id),
                            "display_name": "李强",
                            "employment_category": "regular",
                            "channels": [{"kind": "inapp", "address": "app"}],
                        },
                    ],
                },
                mother.token,
            )
        ).json()["child_id"]
        booking = (await city.book(mother, child_id, class_id, days=SUMMER[:2])).json()

        assert await eventually(lambda: inbox(http, notify.url, mother)) == ["child.enrolled"]
        await asyncio.sleep(1)
        assert await inbox(http, notify.url, father) == [], "not told before accepting"

        await city.accept(father, child_id)
        await city.post(f"/bookings/{booking['booking_id']}/cancellation", {}, mother.token, expect=200)

        async def cancelled(guardian: Parent) -> list[str]:
            told = await inbox(http, notify.url, guardian)
            return told if "booking.cancelled" in told else []

        # Once linked, the father is told what happens next: the record's change (he was added),
        # then the cancellation; one child's events keep their order, so both are there together.
        assert sorted(await eventually(lambda: cancelled(father))) == ["booking.cancelled", "child.updated"], (
            "told once linked, and nothing from before"
        )
        assert sorted(await eventually(lambda: cancelled(mother))) == [
            "booking.cancelled",
            "child.enrolled",
            "child.updated",
        ]
