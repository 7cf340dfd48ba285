"""A pick-up code is for the guardians alone: it waits sealed, is opened only on its way to the
guardian or in the guardian's own inbox, and is forgotten when it expires."""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid

import httpx
import pytest

from shared.contracts.attendance import PickupCodeIssued
from shared.contracts.enrollment import Channel
from shared.sealed import seal
from testkit.city import token
from testkit.kafka import wait_caught_up
from tests.conftest import Stack
from tests.notify.conftest import LOOPBACK_RECEIVERS, Family, WebhookReceiver
from tests.support.polling import eventually

CODE = "480517"
INAPP = Channel(kind="inapp", address="app")


@pytest.fixture(scope="module")
def notify_env() -> dict[str, str]:
    return LOOPBACK_RECEIVERS


def code_issued(family: Family, expires_at: dt.datetime) -> PickupCodeIssued:
    """What attendance publishes: the code sealed to notify's public key."""
    return PickupCodeIssued(
        child_id=family.registered.child_id,
        class_id=uuid.uuid4(),
        site_id=uuid.uuid4(),
        day=expires_at.date(),
        attempt_id=uuid.uuid4(),
        adult_name="王奶奶",
        sealed_code=seal(os.environ["ATTENDANCE_NOTIFY_SEAL_PUBLIC_KEY"], CODE),
        expires_at=expires_at,
    )


async def _rows(stack: Stack, sql: str, child_id: uuid.UUID) -> list:
    conn = await stack.connect("notify")
    try:
        return await conn.fetch(sql, child_id)
    finally:
        await conn.close()


async def _stored(stack: Stack, child_id: uuid.UUID) -> list:
    """Every column of every notification about the child, as text."""
    return await _rows(stack, "SELECT n::text AS row, sealed_code FROM notifications n WHERE child_id = $1", child_id)


async def test_a_pick_up_code_waits_sealed_reaches_the_guardian_and_is_forgotten_when_it_expires(
    stack: Stack, client: httpx.AsyncClient
) -> None:
    receiver = WebhookReceiver()
    await receiver.up()
    try:
        family = Family.unannounced(stack, client, [INAPP])
        await family.confirmed_webhook(0, receiver)
        await family.tell(code_issued(family, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=15)))
        await wait_caught_up(stack.kafka, stack.group("notify"), stack.topic("attendance.events"))
        (waiting,) = await _rows(
            stack, "SELECT envelope FROM deferred_events WHERE child_id = $1", family.registered.child_id
        )
        assert b"sealed_code" in waiting["envelope"] and CODE.encode() not in waiting["envelope"], (
            "the event waiting for the registration holds only the sealed code"
        )

        await family.announce()
        (hit,) = await eventually(lambda: _received(receiver))
        assert CODE in json.loads(hit["body"])["text"], "the guardian's channel gets the code"
        stored = await _stored(stack, family.registered.child_id)
        assert len(stored) == 2 and all(r["sealed_code"] for r in stored)
        assert not [r for r in stored if CODE in r["row"]], "what notify keeps never holds the code in clear"

        (mine,) = await family.inbox(0)
        assert f"接送验证码 {CODE}" in mine["body"], "the parent reads the code in their own inbox"
        (admins,) = await family.inbox(0, bearer=token("admin"))
        assert CODE not in admins["body"] and "接送验证码 （仅家长可见）" in admins["body"], "an admin never sees it"

        blanked = await eventually(lambda: _blanked(stack, family.registered.child_id), timeout=45)
        assert len(blanked) == 2
        (expired,) = await family.inbox(0)
        assert CODE not in expired["body"] and "接送验证码 （已过期）" in expired["body"]
    finally:
        await receiver.down()


async def _received(receiver: WebhookReceiver) -> list[dict]:
    return receiver.received


async def _blanked(stack: Stack, child_id: uuid.UUID) -> list:
    stored = await _stored(stack, child_id)
    return stored if stored and all(r["sealed_code"] is None for r in stored) else []
