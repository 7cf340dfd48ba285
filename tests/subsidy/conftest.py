"""Subsidy in the test's own process (tests/support/inprocess.py), a union with a fund and
policies, and bookings and days arriving as enrollment's and attendance's events.

The events reach subsidy's handlers through subsidy's own :class:`EventConsumer`, as Kafka records
would: the same processed-events check (a duplicate has no effect), one transaction per
partition's records, partitions handled concurrently. Only Kafka itself is left out: that subsidy
subscribes to the right topics is shown by the whole-process tests (test_walking_skeleton.py,
test_idempotent_consumer.py, test_demo_walkthrough.py).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from shared.envelope import Envelope, Event
from testkit.city import token
from testkit.scenarios import SUMMER_DAYS, child_enrolled, envelope
from tests.conftest import Stack, _fast_retries
from tests.support.inprocess import InProcess, in_process


@pytest.fixture(scope="module")
async def subsidy(stack: Stack) -> AsyncIterator[InProcess]:
    async with in_process(stack, "subsidy", **_fast_retries()) as service:
        yield service


@dataclass
class UnionFunds:
    service: InProcess
    union_id: uuid.UUID = field(default_factory=uuid.uuid4)

    @property
    def http(self) -> httpx.AsyncClient:
        return self.service.http

    @property
    def staff(self) -> str:
        return token("union_staff", union_id=self.union_id)

    async def post(self, path: str, body: dict, bearer: str | None = None, expect: int | None = 201) -> httpx.Response:
        answer = await self.http.post(
            path,
            json=body,
            headers={"Authorization": f"Bearer {bearer or self.staff}", "Idempotency-Key": f"k-{uuid.uuid4()}"},
        )
        assert expect is None or answer.status_code == expect, answer.text
        return answer

    async def get(self, path: str, bearer: str | None = None) -> httpx.Response:
        return await self.http.get(path, headers={"Authorization": f"Bearer {bearer or self.staff}"})

    async def fund(self, budget_fen: int) -> str:
        return (await self.post("/funds", {"name": "专项资金", "budget_fen": budget_fen})).json()["fund_id"]

    async def policy(self, fund_id: str, kind: str, **fields) -> str:
        return (await self.post("/policies", {"fund_id": fund_id, "kind": kind, **fields})).json()["policy_id"]

    async def balance(self, fund_id: str) -> dict:
        return (await self.get(f"/funds/{fund_id}")).json()

    async def deliver(self, *events: Event) -> None:
        """The events as their services publish them, handled by subsidy as one poll's records."""
        await self.service.deliver(*(envelope(event) for event in events))

    async def deliver_envelopes(self, *envelopes: Envelope) -> None:
        await self.service.deliver(*envelopes)

    async def emitted(self, event_type: str, **data: str) -> list[dict]:
        """The ``data`` of subsidy's outbox events of a type whose fields match ``data``."""
        return await self.service.emitted(event_type, **data)

    def booking(self, *, days: int = 2, fee: int = 5000, group: str = "regular"):
        return child_enrolled(
            child_id=uuid.uuid4(),
            days=list(SUMMER_DAYS[:days]),
            union_path=(self.union_id,),
            fee_per_day_fen=fee,
            priority_group=group,
        )

    async def applications(self, booking_id: uuid.UUID) -> list[dict]:
        return (await self.get(f"/bookings/{booking_id}/applications")).json()["applications"]


@pytest.fixture
async def union(stack: Stack, subsidy: InProcess) -> UnionFunds:
    return UnionFunds(subsidy)


__all__ = ["dt"]
