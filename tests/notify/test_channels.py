"""Every guardian, on each of their channels, exactly once, with safety alerts always going through.
(Webhooks: test_webhooks.py and test_webhook_addresses.py.)"""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx

from shared.contracts.enrollment import Channel
from testkit.kafka import publish_envelopes
from testkit.scenarios import child_enrolled, envelope
from tests.conftest import Stack
from tests.notify.conftest import INAPP, Family, checked_in, mail_text, mailed_codes, refused, texted_codes
from tests.support.polling import eventually


async def test_both_guardians_receive(stack: Stack, client: httpx.AsyncClient) -> None:
    family = await Family.register(stack, client, [INAPP], [INAPP])
    await family.tell(checked_in(family))
    for guardian in (0, 1):
        (message,) = await eventually(lambda g=guardian: family.inbox(g))
        assert message["body"] == "小红 08:12 已入园，晨检正常。"
    other = await client.get(
        f"/guardians/{family.guardian_id(0)}/notifications", headers={"Authorization": f"Bearer {family.token(1)}"}
    )
    assert other.status_code == 403, "a guardian sees only their own inbox"


async def test_email_arrives_at_the_smtp_server(stack: Stack, client: httpx.AsyncClient, mailbox) -> None:
    box, _ = mailbox
    address = f"parent-{uuid.uuid4().hex[:6]}@example.test"
    family = await Family.register(stack, client, [INAPP, Channel(kind="email", address=address)])
    await family.confirm(0, "email", address, mailed_codes(box, address))
    await family.tell(checked_in(family))

    async def arrived() -> list:
        return [m for m in box.messages if address in m.rcpt_tos and "验证码" not in mail_text(m)]

    (mail,) = await eventually(arrived)
    text = mail.content.decode()
    assert "Subject: =?utf-8?" in text or "托管班通知" in text
    assert "Message-ID: <" in text
    delivered = await eventually(lambda: family.has_status(0, "email", "delivered"))
    assert delivered


async def test_sms_goes_through_the_gateway_contract_after_a_busy_answer(
    stack: Stack, client: httpx.AsyncClient, sms_gateway: str
) -> None:
    phone = f"138{uuid.uuid4().int % 10**8:08d}"
    family = await Family.register(stack, client, [Channel(kind="sms", address=phone)])
    await family.confirm(0, "sms", phone, texted_codes(sms_gateway, phone))
    await family.tell(checked_in(family))
    assert await eventually(lambda: family.has_status(0, "sms", "delivered"), timeout=30)
    listing = httpx.get(f"{sms_gateway}/v1/messages").json()
    mine = [m for m in listing["messages"] if m["to"] == phone and "验证码" not in m["text"]]
    assert len(mine) == 1 and mine[0]["channel"] == "sms" and "晨检正常" in mine[0]["text"]


async def test_a_redelivered_event_notifies_once_per_channel(stack: Stack, client: httpx.AsyncClient, mailbox) -> None:
    address = f"dup-{uuid.uuid4().hex[:6]}@example.test"
    family = await Family.register(stack, client, [INAPP, Channel(kind="email", address=address)])
    await family.confirm(0, "email", address, mailed_codes(mailbox[0], address))
    once = envelope(checked_in(family))
    await publish_envelopes(stack.kafka, stack.topic("attendance.events"), [once, once])
    await eventually(lambda: family.has_status(0, "email", "delivered"))
    await asyncio.sleep(1)
    channels = sorted(d["channel"] for d in await family.deliveries(0))
    assert channels == ["email", "inapp"]


async def test_quiet_hours_hold_routine_messages_but_not_safety_alerts(
    stack: Stack, client: httpx.AsyncClient, mailbox
) -> None:
    box, _ = mailbox
    address = f"quiet-{uuid.uuid4().hex[:6]}@example.test"
    family = await Family.register(stack, client, [INAPP, Channel(kind="email", address=address)])
    await family.confirm(0, "email", address, mailed_codes(box, address))
    always_quiet = {"quiet_start": "00:00:00", "quiet_end": "23:59:59", "language": "en"}
    saved = await client.put(
        f"/guardians/{family.guardian_id(0)}/preferences",
        json=always_quiet,
        headers={"Authorization": f"Bearer {family.token(0)}"},
    )
    assert saved.status_code == 200 and saved.json()["language"] == "en"
    await family.tell(checked_in(family), refused(family))

    async def mails() -> list:
        return [m for m in box.messages if address in m.rcpt_tos and "验证码" not in mail_text(m)]

    (alert,) = await eventually(mails)
    assert "did not pass the health check" in alert.content.decode()
    await asyncio.sleep(1.5)
    assert len(await mails()) == 1, "the routine check-in e-mail waits for the end of quiet hours"
    held = [d for d in await family.deliveries(0) if d["channel"] == "email" and d["status"] == "pending"]
    assert len(held) == 1
    assert len(await family.inbox(0)) == 2, "the silent in-app inbox gets both at once"


async def test_an_sse_client_receives_live(stack: Stack, client: httpx.AsyncClient, notify) -> None:
    family = await Family.register(stack, client, [INAPP])
    await family.tell(child_enrolled(child_id=family.registered.child_id))
    await eventually(lambda: family.inbox(0))  # the registration has been seen
    url = f"{notify.url}/guardians/{family.guardian_id(0)}/notifications/stream"
    async with (
        httpx.AsyncClient(timeout=30) as sse,
        sse.stream("GET", url, headers={"Authorization": f"Bearer {family.token(0)}"}) as stream,
    ):
        lines = stream.aiter_lines()
        assert (await anext(lines)) == ": connected"
        await family.tell(checked_in(family))
        data = await asyncio.wait_for(_next_data(lines), 20)
    assert json.loads(data)["body"] == "小红 08:12 已入园，晨检正常。"


async def _next_data(lines) -> str:
    async for line in lines:
        if line.startswith("data: "):
            return line[len("data: ") :]
    raise AssertionError("stream ended")
