"""A pick-up code is readable by the two parties that need it and nobody in between: attendance
seals it to notify, notify opens it for the guardian's channel, the adult shows it at the door."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import pytest

from shared.contracts.enrollment import Channel
from testkit.city import token
from testkit.kafka import read_all
from testkit.scenarios import child_registered
from tests.attendance.conftest import SiteDay, attendance_events
from tests.conftest import Stack
from tests.notify.conftest import LOOPBACK_RECEIVERS, WebhookReceiver, posted_codes
from tests.support.polling import eventually


@pytest.fixture
def site(site_process: SiteDay) -> SiteDay:
    """The code must travel on to notify: a whole attendance process, its events relayed to Kafka."""
    return site_process


async def _notify_rows(stack: Stack, sql: str, child_id) -> list[str]:
    conn = await stack.connect("notify")
    try:
        return [r[0] for r in await conn.fetch(sql, child_id)]
    finally:
        await conn.close()


async def _outbox(stack: Stack, child_id) -> list[bytes]:
    conn = await stack.connect("attendance")
    try:
        return [r["payload"] for r in await conn.fetch("SELECT payload FROM outbox WHERE key = $1", str(child_id))]
    finally:
        await conn.close()


async def test_the_code_reaches_the_guardian_and_nobody_in_between(stack: Stack, site: SiteDay, start_service) -> None:
    receiver = WebhookReceiver()
    await receiver.up()
    try:
        notify = await start_service("notify", **LOOPBACK_RECEIVERS, NOTIFY_TIMER_INTERVAL_S="0.2").wait_healthy()
        registered = child_registered(guardians=1)
        mother = registered.guardians[0].model_copy(update={"channels": (Channel(kind="inapp", address="app"),)})
        child = await site.book_child(registered=registered.model_copy(update={"guardians": (mother,)}))
        async with httpx.AsyncClient(base_url=notify.url, timeout=10) as http:
            hook = await http.post(
                f"/guardians/{mother.guardian_id}/webhooks",
                json={"url": receiver.url},
                headers={
                    "Authorization": "Bearer " + token("parent", union_id=uuid.uuid4(), member_id=mother.guardian_id)
                },
            )
        assert hook.status_code == 201, hook.text
        (code,) = await eventually(posted_codes(receiver), timeout=60)
        async with httpx.AsyncClient(base_url=notify.url, timeout=10) as http:
            confirmed = await http.post(
                f"/guardians/{mother.guardian_id}/addresses/{hook.json()['address_id']}/confirmation",
                json={"code": code},
                headers={
                    "Authorization": "Bearer " + token("parent", union_id=uuid.uuid4(), member_id=mother.guardian_id)
                },
            )
        assert confirmed.status_code == 200, confirmed.text
        assert (await site.check_in(child.child_id)).status_code == 201
        attempt = (
            await site.post(
                "/pickups", {"child_id": str(child.child_id), "adult_id": str(child.authorised_adults[0].adult_id)}
            )
        ).json()

        (hit,) = await eventually(lambda: _pickup_messages(receiver), timeout=60)
        code = re.search(r"接送验证码 (\d{6})", json.loads(hit["body"])["text"]).group(1)
        released = await site.post(f"/pickups/{attempt['attempt_id']}/confirmation", {"code": code})
        assert released.status_code == 200 and released.json()["released_to"] == "王奶奶"
    finally:
        await receiver.down()

    (issued,) = await attendance_events(stack, "pickup.code_issued", child.child_id)
    assert issued["sealed_code"] and "code" not in issued
    outbox = await _outbox(stack, child.child_id)
    assert outbox and not [p for p in outbox if code.encode() in p], "attendance's outbox"
    on_topic = [
        r
        for r in await read_all(stack.kafka, stack.topic("attendance.events"))
        if r.key == str(child.child_id).encode()
    ]
    assert any(dict(r.headers)["type"] == b"pickup.code_issued" for r in on_topic)
    assert not [r for r in on_topic if code.encode() in r.value], "the raw records on Kafka"
    stored = await _notify_rows(
        stack,
        "SELECT n::text FROM notifications n WHERE child_id = $1 AND source_type = 'pickup.code_issued'",
        child.child_id,
    )
    assert stored and not [s for s in stored if code in s], "notify's stored notifications"
    deferred = await _notify_rows(stack, "SELECT envelope FROM deferred_events WHERE child_id = $1", child.child_id)
    assert not [d for d in deferred if code.encode() in d], "notify's deferred events"


async def _pickup_messages(receiver: WebhookReceiver) -> list[dict]:
    return [h for h in receiver.received if "接送验证码" in json.loads(h["body"])["text"]]
