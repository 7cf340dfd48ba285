"""The outbox relay when Kafka fails it mid-batch: what consumers read stays in order and whole, a
record Kafka refuses is parked instead of blocking the outbox, and parked rows can be sent again.

The relay runs in-process on a scratch database with the plumbing schema, against the real broker.
Consumers read ``read_committed`` (as every service does); the raw log shows what was really sent.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import OutOfOrderSequenceNumber

from shared.db import PLUMBING_MIGRATIONS, migrate
from shared.kafka_auth import KafkaAccess
from shared.kafka_tools import read_all
from shared.outbox import OutboxRelay, relay_producer, relay_producer_config, requeue
from tests.conftest import Stack
from tests.support.polling import eventually

CHILDREN = 10


@dataclass
class Scratch:
    """A database with only the plumbing tables, and topics of its own."""

    dsn: str
    db: asyncpg.Connection
    prefix: str
    topics: list[str] = field(default_factory=list)

    async def write(self, topic: str, rows: list[tuple[str, bytes]]) -> None:
        """Outbox rows (key, payload) in this order, as one service transaction would."""
        await self.db.executemany(
            "INSERT INTO outbox (event_id, topic, key, event_type, payload) VALUES ($1, $2, $3, 'test.step', $4)",
            [(uuid.uuid4(), topic, key, payload) for key, payload in rows],
        )

    async def unpublished(self) -> int:
        return await self.db.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL AND parked_at IS NULL")


def _on_database(admin_url: str, database: str) -> str:
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


async def _create_topic(kafka: KafkaAccess, name: str, partitions: int, **config: str) -> None:
    admin = AIOKafkaAdminClient(**kafka.aiokafka())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1, topic_configs=config)])
    finally:
        await admin.close()


async def _delete_topics(kafka: KafkaAccess, names: list[str]) -> None:
    admin = AIOKafkaAdminClient(**kafka.aiokafka())
    await admin.start()
    try:
        await admin.delete_topics(names)
    except Exception:
        pass  # some were never created
    finally:
        await admin.close()


@pytest.fixture
async def scratch(stack: Stack) -> AsyncIterator[Scratch]:
    name = f"relay_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(stack.endpoints.pg_admin)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = _on_database(stack.endpoints.pg_admin, name)
    db = await asyncpg.connect(dsn)
    await migrate(db, "plumbing", PLUMBING_MIGRATIONS)
    here = Scratch(dsn, db, f"{stack.namespace}.{name}")
    try:
        yield here
    finally:
        await db.close()
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()
        await _delete_topics(stack.kafka, here.topics)


class FailsOneSend(AIOKafkaProducer):
    """A real producer whose ``nth`` send is reported failed, as when the broker answers
    OutOfOrderSequenceNumber after a starved moment: the records after it still reach the broker."""

    def __init__(self, nth: int, **config: object) -> None:
        super().__init__(**config)
        self.nth, self.sent = nth, 0

    async def send(self, topic, *args, **kwargs):  # type: ignore[no-untyped-def]
        delivery = await super().send(topic, *args, **kwargs)
        self.sent += 1
        if self.sent != self.nth:
            return delivery
        failed = asyncio.get_running_loop().create_future()
        failed.set_exception(OutOfOrderSequenceNumber())
        return failed


@asynccontextmanager
async def relaying(scratch: Scratch, factory: Callable[[], AIOKafkaProducer]) -> AsyncIterator[OutboxRelay]:
    relay = OutboxRelay(
        service="scratch", dsn=scratch.dsn, producer_factory=factory, poll_interval_s=0.2, retry_pauses_s=(0.05, 0.2)
    )
    task = asyncio.create_task(relay.run())
    try:
        yield relay
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def _steps(records: list) -> dict[str, list[int]]:
    """Each child's steps in the order a consumer meets them."""
    seen: dict[str, list[int]] = defaultdict(list)
    for record in records:
        seen[record.key.decode()].append(json.loads(record.value)["step"])
    return dict(seen)


def _plan(steps: int) -> list[tuple[str, bytes]]:
    """``steps`` events for each of ten children, interleaved as a busy morning writes them."""
    return [(f"child-{c}", json.dumps({"step": s}).encode()) for s in range(steps) for c in range(CHILDREN)]


async def test_a_send_failing_mid_batch_neither_reorders_nor_duplicates_what_consumers_read(
    stack: Stack, scratch: Scratch
) -> None:
    topic = f"{scratch.prefix}.steps"
    scratch.topics.append(topic)
    await _create_topic(stack.kafka, topic, 3)
    await scratch.write(topic, _plan(30))  # 300 rows: one relay batch

    made: list[AIOKafkaProducer] = []

    def factory() -> AIOKafkaProducer:
        config = relay_producer_config(stack.kafka, transactional_id=f"{topic}.relay", client_id="scratch-relay")
        producer = AIOKafkaProducer(**config) if made else FailsOneSend(150, **config)
        made.append(producer)
        return producer

    async with relaying(scratch, factory):
        await eventually(lambda: _none_left(scratch), timeout=60)

    assert len(made) == 2, "the relay replaced the producer that failed"
    assert made[0].sent == 300, "the records after the failed one were sent too: the failure was mid-batch"
    raw = await read_all(stack.kafka, topic)
    assert len(raw) > 300, "the first, failed attempt reached the log"
    committed = await read_all(stack.kafka, topic, committed_only=True)
    assert _steps(committed) == {f"child-{c}": list(range(30)) for c in range(CHILDREN)}


async def _none_left(scratch: Scratch) -> bool:
    return await scratch.unpublished() == 0


async def test_a_record_kafka_refuses_is_parked_and_the_same_childs_later_events_go_on(
    stack: Stack, scratch: Scratch
) -> None:
    topic = f"{scratch.prefix}.small"
    scratch.topics.append(topic)
    await _create_topic(stack.kafka, topic, 1, **{"max.message.bytes": "2048"})
    small = [("child-1", json.dumps({"step": s}).encode()) for s in range(40)]
    huge = ("child-1", json.dumps({"step": -1, "photo": "x" * 8000}).encode())
    await scratch.write(topic, [*small[:20], huge, *small[20:]])

    def factory() -> AIOKafkaProducer:
        return relay_producer(stack.kafka, transactional_id=f"{topic}.relay", client_id="scratch-relay")

    async with relaying(scratch, factory):
        await eventually(lambda: _none_left(scratch), timeout=90)

    parked = await scratch.db.fetch("SELECT key, attempts, last_error FROM outbox WHERE parked_at IS NOT NULL")
    assert [(r["key"], r["attempts"]) for r in parked] == [("child-1", 3)]
    assert "TooLarge" in parked[0]["last_error"], parked[0]["last_error"]
    committed = await read_all(stack.kafka, topic, committed_only=True)
    assert _steps(committed) == {"child-1": list(range(40))}, "every other event, once, in order"


async def test_events_for_a_missing_topic_are_parked_without_holding_up_the_rest_and_sent_once_it_exists(
    stack: Stack, scratch: Scratch
) -> None:
    present, missing = f"{scratch.prefix}.present", f"{scratch.prefix}.missing"
    scratch.topics += [present, missing]
    await _create_topic(stack.kafka, present, 2)
    await scratch.write(present, _plan(3))
    await scratch.write(missing, [("child-0", b'{"step": 0}'), ("child-0", b'{"step": 1}')])
    await scratch.write(present, [(f"child-{c}", json.dumps({"step": 3}).encode()) for c in range(CHILDREN)])

    def factory() -> AIOKafkaProducer:
        return relay_producer(stack.kafka, transactional_id=f"{present}.relay", client_id="scratch-relay")

    async with relaying(scratch, factory):
        await eventually(lambda: _none_left(scratch), timeout=60)
        parked = await scratch.db.fetch("SELECT topic, last_error FROM outbox WHERE parked_at IS NOT NULL")
        assert [r["topic"] for r in parked] == [missing, missing]
        assert "does not exist" in parked[0]["last_error"]
        committed = await read_all(stack.kafka, present, committed_only=True)
        assert _steps(committed) == {f"child-{c}": [0, 1, 2, 3] for c in range(CHILDREN)}

        await _create_topic(stack.kafka, missing, 1)  # the operator creates it and sends the rows again
        assert await requeue(scratch.dsn) == 2
        await eventually(lambda: _none_left(scratch), timeout=60)

    assert _steps(await read_all(stack.kafka, missing, committed_only=True)) == {"child-0": [0, 1]}
