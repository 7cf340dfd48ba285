"""Enrollment in the test's own process for the module's scenarios (it consumes nothing, so its
scenarios need no Kafka); ``enrollment.emitted(...)`` reads the events it wrote to its outbox."""

from __future__ import annotations

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
