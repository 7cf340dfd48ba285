"""End to end through all four services: bookings over HTTP until every guardian is notified.

Each child has two guardians, so the run is done when 2 x N "enrolled" notifications exist.
e2e times run from sending the booking request to the notification's commit in notify's
database; registering the children beforehand is not timed. Lost and duplicated are counted from the databases of attendance, subsidy and notify.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, datetime

import httpx

from bench.harness import percentile, running_system
from testkit.city import SUMMER, City

GUARDIANS = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--enrollments", type=int, default=2000, help="children booked")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--timeout", type=float, default=300.0, help="give up waiting after this many seconds")


async def _book_all(city: City, count: int, concurrency: int) -> tuple[dict[str, datetime], float]:
    """Register ``count`` children (not timed) and book each; return when each booking was sent."""
    union = await city.union("武钢工会")
    class_id = await city.klass(await city.network(union), capacity=count, days=SUMMER[:5])
    gate = asyncio.Semaphore(concurrency)
    families = []

    async def register() -> None:
        async with gate:
            parent = city.parent(union)
            families.append((parent, (await city.child(parent, guardians=GUARDIANS))["child_id"]))

    await asyncio.gather(*(register() for _ in range(count)))
    sent_at: dict[str, datetime] = {}

    async def book(parent, child_id: str) -> None:
        async with gate:
            sent_at[child_id] = datetime.now(UTC)
            await city.book(parent, child_id, class_id, days=SUMMER[:5])

    started = time.perf_counter()
    await asyncio.gather(*(book(p, c) for p, c in families))
    return sent_at, time.perf_counter() - started


async def run(args: argparse.Namespace) -> None:
    services = ["enrollment", "attendance", "subsidy", "notify"]
    async with running_system(services) as (stack, processes):
        limits = httpx.Limits(max_connections=args.concurrency)
        async with httpx.AsyncClient(base_url=processes["enrollment"].url, timeout=60, limits=limits) as http:
            sent_at, http_seconds = await _book_all(City(http), args.enrollments, args.concurrency)
        started = time.perf_counter() - http_seconds
        children = [uuid.UUID(c) for c in sent_at]

        notify = await stack.connect("notify")
        try:
            deadline = time.monotonic() + args.timeout
            expected = GUARDIANS * len(children)
            while (
                found := await notify.fetchval(
                    """SELECT count(*) FROM notifications WHERE source_type = 'child.enrolled'
                       AND child_id = ANY($1::uuid[])""",
                    children,
                )
            ) < expected:
                if time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.25)
            all_seconds = time.perf_counter() - started
            rows = await notify.fetch(
                """SELECT child_id, guardian_id, count(*) AS copies, min(created_at) AS at
                   FROM notifications WHERE source_type = 'child.enrolled' AND child_id = ANY($1::uuid[])
                   GROUP BY child_id, guardian_id""",
                children,
            )
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
