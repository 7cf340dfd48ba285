"""The bare reference for ``bench/run event-path``: one consuming stage written plainly with
aiokafka and asyncpg, as a strong engineer would batch it, with the same guarantees as a service.

    python -m bench.bare_stage --stage attendance|notify --topic T --group G --dsn D
    (Kafka from KAFKA_BOOTSTRAP_SERVERS and KAFKA_ADMIN_USERNAME/PASSWORD, see shared/kafka_auth.py)

Per poll (``getmany``) and per partition, one transaction: a bulk processed-events insert with
``ON CONFLICT DO NOTHING RETURNING`` (a redelivered event has no effect), the state rows of the
fresh events in multi-row inserts, and the outbox rows; partitions run concurrently; the offsets
are committed after every transaction of the poll has committed. A relay publishes the outbox
with an idempotent producer and marks the rows sent. It writes the same rows a service writes
for the same events: attendance keeps the child and a roster row and an absence timer per booked
day; notify keeps the guardians and one in-app notification per guardian, each announced on the
outbox. It runs until SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import signal
import uuid
from collections import defaultdict

import asyncpg
import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from shared.db import PLUMBING_MIGRATIONS, acquire, migrate
from shared.kafka_auth import KafkaAccess

SCHEMA = """
CREATE TABLE IF NOT EXISTS bare_children (child_id uuid PRIMARY KEY, display_name text NOT NULL,
    guardians jsonb NOT NULL, authorised_adults jsonb NOT NULL);
CREATE TABLE IF NOT EXISTS bare_roster (booking_id uuid NOT NULL, child_id uuid NOT NULL, class_id uuid NOT NULL,
    site_id uuid NOT NULL, day date NOT NULL, PRIMARY KEY (child_id, class_id, day));
CREATE TABLE IF NOT EXISTS bare_timers (child_id uuid NOT NULL, class_id uuid NOT NULL, day date NOT NULL,
    due_at timestamptz NOT NULL, PRIMARY KEY (child_id, class_id, day));
CREATE TABLE IF NOT EXISTS bare_recipients (child_id uuid NOT NULL, guardian_id uuid NOT NULL,
    child_name text NOT NULL, channels jsonb NOT NULL, PRIMARY KEY (child_id, guardian_id));
CREATE TABLE IF NOT EXISTS bare_notifications (notification_id uuid PRIMARY KEY, source_event_id uuid NOT NULL,
    guardian_id uuid NOT NULL, child_id uuid NOT NULL, body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT clock_timestamp(), UNIQUE (source_event_id, guardian_id));
"""


async def _inbox(tx: asyncpg.Connection, events: list[dict], topic: str, partition: int, offsets: list[int]) -> set:
    rows = await tx.fetch(
        """INSERT INTO processed_events (event_id, event_type, topic, kafka_partition, kafka_offset, handled_by)
           SELECT e, t, $3, $4, o, 'bare' FROM unnest($1::uuid[], $2::text[], $5::bigint[]) AS u(e, t, o)
           ON CONFLICT (event_id) DO NOTHING RETURNING event_id""",
        [e["event_id"] for e in events],
        [e["type"] for e in events],
        topic,
        partition,
        offsets,
    )
    return {str(r["event_id"]) for r in rows}


async def _outbox(tx: asyncpg.Connection, topic: str, rows: list[tuple[str, str, bytes]]) -> None:
    if rows:
        await tx.execute(
            """INSERT INTO outbox (event_id, topic, key, event_type, payload)
               SELECT gen_random_uuid(), $1, k, t, p FROM unnest($2::text[], $3::text[], $4::bytea[]) AS u(k, t, p)""",
            topic,
            [r[0] for r in rows],
            [r[1] for r in rows],
            [r[2] for r in rows],
        )


async def attendance_rows(tx: asyncpg.Connection, fresh: list[dict]) -> None:
    children = [e["data"] for e in fresh if e["type"] == "child.registered"]
    if children:
        await tx.execute(
            """INSERT INTO bare_children SELECT * FROM unnest($1::uuid[], $2::text[], $3::jsonb[], $4::jsonb[])
               ON CONFLICT (child_id) DO UPDATE SET display_name = EXCLUDED.display_name,
                   guardians = EXCLUDED.guardians, authorised_adults = EXCLUDED.authorised_adults""",
            [c["child_id"] for c in children],
            [c["display_name"] for c in children],
            [_json(c["guardians"]) for c in children],
            [_json(c["authorised_adults"]) for c in children],
        )
    days = [(e["data"], day) for e in fresh if e["type"] == "child.enrolled" for day in e["data"]["days"]]
    if days:
        await tx.execute(
            "INSERT INTO bare_roster SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::date[])",
            *[[d[c] for d, _ in days] for c in ("booking_id", "child_id", "class_id", "site_id")],
            [_date(day) for _, day in days],
        )
        await tx.execute(
            """INSERT INTO bare_timers SELECT c, k, d, d + time '09:30' FROM unnest($1::uuid[], $2::uuid[], $3::date[])
               AS u(c, k, d)""",
            [d["child_id"] for d, _ in days],
            [d["class_id"] for d, _ in days],
            [_date(day) for _, day in days],
        )


async def notify_rows(tx: asyncpg.Connection, fresh: list[dict], outbox_topic: str) -> None:
    guardians = [(e["data"], g) for e in fresh if e["type"] == "child.registered" for g in e["data"]["guardians"]]
    if guardians:
        await tx.execute(
            "DELETE FROM bare_recipients WHERE child_id = ANY($1::uuid[])", list({c["child_id"] for c, _ in guardians})
        )
        await tx.execute(
            "INSERT INTO bare_recipients SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[])",
            [c["child_id"] for c, _ in guardians],
            [g["guardian_id"] for _, g in guardians],
            [c["display_name"] for c, _ in guardians],
            [_json(g["channels"]) for _, g in guardians],
        )
    enrolled = [e for e in fresh if e["type"] == "child.enrolled"]
    if not enrolled:
        return
    rows = await tx.fetch(
        "SELECT child_id, guardian_id, child_name FROM bare_recipients WHERE child_id = ANY($1::uuid[])",
        list({e["data"]["child_id"] for e in enrolled}),
    )
    known = defaultdict(list)
    for row in rows:
        known[str(row["child_id"])].append(row)
    notes = [
        (uuid.uuid4(), e["event_id"], r["guardian_id"], r["child_id"], f"{r['child_name']} has a place")
        for e in enrolled
        for r in known[e["data"]["child_id"]]
    ]
    await tx.execute(
        """INSERT INTO bare_notifications (notification_id, source_event_id, guardian_id, child_id, body)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[])
           ON CONFLICT (source_event_id, guardian_id) DO NOTHING""",
        *[[n[i] for n in notes] for i in range(5)],
    )
    await _outbox(
        tx,
        outbox_topic,
        [
            (
                str(n[3]),
                "notification.delivered",
                orjson.dumps({"notification_id": str(n[0]), "guardian_id": str(n[2])}),
            )
            for n in notes
        ],
    )


def _json(value: object) -> str:
    return orjson.dumps(value).decode()


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


async def _apply(pool: asyncpg.Pool, stage: str, topic: str, partition: int, records: list, outbox_topic: str) -> None:
    events = [orjson.loads(r.value) for r in records]
    async with acquire(pool) as tx, tx.transaction():
        fresh_ids = await _inbox(tx, events, topic, partition, [r.offset for r in records])
        fresh, seen = [], set()
        for event in events:
            if event["event_id"] in fresh_ids and event["event_id"] not in seen:
                seen.add(event["event_id"])
                fresh.append(event)
        if stage == "attendance":
            await attendance_rows(tx, fresh)
        else:
            await notify_rows(tx, fresh, outbox_topic)


async def _relay(dsn: str, producer: AIOKafkaProducer, wake: asyncio.Event) -> None:
    conn = await asyncpg.connect(dsn)
    await conn.add_listener("outbox", lambda *_: wake.set())
    while True:
        wake.clear()
        rows = await conn.fetch(
            "SELECT id, topic, key, payload FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 2000"
        )
        if rows:
            sent = [await producer.send(r["topic"], r["payload"], key=r["key"].encode()) for r in rows]
            await asyncio.gather(*sent)
            await conn.execute(
                "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", [r["id"] for r in rows]
            )
            continue
        try:
            await asyncio.wait_for(wake.wait(), 1.0)
        except TimeoutError:
            pass


async def run(args: argparse.Namespace) -> None:
    conn = await asyncpg.connect(args.dsn)
    await migrate(conn, "plumbing", PLUMBING_MIGRATIONS)
    await conn.execute(SCHEMA)
    await conn.close()
    pool = await asyncpg.create_pool(args.dsn, min_size=4, max_size=12)
    kafka = KafkaAccess.from_environment()  # the same SCRAM handshake and transport as the services
    producer = AIOKafkaProducer(**kafka.aiokafka(), enable_idempotence=True, acks="all", linger_ms=5)
    consumer = AIOKafkaConsumer(
        args.topic, **kafka.aiokafka(), group_id=args.group, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    await producer.start()
    await consumer.start()
    relay = asyncio.create_task(_relay(args.dsn, producer, asyncio.Event()))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200, max_records=args.max_records)
            if batches:
                await asyncio.gather(
                    *(
                        _apply(pool, args.stage, tp.topic, tp.partition, records, args.outbox_topic)
                        for tp, records in batches.items()
                    )
                )
                await consumer.commit()
    finally:
        relay.cancel()
        await consumer.stop()
        await producer.stop()
        await pool.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    for name in ("stage", "topic", "group", "dsn", "outbox-topic"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--max-records", type=int, default=500)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(run(args))
    except ImportError:
        asyncio.run(run(args))


if __name__ == "__main__":
    main()
