"""A union with a fund and policies in the subsidy service, and bookings arriving as enrollment's events."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from shared.envelope import Event
from testkit.city import token
from testkit.kafka import publish_envelopes, wait_caught_up
from testkit.processes import ServiceProcess
from testkit.scenarios import SUMMER_DAYS, child_enrolled, envelope
from tests.conftest import Stack, _fast_retries


@pytest.fixture(scope="module")
async def subsidy(stack: Stack, log_dir) -> AsyncIterator[ServiceProcess]:
    process = ServiceProcess("subsidy", stack.service_env(**_fast_retries()), log_dir).start()
    try:
        yield await process.wait_healthy()
    finally:
        process.stop()


@dataclass
class UnionFunds:
    stack: Stack
    http: httpx.AsyncClient
    union_id: uuid.UUID = field(default_factory=uuid.uuid4)

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
        """Publish events as their services would, and wait until subsidy has handled them."""
        by_topic: dict[str, list] = {}
        for event in events:
            by_topic.setdefault(self.stack.topic(event.STREAM), []).append(envelope(event))
        for topic, batch in by_topic.items():
            await publish_envelopes(self.stack.kafka, topic, batch)
            await wait_caught_up(self.stack.kafka, self.stack.group("subsidy"), topic)

    async def deliver_envelopes(self, *envelopes) -> None:
        topic = self.stack.topic(envelopes[0].payload().STREAM)
        await publish_envelopes(self.stack.kafka, topic, list(envelopes))
        await wait_caught_up(self.stack.kafka, self.stack.group("subsidy"), topic)

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
async def union(stack: Stack, subsidy: ServiceProcess) -> AsyncIterator[UnionFunds]:
    async with httpx.AsyncClient(base_url=subsidy.url, timeout=60, limits=httpx.Limits(max_connections=100)) as http:
        yield UnionFunds(stack, http)


async def subsidy_events(stack: Stack, event_type: str, **data: str) -> list[dict]:
    conn = await stack.connect("subsidy")
    try:
        rows = await conn.fetch(
            "SELECT convert_from(payload, 'UTF8')::jsonb -> 'data' AS data FROM outbox "
            "WHERE event_type = $1 ORDER BY id",
            event_type,
        )
    finally:
        await conn.close()
    return [r["data"] for r in rows if all(str(r["data"].get(k)) == str(v) for k, v in data.items())]


__all__ = ["dt", "subsidy_events"]
