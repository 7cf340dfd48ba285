"""The outbox relay: a crash between publishing and marking duplicates, never loses."""

from __future__ import annotations

import uuid

import httpx

from shared.faults import CRASH_EXIT_CODE
from testkit.city import City
from testkit.kafka import read_all, wait_caught_up
from tests.conftest import Stack
from tests.support.polling import eventually


async def test_relay_killed_after_publish_before_mark_still_gives_one_effect(stack: Stack, start_service) -> None:
    attendance = await start_service("attendance").wait_healthy()
    doomed = start_service("enrollment", label="enrollment-crashing", TUOGUAN_CRASH_AT="relay.after_publish")
    await doomed.wait_healthy()
    name = f"小虎{uuid.uuid4().hex[:6]}"
    async with httpx.AsyncClient(base_url=doomed.url, timeout=10) as http:
        city = City(http)
        union = await city.union("新乡市总工会")  # no events yet: the relay has nothing to publish
        try:
            await city.child(city.parent(union), name=name)
        except (httpx.TransportError, AssertionError):
            pass  # the process may die before it answers; its transaction committed first
    assert await doomed.wait_exit() == CRASH_EXIT_CODE

    enrollment_db = await stack.connect("enrollment")
    try:
        row = await enrollment_db.fetchrow(
            """SELECT event_id, key, published_at FROM outbox
               WHERE convert_from(payload, 'UTF8')::jsonb -> 'data' ->> 'display_name' = $1""",
            name,
        )
        assert row is not None, "the registration and its event were committed before the crash"
        assert row["published_at"] is None, "the relay died before marking the event as sent"
        event_id, child_id = row["event_id"], uuid.UUID(row["key"])

        topic = stack.topic("enrollment.events")
        copies = [r for r in await read_all(stack.kafka, topic) if str(event_id).encode() in (r.value or b"")]
        assert len(copies) == 1, "the event reached Kafka before the crash"

        await start_service("enrollment", label="enrollment-restarted").wait_healthy()
        await eventually(
            lambda: enrollment_db.fetchval("SELECT published_at IS NOT NULL FROM outbox WHERE event_id = $1", event_id)
        )
    finally:
        await enrollment_db.close()

    copies = [r for r in await read_all(stack.kafka, topic) if str(event_id).encode() in (r.value or b"")]
    assert len(copies) == 2, "the restarted relay published the unmarked event again"
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)

    attendance_db = await stack.connect("attendance")
    try:
        known = await attendance_db.fetchval("SELECT count(*) FROM roster_children WHERE child_id = $1", child_id)
        handled = await attendance_db.fetchval("SELECT count(*) FROM processed_events WHERE event_id = $1", event_id)
    finally:
        await attendance_db.close()
    assert (known, handled) == (1, 1)
    assert await attendance.metric("tuoguan_events_consumed_total", outcome="duplicate") >= 1
