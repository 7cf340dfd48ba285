"""The one way a Tuoguan service is assembled and started.

A service module declares a :class:`ServiceDefinition` (name, migrations, HTTP routes, event
handlers); ``python -m services.<name>`` calls :func:`run`. Start-up: logging, a check that the
database is at the code's schema (deployment migrates it), pool, idempotent producer, outbox
relay, event subscriber, timers (the audit sealer among them), HTTP. Shutdown runs in reverse:
the subscriber stops first and waits for the event in hand, so nothing is acknowledged that
was not committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Annotated, Any, TypeVar

import asyncpg
import uvicorn
from aiokafka import AIOKafkaProducer, ConsumerRecord
from fastapi import APIRouter, Depends, FastAPI, Request
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from pydantic import ValidationError

from shared import audit, http, idempotency, secrets, tracing
from shared.auth import Verifier
from shared.consumer import EventConsumer
from shared.db import SchemaNotReady, check_schema, create_pool
from shared.dead_letters import DeadLetterPublisher
from shared.kafka_auth import KafkaAccess
from shared.limits import Guard
from shared.logs import configure_logging
from shared.metrics import CONSUMER_LAG
from shared.outbox import Outbox, OutboxRelay, relay_producer
from shared.routing import EventRouter
from shared.secrets import SecretMissing
from shared.settings import ServiceSettings, load_settings
from shared.topics import SUBSCRIPTIONS, consumer_group, qualified, relay_transactional_id, topics_of

log = logging.getLogger(__name__)
S = TypeVar("S", bound=ServiceSettings)


@dataclass
class ServiceDefinition:
    name: str
    title: str
    migrations: Path
    api: APIRouter
    events: EventRouter = field(default_factory=EventRouter)
    timers: list[Callable[[Runtime], Awaitable[None]]] = field(default_factory=list)
    settings: type[ServiceSettings] = ServiceSettings
    secrets: tuple[str, ...] = ()  # environment variables this service needs (checked by shared.secrets)
    tight_limits: tuple[tuple[str, str], ...] = ()  # (route path, rate) limited harder than other commands


@dataclass
class Runtime:
    """What request handlers need, reachable as ``request.app.state.runtime``."""

    settings: ServiceSettings
    pool: asyncpg.Pool
    outbox: Outbox
    relay: OutboxRelay | None = None  # None: in-process tests, without Kafka
    broker: KafkaBroker | None = None

    def settings_as(self, kind: type[S]) -> S:
        """The settings as the service's own class (``ServiceDefinition.settings``), which they are:
        each service's ``config.settings_of`` calls this."""
        if not isinstance(self.settings, kind):
            raise TypeError(
                f"the runtime's settings are not {kind.__name__}: create_app was given settings "
                "of another class than the service definition's"
            )
        return self.settings


async def runtime(request: Request) -> Runtime:
    """FastAPI dependency: the service's runtime (async: a plain function would run in a thread)."""
    found: Runtime = request.app.state.runtime
    return found


ServiceRuntime = Annotated[Runtime, Depends(runtime)]


async def _raw_records(message: KafkaMessage) -> tuple[ConsumerRecord, ...]:
    return message.raw_message


def _subscribe(
    broker: KafkaBroker, consumer: EventConsumer, topics: list[str], group: str, settings: ServiceSettings
) -> Any:
    """One batch subscriber over the service's streams, committing offsets after the batch's commits.

    FastStream's batch subscriber hands over one ``getmany`` poll (records of several partitions);
    :meth:`EventConsumer.process_batch` handles its partitions concurrently. Manual acks: ``ack()``
    commits the consumer's whole position, which is exactly the poll in hand because nothing is
    fetched until it is done. If processing raised (the dead-letter topic was unreachable),
    ``nack()`` seeks every partition back to its first record of the poll, so nothing is skipped;
    what was already committed comes again and the processed-events table absorbs it.

    FastStream's ``max_workers`` does not fit: a batch subscriber ignores it, and with manual acks
    it runs one consumer per worker on a single topic, taking records one at a time.
    """

    subscriber = broker.subscriber(
        *topics,
        group_id=group,
        ack_policy=AckPolicy.MANUAL,
        auto_offset_reset="earliest",
        batch=True,
        max_records=settings.consumer_max_records,
        batch_timeout_ms=200,
        decoder=_raw_records,
        isolation_level="read_committed",  # the relay publishes each batch as one Kafka transaction
        max_poll_interval_ms=600_000,
        session_timeout_ms=settings.consumer_session_timeout_ms,
        heartbeat_interval_ms=settings.consumer_session_timeout_ms // 3,
    )

    @subscriber
    async def consume(records: tuple[ConsumerRecord, ...], message: KafkaMessage) -> None:
        try:
            await consumer.process_batch(message.raw_message)
        except Exception:
            log.exception("events not processed; they will be redelivered")
            await message.nack()
            await asyncio.sleep(consumer.backoff_max_s)
            return
        try:
            await message.ack()
        except Exception:  # e.g. rebalanced away: the new owner redelivers, the processed-events table absorbs it
            log.warning("offset commit failed; the events may be redelivered", exc_info=True)

    return subscriber


LAG_EVERY_S = 5.0


async def _watch_lag(subscriber: Any, service: str, group: str) -> None:
    """``tuoguan_consumer_lag`` per assigned partition, from the consumer's own fetch state (no
    broker request): its last stable offset (read_committed) less its position. A partition that
    moved to another member is set to 0 here, so the group's view (max over members) stays right."""
    shown: set[tuple[str, int]] = set()
    while True:
        await asyncio.sleep(LAG_EVERY_S)
        kafka = getattr(subscriber, "consumer", None)
        if kafka is None:
            continue
        try:
            assigned = set(kafka.assignment())
            for tp in assigned:
                end = kafka.last_stable_offset(tp) or kafka.highwater(tp)
                if end is None:
                    continue
                position = await asyncio.wait_for(kafka.position(tp), 1.0)
                CONSUMER_LAG.labels(service, group, tp.topic, str(tp.partition)).set(max(0, end - position))
                shown.add((tp.topic, tp.partition))
            for topic, partition in shown - {(tp.topic, tp.partition) for tp in assigned}:
                CONSUMER_LAG.labels(service, group, topic, str(partition)).set(0)
        except Exception:  # rebalancing, stopping: next time
            log.debug("consumer lag not observed", exc_info=True)


async def _tick(timer: Callable[[Runtime], Awaitable[None]], rt: Runtime, interval_s: float) -> None:
    """Run a timer every ``interval_s``. Timers keep their state in the database, so a tick
    missed while the service was down is made up by the next one."""
    while True:
        try:
            await timer(rt)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("timer failed; it runs again next tick", extra={"timer": timer.__name__})
        await asyncio.sleep(interval_s)


async def _forget_idempotency_keys(rt: Runtime) -> None:
    await idempotency.forget_expired(rt.pool, rt.settings.idempotency_retention_hours)


async def seal_audit_trail(rt: Runtime) -> None:
    """Timer of every service: chain the audit rows of finished transactions (shared/audit.py)."""
    await audit.seal_pending(rt.pool)


def create_app(
    definition: ServiceDefinition, settings: ServiceSettings | None = None, *, messaging: bool = True
) -> FastAPI:
    """The service's HTTP app; its lifespan starts the pool and, with ``messaging``, Kafka and the
    background work. Without it (in-process tests) commands commit, timers run, and the events wait
    in the outbox."""
    settings = settings or load_settings(definition.name, definition.settings)
    unknown = definition.events.streams - set(SUBSCRIPTIONS[definition.name])
    if unknown:
        raise RuntimeError(f"{definition.name} handles {sorted(unknown)} but shared/topics.py does not subscribe it")
    for name in definition.secrets:  # refuse to start on a missing, short or known secret
        secrets.required(name)
    kafka = settings.kafka_access() if messaging else None  # a weak Kafka password stops the service here
    verifier = Verifier.from_environment(definition.name)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(definition.name, settings.log_level)
        tracing.configure(definition.name, settings.instance_id)
        try:
            await check_schema(settings.database_url, definition.name, definition.migrations)
        except SchemaNotReady as behind:
            log.critical(str(behind))
            raise
        pool = await create_pool(settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max)
        app.state.runtime = rt = Runtime(
            settings=settings, pool=pool, outbox=Outbox(definition.name, settings.namespace)
        )
        try:
            async with contextlib.AsyncExitStack() as running:  # stopped in reverse
                if kafka is not None:
                    await running.enter_async_context(_messaging(definition, kafka, rt))
                await running.enter_async_context(_timers(definition, rt))
                log.info("service started", extra={"port": settings.http_port, "instance": settings.instance_id})
                yield
                log.info("service stopping")
        finally:
            await pool.close()
            tracing.shutdown()

    app = FastAPI(title=definition.title, version="0.1.0", lifespan=lifespan)
    app.state.verifier = verifier
    app.add_middleware(
        Guard,
        max_body_bytes=settings.max_body_bytes,
        per_token=settings.rate_per_token,
        per_address=settings.rate_per_address,
        tight=[(path, settings.rate_tight or rate) for path, rate in definition.tight_limits],
    )
    http.install(app, definition.name)
    app.include_router(definition.api)
    return app


@asynccontextmanager
async def _messaging(definition: ServiceDefinition, kafka: KafkaAccess, rt: Runtime) -> AsyncIterator[None]:
    """Kafka: the dead-letter producer, the outbox relay and the event subscriber."""
    settings = rt.settings
    producer = AIOKafkaProducer(  # dead letters; the relay has its own, transactional one
        **kafka.aiokafka(),
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
        client_id=f"{definition.name}-{settings.instance_id}",
    )
    await producer.start()
    rt.relay = OutboxRelay(
        service=definition.name,
        dsn=settings.database_url,
        producer_factory=partial(
            relay_producer,
            kafka,
            transactional_id=relay_transactional_id(definition.name, settings.namespace),
            client_id=f"{definition.name}-{settings.instance_id}-relay",
        ),
        batch_size=settings.relay_batch_size,
        poll_interval_s=settings.relay_poll_interval_s,
        retention_days=settings.outbox_retention_days,
    )
    relay_task = asyncio.create_task(rt.relay.run(), name="outbox-relay")
    watchers: list[asyncio.Task[None]] = []
    rt.broker = broker = KafkaBroker(
        kafka.servers,
        security=kafka.faststream(),
        allow_auto_create_topics=False,
        client_id=f"{definition.name}-{settings.instance_id}",
        graceful_timeout=30.0,
        logger=logging.getLogger("faststream"),
        log_level=logging.DEBUG,  # per-message lines at DEBUG
    )
    if definition.events.handlers:
        group = consumer_group(definition.name, settings.namespace)
        consumer = EventConsumer(
            service=definition.name,
            instance_id=settings.instance_id,
            pool=rt.pool,
            router=definition.events,
            outbox=rt.outbox,
            dead_letters=DeadLetterPublisher(producer, service=definition.name, group=group),
            max_attempts=settings.consumer_max_attempts,
            backoff_s=settings.consumer_backoff_s,
            backoff_max_s=settings.consumer_backoff_max_s,
        )
        topics = [qualified(t, settings.namespace) for s in sorted(definition.events.streams) for t in topics_of(s)]
        if topics:  # no insurer configured: nothing arrives on the inbound stream
            subscriber = _subscribe(broker, consumer, topics, group, settings)
            watchers.append(asyncio.create_task(_watch_lag(subscriber, definition.name, group), name="consumer-lag"))
    await broker.start()
    try:
        yield
    finally:
        await broker.stop()
        for task in (relay_task, *watchers):
            task.cancel()
        await asyncio.gather(relay_task, *watchers, return_exceptions=True)
        await producer.stop()


@asynccontextmanager
async def _timers(definition: ServiceDefinition, rt: Runtime) -> AsyncIterator[None]:
    """The service's timers and the plumbing's (idempotency keys, audit seal), cancelled on exit."""
    tasks = [
        asyncio.create_task(_tick(t, rt, rt.settings.timer_interval_s), name=t.__name__)
        for t in [*definition.timers, _forget_idempotency_keys, seal_audit_trail]
    ]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def run(definition: ServiceDefinition) -> None:
    """Serve the service on its HTTP port until SIGTERM/SIGINT, then shut down gracefully.

    With ``<SERVICE>_WORKERS`` above 1, uvicorn forks that many worker processes on one socket;
    each is a full instance (its own pool, consumer in the group, relay candidate, timers).
    """
    try:
        settings = load_settings(definition.name, definition.settings)
    except ValidationError as invalid:
        raise SystemExit(f"{definition.name} does not start: {invalid}") from None
    configure_logging(definition.name, settings.log_level)
    options: dict[str, Any] = dict(
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        loop="uvloop",
        http="httptools",
        timeout_graceful_shutdown=30,
        timeout_keep_alive=65,
    )
    if settings.workers > 1:
        os.environ[_SERVICE_VARIABLE] = definition.name
        with tempfile.TemporaryDirectory(prefix=f"tuoguan-{definition.name}-metrics-") as samples:
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = samples  # read by the workers' prometheus_client
            uvicorn.run("shared.service:app_from_environment", factory=True, workers=settings.workers, **options)
    else:
        try:
            app = create_app(definition, settings)
        except SecretMissing as missing:
            raise SystemExit(f"{definition.name} does not start: {missing}") from None
        uvicorn.run(app, **options)


_SERVICE_VARIABLE = "TUOGUAN_SERVICE"


def app_from_environment() -> FastAPI:
    """The app factory uvicorn's worker processes call: the service named in ``TUOGUAN_SERVICE``."""
    name = os.environ[_SERVICE_VARIABLE]
    return create_app(importlib.import_module(f"services.{name}.app").definition)
