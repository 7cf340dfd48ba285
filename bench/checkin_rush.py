"""Morning at the door: thousands of booked children checked in at once, until every guardian knows.

Setup (not timed): ``--checkins`` children with two guardians each, booked today at ``--sites``
sites, arrive in attendance and notify as enrollment's events. Then every child is checked in
through attendance's HTTP API (``--concurrency`` in flight). The run ends when each guardian has
the in-app "checked in" notification. e2e runs from sending the check-in to the notification's
commit in notify's database; lost and duplicated are counted there.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import UTC, datetime

from bench.harness import percentile, running_system
from bench.load import Load
from services.attendance.domain.hours import local_today
from testkit.city import token
from testkit.kafka import publish_envelopes, wait_caught_up
from testkit.scenarios import child_enrolled, child_registered, envelope

GUARDIANS = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkins", type=int, default=5000)
    parser.add_argument("--sites", type=int, default=8)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--workers", type=int, default=1, help="attendance worker processes")


async def run(args: argparse.Namespace) -> None:
    await check_in_all(args, label="checkin-rush")


async def check_in_all(args: argparse.Namespace, *, label: str) -> None:
    """Book ``args.checkins`` children today over ``args.sites`` classes, check them all in, wait for
    every guardian's message, and print the figures as ``label``."""
    today = local_today(datetime.now(UTC))
    sites = [(uuid.uuid4(), uuid.uuid4(), uuid.uuid4()) for _ in range(args.sites)]  # site, class, provider
    # Timers tick only at start-up: absences must not be marked while the children are arriving.
    env = {"ATTENDANCE_TIMER_INTERVAL_S": "3600", "ATTENDANCE_WORKERS": str(args.workers)}
    async with running_system(["attendance", "notify"], **env) as (stack, processes):
        children, envelopes = [], []
        for i in range(args.checkins):
            site_id, class_id, provider_id = sites[i % len(sites)]
            registered = child_registered(guardians=GUARDIANS)
            envelopes += [
                envelope(registered),
                envelope(
                    child_enrolled(
                        child_id=registered.child_id,
                        class_id=class_id,
                        days=[today],
                        site_id=site_id,
                        provider_id=provider_id,
                    )
                ),
            ]
            children.append((registered.child_id, site_id, provider_id))
        topic = stack.topic("enrollment.events")
        await publish_envelopes(stack.kafka, topic, envelopes)
        for service in ("attendance", "notify"):
            await wait_caught_up(stack.kafka, stack.group(service), topic, timeout=args.timeout)
        print(f"{label}: set up {len(children)} children booked today at {len(sites)} sites", flush=True)

        sent_at: dict[uuid.UUID, datetime] = {}
        latencies: list[float] = []
        gate = asyncio.Semaphore(args.concurrency)
        tokens = {provider: token("provider_staff", provider_id=provider) for _, _, provider in sites}
        async with Load(processes["attendance"].url, args.concurrency) as http:

            async def check_in(child_id: uuid.UUID, site_id: uuid.UUID, provider_id: uuid.UUID) -> None:
                async with gate:
                    sent_at[child_id] = datetime.now(UTC)
                    status, body, ms = await http.post(
                        "/checkins",
                        {"child_id": str(child_id), "site_id": str(site_id), "temperature_c": 36.5},
                        {"Authorization": f"Bearer {tokens[provider_id]}", "Idempotency-Key": f"checkin-{child_id}"},
                    )
                    if status != 201:
                        raise AssertionError(f"check-in answered {status}: {body}")
                    latencies.append(ms)

            started = time.perf_counter()
            await asyncio.gather(*(check_in(*c) for c in children))
            http_seconds = time.perf_counter() - started

        ids = [c for c, _, _ in children]
        expected = GUARDIANS * len(ids)
        conn = await stack.connect("notify")
        try:
            deadline = time.monotonic() + args.timeout
            query = (
                "SELECT count(*) FROM notifications WHERE source_type = 'child.checked_in' "
                "AND channel = 'inapp' AND child_id = ANY($1::uuid[])"
            )
            while await conn.fetchval(query, ids) < expected and time.monotonic() < deadline:
                await asyncio.sleep(0.25)
            all_told = time.perf_counter() - started
            rows = await conn.fetch(
                """SELECT child_id, guardian_id, count(*) AS copies, min(created_at) AS at FROM notifications
                   WHERE source_type = 'child.checked_in' AND channel = 'inapp' AND child_id = ANY($1::uuid[])
                   GROUP BY child_id, guardian_id""",
                ids,
            )
        finally:
            await conn.close()
    e2e = [(r["at"] - sent_at[r["child_id"]]).total_seconds() * 1000 for r in rows]
    print(f"{label}: http_p99_ms={percentile(latencies, 99):.0f} http_seconds={http_seconds:.1f}")
    if label == "morning":
        print(
            f"morning: checkins={len(latencies)} notified={len(rows)} seconds={all_told:.1f} "
            f"checkins_per_s={len(latencies) / http_seconds:.0f} e2e_p99_ms={percentile(e2e, 99):.0f} "
            f"lost={expected - len(rows)} duplicated={sum(r['copies'] - 1 for r in rows)}"
        )
        return
    print(
        f"checkin-rush: checkins={len(latencies)} notified={len(rows)} "
        f"checkins_per_s={len(latencies) / http_seconds:.0f} e2e_p50_ms={percentile(e2e, 50):.0f} "
        f"e2e_p99_ms={percentile(e2e, 99):.0f} lost={expected - len(rows)} "
        f"duplicated={sum(r['copies'] - 1 for r in rows)}"
    )
