"""Attendance's events reach the parents through notify, once each, whatever the redeliveries."""

from __future__ import annotations

import datetime as dt
import uuid

from shared.contracts.attendance import CheckInRefused, ChildCheckedIn
from shared.contracts.enrollment import ChildRegistered
from shared.envelope import Envelope
from testkit.kafka import publish_envelopes, wait_caught_up
from testkit.scenarios import child_registered, envelope
from tests.conftest import SharedStarter, Stack
from tests.support.polling import eventually


async def _messages(stack: Stack, child_id: uuid.UUID) -> list:
    conn = await stack.connect("notify")
    try:
        return await conn.fetch(
            "SELECT guardian_id, source_type, body FROM notifications WHERE child_id = $1 ORDER BY created_at", child_id
        )
    finally:
        await conn.close()


def _checked_in(registered: ChildRegistered, at: dt.datetime) -> Envelope:
    """The child admitted at ``at``, at a class and site notify has not heard of."""
    return envelope(
        ChildCheckedIn(
            child_id=registered.child_id,
            class_id=uuid.uuid4(),
            site_id=uuid.uuid4(),
            day=at.date(),
            booking_id=uuid.uuid4(),
            programme_id=uuid.uuid4(),
            at=at,
        )
    )


async def test_a_duplicated_check_in_event_tells_each_guardian_once(
    stack: Stack, module_service: SharedStarter
) -> None:
    await module_service("notify")
    registered = child_registered(guardians=2)
    checked_in = _checked_in(registered, dt.datetime(2027, 7, 5, 0, 12, tzinfo=dt.UTC))
    await publish_envelopes(stack.kafka, stack.topic("enrollment.events"), [envelope(registered)])
    await publish_envelopes(stack.kafka, stack.topic("attendance.events"), [checked_in, checked_in])
    await wait_caught_up(stack.kafka, stack.group("notify"), stack.topic("attendance.events"))
    messages = await eventually(lambda: _messages(stack, registered.child_id))
    assert sorted(m["guardian_id"] for m in messages) == sorted(g.guardian_id for g in registered.guardians)
    assert {m["body"] for m in messages} == {"小红 08:12 已入园，晨检正常。"}


async def test_a_refused_check_in_is_told_to_the_parents(stack: Stack, module_service: SharedStarter) -> None:
    await module_service("notify")
    registered = child_registered(guardians=1)
    refused = envelope(
        CheckInRefused(
            child_id=registered.child_id,
            class_id=uuid.uuid4(),
            site_id=uuid.uuid4(),
            day=dt.date(2027, 7, 5),
            at=dt.datetime(2027, 7, 5, 0, 5, tzinfo=dt.UTC),
        )
    )
    # The refusal may overtake the registration: they travel on different topics.
    await publish_envelopes(stack.kafka, stack.topic("attendance.events"), [refused])
    await publish_envelopes(stack.kafka, stack.topic("enrollment.events"), [envelope(registered)])
    (message,) = await eventually(lambda: _messages(stack, registered.child_id), timeout=30)
    assert message["body"] == "小红 晨检未通过，今日未能入园，请尽快联系托管点。"


async def test_a_check_in_that_overtakes_the_registration_is_told_when_the_registration_arrives(
    stack: Stack, module_service: SharedStarter
) -> None:
    await module_service("notify")
    registered = child_registered(guardians=2)
    checked_in = _checked_in(registered, dt.datetime(2027, 7, 5, 0, 20, tzinfo=dt.UTC))
    await publish_envelopes(stack.kafka, stack.topic("attendance.events"), [checked_in])
    await wait_caught_up(stack.kafka, stack.group("notify"), stack.topic("attendance.events"))
    assert await _messages(stack, registered.child_id) == [], "nobody to tell yet: the event waits"

    # A second waiting event that can no longer be read (as after a schema change) must not take
    # the registration down with it.
    unreadable = uuid.uuid4()
    conn = await stack.connect("notify")
    try:
        await conn.execute(
            "INSERT INTO deferred_events (event_id, child_id, envelope) VALUES ($1, $2, $3)",
            unreadable,
            registered.child_id,
            b'{"type": "child.checked_in", "data": {}}',
        )
    finally:
        await conn.close()

    await publish_envelopes(stack.kafka, stack.topic("enrollment.events"), [envelope(registered)])
    messages = await eventually(lambda: _messages(stack, registered.child_id))
    assert sorted(m["guardian_id"] for m in messages) == sorted(g.guardian_id for g in registered.guardians)
    assert {m["source_type"] for m in messages} == {"child.checked_in"}
    conn = await stack.connect("notify")
    try:
        waiting = await conn.fetch("SELECT event_id FROM deferred_events WHERE child_id = $1", registered.child_id)
    finally:
        await conn.close()
    assert [w["event_id"] for w in waiting] == [unreadable], "the told event is gone, the unreadable one stays"
