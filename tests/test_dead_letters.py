"""Poison events go to the dead-letter topic with the error in headers; the partition moves on."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

from deploy.endpoints import ROOT
from testkit.kafka import publish, publish_envelopes, read_all, wait_caught_up
from testkit.scenarios import child_enrolled, child_registered, envelope
from tests.conftest import SharedStarter, Stack


def _headers(record) -> dict[str, str]:
    return {k: v.decode() for k, v in record.headers}


async def _roster_count(stack: Stack, child_id: uuid.UUID) -> int:
    conn = await stack.connect("attendance")
    try:
        return await conn.fetchval("SELECT count(*) FROM roster_entries WHERE child_id = $1", child_id)
    finally:
        await conn.close()


async def test_a_malformed_event_is_dead_lettered_and_the_next_one_is_handled(
    stack: Stack, module_service: SharedStarter
) -> None:
    await module_service("attendance")
    registered = child_registered()
    child_id = registered.child_id
    key = str(child_id).encode()
    garbage = b'{"event_id": "not-a-uuid", "type": "child.enrolled"'
    good = envelope(child_enrolled(child_id=child_id))
    topic = stack.topic("enrollment.events")
    await publish_envelopes(stack.kafka, topic, [envelope(registered)])
    await publish(stack.kafka, topic, [(key, garbage, [("type", b"child.enrolled")])])
    await publish_envelopes(stack.kafka, topic, [good])
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)

    assert await _roster_count(stack, child_id) == 2, "the event after the poison one was handled"
    dead = [r for r in await read_all(stack.kafka, stack.topic("enrollment.events.dlq.attendance")) if r.key == key]
    assert len(dead) == 1
    (letter,) = dead
    headers = _headers(letter)
    assert letter.value == garbage, "the dead letter keeps the original bytes"
    assert headers["dlq.error.kind"] == "malformed"
    assert headers["dlq.error.class"] == "ValidationError"
    assert headers["dlq.original.topic"] == topic
    assert headers["dlq.consumer.group"] == stack.group("attendance")
    assert headers["type"] == "child.enrolled", "original headers are kept"


async def test_a_handler_that_keeps_failing_is_retried_then_dead_lettered(
    stack: Stack, module_service: SharedStarter
) -> None:
    attendance = await module_service("attendance")
    registered = child_registered()
    child_id, class_id = registered.child_id, uuid.uuid4()
    first = envelope(child_enrolled(child_id=child_id, class_id=class_id))
    # A second booking of the same child, class and days clashes with the roster's key every time.
    clash = envelope(child_enrolled(child_id=child_id, class_id=class_id))
    after = envelope(child_enrolled(child_id=child_id))
    topic = stack.topic("enrollment.events")
    await publish_envelopes(stack.kafka, topic, [envelope(registered), first, clash, after])
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)

    assert await _roster_count(stack, child_id) == 4, "first and after are on the roster, the clash is not"
    dead = [
        r
        for r in await read_all(stack.kafka, stack.topic("enrollment.events.dlq.attendance"))
        if _headers(r).get("event_id") == str(clash.event_id)
    ]
    assert len(dead) == 1
    headers = _headers(dead[0])
    assert headers["dlq.error.kind"] == "handler_error"
    assert headers["dlq.error.class"] == "UniqueViolationError"
    assert headers["dlq.attempts"] == "3"
    assert await attendance.metric("tuoguan_event_retries_total", kind="handler") >= 2


async def test_dead_letters_can_be_listed_and_redriven(stack: Stack, module_service: SharedStarter) -> None:
    child_id = uuid.uuid4()
    key = str(child_id).encode()
    topic = stack.topic("enrollment.events")
    await module_service("attendance")
    await publish(stack.kafka, topic, [(key, b"not json at all", [])])
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)
    (letter,) = [
        r for r in await read_all(stack.kafka, stack.topic("enrollment.events.dlq.attendance")) if r.key == key
    ]

    def tool(*args: str) -> str:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "shared.dead_letters",
                *args,
                "--service",
                "attendance",
                "--stream",
                "enrollment.events",
                "--namespace",
                stack.namespace,
            ],
            cwd=ROOT,
            env={**os.environ, **stack.kafka.environment()},
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout

    listing = await asyncio.to_thread(tool, "list")
    assert f'"key": "{child_id}"' in listing and '"dlq.error.kind": "malformed"' in listing
    await asyncio.to_thread(tool, "redrive", "--record", f"{letter.partition}:{letter.offset}")

    back = [r for r in await read_all(stack.kafka, topic) if r.key == key]
    assert len(back) == 2 and back[1].value == b"not json at all"
    assert not any(k.startswith("dlq.") for k, _ in back[1].headers)
