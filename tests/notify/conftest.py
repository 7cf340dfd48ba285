"""notify with real outside parties on loopback: an SMTP server (aiosmtpd), webhook receivers and
a fake SMS gateway process that speaks the documented contract.

notify reaches webhooks on the public internet only. A test module whose receivers listen on
loopback says so by overriding ``notify_env`` with ``LOOPBACK_RECEIVERS``."""

from __future__ import annotations

import asyncio
import datetime as dt
import email
import email.policy
import json
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from deploy.endpoints import ROOT
from shared.contracts.attendance import CheckInRefused, ChildCheckedIn
from shared.contracts.enrollment import Channel, ChildRegistered, GuardianContact
from testkit.city import token
from testkit.kafka import publish_envelopes
from testkit.processes import ServiceProcess, free_port
from testkit.scenarios import envelope
from tests.conftest import Stack, _fast_retries
from tests.support.polling import eventually

GATEWAY_SECRET = "gateway-test-" + os.urandom(24).hex()
INAPP = Channel(kind="inapp", address="app")
AT = dt.datetime(2027, 7, 5, 0, 12, tzinfo=dt.UTC)
LOOPBACK_RECEIVERS = {"NOTIFY_WEBHOOK_ALLOW_NETWORKS": "127.0.0.0/8", "NOTIFY_WEBHOOK_ALLOW_HTTP": "true"}
CONFIRMATION_CODE = re.compile(r"(?:验证码|confirmation code is) (\d{6})")
CodeReader = Callable[[], Awaitable[list[str]]]


def codes_in(texts: list[str]) -> list[str]:
    """The confirmation codes in these messages, oldest first."""
    return [m.group(1) for t in texts if (m := CONFIRMATION_CODE.search(t))]


def mail_text(envelope_) -> str:
    """The decoded text of a received mail."""
    return email.message_from_bytes(envelope_.content, policy=email.policy.default).get_content()


def mails_to(box: Mailbox, address: str) -> list[str]:
    """The texts of the mails ``address`` received, in order."""
    return [mail_text(m) for m in box.messages if address in m.rcpt_tos]


def mailed_codes(box: Mailbox, address: str) -> CodeReader:
    async def read() -> list[str]:
        return codes_in(mails_to(box, address))

    return read


def texted_codes(gateway_url: str, phone: str) -> CodeReader:
    async def read() -> list[str]:
        listing = httpx.get(f"{gateway_url}/v1/messages").json()["messages"]
        return codes_in([m["text"] for m in listing if m["to"] == phone])

    return read


def posted_codes(receiver: WebhookReceiver) -> CodeReader:
    async def read() -> list[str]:
        return codes_in([json.loads(hit["body"])["text"] for hit in receiver.received])

    return read


class Mailbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope_) -> str:
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
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.fake_gateway",
            "--port",
            str(port),
            "--secret",
            GATEWAY_SECRET,
            "--fail-first",
            "1",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=log,
    )
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
def hosts_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A hosts file, empty until a test writes "<ip> <name>" lines to it (NOTIFY_WEBHOOK_HOSTS_FILE):
    a DNS server whose answers the test chooses."""
    path = tmp_path_factory.mktemp("dns") / "hosts"
    path.write_text("")
    return path


@pytest.fixture(scope="module")
def notify_env() -> dict[str, str]:
    """Settings a test module adds to notify's: none, so webhooks reach the public internet only."""
    return {}


@pytest.fixture(scope="module")
async def notify(stack: Stack, log_dir, mailbox, sms_gateway, notify_env) -> AsyncIterator[ServiceProcess]:
    env = stack.service_env(
        **{
            **_fast_retries(),
            "NOTIFY_SMTP_PORT": str(mailbox[1]),
            "NOTIFY_GATEWAY_SECRET": GATEWAY_SECRET,
            "NOTIFY_SMS_GATEWAY_URL": sms_gateway,
            "NOTIFY_DELIVERY_BACKOFF_S": "0.3",
            "NOTIFY_TIMER_INTERVAL_S": "0.2",
            **notify_env,
        }
    )
    process = ServiceProcess("notify", env, log_dir).start()
    try:
        yield await process.wait_healthy()
    finally:
        process.stop()


@dataclass
class WebhookReceiver:
    """A parent app's webhook endpoint on loopback, which can be down and come up. It answers at
    once, or never, or trickles its answer, or floods an endless one; ``log`` says in order what
    happened ("received", and "cut" when notify hung up before the answer was done)."""

    behaviour: Literal["answer", "never", "trickle", "flood"] = "answer"
    port: int = field(default_factory=free_port)
    received: list[dict] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    server: uvicorn.Server | None = None
    task: asyncio.Task | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    async def up(self) -> None:
        app = FastAPI()

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            self.received.append({"headers": dict(request.headers), "body": await request.body()})
            self.log.append("received")
            if self.behaviour == "answer":
                return JSONResponse({"ok": True})
            if self.behaviour == "never":
                for _ in range(600):
                    if await request.is_disconnected():
                        break
                    await asyncio.sleep(0.1)
                self.log.append("cut")
                return Response(status_code=204)
            return StreamingResponse(self._endless_answer())

        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.05)

    async def _endless_answer(self) -> AsyncIterator[bytes]:
        chunk, pause = (b".", 0.2) if self.behaviour == "trickle" else (b"x" * 65536, 0.0)
        finished = False
        try:
            for _ in range(1000):  # bounded, so that a broken test cannot run forever
                yield chunk
                await asyncio.sleep(pause)
            finished = True
        finally:
            self.log.append("finished" if finished else "cut")

    async def logged(self, entry: str) -> bool:
        return entry in self.log

    async def __aenter__(self) -> WebhookReceiver:
        await self.up()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.down()

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
    async def register(cls, stack: Stack, http: httpx.AsyncClient, *channel_sets: list[Channel]) -> Family:
        family = cls.unannounced(stack, http, *channel_sets)
        await family.announce()
        return family

    @classmethod
    def unannounced(cls, stack: Stack, http: httpx.AsyncClient, *channel_sets: list[Channel]) -> Family:
        """A family whose registration notify has not heard of yet (see :meth:`announce`)."""
        registered = ChildRegistered(
            child_id=uuid.uuid4(),
            display_name="小红",
            priority_group="regular",
            guardians=tuple(
                GuardianContact(guardian_id=uuid.uuid4(), display_name=f"家长{i}", channels=tuple(chs))
                for i, chs in enumerate(channel_sets)
            ),
        )
        return cls(stack, http, registered)

    async def announce(self) -> None:
        await publish_envelopes(self.stack.kafka, self.stack.topic("enrollment.events"), [envelope(self.registered)])

    async def register_webhook(self, guardian: int, url: str) -> httpx.Response:
        return await self.http.post(
            f"/guardians/{self.guardian_id(guardian)}/webhooks",
            json={"url": url},
            headers={"Authorization": f"Bearer {self.token(guardian)}"},
        )

    async def confirmed_webhook(self, guardian: int, receiver: WebhookReceiver) -> str:
        """Register the receiver's URL and confirm it with the code it is sent; its signing key. A
        receiver that is not up (or does not answer at once) is stood in for on its port meanwhile."""
        answer = await self.register_webhook(guardian, receiver.url)
        assert answer.status_code == 201, answer.text
        stand_in = receiver if receiver.server is not None and receiver.behaviour == "answer" else None
        if stand_in is None:
            assert receiver.server is None, "register a receiver that does not answer at once before it comes up"
            stand_in = WebhookReceiver(port=receiver.port)
            await stand_in.up()
        try:
            await self.confirm(guardian, "webhook", receiver.url, posted_codes(stand_in))
            await eventually(lambda: self.has_status(guardian, "webhook", "delivered", confirmation=True))
        finally:
            if stand_in is not receiver:
                await stand_in.down()
        receiver.received.clear()
        receiver.log.clear()
        return answer.json()["secret"]

    async def addresses(self, guardian: int) -> list[dict]:
        answer = await self.http.get(
            f"/guardians/{self.guardian_id(guardian)}/addresses",
            headers={"Authorization": f"Bearer {self.token(guardian)}"},
        )
        return answer.json()["addresses"]

    async def address_id(self, guardian: int, kind: str, address: str) -> str:
        async def known() -> list[str]:
            return [
                a["address_id"] for a in await self.addresses(guardian) if a["kind"] == kind and a["address"] == address
            ]

        (found,) = await eventually(known)
        return found

    async def send_code(self, guardian: int, kind: str, address: str, code: str) -> httpx.Response:
        """The guardian enters ``code`` to confirm the address."""
        address_id = await self.address_id(guardian, kind, address)
        return await self.http.post(
            f"/guardians/{self.guardian_id(guardian)}/addresses/{address_id}/confirmation",
            json={"code": code},
            headers={"Authorization": f"Bearer {self.token(guardian)}"},
        )

    async def confirm(self, guardian: int, kind: str, address: str, codes: CodeReader) -> None:
        """Wait for the address's confirmation code and enter it."""
        code = (await eventually(codes))[-1]
        answer = await self.send_code(guardian, kind, address, code)
        assert answer.status_code == 200 and answer.json()["state"] == "confirmed", answer.text

    async def has_status(self, guardian: int, channel: str, status: str, *, confirmation: bool = False) -> bool:
        """Whether a notification (or, with ``confirmation``, a confirmation code) on ``channel`` has ``status``."""
        return any(
            d["channel"] == channel and d["status"] == status
            for d in await self.deliveries(guardian, confirmation=confirmation)
        )

    def token(self, guardian: int) -> str:
        return token("parent", union_id=uuid.uuid4(), member_id=self.registered.guardians[guardian].guardian_id)

    def guardian_id(self, guardian: int) -> uuid.UUID:
        return self.registered.guardians[guardian].guardian_id

    async def inbox(self, guardian: int, bearer: str | None = None) -> list[dict]:
        """The guardian's inbox, read by the guardian (or by whoever ``bearer`` is)."""
        answer = await self.http.get(
            f"/guardians/{self.guardian_id(guardian)}/notifications",
            headers={"Authorization": f"Bearer {bearer or self.token(guardian)}"},
        )
        return answer.json()["notifications"]

    async def deliveries(self, guardian: int, *, confirmation: bool = False) -> list[dict]:
        """The guardian's notifications on every channel (or, with ``confirmation``, their confirmation codes)."""
        answer = await self.http.get(
            f"/guardians/{self.guardian_id(guardian)}/deliveries",
            headers={"Authorization": f"Bearer {self.token(guardian)}"},
        )
        return [
            d for d in answer.json()["notifications"] if (d["source_type"] == "address.confirmation") == confirmation
        ]

    async def tell(self, *events) -> None:
        by_topic: dict[str, list] = {}
        for event in events:
            by_topic.setdefault(self.stack.topic(event.STREAM), []).append(envelope(event))
        for topic, batch in by_topic.items():
            await publish_envelopes(self.stack.kafka, topic, batch)


def refused(family: Family) -> CheckInRefused:
    """A safety alert: the child did not pass the health check."""
    return CheckInRefused(
        child_id=family.registered.child_id, class_id=uuid.uuid4(), site_id=uuid.uuid4(), day=AT.date(), at=AT
    )


def checked_in(family: Family) -> ChildCheckedIn:
    return ChildCheckedIn(
        child_id=family.registered.child_id,
        class_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        day=AT.date(),
        booking_id=uuid.uuid4(),
        programme_id=uuid.uuid4(),
        at=AT,
    )


@pytest.fixture
async def client(notify: ServiceProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=notify.url, timeout=30) as http:
        yield http
