"""Idempotent event consumption: inbox, bounded retries, dead letters.

For each Kafka record a service's :class:`EventConsumer`:

1. parses the envelope and its typed data; a record that cannot be parsed is poison and goes
   straight to the dead-letter topic (retrying cannot fix it);
2. in ONE database transaction records the event id in ``inbox`` and runs the handlers, which
   write state and append follow-up events to the outbox; a second delivery finds the inbox row
   and has no effect;
3. retries a failing handler with exponential backoff, then dead-letters the record with the
   error in its headers so the partition moves on. A database outage is not the record's fault:
   it is retried until the database is back, and nothing is acknowledged meanwhile.

The caller commits the Kafka offset only after :meth:`EventConsumer.process` returns.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

import asyncpg
from aiokafka import ConsumerRecord
from pydantic import ValidationError

import shared.contracts  # noqa: F401  (registers every event type)
from shared import logs
from shared.dead_letters import DeadLetterPublisher
from shared.envelope import Envelope, Event, UnknownEventType
from shared.metrics import EVENT_HANDLE_SECONDS, EVENT_RETRIES, EVENTS_CONSUMED
from shared.outbox import Outbox

log = logging.getLogger(__name__)

Outcome = Literal["handled", "duplicate", "ignored", "dead_lettered"]
E = TypeVar("E", bound=Event)

# Errors that say the database (not the event) is unavailable.
INFRASTRUCTURE_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.AdminShutdownError,
)


@dataclass(frozen=True)
class EventContext:
    """What a handler knows about the event it handles, and how it emits follow-up events."""

    envelope: Envelope
    outbox: Outbox

    async def emit(self, tx: asyncpg.Connection, event: Event, *, union_id: uuid.UUID | None = None,
                   stream: str | None = None) -> Envelope:
        """Append ``event`` to the outbox, caused by (and correlated with) the handled event."""
        return await self.outbox.append(
            tx, event,
            union_id=union_id if union_id is not None else self.envelope.union_id,
            correlation_id=self.envelope.correlation_id,
            causation_id=self.envelope.event_id,
            stream=stream,
        )


Handler = Callable[..., Awaitable[None]]


class EventRouter:
    """Maps event types to a service's handlers: ``@router.on(ChildEnrolled)``."""

    def __init__(self) -> None:
        self.handlers: dict[str, list[Handler]] = {}
        self.streams: set[str] = set()

    def on(self, event_type: type[E]) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.handlers.setdefault(event_type.TYPE, []).append(handler)
            self.streams.add(event_type.STREAM)
            return handler

        return register


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

    async def process(self, record: ConsumerRecord) -> Outcome:
        """Handle one record exactly once in effect. Raises only if it could not be dead-lettered."""
        try:
            envelope = Envelope.model_validate_json(record.value or b"")
        except ValidationError as exc:
            return await self._dead_letter(record, exc, attempts=1, kind="malformed")
        handlers = self.router.handlers.get(envelope.type)
        if not handlers:
            return self._count(record, envelope.type, "ignored")
        try:
            event = envelope.payload()
        except (ValidationError, UnknownEventType) as exc:
            # Bad data, or a schema version newer than this code: park it for a redrive.
            return await self._dead_letter(record, exc, attempts=1, kind="malformed")

        logs.correlation_id.set(str(envelope.correlation_id))
        logs.event_id.set(str(envelope.event_id))
        attempt = 0
        while True:
            started = time.perf_counter()
            try:
                outcome = await self._handle_once(record, envelope, event, handlers)
                EVENT_HANDLE_SECONDS.labels(self.service, envelope.type).observe(time.perf_counter() - started)
                return self._count(record, envelope.type, outcome)
            except INFRASTRUCTURE_ERRORS as exc:
                EVENT_RETRIES.labels(self.service, "infrastructure").inc()
                log.warning("database unavailable; will retry the event", extra={"error": repr(exc)})
                await asyncio.sleep(self.backoff_max_s / 2)
            except Exception as exc:  # the handler failed: retry a bounded number of times
                attempt += 1
                if attempt >= self.max_attempts:
                    log.error("handler failed %d times; dead-lettering", attempt, exc_info=True)
                    return await self._dead_letter(record, exc, attempts=attempt, kind="handler_error")
                EVENT_RETRIES.labels(self.service, "handler").inc()
                delay = min(self.backoff_s * 2 ** (attempt - 1), self.backoff_max_s)
                log.warning("handler failed; retrying", extra={"attempt": attempt, "retry_in_s": delay, "error": repr(exc)})
                await asyncio.sleep(delay)

    async def _handle_once(
        self, record: ConsumerRecord, envelope: Envelope, event: Event, handlers: list[Handler]
    ) -> Outcome:
        ctx = EventContext(envelope=envelope, outbox=self.outbox)
        async with self.pool.acquire() as tx, tx.transaction():
            first = await tx.fetchval(
                """INSERT INTO inbox (event_id, event_type, topic, kafka_partition, kafka_offset, handled_by)
                   VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_id) DO NOTHING RETURNING true""",
                envelope.event_id, envelope.type, record.topic, record.partition, record.offset, self.instance_id,
            )
            if not first:
                return "duplicate"
            for handler in handlers:
                await handler(event, ctx, tx=tx)
        return "handled"

    async def _dead_letter(self, record: ConsumerRecord, exc: BaseException, *, attempts: int, kind: str) -> Outcome:
        await self.dead_letters.publish(record, exc, attempts=attempts, kind=kind)
        return self._count(record, _header(record, "type") or "?", "dead_lettered")

    def _count(self, record: ConsumerRecord, event_type: str, outcome: Outcome) -> Outcome:
        EVENTS_CONSUMED.labels(self.service, record.topic, event_type, outcome).inc()
        return outcome


def _header(record: ConsumerRecord, name: str) -> str | None:
    for key, value in record.headers or ():
        if key == name:
            return value.decode(errors="replace")
    return None

