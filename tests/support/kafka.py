"""Kafka helpers for tests: publish raw records, read topics, wait for a group to catch up."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from shared.kafka_tools import partitions_of, read_all
from shared.envelope import Envelope

__all__ = ["publish", "publish_envelopes", "read_all", "wait_caught_up", "group_state", "dead_letters_of"]


async def publish(bootstrap: str, topic: str, records: list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]) -> None:
    """Publish ``(key, value, headers)`` records in order and wait for every acknowledgement."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for key, value, headers in records:
            await (await producer.send(topic, value=value, key=key, headers=headers))
    finally:
        await producer.stop()


async def publish_envelopes(bootstrap: str, topic: str, envelopes: list[Envelope]) -> None:
    await publish(bootstrap, topic, [(e.key.encode(), e.to_bytes(), e.headers()) for e in envelopes])


async def wait_caught_up(bootstrap: str, group: str, topic: str, timeout: float = 60.0) -> None:
    """Wait until ``group`` has committed every record currently in ``topic``."""
    partitions = await partitions_of(bootstrap, topic)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await consumer.start()
    await admin.start()
    try:
        ends = await consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout
        while True:
            committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
            behind = {tp: ends[tp] - (committed.get(tp).offset if committed.get(tp) else 0)
                      for tp in partitions if ends[tp] > 0}
            if all(lag <= 0 for lag in behind.values()):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"group {group} still behind on {topic}: {behind}")
            await asyncio.sleep(0.2)
    finally:
        await admin.close()
        await consumer.stop()


async def group_state(bootstrap: str, group: str) -> tuple[str, int]:
    """The group's state (``Stable`` once a rebalance is done) and how many members it has."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (response,) = await admin.describe_consumer_groups([group])
        (described,) = response.to_object()["groups"]
        return described["state"], len(described["members"])
    finally:
        await admin.close()


async def dead_letters_of(bootstrap: str, dlq_topic: str, event_ids: set[str]) -> list:
    """The records in ``dlq_topic`` whose ``event_id`` header is one of ``event_ids``."""
    wanted = {e.encode() for e in event_ids}
    return [r for r in await read_all(bootstrap, dlq_topic) if dict(r.headers).get("event_id") in wanted]
