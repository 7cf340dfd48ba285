"""A service in the test's own process, on the namespace's database and without Kafka.

Its HTTP API runs through an ASGI transport (no port, no subprocess); commands commit and the
events they emit stay in the service's ``outbox`` table, where the test reads them. Its timers
run; the relay and the event subscriber do not (a test calls an event handler itself). Use it for what stays
inside one service; what crosses services keeps the whole-process tests. Do not run a process of
the same service in the same test: on leaving, the events written during the test are marked sent.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI

from deploy.keys import process_environment
from shared.service import Runtime, create_app
from testkit.stack import Stack


@dataclass
class InProcess:
    """The service's app, an HTTP client on it, and its runtime (pool, outbox)."""

    app: FastAPI
    http: httpx.AsyncClient

    @property
    def runtime(self) -> Runtime:
        return self.app.state.runtime

    async def emitted(self, event_type: str, **data: Any) -> list[dict[str, Any]]:
        """The ``data`` of each event of ``event_type`` in the outbox whose fields match ``data``."""
        rows = await self.runtime.pool.fetch("SELECT payload FROM outbox WHERE event_type = $1 ORDER BY id", event_type)
        found = [json.loads(r["payload"])["data"] for r in rows]
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
                yield InProcess(app, http)
        finally:  # a relay started later in this namespace must not send what the test wrote
            await runtime.pool.execute(
                "UPDATE outbox SET published_at = now() WHERE id > $1 AND published_at IS NULL", before
            )


__all__ = ["InProcess", "in_process"]
