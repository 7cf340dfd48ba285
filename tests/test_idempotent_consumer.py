"""At-least-once delivery, exactly-once effect: the processed-events table absorbs redelivered events."""

from __future__ import annotations

from testkit.kafka import dead_letters_of, publish_envelopes, wait_caught_up
from testkit.scenarios import child_enrolled, envelope, registered_and_enrolled
from tests.conftest import Stack


async def test_an_event_delivered_twice_opens_one_subsidy_application(stack: Stack, start_service) -> None:
    subsidy = await start_service("subsidy").wait_healthy()
    registered, enrolled = registered_and_enrolled()
    # The same child's next event follows on the same partition, so once the group has committed
    # past it, the duplicate has certainly been seen.
    later = envelope(child_enrolled(child_id=enrolled.payload().child_id))
    await publish_envelopes(stack.kafka, stack.topic("enrollment.events"), [registered, enrolled, enrolled, later])
    await wait_caught_up(stack.kafka, stack.group("subsidy"), stack.topic("enrollment.events"))

    conn = await stack.connect("subsidy")
    try:
        applications = await conn.fetchval(
            "SELECT count(*) FROM applications WHERE booking_id = $1", enrolled.payload().booking_id
        )
        requested = await conn.fetchval(
            """SELECT count(*) FROM outbox WHERE event_type = 'subsidy.requested'
               AND convert_from(payload, 'UTF8')::jsonb -> 'data' ->> 'booking_id' = $1""",
            str(enrolled.payload().booking_id),
        )
        processed = await conn.fetchval("SELECT count(*) FROM processed_events WHERE event_id = $1", enrolled.event_id)
    finally:
        await conn.close()
    assert (applications, requested, processed) == (1, 1, 1)
    assert await subsidy.metric("tuoguan_events_consumed_total", outcome="duplicate") >= 1
    assert not await dead_letters_of(
        stack.kafka, stack.topic("enrollment.events.dlq.subsidy"), {str(enrolled.event_id)}
    )


async def test_notify_tells_each_guardian_once_when_the_event_comes_again(stack: Stack, start_service) -> None:
    notify = await start_service("notify").wait_healthy()
    registered, enrolled = registered_and_enrolled(guardians=2)
    await publish_envelopes(stack.kafka, stack.topic("enrollment.events"), [registered, enrolled, enrolled])
    await wait_caught_up(stack.kafka, stack.group("notify"), stack.topic("enrollment.events"))

    conn = await stack.connect("notify")
    try:
        per_guardian = await conn.fetch(
            "SELECT guardian_id, count(*) AS n FROM notifications WHERE source_event_id = $1 GROUP BY guardian_id",
            enrolled.event_id,
        )
    finally:
        await conn.close()
    assert sorted(r["n"] for r in per_guardian) == [1, 1]
    assert await notify.metric("tuoguan_events_consumed_total", outcome="duplicate") >= 1
    assert not await dead_letters_of(stack.kafka, stack.topic("enrollment.events.dlq.notify"), {str(enrolled.event_id)})
