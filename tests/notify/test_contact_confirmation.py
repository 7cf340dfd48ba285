"""A new e-mail address, phone number or webhook gets a one-time confirmation code and nothing
else until the guardian confirms it; in-app needs no confirmation, so a guardian is always told
somewhere (wrong codes and their cap: test_in_process.py). A guardian has at most so many
addresses of a kind."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from shared.contracts.enrollment import Channel
from shared.envelope import Event
from testkit.processes import free_port
from tests.conftest import Stack
from tests.notify.conftest import (
    INAPP,
    LOOPBACK_RECEIVERS,
    CodeReader,
    Family,
    checked_in,
    codes_in,
    mailed_codes,
    mails_to,
    refused,
    texted_codes,
)
from tests.support.polling import eventually

WRONG_TRIES = 3
PER_KIND = 2


@pytest.fixture(scope="module")
def notify_env() -> dict[str, str]:
    return {
        **LOOPBACK_RECEIVERS,
        "NOTIFY_CONFIRMATION_MAX_WRONG_CODES": str(WRONG_TRIES),
        "NOTIFY_MAX_ADDRESSES_PER_KIND": str(PER_KIND),
    }


async def told_while_unconfirmed(family: Family, codes: CodeReader, *events: Event) -> str:
    """Wait for the address's code, tell the family ``events`` and wait until they are in the inbox
    (and a little longer, time enough for any send); the code."""
    (code,) = await eventually(codes, timeout=30)
    await family.tell(*events)
    await eventually(lambda: _inbox_holds(family, len(events)))
    await asyncio.sleep(1.5)
    return code


async def _inbox_holds(family: Family, count: int) -> bool:
    return len(await family.inbox(0)) >= count


async def test_a_new_email_address_gets_only_its_code_until_the_guardian_confirms_it(
    stack: Stack, client: httpx.AsyncClient, mailbox
) -> None:
    box, _ = mailbox
    address = f"mum-{uuid.uuid4().hex[:6]}@example.test"
    family = await Family.register(stack, client, [INAPP, Channel(kind="email", address=address)])
    code = await told_while_unconfirmed(family, mailed_codes(box, address), checked_in(family), refused(family))
    mails = mails_to(box, address)
    assert len(mails) == 1 and codes_in(mails) == [code], "the unconfirmed address got its code and nothing else"
    assert not [d for d in await family.deliveries(0) if d["channel"] == "email"]
    assert len(await family.inbox(0)) == 2, "the guardian is told in-app, safety alert included"

    assert (await family.send_code(0, "email", address, code)).json()["state"] == "confirmed"
    await family.tell(refused(family))
    told = await eventually(lambda: _mails_with(box, address, "晨检未通过"))
    assert len(told) == 1, "once confirmed, the address gets notifications"


async def _mails_with(box, address: str, text: str) -> list[str]:
    return [m for m in mails_to(box, address) if text in m]


async def test_a_new_phone_number_gets_only_its_code_until_the_guardian_confirms_it(
    stack: Stack, client: httpx.AsyncClient, sms_gateway: str
) -> None:
    phone = f"+86139{uuid.uuid4().int % 10**8:08d}"
    family = await Family.register(stack, client, [Channel(kind="sms", address=phone)])
    code = await told_while_unconfirmed(family, texted_codes(sms_gateway, phone), checked_in(family))
    texts = _texts(sms_gateway, phone)
    assert len(texts) == 1 and codes_in(texts) == [code], "the unconfirmed number got its code and nothing else"
    assert not [d for d in await family.deliveries(0) if d["channel"] == "sms"]

    assert (await family.send_code(0, "sms", phone, code)).json()["state"] == "confirmed"
    await family.tell(checked_in(family))
    assert await eventually(lambda: family.has_status(0, "sms", "delivered"), timeout=30)
    assert any("晨检正常" in t for t in _texts(sms_gateway, phone))


def _texts(gateway: str, phone: str) -> list[str]:
    return [m["text"] for m in httpx.get(f"{gateway}/v1/messages").json()["messages"] if m["to"] == phone]


async def test_one_address_too_many_is_refused(stack: Stack, client: httpx.AsyncClient, mailbox) -> None:
    family = await Family.register(stack, client, [INAPP])
    closed = [f"http://127.0.0.1:{free_port()}/hook" for _ in range(PER_KIND + 1)]
    for url in closed[:PER_KIND]:
        assert (await family.register_webhook(0, url)).status_code == 201
    one_too_many = await family.register_webhook(0, closed[PER_KIND])
    assert one_too_many.status_code == 409
    assert one_too_many.json()["reasons"][0]["reason"] == (
        f"a guardian can have at most {PER_KIND} webhook endpoints; remove one first"
    )

    emails = [f"many-{i}-{uuid.uuid4().hex[:6]}@example.test" for i in range(PER_KIND + 1)]
    learned = await Family.register(stack, client, [INAPP, *(Channel(kind="email", address=e) for e in emails)])
    box, _ = mailbox
    await eventually(mailed_codes(box, emails[0]))
    await asyncio.sleep(1)
    assert len([a for a in await learned.addresses(0) if a["kind"] == "email"]) == PER_KIND, (
        "addresses beyond the quota that come with a registration are not kept"
    )
