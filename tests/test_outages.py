"""What parents and staff see while the database or the broker is down, each on a server of the
test's own (tests/support/dedicated.py), so the shared infrastructure keeps running."""

from __future__ import annotations

import asyncio
import dataclasses
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import orjson
import pytest

from deploy.endpoints import Endpoints, local_kafka_access
from shared.kafka_tools import read_all
from testkit.city import City, Parent, registration
from testkit.processes import ServiceProcess
from testkit.stack import Stack, provisioned
from tests.conftest import _fast_retries
from tests.support.dedicated import DedicatedServer, dedicated_kafka, dedicated_postgres
from tests.support.polling import eventually


@pytest.fixture
async def on_own_postgres(infra: Endpoints) -> AsyncIterator[tuple[DedicatedServer, Stack]]:
    with dedicated_postgres() as (server, admin_url):
        async with provisioned(dataclasses.replace(infra, pg_admin=admin_url)) as stack:
            yield server, stack


@pytest.fixture
async def on_own_kafka(infra: Endpoints, monkeypatch) -> AsyncIterator[tuple[DedicatedServer, Stack]]:
    with dedicated_kafka() as server:
        monkeypatch.setenv("KAFKA_LOCAL_STATE", server.env["KAFKA_LOCAL_STATE"])
        kafka, tls = local_kafka_access()
        async with provisioned(dataclasses.replace(infra, kafka=kafka, kafka_tls=tls)) as stack:
            yield server, stack


@pytest.fixture
async def enrollment_on(log_dir: Path) -> AsyncIterator:
    started: list[ServiceProcess] = []

    async def start(stack: Stack, label: str, service: str = "enrollment") -> ServiceProcess:
        process = ServiceProcess(service, stack.service_env(**_fast_retries()), log_dir, label).start()
        started.append(process)
        return await process.wait_healthy()

    yield start
    for process in started:
        process.stop()


async def _register(http: httpx.AsyncClient, parent: Parent) -> httpx.Response:
    return await http.post(
        "/children",
        json=registration(),
        headers={"Authorization": f"Bearer {parent.token}", "Idempotency-Key": f"k-{uuid.uuid4()}"},
    )


def _answer(response: httpx.Response) -> str:
    """A response as a client judges it: success, or a 503 it can act on, or anything else."""
    if response.status_code in (200, 201):
        return "success"
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    if response.status_code == 503 and response.headers.get("Retry-After") and body.get("error") and "reasons" in body:
        return "503 retry-after"
    return f"{response.status_code} {response.text[:200]}"


async def test_a_database_restart_answers_parents_503_with_retry_after_then_success(
    on_own_postgres, enrollment_on
) -> None:
    postgres, stack = on_own_postgres
    enrollment = await enrollment_on(stack, "enrollment-pg-outage")
    seen: Counter[str] = Counter()
    health: list[tuple[str, str, int]] = []
    phase = "before"
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=30) as http:
        city = City(http)
        union = await city.union("郑州市总工会")
        child = await city.child(city.parent(union))
        reader = city.parent(union)  # not the child's guardian: the read is refused (403), but reaches the database
        slowest = 0.0

        async def parents_keep_registering() -> None:
            nonlocal slowest
            while not stop.is_set():
                began = time.monotonic()
                try:
                    for response in (
                        await _register(http, city.parent(union)),
                        await city.get(f"/children/{child['child_id']}", reader.token),
                    ):
                        seen[_answer(response) if response.status_code != 403 else "success"] += 1
                except httpx.TransportError as dropped:
                    seen[f"dropped connection: {dropped!r}"] += 1
                slowest = max(slowest, time.monotonic() - began)

        async def probes_keep_asking() -> None:
            while not stop.is_set():
                for path in ("/health/live", "/health/ready"):
                    health.append((phase, path, (await http.get(path)).status_code))
                await asyncio.sleep(0.2)

        tasks = [asyncio.create_task(parents_keep_registering()) for _ in range(4)]
        tasks.append(asyncio.create_task(probes_keep_asking()))
        await asyncio.sleep(2)
        phase = "during"
        await asyncio.to_thread(postgres.stop)
        down_at = time.monotonic()
        await asyncio.sleep(4)
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 60)
        await asyncio.to_thread(postgres.start)
        outage_s = time.monotonic() - down_at
        phase = "after"
        first_command = await _register(http, city.parent(union))
        first_read = await city.get(f"/children/{child['child_id']}", reader.token)
        ready_after = await http.get("/health/ready")
        live_after = await http.get("/health/live")

    print(
        f"\nPostgreSQL down {outage_s:.1f} s under 4 parents registering and reading: {dict(seen)}; "
        f"slowest answer {slowest:.1f} s; first command after restart {first_command.status_code}, "
        f"first read {first_read.status_code}"
    )
    assert set(seen) <= {"success", "503 retry-after"}, seen
    assert seen["503 retry-after"] > 0 and seen["success"] > 0
    assert first_command.status_code == 201, first_command.text
    assert first_read.status_code == 403, first_read.text
    assert {status for _, path, status in health if path == "/health/live"} | {live_after.status_code} == {200}
    assert 503 in {status for ph, path, status in health if ph == "during" and path == "/health/ready"}
    assert ready_after.status_code == 200 and ready_after.json()["database"] == "ok"


STORM = ("Unable connect to", "Unable to update metadata")


async def test_a_broker_outage_keeps_commands_answering_and_every_event_is_delivered_after(
    on_own_kafka, enrollment_on
) -> None:
    kafka, stack = on_own_kafka
    enrollment = await enrollment_on(stack, "enrollment-kafka-outage")
    await enrollment_on(stack, "attendance-kafka-outage", "attendance")  # consumes enrollment's events
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=60) as http:
        city = City(http)
        union = await city.union("郑州市总工会")
        await asyncio.to_thread(kafka.stop)
        down_at = time.monotonic()
        log_offset = enrollment.log_path.stat().st_size
        answers, slowest, ready = [], 0.0, []
        while time.monotonic() - down_at < 10:
            began = time.monotonic()
            answers.append(await _register(http, city.parent(union)))
            slowest = max(slowest, time.monotonic() - began)
            ready.append(await http.get("/health/ready"))
            await asyncio.sleep(0.5)
        await asyncio.to_thread(kafka.start)
        back_at = time.monotonic()
        outage_s = back_at - down_at

        async def outbox_drained() -> bool:
            return (await http.get("/health/ready")).json()["outbox_pending"] == 0

        await eventually(outbox_drained, timeout=120, interval=0.1)
        drained_s = time.monotonic() - back_at
    children = {a.json()["child_id"] for a in answers if a.status_code == 201}
    attendance = await stack.connect("attendance")
    try:

        async def rostered() -> bool:
            known = await attendance.fetch("SELECT child_id::text FROM roster_children")
            return children <= {r["child_id"] for r in known}

        await eventually(rostered, timeout=120, interval=0.1)
    finally:
        await attendance.close()
    consumed_s = time.monotonic() - back_at
    delivered = {
        orjson.loads(r.value)["data"]["child_id"]
        for r in await read_all(stack.kafka, stack.topic("enrollment.events"))
        if orjson.loads(r.value)["type"] == "child.registered"
    }
    storm = [
        line
        for line in enrollment.log_path.read_bytes()[log_offset:].decode(errors="replace").splitlines()
        if any(s in line for s in STORM)
    ]

    print(
        f"\nKafka down {outage_s:.1f} s: {len(answers)} registrations answered "
        f"{dict(Counter(a.status_code for a in answers))}, slowest {slowest:.2f} s; readiness "
        f"{dict(Counter(r.status_code for r in ready))}, kafka {dict(Counter(r.json()['kafka'] for r in ready))}; "
        f"outbox drained {drained_s:.1f} s and attendance had consumed every registration {consumed_s:.1f} s "
        f"after the broker was back; {len(storm)} connection-error log lines"
    )
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers if a.status_code != 201]
    assert all(r.status_code == 200 for r in ready) and "degraded" in {r.json()["kafka"] for r in ready}
    assert children <= delivered, children - delivered
    assert len(storm) <= 40, storm[:5]
