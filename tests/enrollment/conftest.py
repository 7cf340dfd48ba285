"""One enrollment service process for the module's scenarios, and the outbox to check its events."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from testkit.city import City
from testkit.processes import ServiceProcess
from tests.conftest import Stack, _fast_retries


@pytest.fixture(scope="module")
async def enrollment(stack: Stack, log_dir) -> AsyncIterator[ServiceProcess]:
    process = ServiceProcess("enrollment", stack.service_env(**_fast_retries()), log_dir).start()
    try:
        yield await process.wait_healthy()
    finally:
        process.stop()


@pytest.fixture
async def city(enrollment: ServiceProcess) -> AsyncIterator[City]:
    limits = httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=60, limits=limits) as http:
        yield City(http)


async def outbox_events(stack: Stack, event_type: str, **data: str) -> list[dict]:
    """The ``data`` of enrollment's outbox events of a type whose fields match ``data``."""
    conn = await stack.connect("enrollment")
    try:
        rows = await conn.fetch(
            "SELECT convert_from(payload, 'UTF8')::jsonb -> 'data' AS data FROM outbox WHERE event_type = $1 ORDER BY id",
            event_type,
        )
    finally:
        await conn.close()
    return [r["data"] for r in rows if all(str(r["data"].get(k)) == str(v) for k, v in data.items())]


def ids(*values: object) -> list[str]:
    return [str(v) for v in values]


__all__ = ["ids", "outbox_events", "uuid"]
