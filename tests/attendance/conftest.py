"""A site's day for attendance scenarios: children booked for today, staff tokens, the outbox.

Attendance runs in the test's process (tests/support/inprocess.py) and enrollment's events are
handed to its event handlers as its consumer hands them over, without Kafka; scenarios whose
events must travel on (to notify) use ``site_process``, a whole attendance process fed through Kafka."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

import httpx
import pytest

from shared.contracts.enrollment import ChildEnrolled, ChildRegistered
from shared.envelope import Envelope
from shared.sealed import unseal
from shared.timezones import LOCAL_TIME
from testkit.city import token
from testkit.kafka import publish_envelopes
from testkit.processes import ServiceProcess
from testkit.scenarios import WUHAN_STEEL_UNION, child_enrolled, child_registered, envelope
from tests.conftest import Stack, _fast_retries
from tests.support.inprocess import InProcess, in_process
from tests.support.polling import eventually


def today() -> dt.date:
    return dt.datetime.now(LOCAL_TIME).date()


# These scenarios run at any hour: timers tick only at start-up, so that a cut-off that passed
# does not mark their children absent while they are being checked in.
HOURLY_TIMERS = {**_fast_retries(), "ATTENDANCE_TIMER_INTERVAL_S": "3600"}


@pytest.fixture(scope="module")
async def attendance(stack: Stack) -> AsyncIterator[InProcess]:
    async with in_process(stack, "attendance", **HOURLY_TIMERS) as service:
        yield service


@pytest.fixture(scope="module")
async def attendance_process(stack: Stack, log_dir) -> AsyncIterator[ServiceProcess]:
    process = ServiceProcess("attendance", stack.service_env(**HOURLY_TIMERS), log_dir).start()
    try:
        yield await process.wait_healthy()
    finally:
        process.stop()


Deliver = Callable[[Sequence[Envelope]], Awaitable[None]]


def handled_by(service: InProcess) -> Deliver:
    """Enrollment's events reach attendance's own consumer as one poll would (InProcess.deliver)."""

    async def deliver(envelopes: Sequence[Envelope]) -> None:
        await service.deliver(*envelopes)

    return deliver


def through_kafka(stack: Stack) -> Deliver:
    async def deliver(envelopes: Sequence[Envelope]) -> None:
        await publish_envelopes(stack.kafka, stack.topic("enrollment.events"), list(envelopes))

    return deliver


@dataclass
class SiteDay:
    """One provider's site with a class running today, driven through attendance's API."""

    stack: Stack
    http: httpx.AsyncClient
    deliver: Deliver
    class_type: str = "school_age"
    boarding: bool = False  # a weekly boarding class (周托)
    site_id: uuid.UUID = field(default_factory=uuid.uuid4)
    class_id: uuid.UUID = field(default_factory=uuid.uuid4)
    provider_id: uuid.UUID = field(default_factory=uuid.uuid4)
    union_path: tuple[uuid.UUID, ...] = (WUHAN_STEEL_UNION,)
    bookings: dict[uuid.UUID, ChildEnrolled] = field(default_factory=dict)  # the last booking of each child

    @property
    def staff(self) -> str:
        return token("provider_staff", provider_id=self.provider_id)

    async def book_child(
        self, day: dt.date | None = None, registered: ChildRegistered | None = None, days: list[dt.date] | None = None
    ) -> ChildRegistered:
        """Enrollment's events for a child booked here today (or on ``days``), as attendance receives them."""
        registered = registered or child_registered(guardians=2)
        days = days or [day or today()]
        enrolled = child_enrolled(
            child_id=registered.child_id,
            class_id=self.class_id,
            days=days,
            boarding=self.boarding,
            site_id=self.site_id,
            provider_id=self.provider_id,
            class_type=self.class_type,
            union_path=self.union_path,
        )
        self.bookings[registered.child_id] = enrolled
        await self.deliver([envelope(registered), envelope(enrolled)])
        await eventually(lambda: self.on_roster(registered.child_id, days[0]))
        return registered

    async def on_roster(self, child_id: uuid.UUID, day: dt.date) -> dict | None:
        response = await self.get(f"/classes/{self.class_id}/roster/{day}")
        if response.status_code != 200:
            return None
        return next((c for c in response.json()["children"] if c["child_id"] == str(child_id)), None)

    async def get(self, path: str, bearer: str | None = None) -> httpx.Response:
        return await self.http.get(path, headers={"Authorization": f"Bearer {bearer or self.staff}"})

    async def post(self, path: str, body: dict, bearer: str | None = None, method: str = "POST") -> httpx.Response:
        return await self.http.request(
            method,
            path,
            json=body,
            headers={"Authorization": f"Bearer {bearer or self.staff}", "Idempotency-Key": f"k-{uuid.uuid4()}"},
        )

    async def check_in(
        self,
        child_id: uuid.UUID,
        temperature_c: float = 36.6,
        symptoms: list[str] | None = None,
        bearer: str | None = None,
    ) -> httpx.Response:
        return await self.post(
            "/checkins",
            {
                "child_id": str(child_id),
                "site_id": str(self.site_id),
                "temperature_c": temperature_c,
                "symptoms": symptoms or [],
            },
            bearer,
        )

    async def hours(self, cutoff: dt.time, closing: dt.time, grace_minutes: int = 0, interval_s: int = 900) -> None:
        answer = await self.post(
            f"/sites/{self.site_id}/hours",
            {
                "checkin_cutoff": cutoff.isoformat(),
                "closing": closing.isoformat(),
                "grace_minutes": grace_minutes,
                "escalation_interval_s": interval_s,
            },
            method="PUT",
        )
        assert answer.status_code == 200, answer.text


@pytest.fixture
async def site(stack: Stack, attendance: InProcess) -> SiteDay:
    return SiteDay(stack, attendance.http, handled_by(attendance))


@pytest.fixture
async def site_process(stack: Stack, attendance_process: ServiceProcess) -> AsyncIterator[SiteDay]:
    async with httpx.AsyncClient(base_url=attendance_process.url, timeout=30) as http:
        yield SiteDay(stack, http, through_kafka(stack))


def pickup_adults(child: ChildRegistered) -> list[dict]:
    """The adults the roster offers for the child's pick-up: the authorised ones, then the guardians."""
    return [
        *(
            {
                "adult_id": str(a.adult_id),
                "display_name": a.display_name,
                "relationship": a.relationship,
                "guardian": False,
            }
            for a in child.authorised_adults
        ),
        *(
            {"adult_id": str(g.guardian_id), "display_name": g.display_name, "relationship": None, "guardian": True}
            for g in child.guardians
        ),
    ]


async def attendance_events(stack: Stack, event_type: str, child_id: uuid.UUID | str) -> list[dict]:
    conn = await stack.connect("attendance")
    try:
        rows = await conn.fetch(
            """SELECT convert_from(payload, 'UTF8')::jsonb -> 'data' AS data FROM outbox
               WHERE event_type = $1 AND key = $2 ORDER BY id""",
            event_type,
            str(child_id),
        )
    finally:
        await conn.close()
    return [r["data"] for r in rows]


async def code_for(stack: Stack, child_id: uuid.UUID, attempt_id: str) -> str:
    """The attempt's code as the guardians receive it: only notify's private key opens it."""
    issued = [
        e for e in await attendance_events(stack, "pickup.code_issued", child_id) if e["attempt_id"] == attempt_id
    ]
    return unseal(os.environ["NOTIFY_SEAL_PRIVATE_KEY"], issued[0]["sealed_code"])
