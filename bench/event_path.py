"""The event path against the bare stack: the same events through a plain aiokafka+asyncpg pipeline
and through the real attendance and notify services, in one run, and the ratio of the two.

Each child's ``child.registered`` (two guardians) and ``child.enrolled`` (two days) go to
enrollment's stream (its partitions, keyed by child). Two consuming stages take every event:

- **bare** (bench/bare_stage.py, one process per stage): ``getmany``, one transaction per partition
  batch (bulk processed-events insert, the state rows, the outbox rows), offsets committed after the commits,
  an outbox relay;
- **tuoguan**: ``python -m services.attendance`` and ``python -m services.notify``, through
  shared/consumer.py.

Both start idle and joined; then the events are published as fast as the producer goes. An event
is done when both stages' groups have committed past it (polled every 25 ms); e2e runs from its
send to then. Events per second count from the first send to the last event done. Lost and
duplicated are counted from each stage's database: roster rows per booked day, one in-app
notification per guardian, a processed-events row per event.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from bench.harness import LOG_DIR, percentile
from deploy.endpoints import ROOT, Endpoints, endpoints
from shared.kafka_auth import KafkaAccess
from testkit.kafka import group_state
from testkit.processes import ServiceProcess
from testkit.scenarios import child_enrolled, child_registered, envelope
from testkit.stack import Stack, provisioned

STAGES = ("attendance", "notify")
GUARDIANS = 2
DAYS = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", type=int, default=20_000, help="events published (two per child)")
    parser.add_argument("--timeout", type=float, default=600.0)
    parser.add_argument("--only", choices=("bare", "tuoguan"), help="measure one side only")


@dataclass
class Result:
    events: int
    eps: float
    e2e_ms: list[float]
    lost: int
    duplicated: int


class CommitWatch:
    """Polls the groups' committed offsets and remembers when each offset was first passed."""

    def __init__(self, kafka: KafkaAccess, groups: list[str], partitions: list[TopicPartition]) -> None:
        self.admin = AIOKafkaAdminClient(**kafka.aiokafka())
        self.groups = groups
        self.partitions = partitions
        self.passed: dict[tuple[str, int], list[tuple[int, float]]] = {}  # (group, partition) -> [(offset, t)]

    async def watch(self, ends: dict[int, int], timeout: float, alive: Callable[[], bool]) -> None:
        await self.admin.start()
        try:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if not alive():
                    raise RuntimeError("a consumer process exited; see .state/bench-logs/")
                now = time.time()
                done = True
                for group in self.groups:
                    committed = await self.admin.list_consumer_group_offsets(group, partitions=self.partitions)
                    for tp in self.partitions:
                        offset = committed[tp].offset if committed.get(tp) and committed[tp].offset >= 0 else 0
                        seen = self.passed.setdefault((group, tp.partition), [])
                        if not seen or seen[-1][0] < offset:
                            seen.append((offset, now))
                        done &= offset >= ends.get(tp.partition, 0)
                if done and ends:
                    return
                await asyncio.sleep(0.025)
            raise TimeoutError("the consumers did not catch up")
        finally:
            await self.admin.close()

    def done_at(self, group: str, partition: int, offset: int) -> float:
        return next(t for committed, t in self.passed[(group, partition)] if committed > offset)


async def _wait_joined(kafka: KafkaAccess, groups: list[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    for group in groups:
        while (await group_state(kafka, group)) != ("Stable", 1):
            if time.monotonic() > deadline:
                raise TimeoutError(f"group {group} did not settle")
            await asyncio.sleep(0.2)


async def _publish_and_watch(stack: Stack, groups: list[str], count: int, timeout: float, alive: Callable[[], bool]):
    envelopes = []
    for _ in range(count // 2):
        registered = child_registered(guardians=GUARDIANS)
        envelopes += [envelope(registered), envelope(child_enrolled(child_id=registered.child_id))]
    topic = stack.topic("enrollment.events")
    producer = AIOKafkaProducer(**stack.kafka.aiokafka(), enable_idempotence=True, acks="all", linger_ms=5)
    await producer.start()
    partitions = [TopicPartition(topic, p) for p in sorted(producer.client.cluster.partitions_for_topic(topic) or ())]
    if not partitions:
        await producer.client.force_metadata_update()
        partitions = [TopicPartition(topic, p) for p in sorted(producer.client.cluster.partitions_for_topic(topic))]
    watch = CommitWatch(stack.kafka, groups, partitions)
    ends: dict[int, int] = {}
    watcher = asyncio.create_task(watch.watch(ends, timeout, alive))
    try:
        sent_at, futures = [], []
        first_send = time.time()
        for e in envelopes:
            futures.append(await producer.send(topic, e.to_bytes(), key=e.key.encode(), headers=e.headers()))
            sent_at.append(time.time())
        metadata = await asyncio.gather(*futures)
        if watcher.done():  # it failed while we published
            await watcher
        for m in metadata:
            ends[m.partition] = max(ends.get(m.partition, 0), m.offset + 1)
        await watcher
    finally:
        watcher.cancel()
        await producer.stop()
    finished = [max(watch.done_at(g, m.partition, m.offset) for g in groups) for m in metadata]
    e2e = [(f - s) * 1000 for f, s in zip(finished, sent_at, strict=True)]
    return envelopes, len(envelopes) / (max(finished) - first_send), e2e


async def _count(stack: Stack, stage: str, bare: bool, ids: list) -> tuple[int, int]:
    """(missing, duplicated) effects of ``stage`` for the children ``ids``."""
    conn = await stack.connect(stage)
    try:
        if stage == "attendance":
            table = "bare_roster" if bare else "roster_entries"
            row = await conn.fetchrow(
                f"SELECT count(*) AS n, count(DISTINCT (booking_id, day)) AS d FROM {table} WHERE child_id = ANY($1::uuid[])",
                ids,
            )
            expected = len(ids) * DAYS
        else:
            table = "bare_notifications" if bare else "notifications"
            where = "" if bare else "AND source_type = 'child.enrolled' AND channel = 'inapp'"
            row = await conn.fetchrow(
                f"""SELECT count(*) AS n, count(DISTINCT (source_event_id, guardian_id)) AS d FROM {table}
                    WHERE child_id = ANY($1::uuid[]) {where}""",
                ids,
            )
            expected = len(ids) * GUARDIANS
        processed = await conn.fetchval("SELECT count(DISTINCT event_id) FROM processed_events")
    finally:
        await conn.close()
    assert row is not None  # an aggregate returns one row
    return max(0, expected - row["d"]) + max(0, len(ids) * 2 - processed), row["n"] - row["d"]


async def _measure(found: Endpoints, side: str, args: argparse.Namespace) -> Result:
    async with provisioned(found, prefix="b") as stack:
        processes: list = []
        try:
            if side == "bare":
                groups = [stack.group(f"bare-{s}") for s in STAGES]
                for stage, group in zip(STAGES, groups, strict=True):
                    log = (LOG_DIR / f"bare-{stage}.log").open("ab")
                    processes.append(
                        subprocess.Popen(
                            [
                                sys.executable,
                                "-m",
                                "bench.bare_stage",
                                "--stage",
                                stage,
                                "--topic",
                                stack.topic("enrollment.events"),
                                "--group",
                                group,
                                "--dsn",
                                stack.owner_url(stage),
                                "--outbox-topic",
                                stack.topic("notify.events"),
                            ],
                            cwd=ROOT,
                            env={**os.environ, **stack.kafka.environment()},
                            stdout=log,
                            stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL,
                        )
                    )
            else:
                groups = [stack.group(s) for s in STAGES]
                env = stack.service_env(ATTENDANCE_TIMER_INTERVAL_S="3600")
                for stage in STAGES:
                    processes.append(ServiceProcess(stage, env, LOG_DIR).start())
                await asyncio.gather(*(p.wait_healthy() for p in processes))
            await _wait_joined(stack.kafka, groups)

            def alive() -> bool:
                running = [p.proc if isinstance(p, ServiceProcess) else p for p in processes]
                return all(proc is not None and proc.poll() is None for proc in running)

            envelopes, eps, e2e = await _publish_and_watch(stack, groups, args.events, args.timeout, alive)
            children = [e.payload().child_id for e in envelopes if e.type == "child.registered"]
            counts = [await _count(stack, s, side == "bare", children) for s in STAGES]
        finally:
            for p in processes:
                if isinstance(p, ServiceProcess):
                    p.stop()
                else:
                    p.send_signal(signal.SIGTERM)
                    try:
                        p.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        p.kill()
    result = Result(len(envelopes), eps, e2e, sum(c[0] for c in counts), sum(c[1] for c in counts))
    print(
        f"event-path: {side}: events={result.events} eps={eps:.0f} e2e_p50_ms={percentile(e2e, 50):.0f} "
        f"e2e_p99_ms={percentile(e2e, 99):.0f} lost={result.lost} duplicated={result.duplicated}",
        flush=True,
    )
    return result


async def run(args: argparse.Namespace) -> None:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with endpoints() as found:
        sides = [args.only] if args.only else ["bare", "tuoguan"]
        results = {side: await _measure(found, side, args) for side in sides}
    if len(results) < 2:
        return
    bare, ours = results["bare"], results["tuoguan"]
    print(
        f"event-path: events={ours.events} bare_eps={bare.eps:.0f} tuoguan_eps={ours.eps:.0f} "
        f"ratio={ours.eps / bare.eps:.2f} e2e_p99_ms={percentile(ours.e2e_ms, 99):.0f} "
        f"lost={bare.lost + ours.lost} duplicated={bare.duplicated + ours.duplicated}"
    )
