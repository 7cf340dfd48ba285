"""HTTP behaviour of a service process: health and metrics (clear 4xx with reasons: tests/enrollment/test_bad_input.py)."""

from __future__ import annotations

import asyncpg
import httpx

from tests.conftest import Stack
from tests.support.polling import eventually


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
