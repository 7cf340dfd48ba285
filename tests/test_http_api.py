"""HTTP behaviour every service shares: clear 4xx with reasons, health and metrics."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

from tests.conftest import Stack
from tests.support.polling import eventually
from tests.support.scenarios import enrollment_request


async def test_malformed_enrollment_requests_get_422_with_field_reasons(stack: Stack, start_service) -> None:
    enrollment = await start_service("enrollment").wait_healthy()
    bad = enrollment_request()
    bad["fee_per_day_fen"] = -5
    bad["child"]["birth_date"] = "yesterday"
    del bad["guardians"]
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=10) as http:
        invalid = await http.post("/enrollments", json=bad, headers={"Idempotency-Key": f"bad-{uuid.uuid4()}"})
        not_json = await http.post("/enrollments", content=b"{oops", headers={
            "Idempotency-Key": f"bad-{uuid.uuid4()}", "Content-Type": "application/json"})
        no_key = await http.post("/enrollments", json=enrollment_request())
        missing = await http.get(f"/enrollments/{uuid.uuid4()}")
        not_a_uuid = await http.get("/enrollments/42")

    assert invalid.status_code == 422
    fields = {r["field"] for r in invalid.json()["reasons"]}
    assert {"fee_per_day_fen", "child.birth_date", "guardians"} <= fields
    assert not_json.status_code == 422
    assert no_key.status_code == 422 and no_key.json()["reasons"][0]["field"] == "header.Idempotency-Key"
    assert missing.status_code == 404
    assert not_a_uuid.status_code == 422


async def test_health_turns_503_when_the_database_is_unreachable(stack: Stack, start_service) -> None:
    attendance = await start_service("attendance").wait_healthy()
    role = stack.database_urls["attendance"].split("//")[1].split(":")[0]
    admin = await asyncpg.connect(stack.endpoints.pg_admin)
    try:
        await admin.execute(f'ALTER ROLE "{role}" NOLOGIN')
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role)

        async def status() -> int:
            async with httpx.AsyncClient(base_url=attendance.url, timeout=10) as http:
                return (await http.get("/health")).status_code

        assert await eventually(lambda: _equals(status, 503), timeout=20)
    finally:
        await admin.execute(f'ALTER ROLE "{role}" LOGIN')
        await admin.close()
    assert await eventually(lambda: _equals(status, 200), timeout=20)


async def _equals(probe, expected: int) -> bool:
    return await probe() == expected


async def test_metrics_are_exposed_for_prometheus(stack: Stack, start_service) -> None:
    enrollment = await start_service("enrollment").wait_healthy()
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=10) as http:
        await http.get("/health")
        text = (await http.get("/metrics")).text
    assert 'tuoguan_http_requests_total{method="GET",route="/health",service="enrollment",status="200"}' in text
