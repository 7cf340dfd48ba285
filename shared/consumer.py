"""Idempotent event consumption in batches: processed-event ids, bounded retries, dead letters.

A service's :class:`EventConsumer` takes the records of one poll, grouped by partition, and
handles the partitions concurrently (records of one key share a partition, so per-key order holds).
For each partition's records it:

1. parses each envelope and its typed data; a record that cannot be parsed is poison and goes
   straight to the dead-letter topic (retrying cannot fix it);
2. in ONE database transaction records every event id in ``processed_events`` with one statement (a second
   delivery finds its row and has no effect), then runs each fresh event's handlers in offset
   order; they write state and emit follow-up events, which are appended to the outbox with one
   statement before the commit;
3. when a handler fails, rolls the transaction back, commits the records before the failing one
   in a new transaction, and handles the failing record on its own: retried with exponential
   backoff, then dead-lettered with the error in its headers so the partition moves on (at once,
   when the handler rejects the event as naming what it does not know: :class:`UnknownReference`). The
   records after it follow in the next transaction. A database outage is not a record's fault:
   the batch is retried until the database is back, and nothing is acknowledged meanwhile.

The caller commits the Kafka offsets only after :meth:`EventConsumer.process_batch` returns.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import asyncpg
import asyncpg.exceptions._base as asyncpg_errors
from aiokafka import ConsumerRecord

import shared.contracts  # noqa: F401  (registers every event type)
from shared import tracing
from shared.db import acquire
from shared.dead_letters import DeadLetterPublisher
from shared.envelope import Envelope, Event, UnknownEventType
from shared.errors import UnknownReference
from shared.faults import crash_point
from shared.metrics import EVENT_BATCH_SECONDS, EVENT_BATCH_SIZE, EVENT_RETRIES, EVENTS_CONSUMED
from shared.outbox import Outbox
from shared.routing import EventRouter, HandlerFailed, Step, plan
from shared.topics import sender_of
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)

Outcome = Literal["handled", "duplicate", "ignored", "dead_lettered"]

# Errors that say the database (not the event) is unavailable, or read-only during a failover.
INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.ReadOnlySQLTransactionError,
)
# Client-side errors about the values sent: the event's fault, though asyncpg files them under
# InterfaceError (an argument that does not fit its column, for example).
NOT_INFRASTRUCTURE: tuple[type[BaseException], ...] = (
    asyncpg_errors.DataError,
    asyncpg_errors.ClientConfigurationError,
    asyncpg_errors.UnsupportedClientFeatureError,
)
# Errors that say two transactions met (partitions run concurrently), not that the event is bad.
CONTENTION_ERRORS: tuple[type[BaseException], ...] = (
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
)


def is_transient(exc: BaseException) -> bool:
    """True when retrying the same transaction later is the cure: an outage or contention."""
    if isinstance(exc, NOT_INFRASTRUCTURE):
        return False
    return isinstance(exc, INFRASTRUCTURE_ERRORS + CONTENTION_ERRORS)


@dataclass(frozen=True)
class _Parsed:
    record: ConsumerRecord
    envelope: Envelope
    event: Event
    steps: tuple[Step, ...]
    traceparent: str | None  # the record's header (shared/tracing.py)


class _RecordFailed(Exception):
    """A handler failed on the ``index``-th record of a transaction's slice (or, unless ``exact``,
    in a batch handler given the records from there on)."""

    def __init__(self, index: int, exact: bool) -> None:
        super().__init__(index)
        self.index = index
        self.exact = exact


class EventConsumer:
    def __init__(
        self,
        *,
        service: str,
        instance_id: str,
        pool: asyncpg.Pool,
        router: EventRouter,
        outbox: Outbox,
        dead_letters: DeadLetterPublisher,
        max_attempts: int = 5,
        backoff_s: float = 0.2,
        backoff_max_s: float = 10.0,
    ) -> None:
        self.service = service
        self.instance_id = instance_id
        self.pool = pool
        self.router = router
        self.outbox = outbox
        self.dead_letters = dead_letters
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self.backoff_max_s = backoff_max_s

    async def process_batch(self, records: Sequence[ConsumerRecord]) -> list[Outcome]:
        """Handle one poll's records, each exactly once in effect; partitions run concurrently.

        Returns the outcomes in no particular order. Raises only if a record could not be
        dead-lettered; then nothing of the batch may be acknowledged.
        """
        by_partition: dict[tuple[str, int], list[ConsumerRecord]] = {}
        for record in records:
            by_partition.setdefault((record.topic, record.partition), []).append(record)
        if len(by_partition) == 1:
            return await self._process_partition(records)
        # Every partition finishes before anything is raised: a nacked poll must not leave a
        # partition still working in the background while its records come again.
        results = await asyncio.gather(
            *(self._process_partition(rs) for rs in by_partition.values()), return_exceptions=True
        )
        done: list[list[Outcome]] = []
        for result in results:
            if isinstance(result, BaseException):
                raise result
            done.append(result)
        return [outcome for outcomes in done for outcome in outcomes]

    async def _process_partition(self, records: Sequence[ConsumerRecord]) -> list[Outcome]:
        outcomes: list[Outcome] = []
        todo = [p for r in records if (p := await self._parse(r, outcomes)) is not None]
        start = 0
        while start < len(todo):
            end = len(todo)
            while True:  # shrink to the records before a failing one, which then goes alone
                failed = await self._commit_slice(todo[start:end], outcomes)
                if failed is None or failed == 0:
                    break
                end = start + failed
            if failed == 0:
                outcomes.append(await self._process_alone(todo[start]))
                start += 1
            else:
                start = end
        return outcomes

    async def _parse(self, record: ConsumerRecord, outcomes: list[Outcome]) -> _Parsed | None:
        event_type = _header(record, "type")
        # A partner's inbound topic carries only what this service handles: anything else is parked.
        inbound = sender_of(record.topic) is not None
        if event_type and event_type not in self.router.handlers and not inbound:  # not ours: no need to read it
            outcomes.append(self._count(record, event_type, "ignored"))
            return None
        try:
            envelope, event = Envelope.parse_typed(record.value or b"", event_type)
        except Exception as exc:
            # Bad data, or a schema version newer than this code: park it for a redrive.
            outcomes.append(await self._dead_letter(record, exc, attempts=1, kind="malformed"))
            return None
        steps = self.router.handlers.get(envelope.type)
        if not steps and inbound:
            outcomes.append(
                await self._dead_letter(record, UnknownEventType(envelope.type), attempts=1, kind="malformed")
            )
            return None
        if not steps:
            outcomes.append(self._count(record, envelope.type, "ignored"))
            return None
        return _Parsed(record, envelope, event, steps, tracing.of_headers(record.headers))

    async def _commit_slice(self, items: list[_Parsed], outcomes: list[Outcome]) -> int | None:
        """Apply ``items`` in one transaction; the index of the first failing record (nothing is
        then committed), or None when all committed. Waits out a database outage."""
        one_by_one = False
        while True:
            started = time.perf_counter()
            try:
                handled = await self._apply(items, one_by_one=one_by_one)
            except _RecordFailed as failed:
                if not failed.exact:  # find the failing record: the same slice, each record on its own
                    one_by_one = True
                    continue
                return failed.index
            except Exception as exc:
                if is_transient(exc):
                    await self._wait_out(exc)
                    continue
                # Outside any handler (the processed-events insert, say): no record to blame yet.
                log.warning("batch failed outside its handlers; handling its records one at a time", exc_info=True)
                return 0
            EVENT_BATCH_SECONDS.labels(self.service).observe(time.perf_counter() - started)
            EVENT_BATCH_SIZE.labels(self.service).observe(len(items))
            for index, item in enumerate(items):
                outcomes.append(
                    self._count(item.record, item.envelope.type, "handled" if index in handled else "duplicate")
                )
            return None

    async def _apply(self, items: list[_Parsed], *, one_by_one: bool = False) -> set[int]:
        """One transaction: the processed-event rows of every item, then each fresh item's handlers.
        Returns the positions of the items handled (the others were duplicates)."""
        first = items[0].record
        spans = tracing.EventSpans(self.service, first.topic, first.partition)
        try:
            handled = await self._apply_traced(items, spans, one_by_one=one_by_one)
        except BaseException as exc:
            spans.end(exc)
            raise
        spans.end()
        return handled

    async def _apply_traced(self, items: list[_Parsed], spans: tracing.EventSpans, *, one_by_one: bool) -> set[int]:
        first = items[0].record
        async with acquire(self.pool) as tx, tx.transaction():
            fresh = set(
                await tx.fetchval(
                    """WITH new AS (
                       INSERT INTO processed_events (event_id, event_type, topic, kafka_partition, kafka_offset, handled_by)
                       SELECT e, t, $3, $4, o, $6 FROM unnest($1::uuid[], $2::text[], $5::bigint[]) AS u(e, t, o)
                       ON CONFLICT (event_id) DO NOTHING RETURNING event_id)
                   SELECT coalesce(array_agg(event_id), '{}') FROM new""",
                    [i.envelope.event_id for i in items],
                    [i.envelope.type for i in items],
                    first.topic,
                    first.partition,
                    [i.record.offset for i in items],
                    self.instance_id,
                )
            )
            handled = [index for index, item in enumerate(items) if _first_time(item, fresh)]
            chosen = [items[i] for i in handled]
            traced = [
                spans.start(i.envelope.type, i.envelope.event_id, i.record.offset, i.traceparent, len(chosen))
                for i in chosen
            ]
            work = UnitOfWork(tx, self.outbox, correlation_id=items[0].envelope.correlation_id)
            for group in plan([i.envelope.key for i in chosen], [i.steps for i in chosen]):
                batch = [
                    (
                        chosen[p].event,
                        work.caused_by(chosen[p].envelope, topic=chosen[p].record.topic, traceparent=traced[p]),
                    )
                    for p in group.positions
                ]
                for step in group.steps:
                    try:
                        await step.run(batch, one_by_one=one_by_one)
                    except HandlerFailed as failed:
                        if failed.__cause__ is not None and is_transient(failed.__cause__):
                            raise failed.__cause__ from None
                        index = handled[group.positions[failed.index]]
                        log.info(
                            "handler failed inside a batch; isolating the record",
                            extra={"offset": items[index].record.offset, "error": repr(failed.__cause__)},
                        )
                        raise _RecordFailed(index, failed.exact) from failed.__cause__
            await work.flush()
            crash_point("consumer.before_commit")
        crash_point("consumer.after_commit")
        return set(handled)

    async def _process_alone(self, item: _Parsed) -> Outcome:
        attempt = 0
        while True:
            try:
                failed = await self._commit_slice_alone(item)
            except Exception as exc:  # the handler failed: retry a bounded number of times
                attempt += 1
                if isinstance(exc, UnknownReference):  # the event's own fault: retrying cannot help
                    return await self._dead_letter(item.record, exc, attempts=attempt, kind="rejected")
                if attempt >= self.max_attempts:
                    log.error("handler failed %d times; dead-lettering", attempt, exc_info=True)
                    return await self._dead_letter(item.record, exc, attempts=attempt, kind="handler_error")
                EVENT_RETRIES.labels(self.service, "handler").inc()
                delay = min(self.backoff_s * 2 ** (attempt - 1), self.backoff_max_s)
                log.warning(
                    "handler failed; retrying", extra={"attempt": attempt, "retry_in_s": delay, "error": repr(exc)}
                )
                await asyncio.sleep(delay)
            else:
                return failed

    async def _commit_slice_alone(self, item: _Parsed) -> Outcome:
        """One record in its own transaction; a handler's exception propagates."""
        while True:
            try:
                handled = await self._apply([item])
            except _RecordFailed as failed:
                raise failed.__cause__ from None  # type: ignore[misc]
            except Exception as exc:
                if not is_transient(exc):
                    raise
                await self._wait_out(exc)  # not the record's fault: no attempt is counted
                continue
            return self._count(item.record, item.envelope.type, "handled" if handled else "duplicate")

    async def _wait_out(self, exc: BaseException) -> None:
        """Sleep before retrying a transaction that met an outage (long) or another transaction (short,
        with jitter so that the two do not meet again)."""
        if isinstance(exc, CONTENTION_ERRORS):
            EVENT_RETRIES.labels(self.service, "contention").inc()
            await asyncio.sleep(random.uniform(0.05, 0.5))
            return
        EVENT_RETRIES.labels(self.service, "infrastructure").inc()
        log.warning("database unavailable; will retry", extra={"error": repr(exc)})
        await asyncio.sleep(self.backoff_max_s / 2)

    async def _dead_letter(self, record: ConsumerRecord, exc: BaseException, *, attempts: int, kind: str) -> Outcome:
        await self.dead_letters.publish(record, exc, attempts=attempts, kind=kind)
        return self._count(record, _header(record, "type") or "?", "dead_lettered")

    def _count(self, record: ConsumerRecord, event_type: str, outcome: Outcome) -> Outcome:
        EVENTS_CONSUMED.labels(self.service, record.topic, event_type, outcome).inc()
        return outcome


def _first_time(item: _Parsed, fresh: set[uuid.UUID]) -> bool:
    """True for an event not processed before, the first time it occurs in the batch."""
    if item.envelope.event_id not in fresh:
        return False
    fresh.discard(item.envelope.event_id)
    return True


def _header(record: ConsumerRecord, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name and value is not None:
            return str(value.decode(errors="replace"))
    return None
