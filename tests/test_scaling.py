"""Two instances of a service in one consumer group share the partitions and never double an effect,
even when one of them is killed mid-stream."""

from __future__ import annotations

import asyncio

from testkit.kafka import dead_letters_of, group_state, publish_envelopes, wait_caught_up
from testkit.scenarios import registered_and_enrolled
from tests.conftest import Stack
from tests.support.polling import eventually

EVENTS = 120


def _children(count: int) -> list:
    """Each child's registration followed by their booking, children interleaved."""
    return [e for _ in range(count // 2) for e in registered_and_enrolled()]


async def _both_in_group(stack: Stack) -> bool:
    state, members = await group_state(stack.kafka, stack.group("attendance"))
    return state == "Stable" and members == 2


async def _effects(stack: Stack, batch: list) -> tuple[int, int, list[str]]:
    conn = await stack.connect("attendance")
    try:
        ids = [e.event_id for e in batch]
        children = list({e.payload().child_id for e in batch})
        handled = await conn.fetchval("SELECT count(*) FROM processed_events WHERE event_id = ANY($1::uuid[])", ids)
        roster = await conn.fetchval("SELECT count(*) FROM roster_entries WHERE child_id = ANY($1::uuid[])", children)
        instances = await conn.fetch(
            "SELECT DISTINCT handled_by FROM processed_events WHERE event_id = ANY($1::uuid[])", ids
        )
    finally:
        await conn.close()
    return handled, roster, sorted(r["handled_by"] for r in instances)


async def _handled_by(*instances) -> float:
    return sum([await p.metric("tuoguan_events_consumed_total", outcome="handled") for p in instances])


async def test_two_instances_share_the_partitions_and_handle_each_event_once(stack: Stack, start_service) -> None:
    a = start_service("attendance", label="attendance-a", TUOGUAN_INSTANCE_ID="attendance-a")
    b = start_service("attendance", label="attendance-b", TUOGUAN_INSTANCE_ID="attendance-b")
    await asyncio.gather(a.wait_healthy(), b.wait_healthy())
    await eventually(lambda: _both_in_group(stack), timeout=60)
    topic = stack.topic("enrollment.events")
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)  # earlier tests' backlog
    before = await _handled_by(a, b)

    batch = _children(EVENTS)
    await publish_envelopes(stack.kafka, topic, batch)
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)

    handled, roster, instances = await _effects(stack, batch)
    assert handled == EVENTS and roster == EVENTS  # EVENTS / 2 bookings of 2 days each
    assert instances == ["attendance-a", "attendance-b"], "both instances did part of the work"
    assert await _handled_by(a, b) - before == EVENTS, "no event was handled by both instances"


async def test_a_killed_instance_loses_nothing_and_doubles_nothing(stack: Stack, start_service) -> None:
    a = start_service("attendance", label="attendance-a", TUOGUAN_INSTANCE_ID="attendance-a")
    b = start_service("attendance", label="attendance-b", TUOGUAN_INSTANCE_ID="attendance-b")
    await asyncio.gather(a.wait_healthy(), b.wait_healthy())
    await eventually(lambda: _both_in_group(stack), timeout=60)

    batch = _children(EVENTS)
    topic = stack.topic("enrollment.events")
    await publish_envelopes(stack.kafka, topic, batch[: EVENTS // 2])
    a.kill()  # SIGKILL while its share of the first half may still be in flight
    await publish_envelopes(stack.kafka, topic, batch[EVENTS // 2 :])
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic, timeout=90)

    handled, roster, _ = await _effects(stack, batch)
    assert handled == EVENTS and roster == EVENTS  # EVENTS / 2 bookings of 2 days each
    dlq = stack.topic("enrollment.events.dlq.attendance")
    assert not await dead_letters_of(stack.kafka, dlq, {str(e.event_id) for e in batch})


async def test_a_graceful_shutdown_mid_stream_loses_nothing_and_doubles_nothing(stack: Stack, start_service) -> None:
    first = await start_service("attendance", label="attendance-first").wait_healthy()
    topic = stack.topic("enrollment.events")
    batch = _children(EVENTS)
    await publish_envelopes(stack.kafka, topic, batch)
    await eventually(lambda: _handled_by(first), timeout=30)  # it is working through the batch
    first.stop()  # SIGTERM: finish the event in hand, commit, leave the group
    # uvicorn re-raises SIGTERM once its shutdown is complete, hence -15 rather than 0.
    assert first.proc.returncode in (0, -15), f"exit code {first.proc.returncode}"
    assert "Application shutdown complete" in first.log_tail(), "the shutdown ran to its end"

    await start_service("attendance", label="attendance-second").wait_healthy()
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic, timeout=90)
    handled, roster, _ = await _effects(stack, batch)
    assert handled == EVENTS and roster == EVENTS  # EVENTS / 2 bookings of 2 days each
    dlq = stack.topic("enrollment.events.dlq.attendance")
    assert not await dead_letters_of(stack.kafka, dlq, {str(e.event_id) for e in batch})


async def test_two_workers_behind_one_port_share_the_work_and_report_it_together(stack: Stack, start_service) -> None:
    service = await start_service("attendance", label="attendance-workers", ATTENDANCE_WORKERS="2").wait_healthy()
    await eventually(lambda: _both_in_group(stack), timeout=60)  # each worker is a member of the group
    topic = stack.topic("enrollment.events")
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)  # earlier tests' backlog
    before = await _handled_by(service)

    batch = _children(EVENTS)
    await publish_envelopes(stack.kafka, topic, batch)
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)

    handled, roster, instances = await _effects(stack, batch)
    assert handled == EVENTS and roster == EVENTS
    assert len(instances) == 2, "both workers handled part of the events"
    assert await _handled_by(service) - before == EVENTS, "/metrics adds up both workers, whichever answers"
