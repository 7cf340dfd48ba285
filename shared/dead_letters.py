"""Dead-letter topics: where a service parks the records it could not handle, and the tool
operations use to inspect and redrive them.

A dead letter keeps the original key, value and headers byte for byte, and adds ``dlq.*`` headers:
the error kind (``malformed``, ``rejected`` or ``handler_error``), class and message, the attempts made, the
original topic, partition and offset, the consumer group and the time it failed.

    python -m shared.dead_letters list    --service attendance [--stream enrollment.events]
    python -m shared.dead_letters redrive --service attendance --stream enrollment.events [--record P:O ...]

Redrive republishes the original record to its stream. Services that already handled it skip it
(processed events), so only the service that failed it does the work again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer, ConsumerRecord

from shared.kafka_auth import KafkaAccess
from shared.kafka_tools import read_all
from shared.metrics import DEAD_LETTERS
from shared.topics import SUBSCRIPTIONS, dead_letter_topic, qualified, topics_of

PREFIX = "dlq."


class DeadLetterPublisher:
    def __init__(self, producer: AIOKafkaProducer, *, service: str, group: str) -> None:
        self.producer = producer
        self.service = service
        self.group = group

    async def publish(self, record: ConsumerRecord, exc: BaseException, *, attempts: int, kind: str) -> None:
        """Publish and wait for the broker's acknowledgement (acks=all)."""
        headers = [(k, v) for k, v in (record.headers or ()) if not k.startswith(PREFIX)]
        headers += [
            (f"{PREFIX}{name}", str(value).encode())
            for name, value in {
                "error.kind": kind,
                "error.class": type(exc).__name__,
                "error.message": str(exc)[:2000],
                "attempts": attempts,
                "original.topic": record.topic,
                "original.partition": record.partition,
                "original.offset": record.offset,
                "consumer.group": self.group,
                "failed_at": datetime.now(UTC).isoformat(),
            }.items()
        ]
        delivery = await self.producer.send(
            f"{record.topic}.dlq.{self.service}", value=record.value, key=record.key, headers=headers
        )
        await delivery
        DEAD_LETTERS.labels(self.service, record.topic, kind).inc()


def _decode_headers(record: ConsumerRecord) -> dict[str, str]:
    return {k: v.decode(errors="replace") for k, v in record.headers or ()}


async def redrive(kafka: KafkaAccess, records: list[ConsumerRecord]) -> int:
    producer = AIOKafkaProducer(**kafka.aiokafka(), enable_idempotence=True, acks="all")
    await producer.start()
    try:
        for record in records:
            headers = _decode_headers(record)
            original = [(k, v) for k, v in record.headers or () if not k.startswith(PREFIX)]
            await (
                await producer.send(
                    headers[f"{PREFIX}original.topic"], value=record.value, key=record.key, headers=original
                )
            )
        return len(records)
    finally:
        await producer.stop()


def _dlq_topics(service: str, stream: str | None, namespace: str) -> list[str]:
    streams = [stream] if stream else list(SUBSCRIPTIONS[service])
    return [qualified(dead_letter_topic(t, service), namespace) for s in streams for t in topics_of(s)]


async def _main(args: argparse.Namespace) -> None:
    kafka = KafkaAccess.from_environment()  # the admin principal: it reads every DLQ
    for topic in _dlq_topics(args.service, args.stream, args.namespace):
        records = await read_all(kafka, topic)
        if args.command == "list":
            for r in records:
                print(
                    json.dumps(
                        {
                            "dlq_topic": topic,
                            "partition": r.partition,
                            "offset": r.offset,
                            "key": (r.key or b"").decode(errors="replace"),
                            "headers": {k: v for k, v in _decode_headers(r).items() if k.startswith(PREFIX)},
                        },
                        ensure_ascii=False,
                    )
                )
        else:
            chosen = [r for r in records if not args.record or f"{r.partition}:{r.offset}" in args.record]
            print(f"{topic}: redrove {await redrive(kafka, chosen)} record(s)")


def main() -> None:
    parser = argparse.ArgumentParser(description="Inspect and redrive dead letters.")
    parser.add_argument("command", choices=["list", "redrive"])
    parser.add_argument("--service", required=True, choices=sorted(s for s, t in SUBSCRIPTIONS.items() if t))
    parser.add_argument(
        "--stream",
        help="e.g. enrollment.events, or partner.inbound for every insurer's (default: every stream the service consumes)",
    )
    parser.add_argument(
        "--record",
        action="append",
        metavar="PARTITION:OFFSET",
        help="redrive only these dead letters (default: all of them)",
    )
    parser.add_argument("--namespace", default=os.environ.get("TUOGUAN_NAMESPACE", ""))
    asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    main()
