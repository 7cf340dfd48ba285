"""A service in the test's own process, on the namespace's database and without Kafka.

Its HTTP API runs through an ASGI transport (no port, no subprocess); commands commit and the
events they emit stay in the service's ``outbox`` table, where the test reads them. Its timers
run; the relay and the event subscriber do not: :meth:`InProcess.deliver` hands events to the
service's consumer as one poll of Kafka records would. Use it for what stays
inside one service; what crosses services keeps the whole-process tests. Do not run a process of
the same service in the same test: on leaving, the events written during the test are marked sent.
"""

from __future__ import annotations

import importlib
import itertools
import json
import os
import time
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiokafka import ConsumerRecord
from fastapi import FastAPI

from deploy.keys import process_environment
from shared.consumer import EventConsumer
from shared.envelope import Envelope
from shared.service import Runtime, create_app
from testkit.stack import Stack

PARTITIONS = 3  # records of one key share a partition; partitions are handled concurrently


class _NoDeadLetters:
    """A record the handlers cannot handle fails the test instead of going to a dead-letter topic."""

    async def publish(self, record: ConsumerRecord, exc: BaseException, *, attempts: int, kind: str) -> None:
        raise AssertionError(f"a {kind} record was dead-lettered after {attempts} attempts") from exc


@dataclass
class InProcess:
    """The service's app, an HTTP client on it, and its runtime (pool, outbox)."""

    app: FastAPI
    http: httpx.AsyncClient
    service: str
    stack: Stack
    offsets: itertools.count = field(default_factory=itertools.count)

    async def deliver(self, *envelopes: Envelope, topic: str | None = None, traceparent: str | None = None) -> None:
        """Hand ``envelopes`` to the service's own event consumer as the records of one poll, as
        Kafka would: the processed-events check (a duplicate has no effect), one transaction per
        partition, a child's events in order, partitions concurrently. Only Kafka is left out.
        ``topic`` (unqualified): where they come from, when not their stream (a partner's inbound topic);
        ``traceparent``: the records' trace context header, as the relay sends it."""
        records = [self.record(e, topic, traceparent=traceparent) for e in envelopes]
        outcomes = await self.consumer(_NoDeadLetters()).process_batch(records)
        assert set(outcomes) <= {"handled", "duplicate"}, outcomes

    def consumer(self, dead_letters: object) -> EventConsumer:
        """The service's event consumer, parking dead letters with ``dead_letters`` (its ``publish``)."""
        settings = self.runtime.settings
        return EventConsumer(
            service=self.service,
            instance_id=settings.instance_id,
            pool=self.runtime.pool,
            router=importlib.import_module(f"services.{self.service}.app").definition.events,
            outbox=self.runtime.outbox,
            dead_letters=dead_letters,  # type: ignore[arg-type]
            max_attempts=settings.consumer_max_attempts,
            backoff_s=settings.consumer_backoff_s,
            backoff_max_s=settings.consumer_backoff_max_s,
        )

    def record(
        self, sent: Envelope, topic: str | None = None, value: bytes | None = None, traceparent: str | None = None
    ) -> ConsumerRecord:
        """``sent`` as a Kafka record of its stream (or of ``topic``); ``value`` replaces its bytes;
        ``traceparent`` goes in its headers."""
        key, value = sent.key.encode(), sent.to_bytes() if value is None else value
        return ConsumerRecord(
            topic=self.stack.topic(topic or sent.payload().STREAM),
            partition=zlib.crc32(key) % PARTITIONS,
            offset=next(self.offsets),
            timestamp=int(time.time() * 1000),
            timestamp_type=0,
            key=key,
            value=value,
            checksum=None,
            serialized_key_size=len(key),
            serialized_value_size=len(value),
            headers=[*sent.headers(), *([("traceparent", traceparent.encode())] if traceparent else [])],
        )

    @property
    def runtime(self) -> Runtime:
        return self.app.state.runtime

    async def envelopes(self, event_type: str) -> list[dict[str, Any]]:
        """Each whole envelope of ``event_type`` in the outbox, in the order written."""
        rows = await self.runtime.pool.fetch("SELECT payload FROM outbox WHERE event_type = $1 ORDER BY id", event_type)
        return [json.loads(r["payload"]) for r in rows]

    async def emitted(self, event_type: str, **data: Any) -> list[dict[str, Any]]:
        """The ``data`` of each event of ``event_type`` in the outbox whose fields match ``data``."""
        found = [e["data"] for e in await self.envelopes(event_type)]
        return [d for d in found if all(str(d.get(k)) == str(v) for k, v in data.items())]


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@asynccontextmanager
async def in_process(stack: Stack, service: str, **env: str) -> AsyncIterator[InProcess]:
    """``service`` with exactly the settings its process would get (deploy.keys.process_environment)."""
    values = process_environment(service, {**os.environ, **stack.service_env(**env)})
    with _environment(values):
        definition = importlib.import_module(f"services.{service}.app").definition
        app = create_app(definition, messaging=False)
    async with app.router.lifespan_context(app):
        runtime: Runtime = app.state.runtime
        before = await runtime.pool.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url=f"http://{service}.test") as http:
                yield InProcess(app, http, service, stack)
        finally:  # a relay started later in this namespace must not send what the test wrote
            await runtime.pool.execute(
                "UPDATE outbox SET published_at = now() WHERE id > $1 AND published_at IS NULL", before
            )


__all__ = ["InProcess", "in_process"]
