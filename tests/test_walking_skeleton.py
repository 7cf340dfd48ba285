"""The walking skeleton: one enrollment travels through all four services, each a separate
process with its own database, connected only by Kafka."""

from __future__ import annotations

import asyncio
import uuid

import httpx

from tests.conftest import Stack
from tests.support.polling import eventually
from tests.support.scenarios import enrollment_request


async def test_an_enrolled_child_reaches_roster_subsidy_and_every_guardian(stack: Stack, start_service) -> None:
    services = {name: start_service(name) for name in ("enrollment", "attendance", "subsidy", "notify")}
    await asyncio.gather(*(s.wait_healthy() for s in services.values()))
    request = enrollment_request(guardians=2, days=3)

    async with httpx.AsyncClient(timeout=10) as http:
        created = await http.post(f"{services['enrollment'].url}/enrollments", json=request,
                                  headers={"Idempotency-Key": f"skeleton-{uuid.uuid4()}"})
        assert created.status_code == 201, created.text
        enrollment = created.json()

        async def on_roster() -> list:
            roster = await http.get(f"{services['attendance'].url}/classes/{request['class_id']}/roster/{request['days'][0]}")
            return [c for c in roster.json()["children"] if c["child_id"] == enrollment["child_id"]]

        async def applications() -> list:
            found = await http.get(f"{services['subsidy'].url}/enrollments/{enrollment['enrollment_id']}/applications")
            return found.json()["applications"]

        async def inbox(guardian_id: str) -> list:
            found = await http.get(f"{services['notify'].url}/guardians/{guardian_id}/notifications")
            return found.json()["notifications"]

        assert len(await eventually(on_roster)) == 1
        (application,) = await eventually(applications)
        assert application["days"] == 3 and application["fee_fen"] == 3 * 4500
        for guardian_id in enrollment["guardian_ids"]:
            (message,) = await eventually(lambda g=guardian_id: inbox(g))
            assert "小明" in message["body"] and "3 天" in message["body"]

    # Every roster day, and nothing more, is in attendance's own database.
    conn = await stack.connect("attendance")
    try:
        days = await conn.fetchval("SELECT count(*) FROM roster_entries WHERE child_id = $1",
                                   uuid.UUID(enrollment["child_id"]))
    finally:
        await conn.close()
    assert days == 3


async def test_a_retried_enrollment_request_enrolls_once(stack: Stack, start_service) -> None:
    enrollment = await start_service("enrollment").wait_healthy()
    request, key = enrollment_request(), f"retry-{uuid.uuid4()}"
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=10) as http:
        first = await http.post("/enrollments", json=request, headers={"Idempotency-Key": key})
        second = await http.post("/enrollments", json=request, headers={"Idempotency-Key": key})
        reused = await http.post("/enrollments", json={**request, "fee_per_day_fen": 1},
                                 headers={"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert reused.status_code == 422
    assert reused.json()["reasons"][0]["field"] == "Idempotency-Key"

    conn = await stack.connect("enrollment")
    try:
        events = await conn.fetchval(
            "SELECT count(*) FROM outbox WHERE event_type = 'child.enrolled' AND convert_from(payload, 'UTF8') LIKE '%' || $1 || '%'",
            first.json()["child_id"],
        )
    finally:
        await conn.close()
    assert events == 1
