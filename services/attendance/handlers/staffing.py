"""A class-day's staffing alarm: raised once when it goes over its ratio, cleared once when it is
back under (staff came, or children were picked up), whatever the number of check-ins between;
and with it the review against the site's staffing rule by role (handlers/roles.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import asyncpg

from services.attendance.db import checkin as db
from services.attendance.domain.staffing import children_per_staff, ratio_exceeded
from services.attendance.handlers.roles import review_roles
from shared.contracts.attendance import StaffingRatioExceeded, StaffingRatioRestored
from shared.envelope import Event


@dataclass(frozen=True)
class Staffing:
    present: int
    staff: int
    alarm: list[Event]  # the alarms raised or cleared by this change, if any (ratio, roles, qualifications)


async def review(
    tx: asyncpg.Connection,
    *,
    class_id: uuid.UUID,
    site_id: uuid.UUID,
    class_type: str,
    day: dt.date,
) -> Staffing:
    """Count the class-day after a change already written in ``tx``; raise or clear its alarm."""
    # Serialise with the class-day's other changes (they are written, or wait for ours), so that
    # the count each one sees, and therefore the alarm, is exact.
    await db.lock_class_day(tx, class_id, day)
    present, staff = await db.present_and_staff(tx, class_id, day)
    facts = {
        "class_id": class_id,
        "site_id": site_id,
        "day": day,
        "children_present": present,
        "staff_on_duty": staff,
        "children_per_staff": children_per_staff(class_type),
    }
    if ratio_exceeded(class_type, present, staff):
        alarm: list[Event] = [StaffingRatioExceeded(**facts)] if await db.raise_alarm(tx, class_id, day) else []
    else:
        alarm = [StaffingRatioRestored(**facts)] if await db.clear_alarm(tx, class_id, day) else []
    alarm += await review_roles(tx, class_id=class_id, site_id=site_id, class_type=class_type, day=day)
    return Staffing(present, staff, alarm)
