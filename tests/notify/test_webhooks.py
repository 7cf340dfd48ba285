"""A parent's own webhook endpoints: signed with the key each got at registration, sent once,
and no receiver (slow, silent, flooding or down) holds up anybody else's notifications.

The receivers listen on loopback, so this module's notify is told to allow it (LOOPBACK_RECEIVERS)."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import pytest

from services.notify.channels.signing import verify
from shared.contracts.enrollment import Channel
from tests.conftest import Stack
from tests.notify.conftest import INAPP, LOOPBACK_RECEIVERS, Family, WebhookReceiver, checked_in, mailed_codes
from tests.support.polling import eventually

DEADLINE_S = 3


@pytest.fixture(scope="module")
def notify_env() -> dict[str, str]:
    return {**LOOPBACK_RECEIVERS, "NOTIFY_DELIVERY_TIMEOUT_S": str(DEADLINE_S)}


async def family_with_webhook(
    stack: Stack, client: httpx.AsyncClient, *receivers: WebhookReceiver, channels: tuple[Channel, ...] = (INAPP,)
) -> tuple[Family, list[str]]:
    """A family whose first guardian registered and confirmed ``receivers``; the signing keys they were given."""
    family = await Family.register(stack, client, list(channels))
    return family, [await family.confirmed_webhook(0, receiver) for receiver in receivers]


async def webhook_state(family: Family) -> dict | None:
    found = [d for d in await family.deliveries(0) if d["channel"] == "webhook"]
    return found[0] if found else None


async def test_the_receiver_verifies_the_message_with_the_key_it_got_at_registration(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    async with WebhookReceiver() as first, WebhookReceiver() as second:
        family, (first_key, second_key) = await family_with_webhook(stack, client, first, second)
        assert first_key.startswith("whsec_") and first_key != second_key
        listed = await client.get(
            f"/guardians/{family.guardian_id(0)}/webhooks", headers={"Authorization": f"Bearer {family.token(0)}"}
        )
        assert len(listed.json()["webhooks"]) == 2 and "whsec_" not in listed.text, "the key is shown only once"
        await family.tell(checked_in(family))
        await eventually(lambda: _both(first, second))
    (to_first,), (to_second,) = first.received, second.received
    assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= to_first["headers"].keys()
    assert verify(first_key, to_first["headers"], to_first["body"])
    assert verify(second_key, to_second["headers"], to_second["body"])
    assert not verify(second_key, to_first["headers"], to_first["body"]), "one endpoint's key is not another's"
    assert json.loads(to_first["body"])["text"] == "小红 08:12 已入园，晨检正常。"


async def _both(*receivers: WebhookReceiver) -> bool:
    return all(r.received for r in receivers)


async def test_a_webhook_that_is_down_then_up_gets_the_message_exactly_once(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    receiver = WebhookReceiver()
    family, (key,) = await family_with_webhook(stack, client, receiver)
    await family.tell(checked_in(family))
    assert await eventually(lambda: _attempted(family)), "a first attempt failed against the closed port"
    await receiver.up()
    try:
        assert await eventually(lambda: family.has_status(0, "webhook", "delivered"), timeout=30)
        await asyncio.sleep(1.5)  # more dispatcher ticks: nothing is sent twice
    finally:
        await receiver.down()
    (hit,) = receiver.received
    assert verify(key, hit["headers"], hit["body"])


async def _attempted(family: Family) -> bool:
    return any(d["attempts"] >= 1 and d["status"] == "pending" and d["last_error"] for d in await family.deliveries(0))


async def test_a_parent_is_told_the_receiver_could_not_be_reached_not_the_raw_error(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    family, _ = await family_with_webhook(stack, client, WebhookReceiver())  # never comes up
    await family.tell(checked_in(family))
    assert await eventually(lambda: _attempted(family))
    answer = await client.get(
        f"/guardians/{family.guardian_id(0)}/deliveries", headers={"Authorization": f"Bearer {family.token(0)}"}
    )
    (webhook,) = [
        d
        for d in answer.json()["notifications"]
        if d["channel"] == "webhook" and d["source_type"] == "child.checked_in"
    ]
    assert webhook["last_error"] == "the receiver could not be reached"
    for raw in ("ConnectError", "Errno", "connection attempts failed", "refused"):
        assert raw not in answer.text


async def test_a_failing_channel_does_not_hold_up_the_others(stack: Stack, client: httpx.AsyncClient, mailbox) -> None:
    box, _ = mailbox
    address = f"steady-{uuid.uuid4().hex[:6]}@example.test"
    family, _ = await family_with_webhook(
        stack,
        client,
        WebhookReceiver(),  # never comes up
        channels=(Channel(kind="email", address=address),),
    )
    await family.confirm(0, "email", address, mailed_codes(box, address))
    await family.tell(checked_in(family))
    assert await eventually(lambda: family.has_status(0, "email", "delivered"))
    assert (await webhook_state(family))["status"] in ("pending", "sending")


async def test_a_silent_receiver_delays_only_its_own_parent(stack: Stack, client: httpx.AsyncClient) -> None:
    silent, prompt = WebhookReceiver("never"), WebhookReceiver()
    waiting, _ = await family_with_webhook(stack, client, silent)
    other, _ = await family_with_webhook(stack, client, prompt)
    async with silent, prompt:
        await waiting.tell(checked_in(waiting))
        await eventually(lambda: silent.logged("received"))
        await other.tell(checked_in(other))  # due while the silent receiver holds its request
        assert await eventually(lambda: other.has_status(0, "webhook", "delivered"), timeout=30)
        assert silent.log == ["received"], "the other parent was served while this request was still open"
        assert await cut_at_the_deadline(waiting, silent)


async def test_a_trickling_answer_is_cut_at_the_deadline(stack: Stack, client: httpx.AsyncClient) -> None:
    trickle = WebhookReceiver("trickle")
    family, _ = await family_with_webhook(stack, client, trickle)
    async with trickle:
        await family.tell(checked_in(family))
        assert await cut_at_the_deadline(family, trickle)


async def test_an_endless_answer_is_cut_and_the_delivery_counts(stack: Stack, client: httpx.AsyncClient) -> None:
    flood = WebhookReceiver("flood")
    family, _ = await family_with_webhook(stack, client, flood)
    async with flood:
        await family.tell(checked_in(family))
        assert await eventually(lambda: family.has_status(0, "webhook", "delivered"), timeout=30)
        assert await eventually(lambda: flood.logged("cut"), timeout=30), "notify stopped reading and hung up"


async def cut_at_the_deadline(family: Family, receiver: WebhookReceiver) -> bool:
    """notify gave up on the send at the deadline: it hung up, and the parent is told the receiver was slow."""
    state = await eventually(lambda: _retried(family), timeout=60)
    assert state["last_error"] == "the receiver did not answer in time"
    return await eventually(lambda: receiver.logged("cut"), timeout=30)


async def _retried(family: Family) -> dict | None:
    webhook = await webhook_state(family)
    return webhook if webhook and webhook["last_error"] else None
