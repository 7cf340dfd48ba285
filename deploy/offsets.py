"""A service's consumer-group offsets: its lag per partition, and a rewind to a moment (after its
database was restored to that moment, so that it handles again what it had lost).

    python -m deploy.offsets lag    --service attendance [--namespace NS]
    python -m deploy.offsets rewind --service attendance --to 2026-11-30T02:00:00Z [--execute]

Talks to Kafka as the admin principal (``KAFKA_ADMIN_USERNAME``, ...; ``./tuoguan`` loads the local
broker's). ``rewind`` prints the offsets it would set; with ``--execute`` it commits them, which the
broker allows only while the group has no member: stop every instance of the service first. Events
the restored database had already handled are skipped again (processed events).
"""

from __future__ import annotations

import argparse
import os
from datetime import datetime

from confluent_kafka import Consumer, KafkaException, TopicPartition

from shared.kafka_auth import KafkaAccess
from shared.topics import SUBSCRIPTIONS, consumer_group, qualified, topics_of


def _consumer(kafka: KafkaAccess, group: str) -> Consumer:
    return Consumer({**kafka.confluent(), "group.id": group, "enable.auto.commit": False, "log_level": 0})


def _partitions(consumer: Consumer, topics: list[str]) -> list[TopicPartition]:
    metadata = consumer.list_topics(timeout=10)
    if missing := [t for t in topics if t not in metadata.topics]:
        raise SystemExit(f"no such topic: {', '.join(missing)} (wrong --namespace?)")
    return [TopicPartition(t, p) for t in topics for p in sorted(metadata.topics[t].partitions)]


def lag(kafka: KafkaAccess, group: str, topics: list[str]) -> list[tuple[str, int, int, int]]:
    """``(topic, partition, committed, end)`` per partition; committed is -1 when nothing was committed."""
    consumer = _consumer(kafka, group)
    try:
        committed = consumer.committed(_partitions(consumer, topics), timeout=10)
        rows = []
        for tp in committed:
            _, end = consumer.get_watermark_offsets(tp, timeout=10)
            rows.append((tp.topic, tp.partition, tp.offset, end))
        return rows
    finally:
        consumer.close()


def rewind(kafka: KafkaAccess, group: str, topics: list[str], to: datetime, *, execute: bool) -> list[TopicPartition]:
    """The first offset at or after ``to`` in each partition (the end when there is none), committed
    for ``group`` when ``execute``."""
    consumer = _consumer(kafka, group)
    try:
        wanted = [
            TopicPartition(tp.topic, tp.partition, int(to.timestamp() * 1000)) for tp in _partitions(consumer, topics)
        ]
        found = consumer.offsets_for_times(wanted, timeout=10)
        for tp in found:
            if tp.offset < 0:  # no record at or after the moment: the partition's end
                tp.offset = consumer.get_watermark_offsets(tp, timeout=10)[1]
        if execute:
            consumer.commit(offsets=found, asynchronous=False)
        return found
    finally:
        consumer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["lag", "rewind"])
    parser.add_argument("--service", required=True, choices=sorted(s for s, t in SUBSCRIPTIONS.items() if t))
    parser.add_argument("--namespace", default=os.environ.get("TUOGUAN_NAMESPACE", ""))
    parser.add_argument("--to", type=datetime.fromisoformat, help="rewind: an ISO time with its zone")
    parser.add_argument("--execute", action="store_true", help="rewind: commit the offsets (the group must be empty)")
    args = parser.parse_args()
    kafka = KafkaAccess.from_environment()
    group = consumer_group(args.service, args.namespace)
    topics = [qualified(t, args.namespace) for s in SUBSCRIPTIONS[args.service] for t in topics_of(s)]
    if args.command == "lag":
        total = 0
        for topic, partition, committed, end in lag(kafka, group, topics):
            behind = end - max(committed, 0)
            total += behind
            print(f"{group} {topic}:{partition} committed={committed} end={end} lag={behind}")
        print(f"{group}: lag {total}")
        return
    if args.to is None or args.to.tzinfo is None:
        parser.error("rewind needs --to with a time zone, e.g. 2026-11-30T02:00:00+00:00")
    try:
        found = rewind(kafka, group, topics, args.to, execute=args.execute)
    except KafkaException as refused:  # UNKNOWN_MEMBER_ID: the group has members
        raise SystemExit(f"{group}: not rewound ({refused}); stop every instance of {args.service} first") from None
    for tp in found:
        print(f"{group} {tp.topic}:{tp.partition} -> {tp.offset}")
    print(f"{group}: {'rewound' if args.execute else 'dry run (add --execute to commit)'} to {args.to.isoformat()}")


if __name__ == "__main__":
    main()
