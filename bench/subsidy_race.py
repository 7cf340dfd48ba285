"""Approvals race for funds that cover only part of them.

Setup (not timed): one union with ``--funds`` funds, each paying full fees for gig workers'
children in its own model class, each budget covering ``--coverage`` of that class's
applications; ``--requests`` bookings arrive as enrollment events and wait for staff review.
Then every approval is sent at once (``--concurrency`` in flight). Overspending is computed from
the database afterwards: per fund, the ledger's reserved and spent lines against the budget.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid

import httpx

from bench.harness import percentile, running_system
from bench.load import Load
from testkit.city import token
from testkit.kafka import publish_envelopes, wait_caught_up
from testkit.scenarios import SUMMER_DAYS, child_enrolled, envelope

FEE_PER_DAY = 5000
DAYS = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--funds", type=int, default=4)
    parser.add_argument("--coverage", type=float, default=0.6, help="share of the applications the funds can pay")
    parser.add_argument("--concurrency", type=int, default=64)


async def run(args: argparse.Namespace) -> None:
    union_id = uuid.uuid4()
    staff = token("union_staff", union_id=union_id)
    async with running_system(["subsidy"]) as (stack, processes):
        limits = httpx.Limits(max_connections=args.concurrency)
        async with httpx.AsyncClient(
            base_url=processes["subsidy"].url, timeout=120, limits=limits, headers={"Authorization": f"Bearer {staff}"}
        ) as http:

            async def post(path: str, body: dict) -> httpx.Response:
                return await http.post(path, json=body, headers={"Idempotency-Key": f"k-{uuid.uuid4()}"})

            per_class = args.requests // args.funds
            budget = int(per_class * args.coverage) * FEE_PER_DAY * DAYS
            classes = [uuid.uuid4() for _ in range(args.funds)]
            for class_id in classes:
                fund = (await post("/funds", {"name": "示范班专项", "budget_fen": budget})).json()["fund_id"]
                (
                    await post(
                        "/policies",
                        {
                            "fund_id": fund,
                            "kind": "priority_full",
                            "groups": ["gig"],
                            "class_ids": [str(class_id)],
                            "auto_approve_up_to_fen": 0,
                        },
                    )
                ).raise_for_status()
            bookings = [
                child_enrolled(
                    child_id=uuid.uuid4(),
                    class_id=classes[i % args.funds],
                    days=list(SUMMER_DAYS[:DAYS]),
                    union_path=(union_id,),
                    fee_per_day_fen=FEE_PER_DAY,
                    priority_group="gig",
                )
                for i in range(per_class * args.funds)
            ]
            topic = stack.topic("enrollment.events")
            await publish_envelopes(stack.kafka, topic, [envelope(b) for b in bookings])
            await wait_caught_up(stack.kafka, stack.group("subsidy"), topic, timeout=600)
            conn = await stack.connect("subsidy")
            try:
                pending = [
                    r["application_id"]
                    for r in await conn.fetch("SELECT application_id FROM applications WHERE status = 'pending_review'")
                ]
            finally:
                await conn.close()
            print(f"subsidy-race: set up {args.funds} funds of {budget} fen and {len(pending)} applications")

            latencies: list[float] = []
            statuses: list[str] = []
            gate = asyncio.Semaphore(args.concurrency)

            async with Load(
                processes["subsidy"].url, args.concurrency, headers={"Authorization": f"Bearer {staff}"}
            ) as load:

                async def approve(application_id: uuid.UUID) -> None:
                    async with gate:
                        status, body, ms = await load.post(
                            f"/applications/{application_id}/decision",
                            {"approve": True},
                            {"Idempotency-Key": f"k-{uuid.uuid4()}"},
                        )
                        latencies.append(ms)
                        statuses.append((body or {}).get("status", f"http {status}"))

                started = time.perf_counter()
                await asyncio.gather(*(approve(a) for a in pending))
            seconds = time.perf_counter() - started

        conn = await stack.connect("subsidy")
        try:
            overspent = await conn.fetchval(
                """SELECT coalesce(sum(greatest(0, used - budget_fen)), 0) FROM (
                       SELECT f.fund_id, f.budget_fen, coalesce(sum(l.amount_fen) FILTER (
                           WHERE l.state IN ('reserved', 'spent')), 0) AS used
                       FROM funds f LEFT JOIN application_lines l USING (fund_id) GROUP BY f.fund_id) per_fund"""
            )
        finally:
            await conn.close()
    approved, rejected = statuses.count("approved"), statuses.count("rejected")
    print(f"subsidy-race: p99_ms={percentile(latencies, 99):.0f} other_answers={len(statuses) - approved - rejected}")
    print(
        f"subsidy-race: requests={len(statuses)} approved={approved} rejected={rejected} overspent_fen={overspent} "
        f"approvals_per_s={len(statuses) / seconds:.0f}"
    )
