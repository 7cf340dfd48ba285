"""New site hours move the site's pending timers to the times the rules give, in Shanghai time;
timers already fired and timers of other sites stay where they are. In-process, on the test
database."""

from __future__ import annotations

import datetime as dt
import uuid

from services.attendance.db import timers
from services.attendance.domain.hours import SiteHours
from tests.conftest import Stack

DAY = dt.date(2027, 7, 5)
UTC = dt.UTC
EARLIER = dt.datetime(2027, 7, 4, tzinfo=UTC)


async def test_new_site_hours_move_the_pending_timers_of_that_site_only(stack: Stack) -> None:
    conn = await stack.connect("attendance")
    site, other_site = uuid.uuid4(), uuid.uuid4()
    child, other_child, class_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    try:
        async with conn.transaction():
            for kid, at in ((child, site), (other_child, other_site)):
                await conn.execute(
                    "INSERT INTO roster_children (child_id, display_name, guardians) VALUES ($1, 'Xiaoming', '[]')", kid
                )
                await conn.execute(
                    "INSERT INTO roster_entries (booking_id, child_id, class_id, site_id, day) VALUES ($1, $2, $3, $4, $5)",
                    uuid.uuid4(),
                    kid,
                    class_id,
                    at,
                    DAY,
                )
            await timers.schedule_many(
                conn,
                [
                    timers.Timer("absence", child, class_id, DAY, 0, EARLIER),
                    timers.Timer("late_pickup", child, class_id, DAY, 1, EARLIER),
                    timers.Timer("late_pickup", child, class_id, DAY, 3, EARLIER),
                    timers.Timer("late_pickup", child, class_id, DAY, 2, EARLIER),
                    timers.Timer("absence", other_child, class_id, DAY, 0, EARLIER),
                ],
            )
            await conn.execute(
                "UPDATE timers SET fired_at = $2 WHERE child_id = $1 AND kind = 'late_pickup' AND step = 2",
                child,
                EARLIER,
            )
            hours = SiteHours(dt.time(9, 0), dt.time(17, 30), grace_minutes=10, escalation_interval_s=600)
            await timers.reschedule_site(conn, site, hours)
            due = {
                (r["child_id"], r["kind"], r["step"]): r["due_at"]
                for r in await conn.fetch(
                    "SELECT child_id, kind, step, due_at FROM timers WHERE class_id = $1", class_id
                )
            }
    finally:
        await conn.execute("DELETE FROM timers WHERE class_id = $1", class_id)
        await conn.execute("DELETE FROM roster_entries WHERE class_id = $1", class_id)
        await conn.execute("DELETE FROM roster_children WHERE child_id = ANY($1::uuid[])", [child, other_child])
        await conn.close()
    assert due == {
        (child, "absence", 0): dt.datetime(2027, 7, 5, 1, 0, tzinfo=UTC),  # 09:00 in Shanghai
        (child, "late_pickup", 1): dt.datetime(2027, 7, 5, 9, 40, tzinfo=UTC),  # closing + 10 minutes' grace
        (child, "late_pickup", 2): EARLIER,  # fired already
        (child, "late_pickup", 3): dt.datetime(2027, 7, 5, 10, 0, tzinfo=UTC),  # two intervals later
        (other_child, "absence", 0): EARLIER,  # another site
    }
