"""Kafka helpers for tests and benchmarks: publish raw records, read topics, wait for a group to catch up."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from confluent_kafka import Consumer

from shared.envelope import Envelope
from shared.kafka_auth import KafkaAccess
from shared.kafka_tools import partitions_of, read_all


def first_record(
    kafka: KafkaAccess, topic: str, group: str, timeout_s: float = 20.0
) -> tuple[bytes | None, int | None]:
    """As ``kafka``'s principal (with librdkafka, a client this project did not write): the first
    record of ``topic`` read in ``group``, or the first error code, within ``timeout_s``. Blocking."""
    errors: list[int] = []
    consumer = Consumer(
        {
            **kafka.confluent(),
            "group.id": group,
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
            "error_cb": lambda err: errors.append(err.code()),
        }
    )
    consumer.subscribe([topic])
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is not None:
                error = message.error()
                return (message.value(), None) if error is None else (None, error.code())
            if errors:
                return None, errors[0]
        return None, None
    finally:
        consumer.close()


__all__ = [
    "dead_letters_of",
    "first_record",
    "group_state",
    "publish",
    "publish_envelopes",
    "read_all",
    "skip_to_end",
    "wait_caught_up",
]


async def publish(
    kafka: KafkaAccess, topic: str, records: list[tuple[bytes | None, bytes, list[tuple[str, bytes]]]]
) -> None:
    """Publish ``(key, value, headers)`` records in order and wait for every acknowledgement."""
    producer = AIOKafkaProducer(**kafka.aiokafka(), enable_idempotence=True)
    await producer.start()
    try:
        for key, value, headers in records:
            await (await producer.send(topic, value=value, key=key, headers=headers))
    finally:
        await producer.stop()


async def publish_envelopes(kafka: KafkaAccess, topic: str, envelopes: list[Envelope]) -> None:
    await publish(kafka, topic, [(e.key.encode(), e.to_bytes(), e.headers()) for e in envelopes])


async def wait_caught_up(kafka: KafkaAccess, group: str, topic: str, timeout: float = 60.0) -> None:
    """Wait until ``group`` has committed every record currently in ``topic``."""
    partitions = await partitions_of(kafka, topic)
    consumer = AIOKafkaConsumer(**kafka.aiokafka())
    admin = AIOKafkaAdminClient(**kafka.aiokafka())
    await consumer.start()
    await admin.start()
    try:
        ends = await consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout
        while True:
            committed = await admin.list_consumer_group_offsets(group, partitions=partitions)
            behind = {
                tp: ends[tp] - (committed.get(tp).offset if committed.get(tp) else 0)
                for tp in partitions
                if ends[tp] > 0
            }
            if all(lag <= 0 for lag in behind.values()):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"group {group} still behind on {topic}: {behind}")
            await asyncio.sleep(0.2)
    finally:
        await admin.close()
        await consumer.stop()


async def group_state(kafka: KafkaAccess, group: str) -> tuple[str, int]:
    """The group's state (``Stable`` once a rebalance is done) and how many members it has."""
    admin = AIOKafkaAdminClient(**kafka.aiokafka())
    await admin.start()
    try:
        (response,) = await admin.describe_consumer_groups([group])
        (described,) = response.to_object()["groups"]
        return described["state"], len(described["members"])
    finally:
        await admin.close()


async def dead_letters_of(kafka: KafkaAccess, dlq_topic: str, event_ids: set[str]) -> list:
    """The records in ``dlq_topic`` whose ``event_id`` header is one of ``event_ids``."""
    wanted = {e.encode() for e in event_ids}
    return [r for r in await read_all(kafka, dlq_topic) if dict(r.headers).get("event_id") in wanted]


async def skip_to_end(kafka: KafkaAccess, group: str, topic: str) -> None:
    """Commit ``group``'s offsets at the end of ``topic``, so that its next consumer starts after
    every record in it now. The group must have no member (no service of it running)."""
    partitions = await partitions_of(kafka, topic)
    consumer = AIOKafkaConsumer(**kafka.aiokafka(), group_id=group, enable_auto_commit=False)
    await consumer.start()
    try:
        consumer.assign(partitions)  # assigned, not subscribed: no join, the offsets are committed as they are
        ends = await consumer.end_offsets(partitions)
        await consumer.commit(ends)
    finally:
        await consumer.stop()
