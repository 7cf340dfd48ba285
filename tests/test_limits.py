"""Limits against abuse: a flood of commands from one token or one address is slowed with 429 and
Retry-After, the pick-up code cannot be guessed at speed, oversized bodies are refused, and
idempotency keys are forgotten after their retention."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx

from testkit.city import City, token
from tests.conftest import Stack
from tests.support.polling import eventually


def union_body(parent: uuid.UUID, name: str = "街道工会") -> dict:
    return {"name": name, "level": "grassroots", "parent_id": str(parent)}


async def post(
    http: httpx.AsyncClient, path: str, body: dict | bytes, bearer: str, key: str | None = None
) -> httpx.Response:
    headers = {
        "Authorization": f"Bearer {bearer}",
        "Idempotency-Key": key or uuid.uuid4().hex,
        "Content-Type": "application/json",
    }
    if isinstance(body, bytes):
        return await http.post(path, content=body, headers=headers)
    return await http.post(path, json=body, headers=headers)


async def test_a_flood_from_one_token_is_slowed_and_others_go_on(start_service) -> None:
    enrollment = await start_service("enrollment", ENROLLMENT_RATE_PER_TOKEN="3/minute").wait_healthy()
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=10) as http:
        union = await City(http).union("郑州市总工会")
        # The city helper's own commands used the admin token; this staff token starts fresh.
        answers = [await post(http, "/unions", union_body(union.union_id, f"街道{i}"), union.staff) for i in range(4)]
        other_staff = token("union_staff", union_id=union.union_id)
        other = await post(http, "/unions", union_body(union.union_id, "另一个"), other_staff)
    assert [a.status_code for a in answers[:3]] == [201, 201, 201]
    assert answers[3].status_code == 429
    assert int(answers[3].headers["Retry-After"]) >= 1
    assert answers[3].json()["reasons"][0]["field"] == "Authorization"
    assert other.status_code == 201, "another token is not held back by the first one's flood"


async def test_a_flood_from_one_address_is_slowed_whatever_the_tokens(start_service) -> None:
    enrollment = await start_service("enrollment", ENROLLMENT_RATE_PER_ADDRESS="4/minute").wait_healthy()
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=10) as http:
        federation = uuid.uuid4()
        answers = [
            await post(http, "/unions", union_body(federation), token("union_staff", union_id=federation))
            for _ in range(5)
        ]
    assert all(a.status_code != 429 for a in answers[:4]), [a.status_code for a in answers]
    assert answers[4].status_code == 429 and answers[4].json()["reasons"][0]["field"] == "client"


async def test_pick_up_codes_cannot_be_guessed_at_speed(start_service) -> None:
    """With the production limit (10 code checks a minute), the eleventh guess is not even looked at."""
    attendance = await start_service("attendance", ATTENDANCE_RATE_TIGHT="").wait_healthy()
    staff = token("provider_staff", provider_id=uuid.uuid4())
    attempt = uuid.uuid4()
    async with httpx.AsyncClient(base_url=attendance.url, timeout=10) as http:
        answers = [await post(http, f"/pickups/{attempt}/confirmation", {"code": f"{i:06d}"}, staff) for i in range(11)]
    assert all(a.status_code not in (429, 500) for a in answers[:10]), [a.status_code for a in answers]
    assert answers[10].status_code == 429


async def test_an_oversized_body_is_refused_before_it_is_read(start_service) -> None:
    enrollment = await start_service("enrollment").wait_healthy()
    huge = union_body(uuid.uuid4(), "工" * 40_000)
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=10) as http:
        declared = await post(http, "/unions", huge, token("admin"))

        async def chunks():
            for _ in range(20):
                yield b" " * 8192

        streamed = await http.post(
            "/unions",
            content=chunks(),
            headers={
                "Authorization": f"Bearer {token('admin')}",
                "Idempotency-Key": uuid.uuid4().hex,
                "Content-Type": "application/json",
            },
        )
    assert declared.status_code == 413 and declared.json()["reasons"][0]["field"] == "body"
    assert streamed.status_code == 413, "a body without Content-Length is counted as it arrives"


async def test_an_idempotency_key_is_forgotten_after_its_retention(stack: Stack, start_service) -> None:
    enrollment = start_service("enrollment", label="enrollment-first")
    await enrollment.wait_healthy()
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=10) as http:
        union = await City(http).union("洛阳市总工会")
        key = uuid.uuid4().hex
        first = await post(http, "/unions", union_body(union.union_id, "第一次"), union.staff, key)
        reused = await post(http, "/unions", union_body(union.union_id, "别的"), union.staff, key)
    assert first.status_code == 201 and reused.status_code == 422, "within retention the key is bound to its body"
    enrollment.stop()

    conn = await stack.connect("enrollment")
    try:
        await conn.execute(
            "UPDATE idempotency_keys SET created_at = $2 WHERE key = $1",
            key,
            dt.datetime.now(dt.UTC) - dt.timedelta(hours=73),
        )

        async def forgotten() -> bool:
            return await conn.fetchval("SELECT count(*) FROM idempotency_keys WHERE key = $1", key) == 0

        later = await start_service("enrollment", label="enrollment-later").wait_healthy()
        await eventually(forgotten, timeout=30)
    finally:
        await conn.close()
    async with httpx.AsyncClient(base_url=later.url, timeout=10) as http:
        again = await post(http, "/unions", union_body(union.union_id, "别的"), union.staff, key)
    assert again.status_code == 201, "a forgotten key runs the command anew"
