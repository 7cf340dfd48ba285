"""What attendance shows of a day: the roster, a child's booked, attended and absent days, and a
union's classes; each body whole, and each to exactly the callers entitled to it. In-process, the
absence seeded in attendance's own table (the cut-off's timer is tests/attendance/test_timers.py)."""

from __future__ import annotations

import uuid

from services.attendance.db import checkin as checkin_db
from testkit.city import token
from tests.attendance.conftest import SiteDay, pickup_adults, today
from tests.conftest import Stack
from tests.support.inprocess import InProcess


async def test_the_figures_count_booked_attended_and_absent_days(
    stack: Stack, site: SiteDay, attendance: InProcess
) -> None:
    city, district = uuid.uuid4(), uuid.uuid4()
    site.union_path = (city, district)
    present, missing = await site.book_child(), await site.book_child()
    checked_in = await site.check_in(present.child_id)
    assert checked_in.status_code == 201
    async with attendance.runtime.pool.acquire() as conn:
        await checkin_db.mark_absent(conn, missing.child_id, today(), site.class_id)

    roster = (await site.get(f"/classes/{site.class_id}/roster/{today()}")).json()
    assert roster.keys() == {
        "class_id",
        "day",
        "children",
        "children_present",
        "staff_on_duty",
        "children_per_staff",
        "ratio_exceeded",
    }
    entry = next(c for c in roster["children"] if c["child_id"] == str(present.child_id))
    assert entry == {
        "child_id": str(present.child_id),
        "display_name": present.display_name,
        "booking_id": str(site.bookings[present.child_id].booking_id),
        "site_id": str(site.site_id),
        "status": "present",
        "checked_in_at": entry["checked_in_at"],
        "picked_up_at": None,
        "picked_up_by": None,
        "cover": "pending",
        "policy_number": None,
        "allergies": None,
        "health_notes": None,
        "pickup_adults": pickup_adults(present),
    }
    assert entry["checked_in_at"] is not None

    def days(child_id: uuid.UUID, attended: int, absent: int) -> dict:
        booking = site.bookings[child_id]
        return {
            "child_id": str(child_id),
            "bookings": [
                {
                    "programme_id": str(booking.programme_id),
                    "booking_id": str(booking.booking_id),
                    "booked_days": 1,
                    "attended_days": attended,
                    "absent_days": absent,
                }
            ],
        }

    mother = token("parent", member_id=present.guardians[0].guardian_id)
    above, outside = token("union_staff", union_id=city), token("union_staff", union_id=uuid.uuid4())
    assert (await site.get(f"/children/{present.child_id}/attendance", mother)).json() == days(present.child_id, 1, 0)
    assert (await site.get(f"/children/{missing.child_id}/attendance", above)).json() == days(missing.child_id, 0, 1)
    assert (await site.get(f"/children/{missing.child_id}/attendance", mother)).status_code == 403
    assert (await site.get(f"/children/{missing.child_id}/attendance", outside)).status_code == 403
    assert (await site.get(f"/children/{missing.child_id}/attendance", site.staff)).status_code == 403

    figures = await site.get(f"/unions/{district}/attendance?day={today()}", above)
    assert figures.json() == {
        "union_id": str(district),
        "day": today().isoformat(),
        "classes": [
            {"site_id": str(site.site_id), "class_id": str(site.class_id), "booked": 2, "attended": 1, "absent": 1}
        ],
        "booked": 2,
        "attended": 1,
        "absent": 1,
        "sites_missing_logs": 1,
        "missing_logs": [
            {"site_id": str(site.site_id), "missing": ["disinfection", "menu", "food_sample", "morning_check"]}
        ],
    }
    assert (await site.get(f"/unions/{district}/attendance?day={today()}", outside)).status_code == 403
    assert (
        await site.get(f"/unions/{city}/attendance?day={today()}", token("union_staff", union_id=district))
    ).status_code == 403
