"""notify with real outside parties on loopback: an SMTP server (aiosmtpd), a webhook receiver and
a fake SMS gateway process that speaks the documented contract."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request

from deploy.city import token
from deploy.endpoints import ROOT
from deploy.processes import ServiceProcess, free_port
from services.notify.channels.signing import verify
from shared.contracts.enrollment import Channel, ChildRegistered, GuardianContact
from tests.conftest import Stack, _fast_retries
from tests.support.kafka import publish_envelopes
from tests.support.scenarios import envelope

WEBHOOK_SECRET = "webhook-test-secret"
GATEWAY_SECRET = "gateway-test-" + os.urandom(24).hex()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope_) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope_)
        return "250 OK"


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def sms_gateway(log_dir) -> Iterator[str]:
    port = free_port()
    log = (log_dir / f"fake-gateway-{port}.log").open("ab")
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.fake_gateway", "--port", str(port),
                             "--secret", GATEWAY_SECRET, "--fail-first", "1"], cwd=ROOT, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/v1/messages", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
async def notify(stack: Stack, log_dir, mailbox, sms_gateway) -> AsyncIterator[ServiceProcess]:
    env = stack.service_env(**{**_fast_retries(), "NOTIFY_SMTP_PORT": str(mailbox[1]),
                               "NOTIFY_WEBHOOK_SECRET": WEBHOOK_SECRET, "NOTIFY_GATEWAY_SECRET": GATEWAY_SECRET,
                               "NOTIFY_SMS_GATEWAY_URL": sms_gateway, "NOTIFY_DELIVERY_BACKOFF_S": "0.3",
                               "NOTIFY_TIMER_INTERVAL_S": "0.2"})
    process = ServiceProcess("notify", env, log_dir).start()
    try:
        yield await process.wait_healthy()
    finally:
        process.stop()


@dataclass
class WebhookReceiver:
    """A parent app's webhook endpoint on loopback, which can be down and come up."""

    port: int = field(default_factory=free_port)
    received: list[dict] = field(default_factory=list)
    server: uvicorn.Server | None = None
    task: asyncio.Task | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def up(self) -> None:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> dict:
            body = await request.body()
            self.received.append({"valid": verify(WEBHOOK_SECRET, {k.lower(): v for k, v in request.headers.items()},
                                                  body),
                                  "delivery": request.headers.get("idempotency-key"), "body": body})
            return {"ok": True}

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.05)

    async def down(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            await self.task


@dataclass
class Family:
    """A child with guardians whose channels the test chooses; tokens to read their inboxes."""

    stack: Stack
    http: httpx.AsyncClient
    registered: ChildRegistered

    @classmethod
    async def register(cls, stack: Stack, http: httpx.AsyncClient, *channel_sets: list[Channel]) -> "Family":
        family = cls.unannounced(stack, http, *channel_sets)
        await family.announce()
        return family

    @classmethod
    def unannounced(cls, stack: Stack, http: httpx.AsyncClient, *channel_sets: list[Channel]) -> "Family":
        """A family whose registration notify has not heard of yet (see :meth:`announce`)."""
        registered = ChildRegistered(
            child_id=uuid.uuid4(), display_name="小红", priority_group="regular",
            guardians=tuple(GuardianContact(guardian_id=uuid.uuid4(), display_name=f"家长{i}", channels=tuple(chs))
                            for i, chs in enumerate(channel_sets)))
        return cls(stack, http, registered)

    async def announce(self) -> None:
        await publish_envelopes(self.stack.kafka, self.stack.topic("enrollment.events"), [envelope(self.registered)])

    def token(self, guardian: int) -> str:
        return token("parent", union_id=uuid.uuid4(), member_id=self.registered.guardians[guardian].guardian_id)

    def guardian_id(self, guardian: int) -> uuid.UUID:
        return self.registered.guardians[guardian].guardian_id

    async def inbox(self, guardian: int, bearer: str | None = None) -> list[dict]:
        """The guardian's inbox, read by the guardian (or by whoever ``bearer`` is)."""
        answer = await self.http.get(f"/guardians/{self.guardian_id(guardian)}/notifications",
                                     headers={"Authorization": f"Bearer {bearer or self.token(guardian)}"})
        return answer.json()["notifications"]

    async def deliveries(self, guardian: int) -> list[dict]:
        answer = await self.http.get(f"/guardians/{self.guardian_id(guardian)}/deliveries",
                                     headers={"Authorization": f"Bearer {self.token(guardian)}"})
        return answer.json()["notifications"]

    async def tell(self, *events) -> None:
        by_topic: dict[str, list] = {}
        for event in events:
            by_topic.setdefault(self.stack.topic(event.STREAM), []).append(envelope(event))
        for topic, batch in by_topic.items():
            await publish_envelopes(self.stack.kafka, topic, batch)


@pytest.fixture
async def client(notify: ServiceProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=notify.url, timeout=30) as http:
        yield http
