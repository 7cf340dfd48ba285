"""The outbox relay: a crash between publishing and marking duplicates, never loses."""

from __future__ import annotations

import uuid

import httpx

from shared.faults import CRASH_EXIT_CODE
from tests.conftest import Stack
from tests.support.kafka import read_all, wait_caught_up
from tests.support.polling import eventually
from tests.support.scenarios import enrollment_request


async def test_relay_killed_after_publish_before_mark_still_gives_one_effect(stack: Stack, start_service) -> None:
    attendance = await start_service("attendance").wait_healthy()
    doomed = start_service("enrollment", label="enrollment-crashing", TUOGUAN_CRASH_AT="relay.after_publish")
    await doomed.wait_healthy()
    request = enrollment_request(days=2)
    async with httpx.AsyncClient(base_url=doomed.url, timeout=10) as http:
        try:
            response = await http.post("/enrollments", json=request,
                                       headers={"Idempotency-Key": f"crash-{uuid.uuid4()}"})
            assert response.status_code == 201
        except httpx.TransportError:
            pass  # the process may die before the response is written; the commit happened first
    assert await doomed.wait_exit() == CRASH_EXIT_CODE

    enrollment_db = await stack.connect("enrollment")
    try:
        row = await enrollment_db.fetchrow(
            """SELECT event_id, published_at FROM outbox
               WHERE convert_from(payload, 'UTF8')::jsonb -> 'data' ->> 'class_id' = $1""", request["class_id"])
        assert row is not None, "the enrollment and its event were committed before the crash"
        assert row["published_at"] is None, "the relay died before marking the event as sent"
        event_id = row["event_id"]

        topic = stack.topic("enrollment.events")
        copies = [r for r in await read_all(stack.kafka, topic) if str(event_id).encode() in (r.value or b"")]
        assert len(copies) == 1, "the event reached Kafka before the crash"

        await start_service("enrollment", label="enrollment-restarted").wait_healthy()
        await eventually(lambda: enrollment_db.fetchval(
            "SELECT published_at IS NOT NULL FROM outbox WHERE event_id = $1", event_id))
    finally:
        await enrollment_db.close()

    copies = [r for r in await read_all(stack.kafka, topic) if str(event_id).encode() in (r.value or b"")]
    assert len(copies) == 2, "the restarted relay published the unmarked event again"
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)

    attendance_db = await stack.connect("attendance")
    try:
        entries = await attendance_db.fetchval(
            "SELECT count(*) FROM roster_entries WHERE class_id = $1", uuid.UUID(request["class_id"]))
        handled = await attendance_db.fetchval("SELECT count(*) FROM inbox WHERE event_id = $1", event_id)
    finally:
        await attendance_db.close()
    assert (entries, handled) == (2, 1)
    assert await attendance.metric("tuoguan_events_consumed_total", outcome="duplicate") >= 1
