"""HTTP behaviour every service shares: clear 4xx with reasons, health and metrics."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

from testkit.city import City
from tests.conftest import Stack
from tests.support.polling import eventually


async def test_malformed_requests_get_4xx_with_field_reasons(stack: Stack, start_service) -> None:
    enrollment = await start_service("enrollment").wait_healthy()
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=10) as http:
        city = City(http)
        union = await city.union("郑州市总工会")
        network = await city.network(union)
        bad_class = {
            "programme_id": str(network.programme_id),
            "site_id": "not-a-uuid",
            "name": "",
            "class_type": "teenagers",
            "capacity_per_day": 0,
            "days": [],
            "booking_mode": "day",
            "fee_per_day_fen": 1.5,
            "registration_opens_at": "2026-06-01T08:00:00",
        }
        invalid = await city.post("/classes", bad_class, union.staff, expect=None)
        not_json = await http.post(
            "/classes",
            content=b"{oops",
            headers={
                "Authorization": f"Bearer {union.staff}",
                "Idempotency-Key": f"bad-{uuid.uuid4()}",
                "Content-Type": "application/json",
            },
        )
        no_key = await http.post(
            "/unions",
            json={"name": "x", "level": "district", "parent_id": str(union.union_id)},
            headers={"Authorization": f"Bearer {union.staff}"},
        )
        no_token = await http.get(f"/unions/{union.union_id}/figures")
        forged = await http.get(f"/unions/{union.union_id}/figures", headers={"Authorization": "Bearer forged.token.x"})
        missing = await city.get(f"/classes/{uuid.uuid4()}", union.staff)
        not_a_uuid = await city.get("/classes/42", union.staff)

    assert invalid.status_code == 422
    fields = {r["field"] for r in invalid.json()["reasons"]}
    assert {
        "site_id",
        "name",
        "class_type",
        "capacity_per_day",
        "days",
        "fee_per_day_fen",
        "registration_opens_at",
    } <= fields
    assert not_json.status_code == 422
    assert no_key.status_code == 422 and no_key.json()["reasons"][0]["field"] == "header.Idempotency-Key"
    assert no_token.status_code == 401 and forged.status_code == 401
    assert missing.status_code == 404 and missing.json()["reasons"][0]["field"] == "class_id"
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


async def test_a_value_postgres_cannot_store_is_a_422_not_a_500(stack: Stack, start_service) -> None:
    """Found by the fuzzer: a NUL character inside a string."""
    enrollment = await start_service("enrollment").wait_healthy()
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=10) as http:
        city = City(http)
        union = await city.union("郑州市总工会")
        parent = city.parent(union)
        answer = await city.post(
            "/children",
            {
                "display_name": "小\u0000明",
                "birth_date": "2018-03-14",
                "guardians": [
                    {
                        "display_name": "王芳",
                        "employment_category": "regular",
                        "channels": [{"kind": "inapp", "address": "app"}],
                    }
                ],
            },
            parent.token,
            expect=None,
        )
    assert answer.status_code == 422
    assert "cannot be stored" in answer.json()["reasons"][0]["reason"]
