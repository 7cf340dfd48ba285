"""deploy/offsets: after attendance's database is restored to a moment, its consumer group is
rewound to that moment, so the events it had lost come again; lag shows what is left to handle."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from deploy.offsets import lag, rewind
from tests.conftest import Stack

BACKUP_AT = datetime(2026, 7, 6, 2, 0, tzinfo=UTC)


async def test_a_group_rewound_to_the_backup_reads_again_what_came_after_it(stack: Stack) -> None:
    # A topic and a group of the test's own: the namespace's are shared with the tests running beside it.
    topic, group = stack.topic(f"drill.{uuid.uuid4().hex[:8]}"), f"{stack.group('attendance')}-drill"
    admin = AIOKafkaAdminClient(**stack.kafka.aiokafka())
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()
    producer = AIOKafkaProducer(**stack.kafka.aiokafka(), enable_idempotence=True)
    await producer.start()
    try:  # one child's events, on one partition: two before the backup, three after
        stamps = [-120, -60, 60, 120, 180]
        sent = [
            await (
                await producer.send(
                    topic, b"{}", key=b"child-1", timestamp_ms=int(BACKUP_AT.timestamp() * 1000) + s * 1000
                )
            )
            for s in stamps
        ]
    finally:
        await producer.stop()
    partition = sent[0].partition

    planned = await asyncio.to_thread(rewind, stack.kafka, group, [topic], BACKUP_AT, execute=False)
    assert {(tp.partition, tp.offset) for tp in planned if tp.partition == partition} == {(partition, sent[2].offset)}
    assert all(committed < 0 for _, _, committed, _ in await asyncio.to_thread(lag, stack.kafka, group, [topic]))

    await asyncio.to_thread(rewind, stack.kafka, group, [topic], BACKUP_AT, execute=True)
    rows = {p: (committed, end) for _, p, committed, end in await asyncio.to_thread(lag, stack.kafka, group, [topic])}
    assert rows[partition] == (sent[2].offset, sent[-1].offset + 1)  # three events to handle again
