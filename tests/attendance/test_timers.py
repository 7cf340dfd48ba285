"""Absences at the cut-off and late pick-up escalation: persisted timers that fire once,
even when they fall due while the service is down. Attendance runs in the test's process, its
timers ticking as they would in its own (tests/support/inprocess.py)."""

from __future__ import annotations

import asyncio
import datetime as dt

from shared.timezones import LOCAL_TIME
from tests.attendance.conftest import SiteDay, attendance_events, code_for, handled_by, today
from tests.conftest import Stack, _fast_retries
from tests.support.inprocess import in_process
from tests.support.polling import eventually


async def _wait_past_local_midnight_risk() -> None:
    """The scenarios put closing time a few seconds from now; not across local midnight."""
    now = dt.datetime.now(LOCAL_TIME)
    if now.time() >= dt.time(23, 59, 0):
        await asyncio.sleep(
            (dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(0, 0, 5), LOCAL_TIME) - now).total_seconds()
        )


async def test_late_pick_up_escalates_once_per_step_across_a_restart(stack: Stack) -> None:
    await _wait_past_local_midnight_risk()
    async with in_process(stack, "attendance", **_fast_retries()) as first:
        site = SiteDay(stack, first.http, handled_by(first))
        child = await site.book_child()
        closing = (dt.datetime.now(LOCAL_TIME) + dt.timedelta(seconds=4)).time().replace(microsecond=0)
        await site.hours(cutoff=dt.time(0, 0, 1), closing=closing, grace_minutes=0, interval_s=2)
        assert (await site.check_in(child.child_id)).status_code == 201
    # down before step 1 (closing + 0 min) falls due; all three steps pass while it is down
    assert not await attendance_events(stack, "pickup.late_escalated", child.child_id)
    await asyncio.sleep(9)

    async def all_steps() -> list:
        steps = await attendance_events(stack, "pickup.late_escalated", child.child_id)
        return steps if len(steps) >= 3 else []

    async with in_process(stack, "attendance", **_fast_retries()):
        steps = await eventually(all_steps, timeout=20)
    async with in_process(stack, "attendance", **_fast_retries()):
        await asyncio.sleep(2)  # a few more ticks: nothing fires twice
    steps = await attendance_events(stack, "pickup.late_escalated", child.child_id)
    assert [(s["step"], s["audience"]) for s in steps] == [(1, "guardians"), (2, "emergency_contact"), (3, "site_lead")]


async def test_a_child_picked_up_in_time_is_not_escalated(stack: Stack) -> None:
    await _wait_past_local_midnight_risk()
    async with in_process(stack, "attendance", **_fast_retries()) as attendance:
        site = SiteDay(stack, attendance.http, handled_by(attendance))
        child = await site.book_child()
        closing = (dt.datetime.now(LOCAL_TIME) + dt.timedelta(seconds=3)).time().replace(microsecond=0)
        await site.hours(cutoff=dt.time(0, 0, 1), closing=closing, grace_minutes=0, interval_s=1)
        await site.check_in(child.child_id)
        attempt = (
            await site.post(
                "/pickups", {"child_id": str(child.child_id), "adult_id": str(child.guardians[0].guardian_id)}
            )
        ).json()
        code = await code_for(stack, child.child_id, attempt["attempt_id"])
        await site.post(f"/pickups/{attempt['attempt_id']}/confirmation", {"code": code})
        await asyncio.sleep(6)
    assert not await attendance_events(stack, "pickup.late_escalated", child.child_id)


async def test_a_booked_child_not_in_by_the_cut_off_is_marked_absent(stack: Stack) -> None:
    await _wait_past_local_midnight_risk()
    async with in_process(stack, "attendance", **_fast_retries()) as attendance:
        site = SiteDay(stack, attendance.http, handled_by(attendance))
        await site.book_child()  # the site's first booking lets its provider set the hours
        await site.hours(cutoff=dt.time(23, 59, 58), closing=dt.time(23, 59, 59))
        present, missing = await site.book_child(), await site.book_child()
        assert (await site.check_in(present.child_id)).status_code == 201
        await site.hours(cutoff=dt.time(0, 0, 1), closing=dt.time(23, 59, 59))  # the cut-off has passed

        async def absent() -> list:
            return await attendance_events(stack, "child.absent", missing.child_id)

        (event,) = await eventually(absent, timeout=20)
        assert event["day"] == today().isoformat()
        assert (await site.on_roster(missing.child_id, today()))["status"] == "absent"
        assert (await site.on_roster(present.child_id, today()))["status"] == "present"
    assert not await attendance_events(stack, "child.absent", present.child_id)
