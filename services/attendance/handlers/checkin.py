"""Check-in at the door: booked today at this site, and a health screening that passes. A child
whose accident cover no insurer has confirmed for the day is admitted, and the site lead is told."""

from __future__ import annotations

import uuid

import asyncpg

from services.attendance.access import ensure_provider_at_site
from services.attendance.db import boarding, roster, timers
from services.attendance.db import checkin as db
from services.attendance.domain import EntryRefused, NotAtSite
from services.attendance.domain.boarding import last_day_of_stay
from services.attendance.domain.commands import CheckIn
from services.attendance.domain.hours import ESCALATION, local_today
from services.attendance.domain.screening import screening_refusal
from services.attendance.handlers.staffing import review
from shared import statistics
from shared.contracts.attendance import CheckInRefused, CheckInUncovered, ChildCheckedIn
from shared.db import present
from shared.outcomes import Created, Done, Outcome, Refused
from shared.uow import UnitOfWork


async def check_in(cmd: CheckIn, uow: UnitOfWork) -> Outcome:
    tx, actor = uow.tx, uow.issuer
    today = local_today(actor.now)
    entry = await roster.entry(tx, cmd.child_id, today, cmd.site_id)
    if entry is None or entry["site_id"] != cmd.site_id:
        raise NotAtSite("the child is not booked at this site today", field="child_id")
    ensure_provider_at_site(actor.principal, entry["provider_id"])
    if entry["boarding"] and (held := await db.admission(tx, cmd.child_id, today)) and held["day"] < today:
        return _already_in(held, since=True)  # a boarding child stays from the stay's first day (周托)
    checkin_id = uuid.uuid4()
    refusal = screening_refusal(cmd.temperature_c, cmd.symptoms)
    if refusal and (admitted := await db.admission(tx, cmd.child_id, today)):
        return _already_in(admitted)
    union_id = entry["union_path"][-1] if entry["union_path"] else None
    where = {"child_id": cmd.child_id, "class_id": entry["class_id"], "site_id": cmd.site_id, "day": today}
    if refusal:
        await db.insert_checkin(
            tx,
            checkin_id,
            entry,
            at=actor.now,
            by_staff=actor.principal.sub,
            temperature_c=cmd.temperature_c,
            symptoms=cmd.symptoms,
            admitted=False,
        )
        uow.emit(CheckInRefused(**where, at=actor.now), union_id=union_id)
        return Refused(EntryRefused(refusal, field="health_screening", checkin_id=str(checkin_id), admitted=False))

    if not await db.admit(
        tx,
        checkin_id,
        entry,
        at=actor.now,
        by_staff=actor.principal.sub,
        temperature_c=cmd.temperature_c,
        symptoms=cmd.symptoms,
    ):
        return _already_in(present(await db.admission(tx, cmd.child_id, today), "check-in"))
    hours = roster.site_hours(entry)
    handover_day = today
    if entry["boarding"]:  # picked up on the stay's last day, not this evening
        handover_day = last_day_of_stay(await boarding.booked_days(tx, cmd.child_id, entry["class_id"]), today)
    await timers.schedule_many(
        tx,
        [
            timers.Timer(
                "late_pickup",
                cmd.child_id,
                entry["class_id"],
                handover_day,
                step,
                hours.escalation_at(handover_day, step),
            )
            for step in ESCALATION
        ],
    )
    staffing = await review(
        tx, class_id=entry["class_id"], site_id=cmd.site_id, class_type=entry["class_type"], day=today
    )
    if union_id is not None:
        await statistics.count(
            tx,
            statistics.Fact(
                "attended", f"{cmd.child_id}:{today}", union_id, cmd.child_id, class_type=entry["class_type"]
            ),
        )
    booked = {"booking_id": entry["booking_id"], "programme_id": entry["programme_id"]}
    uow.emit(ChildCheckedIn(**where, **booked, at=actor.now), union_id=union_id)
    if entry["cover"] != "confirmed":  # admitted all the same; the site lead is told
        uow.emit(CheckInUncovered(**where, **booked, cover=entry["cover"], at=actor.now), union_id=union_id)
    for alarm in staffing.alarm:
        uow.emit(alarm, union_id=union_id)
    return Created(
        {
            "checkin_id": str(checkin_id),
            "admitted": True,
            "at": actor.now.isoformat(),
            "children_present": staffing.present,
            "staff_on_duty": staffing.staff,
            "cover": entry["cover"],
        }
    )


def _already_in(admitted: asyncpg.Record, *, since: bool = False) -> Done:
    return Done(
        {
            "checkin_id": str(admitted["checkin_id"]),
            "admitted": True,
            "at": admitted["at"].isoformat(),
            "already_checked_in": True,
            **({"in_care_since": admitted["day"].isoformat()} if since else {}),
        }
    )
