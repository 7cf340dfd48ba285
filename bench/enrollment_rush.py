"""Registration opens: thousands of parents book at once for a city's classes.

Setup (not timed): a city union with a 1+N network, ``--classes`` classes of ``--capacity`` seats
on one day each, 10% of each held for gig workers' children, and one registered child per request.
Then every booking request is sent at once (``--concurrency`` in flight). Confirmed, waitlisted
and overbooked are counted from the enrollment database afterwards, never assumed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
import uuid

import httpx

from bench.harness import percentile, running_system
from bench.load import Load
from testkit.city import SUMMER, City


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--classes", type=int, default=25)
    parser.add_argument("--capacity", type=int, default=40)
    parser.add_argument("--concurrency", type=int, default=64)


async def _in_parallel(coroutines, limit: int) -> list:
    gate = asyncio.Semaphore(limit)

    async def one(coroutine):
        async with gate:
            return await coroutine

    return await asyncio.gather(*(one(c) for c in coroutines))


async def run(args: argparse.Namespace) -> None:
    rng = random.Random(2026)
    async with running_system(["enrollment"]) as (stack, processes):
        limits = httpx.Limits(max_connections=args.concurrency)
        async with httpx.AsyncClient(base_url=processes["enrollment"].url, timeout=120, limits=limits) as http:
            city = City(http)
            wuhan = await city.union("武汉市总工会")
            network = await city.network(wuhan, satellites=7)
            sites = [network.hub_id, *network.satellite_ids]
            gig_seats = max(1, args.capacity // 10)
            classes = [
                await city.klass(
                    network,
                    capacity=args.capacity,
                    days=SUMMER[:1],
                    site_id=sites[i % len(sites)],
                    quotas=[{"priority_group": "gig", "seats": gig_seats, "release_at": "2030-01-01T00:00:00Z"}],
                )
                for i in range(args.classes)
            ]
            parents = [city.parent(wuhan) for _ in range(args.requests)]
            categories = [rng.choice(["gig", "regular", "regular", "regular", "hardship", "migrant"]) for _ in parents]
            children = await _in_parallel(
                [city.child(p, category=c) for p, c in zip(parents, categories, strict=True)], args.concurrency
            )
            print(f"enrollment-rush: set up {len(classes)} classes and {len(children)} children")

            latencies: list[float] = []
            in_flight = asyncio.Semaphore(args.concurrency)
            async with Load(processes["enrollment"].url, args.concurrency) as load:

                async def book(parent, child) -> None:
                    async with in_flight:  # latency of a request in flight, not of the client's own queue
                        status, body, ms = await load.post(
                            "/bookings",
                            {
                                "child_id": child["child_id"],
                                "class_id": str(rng.choice(classes)),
                                "days": [SUMMER[0].isoformat()],
                            },
                            {"Authorization": f"Bearer {parent.token}", "Idempotency-Key": f"k-{uuid.uuid4()}"},
                        )
                        if status != 201:
                            raise AssertionError(f"booking answered {status}: {body}")
                        latencies.append(ms)

                started = time.perf_counter()
                await asyncio.gather(*(book(p, c) for p, c in zip(parents, children, strict=True)))
            seconds = time.perf_counter() - started

        conn = await stack.connect("enrollment")
        try:
            days = await conn.fetchrow(
                """SELECT count(*) FILTER (WHERE state = 'confirmed'), count(*) FILTER (WHERE state = 'waitlisted')
                   FROM booking_days"""
            )
            capacity = await conn.fetchrow(
                """SELECT sum(d.capacity), sum(greatest(0, coalesce(t.confirmed, 0) - d.capacity))
                   FROM class_days d LEFT JOIN (SELECT class_id, day, count(*) AS confirmed FROM booking_days
                                                WHERE state = 'confirmed' GROUP BY class_id, day) t USING (class_id, day)"""
            )
            assert days is not None and capacity is not None  # aggregates return one row
            (confirmed, waitlisted), (seats, overbooked) = days, capacity
        finally:
            await conn.close()
    print(
        f"enrollment-rush: requests={len(latencies)} seats={seats} confirmed={confirmed} waitlisted={waitlisted} "
        f"overbooked={overbooked} req_per_s={len(latencies) / seconds:.0f} p99_ms={percentile(latencies, 99):.0f}"
    )
