"""Bookings and check-ins through enrollment and attendance (real processes) while Kafka brokers
are killed: the load, the script of kills and restarts, and the count of what arrived, for
``bench/run failover`` and tests/test_failover.py.

A *flow* is one child: registered and booked for today at enrollment (HTTP), then checked in at
attendance (HTTP) once attendance has the booking on its roster, which it learns only from
enrollment's ``child.enrolled`` event through Kafka. A flow completes when the check-in is admitted.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from itertools import pairwise

import httpx
import orjson

from deploy.demo import after_school_today
from shared.kafka_tools import read_all
from shared.timezones import local_today
from testkit.city import City, token
from testkit.cluster import LocalCluster, wait_in_sync
from testkit.stack import Stack

MAX_FLOWS = 2000  # one class holds them all: the most seats a class may have
NOT_YET = (404, 409, 422)  # attendance has not got the booking yet: asked again


@dataclass
class Load:
    """Flows run by ``concurrency`` workers until stopped or ``max_flows`` were started."""

    enrollment: str  # base URLs
    attendance: str
    concurrency: int
    max_flows: int = MAX_FLOWS
    flow_timeout_s: float = 180.0
    booked: dict[str, float] = field(default_factory=dict)  # child id -> when the booking was confirmed
    completed: dict[str, float] = field(default_factory=dict)  # child id -> when the check-in was admitted
    failures: Counter[str] = field(default_factory=Counter)
    stop: asyncio.Event = field(default_factory=asyncio.Event)
    started_at: float = 0.0
    stopped_at: float = 0.0

    async def run(self) -> None:
        self.started_at = time.monotonic()
        limits = httpx.Limits(max_connections=2 * self.concurrency)
        async with (
            httpx.AsyncClient(base_url=self.enrollment, timeout=60, limits=limits) as enrollment,
            httpx.AsyncClient(base_url=self.attendance, timeout=60, limits=limits) as attendance,
        ):
            city = City(enrollment)
            union = await city.union("郑州市总工会")
            network = await city.network(union)
            today = local_today()
            class_id = await after_school_today(city, network, today, capacity=MAX_FLOWS)
            staff = token("provider_staff", provider_id=network.provider_id)
            flows = iter(range(self.max_flows))

            async def worker() -> None:
                while not self.stop.is_set() and next(flows, None) is not None:
                    try:
                        await self._flow(city, attendance, union, class_id, network.hub_id, staff, today)
                    except Exception as failed:  # counted, and the flow is judged by the databases later
                        self.failures[type(failed).__name__] += 1

            await asyncio.gather(*(worker() for _ in range(self.concurrency)))
        self.stopped_at = time.monotonic()

    async def first_flow(self, timeout: float = 120.0) -> None:
        """Wait until one flow has gone all the way through."""
        deadline = time.monotonic() + timeout
        while not self.completed:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no flow completed within {timeout}s; failures {dict(self.failures)}")
            await asyncio.sleep(0.2)

    async def _flow(self, city, attendance, union, class_id, site_id, staff, today) -> None:
        parent = city.parent(union)
        child_id = (await city.child(parent))["child_id"]
        await city.book(parent, child_id, class_id, days=[today])
        self.booked[child_id] = time.monotonic()
        body = {"child_id": child_id, "site_id": str(site_id), "temperature_c": 36.6, "symptoms": []}
        deadline = time.monotonic() + self.flow_timeout_s
        attempt = 0
        while time.monotonic() < deadline:
            attempt += 1
            headers = {"Authorization": f"Bearer {staff}", "Idempotency-Key": f"checkin-{child_id}-{attempt}"}
            try:
                answer = await attendance.post("/checkins", json=body, headers=headers)
            except httpx.TransportError:
                await asyncio.sleep(0.2)
                continue
            if answer.status_code == 201:
                self.completed[child_id] = time.monotonic()
                return
            if answer.status_code not in NOT_YET and answer.status_code < 500:
                raise AssertionError(f"check-in answered {answer.status_code}: {answer.text[:200]}")
            await asyncio.sleep(0.1)
        raise TimeoutError(f"child {child_id} not checked in within {self.flow_timeout_s}s")

    def max_stall_s(self) -> float:
        """The longest time during the load in which no flow completed."""
        marks = [self.started_at, *sorted(self.completed.values()), self.stopped_at]
        return max(b - a for a, b in pairwise(marks))


@dataclass
class Kill:
    node: int
    role: str  # "broker" or "controller"
    down_s: float  # from SIGKILL to the restart's start
    in_sync_s: float  # from the restart's start until every replica was back in sync


async def kill_and_restart(
    cluster: LocalCluster, kafka, role: str, down_s: float, log: Callable[[str], None] = print
) -> Kill:
    """SIGKILL a node (the active controller, or with ``role="broker"`` one that is not), wait
    ``down_s``, start it again and wait until every partition is fully replicated again."""
    controller = await asyncio.to_thread(cluster.controller)
    node = controller if role == "controller" else next(n for n in range(1, cluster.brokers + 1) if n != controller)
    log(f"failover: SIGKILL node {node} ({role}; the active controller is node {controller})")
    await asyncio.to_thread(cluster.kill, node)
    killed_at = time.monotonic()
    await asyncio.sleep(down_s)
    restart_at = time.monotonic()
    await asyncio.to_thread(cluster.restart, node)
    synced = await wait_in_sync(kafka)
    log(f"failover: node {node} back after {time.monotonic() - restart_at - synced:.1f}s, in sync {synced:.1f}s later")
    return Kill(node, role, restart_at - killed_at, time.monotonic() - restart_at)


async def under_load(load: Load, script: Awaitable[list[Kill]], settle_s: float) -> list[Kill]:
    """Run the load, the kill script meanwhile, then ``settle_s`` more of load, and stop it."""
    running = asyncio.create_task(load.run())
    scripted = asyncio.ensure_future(script)
    try:
        await asyncio.wait({running, scripted}, return_when=asyncio.FIRST_COMPLETED)
        if running.done() and running.exception():
            raise RuntimeError("the load failed") from running.exception()
        kills = await scripted
        await asyncio.sleep(settle_s)
    finally:
        load.stop.set()
        scripted.cancel()
    await running
    return kills


@dataclass(frozen=True)
class Tally:
    flows: int  # bookings confirmed
    lost: int  # flows missing a roster row, an admitted check-in or one of their events
    duplicated: int  # flows with any of those more than once (events told apart by their id)
    redelivered: int  # extra copies of an event (same id) on a topic: absorbed by the consumers' inbox
    missing: dict[str, int] = field(default_factory=dict)  # per kind of record: bookings without one


SOURCES = ("roster row", "admitted check-in", "child.enrolled", "child.checked_in")


async def tally(stack: Stack, load: Load, timeout: float = 60.0) -> Tally:
    """:func:`count_once` until nothing is missing (events still in an outbox arrive) or ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        counted = await count_once(stack, load)
        if not counted.lost or time.monotonic() > deadline:
            return counted
        await asyncio.sleep(1.0)


async def count_once(stack: Stack, load: Load) -> Tally:
    """Count, per confirmed booking: its rows in attendance's roster and admitted check-ins, and its
    ``child.enrolled`` and ``child.checked_in`` events as a read_committed consumer sees them. A relay
    whose transaction's commit went unanswered (its coordinator died) publishes the batch again: the
    same events, same ids, which every consumer skips; those are counted apart, as redelivered."""
    children = list(load.booked)
    conn = await stack.connect("attendance")
    try:
        roster = await conn.fetch(
            "SELECT child_id::text AS c, count(*) AS n FROM roster_entries WHERE child_id = ANY($1::uuid[]) GROUP BY 1",
            children,
        )
        admitted = await conn.fetch(
            "SELECT child_id::text AS c, count(*) AS n FROM checkins WHERE admitted AND child_id = ANY($1::uuid[]) "
            "GROUP BY 1",
            children,
        )
    finally:
        await conn.close()
    counts = [{r["c"]: r["n"] for r in roster}, {r["c"]: r["n"] for r in admitted}]
    redelivered = 0
    for topic, kind in (("enrollment.events", "child.enrolled"), ("attendance.events", "child.checked_in")):
        copies: Counter[tuple[str, str]] = Counter()
        for record in await read_all(stack.kafka, stack.topic(topic), committed_only=True):
            event = orjson.loads(record.value)
            if event["type"] == kind:
                copies[(str(event["data"]["child_id"]), event["event_id"])] += 1
        redelivered += sum(n - 1 for n in copies.values())
        counts.append(Counter(child for child, _ in copies))  # distinct events per child
    lost = sum(1 for c in children if any(count.get(c, 0) == 0 for count in counts))
    duplicated = sum(1 for c in children if any(count.get(c, 0) > 1 for count in counts))
    missing = {
        name: sum(1 for c in children if count.get(c, 0) == 0) for name, count in zip(SOURCES, counts, strict=True)
    }
    return Tally(len(children), lost, duplicated, redelivered, {k: v for k, v in missing.items() if v})
