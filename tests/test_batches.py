"""Events are handled in batches (one transaction per partition's poll), and still exactly once in effect:
a poison event in the middle of a batch goes alone to the dead-letter topic, a crash in the middle of
a batch loses and doubles nothing, a child's events keep their order, and a rebalance doubles nothing."""

from __future__ import annotations

import asyncio
import uuid

from shared.contracts.enrollment import BookingCancelled
from shared.envelope import Envelope
from shared.faults import CRASH_EXIT_CODE
from testkit.kafka import dead_letters_of, group_state, publish_envelopes, read_all, skip_to_end, wait_caught_up
from testkit.scenarios import SUMMER_DAYS, child_enrolled, child_registered, envelope
from tests.conftest import Stack
from tests.support.polling import eventually


def _one_child_many_bookings(bookings: int) -> tuple[uuid.UUID, list[Envelope]]:
    """A child and their bookings of as many classes: all on one key, so all in one partition."""
    registered = child_registered()
    return registered.child_id, [envelope(registered)] + [
        envelope(child_enrolled(child_id=registered.child_id)) for _ in range(bookings)
    ]


async def _settled(stack: Stack) -> None:
    """Earlier tests' events are behind the group, so that the next poll holds only ours."""
    await skip_to_end(stack.kafka, stack.group("attendance"), stack.topic("enrollment.events"))


async def _roster(stack: Stack, child_ids: list[uuid.UUID]) -> tuple[int, int]:
    """(roster rows, distinct booked days) of these children."""
    conn = await stack.connect("attendance")
    try:
        return tuple(
            await conn.fetchrow(
                """SELECT count(*), count(DISTINCT (booking_id, day)) FROM roster_entries
               WHERE child_id = ANY($1::uuid[])""",
                child_ids,
            )
        )
    finally:
        await conn.close()


async def _inbox_count(stack: Stack, events: list[Envelope]) -> int:
    conn = await stack.connect("attendance")
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM processed_events WHERE event_id = ANY($1::uuid[])", [e.event_id for e in events]
        )
    finally:
        await conn.close()


async def test_a_poison_event_in_the_middle_of_a_batch_goes_alone_to_the_dead_letter_topic(
    stack: Stack, start_service
) -> None:
    await _settled(stack)
    child_id, events = _one_child_many_bookings(20)
    first_booking = events[3].payload()
    # The same class and days booked again clash with the roster's key: this event fails every time.
    clash = envelope(child_enrolled(child_id=child_id, class_id=first_booking.class_id, days=list(first_booking.days)))
    events = [*events[:11], clash, *events[11:]]
    topic = stack.topic("enrollment.events")
    await publish_envelopes(stack.kafka, topic, events)  # all waiting before the consumer starts: one poll

    attendance = await start_service("attendance").wait_healthy()
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)

    rows, distinct = await _roster(stack, [child_id])
    assert (rows, distinct) == (40, 40), "the 20 good bookings of 2 days each are on the roster, once"
    assert await _inbox_count(stack, events) == 21, "every event but the poison one was handled"
    dlq = stack.topic("enrollment.events.dlq.attendance")
    dead = await dead_letters_of(stack.kafka, dlq, {str(e.event_id) for e in events})
    assert [dict(r.headers)["event_id"] for r in dead] == [str(clash.event_id).encode()]
    assert dict(dead[0].headers)["dlq.error.class"] == b"UniqueViolationError"
    batched = await attendance.metric("tuoguan_event_batch_size_count")
    singles = await attendance.metric("tuoguan_event_batch_size_bucket", le="1.0")
    assert batched > singles, "some transactions held more than one event"


async def _crashed_at(point: str, stack: Stack, start_service) -> tuple[uuid.UUID, list[Envelope]]:
    """A child's 30 bookings waiting, and an attendance instance that died at ``point`` in its first batch."""
    await _settled(stack)
    child_id, events = _one_child_many_bookings(30)
    await publish_envelopes(stack.kafka, stack.topic("enrollment.events"), events)
    doomed = start_service("attendance", label="attendance-crashing", TUOGUAN_CRASH_AT=point)
    assert await doomed.wait_exit(timeout=60) == CRASH_EXIT_CODE
    return child_id, events


async def test_a_crash_before_the_batch_commits_loses_nothing(stack: Stack, start_service) -> None:
    child_id, events = await _crashed_at("consumer.before_commit", stack, start_service)
    topic = stack.topic("enrollment.events")
    assert await _inbox_count(stack, events) == 0, "the crashed batch left nothing behind"

    await start_service("attendance", label="attendance-restarted").wait_healthy()
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)
    rows, distinct = await _roster(stack, [child_id])
    assert (rows, distinct) == (60, 60)
    assert await _inbox_count(stack, events) == len(events)


async def test_a_crash_after_the_batch_commits_but_before_the_offsets_doubles_nothing(
    stack: Stack, start_service
) -> None:
    child_id, events = await _crashed_at("consumer.after_commit", stack, start_service)
    topic = stack.topic("enrollment.events")
    committed_before_crash = await _inbox_count(stack, events)
    assert committed_before_crash >= 2, "the batch committed before the process died"

    restarted = await start_service("attendance", label="attendance-restarted").wait_healthy()
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)
    rows, distinct = await _roster(stack, [child_id])
    assert (rows, distinct) == (60, 60), "each booking is on the roster once"
    assert await _inbox_count(stack, events) == len(events)
    assert await restarted.metric("tuoguan_events_consumed_total", outcome="duplicate") >= committed_before_crash, (
        "the batch came again and the processed-events table absorbed it"
    )
    dlq = stack.topic("enrollment.events.dlq.attendance")
    assert not await dead_letters_of(stack.kafka, dlq, {str(e.event_id) for e in events})


async def test_a_childs_events_keep_their_order_across_batches_and_partitions(stack: Stack, start_service) -> None:
    await _settled(stack)
    registrations, bookings, cancellations = [], [], []
    for _ in range(120):
        registered = child_registered()
        enrolled = child_enrolled(child_id=registered.child_id, days=SUMMER_DAYS[:2])
        registrations.append(envelope(registered))
        bookings.append(envelope(enrolled))
        cancellations.append(
            envelope(
                BookingCancelled(
                    booking_id=enrolled.booking_id,
                    child_id=registered.child_id,
                    class_id=enrolled.class_id,
                    days=enrolled.days,
                    reason="plans changed",
                )
            )
        )
    # Each booking is cancelled a few bookings later: in a partition, other children's cancellations
    # come between a child's booking and its cancellation, and polls of 7 cut through all of it.
    lag = 24
    events = registrations + [
        e
        for i in range(len(bookings) + lag)
        for e in ([bookings[i]] if i < len(bookings) else []) + ([cancellations[i - lag]] if i >= lag else [])
    ]
    topic = stack.topic("enrollment.events")
    await publish_envelopes(stack.kafka, topic, events)
    attendance = await start_service("attendance", ATTENDANCE_CONSUMER_MAX_RECORDS="7").wait_healthy()
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)

    ids = [e.payload().child_id for e in registrations]
    rows, _ = await _roster(stack, ids)
    assert await _inbox_count(stack, events) == len(events)
    assert rows == 0, "every booking was cancelled after it was enrolled, so no roster row is left"
    conn = await stack.connect("attendance")
    try:
        known = await conn.fetchval("SELECT count(*) FROM roster_children WHERE child_id = ANY($1::uuid[])", ids)
    finally:
        await conn.close()
    assert known == len(ids)
    partitions = {r.partition for r in await read_all(stack.kafka, topic) if r.key in {str(c).encode() for c in ids}}
    assert len(partitions) > 1, "the children's events spread over several partitions"
    assert await attendance.metric("tuoguan_event_batch_size_count") > 1


async def test_a_rebalance_while_batches_are_in_flight_doubles_nothing(stack: Stack, start_service) -> None:
    a = await start_service(
        "attendance", label="attendance-a", TUOGUAN_INSTANCE_ID="attendance-a", ATTENDANCE_CONSUMER_MAX_RECORDS="20"
    ).wait_healthy()
    topic = stack.topic("enrollment.events")
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic)
    events: list[Envelope] = []
    for _ in range(1000):
        registered = child_registered()
        events += [envelope(registered), envelope(child_enrolled(child_id=registered.child_id))]
    publishing = asyncio.create_task(publish_envelopes(stack.kafka, topic, events))
    b = start_service(
        "attendance", label="attendance-b", TUOGUAN_INSTANCE_ID="attendance-b", ATTENDANCE_CONSUMER_MAX_RECORDS="20"
    )  # joins while a works: the group rebalances
    await asyncio.gather(publishing, b.wait_healthy())
    await eventually(lambda: _group_is(stack, ("Stable", 2)), timeout=60)
    a.stop()  # and once more as a leaves, with b's batches in flight
    await wait_caught_up(stack.kafka, stack.group("attendance"), topic, timeout=120)

    children = [e.payload().child_id for e in events if e.type == "child.registered"]
    rows, distinct = await _roster(stack, children)
    assert (rows, distinct) == (2000, 2000), "each booking's two days are on the roster once"
    assert await _inbox_count(stack, events) == len(events)
    dlq = stack.topic("enrollment.events.dlq.attendance")
    assert not await dead_letters_of(stack.kafka, dlq, {str(e.event_id) for e in events})


async def _group_is(stack: Stack, wanted: tuple[str, int]) -> bool:
    return await group_state(stack.kafka, stack.group("attendance")) == wanted
