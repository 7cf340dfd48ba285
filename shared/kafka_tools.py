"""Small Kafka utilities for operations tools and tests (no consumer group involved)."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from shared.kafka_auth import KafkaAccess


async def partitions_of(kafka: KafkaAccess, topic: str) -> list[TopicPartition]:
    admin = AIOKafkaAdminClient(**kafka.aiokafka())
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    if described["error_code"] or not described["partitions"]:
        raise LookupError(f"no such topic: {topic}")
    return [
        TopicPartition(topic, p["partition"]) for p in sorted(described["partitions"], key=lambda p: p["partition"])
    ]


async def read_all(kafka: KafkaAccess, topic: str, *, committed_only: bool = False) -> list[ConsumerRecord]:
    """Every record currently in ``topic``, by partition and offset: with ``committed_only``, what a
    ``read_committed`` consumer (every service) sees, else also the records of aborted relay batches."""
    partitions = await partitions_of(kafka, topic)
    consumer = AIOKafkaConsumer(
        **kafka.aiokafka(),
        enable_auto_commit=False,
        isolation_level="read_committed" if committed_only else "read_uncommitted",
    )
    await consumer.start()
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        records: list[ConsumerRecord] = []
        while any([await consumer.position(tp) < ends[tp] for tp in partitions]):
            for tp, batch in (await consumer.getmany(timeout_ms=1000)).items():
                records.extend(r for r in batch if r.offset < ends[tp])
        return sorted(records, key=lambda r: (r.partition, r.offset))
    finally:
        await consumer.stop()
