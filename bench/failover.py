"""Broker loss under load: bookings and check-ins while a 3-broker cluster loses a broker, then its controller.

A local cluster of its own (deploy/kafka/kafka-local.sh with KAFKA_BROKERS=3, topics replicated 3
with min.insync.replicas 2) and enrollment and attendance as processes. ``--concurrency`` workers
each register a child, book it today at enrollment and check it in at attendance as soon as
attendance has the booking from Kafka (testkit/failover.py). Meanwhile: one broker that is not the
active controller is killed with SIGKILL and restarted after ``--down-s``; once every replica is
back in sync, the active controller's node is killed the same way and restarted. The load goes on
``--settle-s`` more and stops (or after ``--max-flows``). lost and duplicated are counted per
confirmed booking in attendance's roster and check-ins and in the committed events on the topics;
max_stall_s is the longest time no flow completed.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging

from bench.harness import LOG_DIR, percentile
from deploy.endpoints import endpoints
from testkit.cluster import local_cluster
from testkit.failover import MAX_FLOWS, Load, kill_and_restart, tally, under_load
from testkit.processes import ServiceProcess
from testkit.stack import provisioned


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--brokers", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=8, help="flows in flight")
    parser.add_argument(
        "--max-flows", type=int, default=MAX_FLOWS, help=f"stop the load after this many (<= {MAX_FLOWS})"
    )
    parser.add_argument("--warmup-s", type=float, default=10.0, help="load after the first flow, before the first kill")
    parser.add_argument("--down-s", type=float, default=15.0, help="how long a killed broker stays down")
    parser.add_argument("--settle-s", type=float, default=10.0, help="load after the last restart")


async def run(args: argparse.Namespace) -> None:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = logging.getLogger("bench")
    with endpoints() as found, local_cluster(args.brokers) as cluster:
        kafka, tls = cluster.access()
        print(f"failover: {args.brokers} brokers up at {kafka.bootstrap}", flush=True)
        async with provisioned(dataclasses.replace(found, kafka=kafka, kafka_tls=tls), prefix="b") as stack:
            env = stack.service_env(ATTENDANCE_TIMER_INTERVAL_S="3600")  # no absences marked mid-run
            processes = [ServiceProcess(s, env, LOG_DIR, f"failover-{s}").start() for s in ("enrollment", "attendance")]
            try:
                await asyncio.gather(*(p.wait_healthy() for p in processes))
                load = Load(processes[0].url, processes[1].url, args.concurrency, min(args.max_flows, MAX_FLOWS))

                async def script() -> list:
                    await load.first_flow()
                    await asyncio.sleep(args.warmup_s)
                    first = await kill_and_restart(cluster, kafka, "broker", args.down_s, log=_say)
                    await asyncio.sleep(args.settle_s)
                    return [first, await kill_and_restart(cluster, kafka, "controller", args.down_s, log=_say)]

                kills = await under_load(load, script(), args.settle_s)
                counted = await tally(stack, load)
            finally:
                for process in processes:
                    process.stop()
    latencies = [(load.completed[c] - at) * 1000 for c, at in load.booked.items() if c in load.completed]
    log.info("failures during the load: %s", dict(load.failures))
    print(
        f"failover: {len(load.completed)} of {counted.flows} booked children checked in in "
        f"{load.stopped_at - load.started_at:.0f}s; booking-to-check-in p50_ms={percentile(latencies, 50):.0f} "
        f"p99_ms={percentile(latencies, 99):.0f}; kills {[(k.node, k.role) for k in kills]}; "
        f"failed requests {dict(load.failures)}; events published twice by a relay (same id, skipped by "
        f"the consumers) {counted.redelivered}"
    )
    print(
        f"failover: brokers={args.brokers} killed={len(kills)} flows={counted.flows} lost={counted.lost} "
        f"duplicated={counted.duplicated} max_stall_s={load.max_stall_s():.1f}",
        flush=True,
    )


def _say(line: str) -> None:
    print(line, flush=True)
