"""Transactional outbox: events are written in the same transaction as the state change,
and a relay publishes them to Kafka afterwards.

Guarantees: an event is published at least once and in the order it was written (one relay per
service holds a PostgreSQL advisory lock; the others wait as hot standbys). A crash between
publishing and marking re-publishes the batch, which the consumers' inbox absorbs.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from aiokafka import AIOKafkaProducer

from shared.db import connect, json_text
from shared.envelope import Envelope, Event
from shared.faults import crash_point
from shared.metrics import OUTBOX_OLDEST_PENDING_SECONDS, OUTBOX_PENDING, OUTBOX_PUBLISHED
from shared.topics import is_partner_feed, qualified

log = logging.getLogger(__name__)

RELAY_LOCK = 7_263_002


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
        await tx.execute(
            """INSERT INTO outbox (event_id, topic, key, event_type, payload, headers)
               SELECT e, t, k, y, p, h::jsonb
               FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::bytea[], $6::text[])
                   WITH ORDINALITY AS u(e, t, k, y, p, h, n)
               ORDER BY n""",
            [e.event_id for e in envelopes],
            [qualified(f.stream or f.event.STREAM, self.namespace) for f in events],
            [e.key for e in envelopes],
            [e.type for e in envelopes],
            [e.to_bytes() for e in envelopes],
            [json_text([[k, v.decode()] for k, v in e.headers()]) for e in envelopes],
        )
        return envelopes


def _record_time_ms(topic: str, payload: bytes) -> int | None:
    """A partner feed's record carries its envelope's coarsened time rather than the moment it was
    sent, so two partners cannot link their records by the broker's timestamps; others: send time."""
    if not is_partner_feed(topic):
        return None
    return int(datetime.fromisoformat(json.loads(payload)["occurred_at"]).timestamp() * 1000)


@dataclass(frozen=True)
class FollowUp:
    """An event to append, with where it belongs and what caused it."""

    event: Event
    union_id: uuid.UUID | None
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    stream: str | None = None
    occurred_at: datetime | None = None  # None: now


class OutboxRelay:
    """Publishes unpublished outbox rows with an idempotent producer (acks=all), oldest first."""

    def __init__(
        self,
        *,
        service: str,
        dsn: str,
        producer: AIOKafkaProducer,
        batch_size: int = 500,
        poll_interval_s: float = 1.0,
        retention_days: int = 7,
    ) -> None:
        self.service = service
        self.dsn = dsn
        self.producer = producer
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self.retention_days = retention_days
        self._wakeup = asyncio.Event()
        self.is_leader = False

    async def run(self) -> None:
        """Lead (or wait to lead) until cancelled; reconnects after any failure."""
        backoff = 0.5
        while True:
            try:
                await self._lead()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox relay failed; retrying", extra={"retry_in_s": backoff})
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
            finally:
                self.is_leader = False

    async def _lead(self) -> None:
        conn = await connect(self.dsn)
        try:
            while not await conn.fetchval("SELECT pg_try_advisory_lock($1)", RELAY_LOCK):  # noqa: ASYNC110 (a lock held in another process)
                await asyncio.sleep(self.poll_interval_s)
            self.is_leader = True
            log.info("outbox relay is leading")
            await conn.add_listener("outbox", lambda *_: self._wakeup.set())
            idle_rounds = 0
            while True:
                self._wakeup.clear()
                published = await self.publish_pending(conn)
                if published >= self.batch_size:
                    continue
                await self._observe_backlog(conn)
                idle_rounds += 1
                if idle_rounds % 600 == 1:
                    await self._prune(conn)
                try:
                    await asyncio.wait_for(self._wakeup.wait(), self.poll_interval_s)
                except TimeoutError:
                    pass
        finally:
            await conn.close()

    async def publish_pending(self, conn: asyncpg.Connection) -> int:
        rows = await conn.fetch(
            """SELECT id, topic, key, payload, headers FROM outbox
               WHERE published_at IS NULL ORDER BY id LIMIT $1""",
            self.batch_size,
        )
        if not rows:
            return 0
        deliveries = [
            await self.producer.send(
                row["topic"],
                value=row["payload"],
                key=row["key"].encode(),
                headers=[(k, v.encode()) for k, v in row["headers"]],
                timestamp_ms=_record_time_ms(row["topic"], row["payload"]),
            )
            for row in rows
        ]
        await asyncio.gather(*deliveries)
        crash_point("relay.after_publish")
        await conn.execute(
            "UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])", [r["id"] for r in rows]
        )
        OUTBOX_PUBLISHED.labels(self.service).inc(len(rows))
        return len(rows)

    async def _observe_backlog(self, conn: asyncpg.Connection) -> None:
        pending, oldest = await conn.fetchrow("SELECT count(*), min(created_at) FROM outbox WHERE published_at IS NULL")
        OUTBOX_PENDING.labels(self.service).set(pending)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        OUTBOX_OLDEST_PENDING_SECONDS.labels(self.service).set(age)

    async def _prune(self, conn: asyncpg.Connection) -> None:
        await conn.execute(
            "DELETE FROM outbox WHERE published_at < now() - make_interval(days => $1)", self.retention_days
        )
