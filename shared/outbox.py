"""Transactional outbox: events are written in the same transaction as the state change,
and a relay publishes them to Kafka afterwards.

Guarantees: an event is published at least once and in the order it was written (one relay per
service holds a PostgreSQL advisory lock; the others wait as hot standbys; each batch is one Kafka
transaction). A crash between publishing and marking re-publishes the batch, which the consumers'
processed-events table absorbs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import (
    CorruptRecordException,
    KafkaError,
    MessageSizeTooLargeError,
    RecordListTooLargeError,
    RecordTooLargeError,
    UnknownTopicOrPartitionError,
)

from shared import tracing
from shared.db import connect, json_text
from shared.envelope import Envelope, Event
from shared.faults import crash_point
from shared.kafka_auth import KafkaAccess
from shared.metrics import (
    OUTBOX_OLDEST_PENDING_SECONDS,
    OUTBOX_PARKED,
    OUTBOX_PENDING,
    OUTBOX_PUBLISHED,
    OUTBOX_RELAY_LEADER,
)
from shared.topics import is_partner_feed, qualified

log = logging.getLogger(__name__)

RELAY_LOCK = 7_263_002
METADATA_WAIT_S = 5.0
BATCH_DEADLINE_S = 10.0  # a batch not committed by then is abandoned (the broker aborts it)
TRANSACTION_TIMEOUT_MS = 15_000  # the broker aborts a dead leader's open batch after this
PRODUCER_STOP_S = 5.0
OBSERVE_EVERY_S = 5.0  # the backlog gauges are refreshed at least this often, busy or failing
# The broker refuses the record itself; sending it again, alone, cannot help.
PERMANENT_RECORD_ERRORS = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
    RecordListTooLargeError,
    CorruptRecordException,
)


class Outbox:
    """Writes events into the outbox table within the caller's transaction."""

    def __init__(self, producer: str, namespace: str) -> None:
        self.producer = producer
        self.namespace = namespace

    async def append_many(self, tx: asyncpg.Connection, events: Sequence[FollowUp]) -> list[Envelope]:
        """Append several events with one statement, in order."""
        if not tx.is_in_transaction():
            raise RuntimeError("outbox writes must share the transaction of the state change")
        if not events:
            return []
        envelopes = [
            Envelope.wrap(
                e.event,
                producer=self.producer,
                union_id=e.union_id,
                correlation_id=e.correlation_id,
                causation_id=e.causation_id,
                occurred_at=e.occurred_at,
            )
            for e in events
        ]
        topics = [qualified(f.stream or f.event.STREAM, self.namespace) for f in events]
        here = tracing.current_traceparent()  # a command's request span; an event's follow-ups carry their own
        await tx.execute(
            """INSERT INTO outbox (event_id, topic, key, event_type, payload, headers, traceparent)
               SELECT e, t, k, y, p, h::jsonb, tp
               FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::text[], $7::text[])
                   WITH ORDINALITY AS u(e, t, k, y, p, h, tp, n)
               ORDER BY n""",
            [e.event_id for e in envelopes],
            topics,
            [e.key for e in envelopes],
            [e.type for e in envelopes],
            [e.to_bytes() for e in envelopes],
            [json_text([[k, v.decode()] for k, v in e.headers()]) for e in envelopes],
            # A partner's feed carries no trace: two partners could link their records by its id.
            [None if is_partner_feed(t) else f.traceparent or here for f, t in zip(events, topics, strict=True)],
        )
        return envelopes


def _record_time_ms(topic: str, payload: bytes) -> int | None:
    """A partner feed's record carries its envelope's coarsened time rather than the moment it was
    sent, so two partners cannot link their records by the broker's timestamps; others: send time."""
    if not is_partner_feed(topic):
        return None
    return int(datetime.fromisoformat(json.loads(payload)["occurred_at"]).timestamp() * 1000)


def _record_headers(row: asyncpg.Record) -> list[tuple[str, bytes]]:
    headers = [(k, v.encode()) for k, v in row["headers"]]
    if row["traceparent"]:
        headers.append((tracing.HEADER, row["traceparent"].encode()))
    return headers


@dataclass(frozen=True)
class FollowUp:
    """An event to append, with where it belongs and what caused it."""

    event: Event
    union_id: uuid.UUID | None
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    stream: str | None = None
    occurred_at: datetime | None = None  # None: now
    traceparent: str | None = None  # None: the span current when it is appended (shared/tracing.py)


class RelayBatchFailed(Exception):
    """A relay batch was not published; its Kafka transaction is aborted, so none of it is visible."""

    def __init__(self, row_id: int, cause: BaseException, *, topic_missing: str | None = None) -> None:
        super().__init__(f"outbox row {row_id}: {cause!r}")
        self.row_id = row_id  # the first row that failed
        self.cause = cause
        self.topic_missing = topic_missing


def _is_permanent(error: BaseException) -> bool:
    """Sending the same record again cannot succeed: it is too large, or malformed."""
    return isinstance(error, PERMANENT_RECORD_ERRORS)


class OutboxRelay:
    """Publishes unpublished outbox rows to Kafka, oldest first, one Kafka transaction per batch.

    Only the instance holding the advisory lock relays; it owns a transactional producer whose id
    is the service's, so starting it fences any earlier leader still sending. A batch is committed
    to Kafka as a whole or not at all; consumers read ``read_committed``, so a send that fails in
    the middle of a batch (``OutOfOrderSequenceNumber``, a broker restart, a timeout) can neither
    reorder nor half-publish it. After a failure the producer is replaced (aiokafka's cannot recover
    from a fatal error), and the batch is sent again.

    A row that can never be sent is parked rather than blocking the outbox: its topic does not exist
    or the service may not write it (every pending row of that topic is parked), or the record itself
    is refused ``max_attempts`` times when sent alone. Parked rows stay in the table, counted by
    ``tuoguan_outbox_parked``, until ``python -m shared.outbox requeue`` sends them again in order.
    """

    def __init__(
        self,
        *,
        service: str,
        dsn: str,
        producer_factory: Callable[[], AIOKafkaProducer],
        batch_size: int = 500,
        poll_interval_s: float = 1.0,
        retention_days: int = 7,
        max_attempts: int = 3,
        retry_pauses_s: tuple[float, float] = (0.25, 2.0),  # the first pause after a failure, and the longest
    ) -> None:
        self.service = service
        self.dsn = dsn
        self.producer_factory = producer_factory
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.retention_days = retention_days
        self.max_attempts = max_attempts
        self.retry_pauses_s = retry_pauses_s
        self._wakeup = asyncio.Event()
        self._producer: AIOKafkaProducer | None = None
        self._suspect: int | None = None  # a row that failed alone or first: it is next sent alone
        self.is_leader = False
        self._observed_at = 0.0  # monotonic time of the last backlog observation

    async def run(self) -> None:
        """Lead (or wait to lead) until cancelled; reconnects after any failure."""
        backoff = Backoff(*self.retry_pauses_s)
        OUTBOX_RELAY_LEADER.labels(self.service).set(0)
        while True:
            try:
                await self._lead(backoff)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying", extra={"retry_in_s": backoff.next_s})
                await backoff.pause()
            finally:
                self.is_leader = False
                OUTBOX_RELAY_LEADER.labels(self.service).set(0)
                await self._drop_producer()

    async def _lead(self, backoff: Backoff) -> None:
        conn = await connect(self.dsn)
        try:
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", RELAY_LOCK):  # noqa: ASYNC110
                await asyncio.sleep(self.poll_interval_s)  # the lock is held by another process
            self.is_leader = True
            OUTBOX_RELAY_LEADER.labels(self.service).set(1)
            log.info("outbox relay is leading")
            await conn.add_listener("outbox", lambda *_: self._wakeup.set())
            idle_rounds = 0
            while True:
                self._wakeup.clear()
                try:
                    published = await self.publish_pending(conn)
                except RelayBatchFailed as failed:
                    await self._drop_producer()
                    await self._after_failure(conn, failed)
                    await self._observe_backlog(
                        conn, at_most_every_s=OBSERVE_EVERY_S
                    )  # the age grows while Kafka fails
                    await backoff.pause()
                    continue
                backoff.reset()
                if published >= self.batch_size:
                    await self._observe_backlog(conn, at_most_every_s=OBSERVE_EVERY_S)
                    continue
                await self._observe_backlog(conn)
                idle_rounds += 1
                if idle_rounds % 600 == 1:
                    await self._prune(conn)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wakeup.wait(), self.poll_interval_s)
        finally:
            await conn.close()

    async def publish_pending(self, conn: asyncpg.Connection) -> int:
        """Publish the next batch in one Kafka transaction; mark it sent. Raises RelayBatchFailed."""
        rows = await conn.fetch(
            """SELECT id, topic, key, payload, headers, traceparent FROM outbox
               WHERE published_at IS NULL AND parked_at IS NULL ORDER BY id LIMIT $1""",
            self.batch_size,
        )
        if not rows:
            return 0
        rows = self._isolate_suspect(rows)
        try:
            async with asyncio.timeout(BATCH_DEADLINE_S):
                await self._send(rows)
        except RelayBatchFailed:
            raise
        except (KafkaError, OSError, TimeoutError) as exc:
            raise RelayBatchFailed(rows[0]["id"], exc) from exc
        crash_point("relay.after_publish")
        await conn.execute(
            "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", [r["id"] for r in rows]
        )
        if self._suspect == rows[0]["id"]:
            self._suspect = None
        OUTBOX_PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    async def _send(self, rows: list[asyncpg.Record]) -> None:
        """One Kafka transaction: every row, or (aborted) none."""
        producer = await self._ready_producer()
        await self._check_topics(producer, rows)
        await producer.begin_transaction()
        deliveries = [
            await producer.send(
                row["topic"],
                value=row["payload"],
                key=row["key"].encode(),
                headers=_record_headers(row),
                timestamp_ms=_record_time_ms(row["topic"], row["payload"]),
            )
            for row in rows
        ]
        outcomes = await asyncio.gather(*deliveries, return_exceptions=True)
        for row, outcome in zip(rows, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                raise RelayBatchFailed(row["id"], outcome)
        await producer.commit_transaction()

    def _isolate_suspect(self, rows: list[asyncpg.Record]) -> list[asyncpg.Record]:
        """The rows before a suspect go first, as a batch; then the suspect alone, so that a record
        the broker refuses is told apart from the innocent ones sent with it."""
        ids = [r["id"] for r in rows]
        if self._suspect is None or self._suspect not in ids:
            self._suspect = None
            return rows
        at = ids.index(self._suspect)
        return rows[:at] if at else rows[:1]

    async def _check_topics(self, producer: AIOKafkaProducer, rows: list[asyncpg.Record]) -> None:
        """Fail fast on a topic the broker does not have (or hides from this principal), instead of
        waiting out aiokafka's metadata timeout on every batch. An unreachable broker is no verdict."""
        unknown = {r["topic"] for r in rows if producer.client.cluster.partitions_for_topic(r["topic"]) is None}
        if not unknown:
            return
        try:
            cluster = await asyncio.wait_for(producer.client.fetch_all_metadata(), METADATA_WAIT_S)
        except Exception as exc:
            raise RelayBatchFailed(rows[0]["id"], exc) from exc
        for row in rows:
            if row["topic"] in unknown and row["topic"] not in cluster.topics():
                cause = UnknownTopicOrPartitionError(row["topic"])
                raise RelayBatchFailed(row["id"], cause, topic_missing=row["topic"])

    async def _after_failure(self, conn: asyncpg.Connection, failed: RelayBatchFailed) -> None:
        if failed.topic_missing is not None:
            parked = await conn.fetchval(
                """WITH p AS (UPDATE outbox SET parked_at = now(), last_error = $2
                              WHERE topic = $1 AND published_at IS NULL AND parked_at IS NULL RETURNING 1)
                   SELECT count(*) FROM p""",
                failed.topic_missing,
                "the topic does not exist, or this service may not write it",
            )
            log.error(
                "outbox rows parked: their topic is missing or not writable",
                extra={"topic": failed.topic_missing, "rows": parked},
            )
            await self._observe_backlog(conn)
            return
        if not _is_permanent(failed.cause):
            log.warning("outbox batch not published; sending it again", extra={"error": repr(failed.cause)})
            return
        if self._suspect != failed.row_id:  # first seen inside a batch: next time it goes alone
            self._suspect = failed.row_id
            return
        attempts = await conn.fetchval(
            "UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1 RETURNING attempts",
            failed.row_id,
            repr(failed.cause)[:500],
        )
        if attempts >= self.max_attempts:
            await conn.execute("UPDATE outbox SET parked_at = now() WHERE id = $1", failed.row_id)
            self._suspect = None
            log.error(
                "outbox row parked: Kafka refuses it",
                extra={"row": failed.row_id, "attempts": attempts, "error": repr(failed.cause)},
            )
            await self._observe_backlog(conn)

    async def _ready_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self.producer_factory()
            try:
                await producer.start()  # InitProducerId: fences an earlier leader, aborts its open batch
            except BaseException:
                await _stop_quietly(producer)
                raise
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            await _stop_quietly(producer)

    async def _observe_backlog(self, conn: asyncpg.Connection, *, at_most_every_s: float = 0.0) -> None:
        if at_most_every_s and time.monotonic() - self._observed_at < at_most_every_s:
            return
        self._observed_at = time.monotonic()
        backlog = await conn.fetchrow(
            """SELECT count(*) FILTER (WHERE parked_at IS NULL),
                      min(created_at) FILTER (WHERE parked_at IS NULL),
                      count(*) FILTER (WHERE parked_at IS NOT NULL)
               FROM outbox WHERE published_at IS NULL"""
        )
        assert backlog is not None  # an aggregate always has a row
        pending, oldest, parked = backlog
        OUTBOX_PENDING.labels(self.service).set(pending)
        OUTBOX_PARKED.labels(self.service).set(parked)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        OUTBOX_OLDEST_PENDING_SECONDS.labels(self.service).set(age)

    async def _prune(self, conn: asyncpg.Connection) -> None:
        await conn.execute(
            "DELETE FROM outbox WHERE published_at < now() - make_interval(days => $1)", self.retention_days
        )


def relay_producer_config(kafka: KafkaAccess, *, transactional_id: str, client_id: str) -> dict[str, Any]:
    """A transactional producer for the relay (idempotent, acks=all)."""
    return {
        **kafka.aiokafka(),
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": 5,
        "transactional_id": transactional_id,
        "transaction_timeout_ms": TRANSACTION_TIMEOUT_MS,
        "client_id": client_id,
    }


def relay_producer(kafka: KafkaAccess, *, transactional_id: str, client_id: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(**relay_producer_config(kafka, transactional_id=transactional_id, client_id=client_id))


async def _stop_quietly(producer: AIOKafkaProducer) -> None:
    """Stop a producer that may be broken, without waiting long on a broker that is gone."""
    try:
        await asyncio.wait_for(producer.stop(), PRODUCER_STOP_S)
    except Exception:
        log.debug("producer stopped uncleanly", exc_info=True)


class Backoff:
    """Pauses that double from 0.25 s to 2 s, and start again after a success. A short ceiling: a
    try costs one refused connection, and the outbox drains within ~2 s of the broker's return."""

    def __init__(self, first_s: float = 0.25, most_s: float = 2.0) -> None:
        self.first_s, self.most_s = first_s, most_s
        self.next_s = first_s

    async def pause(self) -> None:
        await asyncio.sleep(self.next_s)
        self.next_s = min(self.next_s * 2, self.most_s)

    def reset(self) -> None:
        self.next_s = self.first_s


async def requeue(dsn: str) -> int:
    """Send parked rows again, in their order (after the topic is created or the ACL granted)."""
    conn = await connect(dsn)
    try:
        requeued: int = await conn.fetchval(
            """WITH r AS (UPDATE outbox SET parked_at = NULL, attempts = 0
                          WHERE parked_at IS NOT NULL AND published_at IS NULL RETURNING 1)
               SELECT count(*) FROM r"""
        )
        return requeued
    finally:
        await conn.close()


def main() -> None:
    """``python -m shared.outbox requeue``: send a service's parked rows again (its database in
    ``SERVICE_DATABASE_URL``: never on the command line, where ``ps`` shows its password)."""
    import os
    import sys

    args = sys.argv[1:]
    dsn = os.environ.get("SERVICE_DATABASE_URL")
    if args != ["requeue"] or not dsn:
        print("usage: SERVICE_DATABASE_URL=<the service's database> python -m shared.outbox requeue", file=sys.stderr)
        raise SystemExit(2)
    print(f"outbox: {asyncio.run(requeue(dsn))} parked rows will be sent again")


if __name__ == "__main__":
    main()
