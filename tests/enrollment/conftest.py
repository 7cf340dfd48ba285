"""Enrollment in the test's own process for the module's scenarios (it consumes nothing, so its
scenarios need no Kafka), and the outbox to check its events."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest

from testkit.city import City
from tests.conftest import Stack, _fast_retries
from tests.support.inprocess import InProcess, in_process


@pytest.fixture(scope="module")
async def enrollment(stack: Stack) -> AsyncIterator[InProcess]:
    async with in_process(stack, "enrollment", **_fast_retries()) as service:
        yield service


@pytest.fixture
async def city(enrollment: InProcess) -> City:
    return City(enrollment.http)


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
