"""The one way a Tuoguan service is assembled and started.

A service module declares a :class:`ServiceDefinition` (name, migrations, HTTP routes, event
handlers); ``python -m services.<name>`` calls :func:`run`. Start-up: logging, migrations,
pool, idempotent producer, outbox relay, event subscriber, HTTP. Shutdown runs in reverse:
the subscriber stops first and waits for the event in hand, so nothing is acknowledged that
was not committed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import asyncpg
import uvicorn
from aiokafka import AIOKafkaProducer
from fastapi import APIRouter, Depends, FastAPI, Request
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage

from shared import http
from shared.consumer import EventConsumer, EventRouter
from shared.db import create_pool, migrate_service
from shared.dead_letters import DeadLetterPublisher
from shared.logs import configure_logging
from shared.outbox import Outbox, OutboxRelay
from shared.settings import ServiceSettings, load_settings
from shared.topics import SUBSCRIPTIONS, consumer_group, qualified

log = logging.getLogger(__name__)


@dataclass
class ServiceDefinition:
    name: str
    title: str
    migrations: Path
    api: APIRouter
    events: EventRouter = field(default_factory=EventRouter)
    timers: list[Callable[[Runtime], Awaitable[None]]] = field(default_factory=list)
    settings: type[ServiceSettings] = ServiceSettings


@dataclass
class Runtime:
    """What request handlers need, reachable as ``request.app.state.runtime``."""

    settings: ServiceSettings
    pool: asyncpg.Pool
    outbox: Outbox
    relay: OutboxRelay
    broker: KafkaBroker


def runtime(request: Request) -> Runtime:
    """FastAPI dependency: the service's runtime."""
    return request.app.state.runtime


Rt = Annotated[Runtime, Depends(runtime)]


async def _raw_body(message: KafkaMessage) -> bytes:
    return message.body


def _subscribe(broker: KafkaBroker, consumer: EventConsumer, topics: list[str], group: str) -> None:
    """One sequential subscriber over the service's streams, committing after each event's commit.

    Manual acks: ``ack()`` commits the consumer's whole position, which is exactly the record in
    hand because records are processed one at a time. If processing raised (the dead-letter topic
    was unreachable), ``nack()`` seeks back so the same record comes again instead of being skipped.
    """

    @broker.subscriber(
        *topics, group_id=group, ack_policy=AckPolicy.MANUAL, auto_offset_reset="earliest",
        decoder=_raw_body, max_poll_interval_ms=600_000,
    )
    async def consume(body: bytes, message: KafkaMessage) -> None:
        try:
            await consumer.process(message.raw_message)
        except Exception:
            log.exception("event not processed; it will be redelivered")
            await message.nack()
            await asyncio.sleep(consumer.backoff_max_s)
            return
        try:
            await message.ack()
        except Exception:  # e.g. rebalanced away: the new owner redelivers, the inbox absorbs it
            log.warning("offset commit failed; the event may be redelivered", exc_info=True)


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


def create_app(definition: ServiceDefinition, settings: ServiceSettings | None = None) -> FastAPI:
    settings = settings or load_settings(definition.name, definition.settings)
    unknown = definition.events.streams - set(SUBSCRIPTIONS[definition.name])
    if unknown:
        raise RuntimeError(f"{definition.name} handles {sorted(unknown)} but shared/topics.py does not subscribe it")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(definition.name, settings.log_level)
        await migrate_service(settings.database_url, definition.name, definition.migrations)
        pool = await create_pool(settings.database_url, min_size=settings.db_pool_min, max_size=settings.db_pool_max)
        producer = AIOKafkaProducer(
            bootstrap_servers=settings.kafka_bootstrap_servers, enable_idempotence=True, acks="all",
            linger_ms=5, client_id=f"{definition.name}-{settings.instance_id}",
        )
        await producer.start()
        outbox = Outbox(definition.name, settings.namespace)
        relay = OutboxRelay(
            service=definition.name, dsn=settings.database_url, producer=producer,
            batch_size=settings.relay_batch_size, poll_interval_s=settings.relay_poll_interval_s,
            retention_days=settings.outbox_retention_days,
        )
        relay_task = asyncio.create_task(relay.run(), name="outbox-relay")
        broker = KafkaBroker(
            settings.kafka_bootstrap_servers, allow_auto_create_topics=False,
            client_id=f"{definition.name}-{settings.instance_id}", graceful_timeout=30.0,
            logger=logging.getLogger("faststream"), log_level=logging.DEBUG,  # per-message lines at DEBUG
        )
        if definition.events.handlers:
            group = consumer_group(definition.name, settings.namespace)
            consumer = EventConsumer(
                service=definition.name, instance_id=settings.instance_id, pool=pool, router=definition.events,
                outbox=outbox, dead_letters=DeadLetterPublisher(producer, service=definition.name, group=group),
                max_attempts=settings.consumer_max_attempts, backoff_s=settings.consumer_backoff_s,
                backoff_max_s=settings.consumer_backoff_max_s,
            )
            streams = [qualified(s, settings.namespace) for s in sorted(definition.events.streams)]
            _subscribe(broker, consumer, streams, group)
        await broker.start()
        app.state.runtime = rt = Runtime(settings=settings, pool=pool, outbox=outbox, relay=relay, broker=broker)
        timer_tasks = [asyncio.create_task(_tick(t, rt, settings.timer_interval_s), name=t.__name__)
                       for t in definition.timers]
        log.info("service started", extra={"port": settings.http_port, "instance": settings.instance_id})
        try:
            yield
        finally:
            log.info("service stopping")
            for task in timer_tasks:
                task.cancel()
            await broker.stop()
            relay_task.cancel()
            await asyncio.gather(relay_task, *timer_tasks, return_exceptions=True)
            await producer.stop()
            await pool.close()

    app = FastAPI(title=definition.title, version="0.1.0", lifespan=lifespan)
    http.install(app, definition.name)
    app.include_router(definition.api)
    return app


def run(definition: ServiceDefinition) -> None:
    """Serve the service on its HTTP port until SIGTERM/SIGINT, then shut down gracefully."""
    settings = load_settings(definition.name, definition.settings)
    configure_logging(definition.name, settings.log_level)
    uvicorn.run(
        create_app(definition, settings), host=settings.http_host, port=settings.http_port,
        log_config=None, timeout_graceful_shutdown=30, timeout_keep_alive=65,
    )
