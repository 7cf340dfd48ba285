"""End to end through all four services: enrollments over HTTP until every guardian is notified.

Each enrollment has two guardians, so the run is done when 2 x N in-app notifications exist.
e2e times run from sending the enrollment request to the notification's commit in notify's
database. Lost and duplicated are counted from the databases of attendance, subsidy and notify.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, datetime

import httpx

from bench.harness import percentile, running_system
from tests.support.scenarios import enrollment_request

GUARDIANS = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--enrollments", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=300.0, help="give up waiting after this many seconds")


async def _enrol_all(url: str, count: int, concurrency: int) -> dict[str, datetime]:
    sent_at: dict[str, datetime] = {}
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def worker(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            queue.get_nowait()
            started = datetime.now(UTC)
            response = await http.post("/enrollments", json=enrollment_request(guardians=GUARDIANS, days=5),
                                       headers={"Idempotency-Key": f"bench-{uuid.uuid4()}"})
            response.raise_for_status()
            sent_at[response.json()["child_id"]] = started

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as http:
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
    return sent_at


async def run(args: argparse.Namespace) -> None:
    services = ["enrollment", "attendance", "subsidy", "notify"]
    async with running_system(services) as (stack, processes):
        started = time.perf_counter()
        sent_at = await _enrol_all(processes["enrollment"].url, args.enrollments, args.concurrency)
        http_seconds = time.perf_counter() - started
        children = [uuid.UUID(c) for c in sent_at]

        notify = await stack.connect("notify")
        try:
            deadline = time.monotonic() + args.timeout
            expected = GUARDIANS * len(children)
            while (found := await notify.fetchval(
                    "SELECT count(*) FROM notifications WHERE child_id = ANY($1::uuid[])", children)) < expected:
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.25)
            all_seconds = time.perf_counter() - started
            rows = await notify.fetch(
                """SELECT child_id, guardian_id, count(*) AS copies, min(created_at) AS at
                   FROM notifications WHERE child_id = ANY($1::uuid[]) GROUP BY child_id, guardian_id""", children)
        finally:
            await notify.close()

        e2e_ms = [(r["at"] - sent_at[str(r["child_id"])]).total_seconds() * 1000 for r in rows]
        duplicated = sum(r["copies"] - 1 for r in rows)
        lost = expected - len(rows)
        lost += await _missing(stack, "attendance", "SELECT count(DISTINCT child_id) FROM roster_entries", children)
        lost += await _missing(stack, "subsidy", "SELECT count(DISTINCT child_id) FROM applications", children)
        print(f"pipeline: took {all_seconds:.1f}s, HTTP part {http_seconds:.1f}s, notifications {found}/{expected}")
        print(
            f"pipeline: enrollments={len(children)} notified={len(rows)} "
            f"req_per_s={len(children) / http_seconds:.0f} events_per_s={len(children) / all_seconds:.0f} "
            f"e2e_p50_ms={percentile(e2e_ms, 50):.0f} e2e_p99_ms={percentile(e2e_ms, 99):.0f} "
            f"lost={lost} duplicated={duplicated}"
        )


async def _missing(stack, service: str, query: str, children: list[uuid.UUID]) -> int:
    conn = await stack.connect(service)
    try:
        return len(children) - await conn.fetchval(query + " WHERE child_id = ANY($1::uuid[])", children)
    finally:
        await conn.close()
