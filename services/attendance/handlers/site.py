"""Site hours and the staff on duty, set by the provider (or union staff above the site)."""

from __future__ import annotations

import datetime as dt
import uuid

from services.attendance.db import checkin as db
from services.attendance.db import duty, timers
from services.attendance.domain.commands import Hours, StaffOnDuty
from services.attendance.domain.hours import SiteHours
from services.attendance.handlers.scope import class_of, site_of
from services.attendance.handlers.staffing import review
from shared.errors import Invalid
from shared.outcomes import Created, Done
from shared.uow import UnitOfWork


async def set_hours(site_id: uuid.UUID, cmd: Hours, uow: UnitOfWork) -> Done:
    tx = uow.tx
    await site_of(uow, site_id)
    if cmd.closing <= cmd.checkin_cutoff:
        raise Invalid("closing is not after the check-in cut-off", field="closing")
    hours = SiteHours(cmd.checkin_cutoff, cmd.closing, cmd.grace_minutes, cmd.escalation_interval_s)
    await db.set_hours(tx, site_id, hours, cmd.site_lead_name, cmd.site_lead_phone)
    await timers.reschedule_site(tx, site_id, hours)
    return Done({"site_id": str(site_id), **cmd.model_dump(mode="json")})


async def add_staff(class_id: uuid.UUID, day: dt.date, cmd: StaffOnDuty, uow: UnitOfWork) -> Created:
    """Staff on duty for a class-day, with their qualifications; a class brought back under its ratio
    has its alarm cleared, and the day is reviewed against the site's staffing rule by role."""
    tx = uow.tx
    facts = await class_of(uow, class_id)
    qualifications = [q.model_dump(mode="json") for q in cmd.qualifications]
    await duty.record(tx, class_id, day, cmd.staff_name, cmd.role, qualifications)
    union_id = facts["union_path"][-1] if facts["union_path"] else None
    staffing = await review(tx, class_id=class_id, site_id=facts["site_id"], class_type=facts["class_type"], day=day)
    for alarm in staffing.alarm:
        uow.emit(alarm, union_id=union_id)
    return Created(
        {"class_id": str(class_id), "day": day.isoformat(), "staff": await db.staff_on_duty(tx, class_id, day)}
    )
