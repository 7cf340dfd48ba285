"""Check-in at the door: booked today at this site, and a health screening that passes."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
from pydantic import BaseModel, ConfigDict, Field

from services.attendance.access import ensure_provider_at_site
from services.attendance.db import checkin as db
from services.attendance.db import roster, timers
from services.attendance.domain import ESCALATION, local_today, screening_refusal
from services.attendance.handlers import Actor
from services.attendance.handlers.staffing import review
from shared import statistics
from shared.contracts.attendance import CheckInRefused, ChildCheckedIn
from shared.errors import CommandRejected
from shared.outbox import FollowUp, Outbox

Result = tuple[int, dict[str, Any]]


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    child_id: uuid.UUID
    site_id: uuid.UUID
    temperature_c: float = Field(ge=34.0, le=43.0, description="Measured at the door")
    symptoms: list[str] = Field(
        default_factory=list, max_length=20, description="e.g. cough, rash; listed symptoms refuse entry"
    )


async def check_in(cmd: CheckIn, actor: Actor, *, tx: asyncpg.Connection, outbox: Outbox) -> Result:
    today = local_today(actor.now)
    entry = await roster.entry(tx, cmd.child_id, today, cmd.site_id)
    if entry is None or entry["site_id"] != cmd.site_id:
        raise CommandRejected(409, [{"field": "child_id", "reason": "the child is not booked at this site today"}])
    ensure_provider_at_site(actor.principal, entry["provider_id"])
    checkin_id = uuid.uuid4()
    refusal = screening_refusal(cmd.temperature_c, cmd.symptoms)
    if refusal and (admitted := await db.admission(tx, cmd.child_id, today)):
        return _already_in(admitted)
    meta = {
        "union_id": entry["union_path"][-1] if entry["union_path"] else None,
        "correlation_id": actor.correlation_id,
    }
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
        await outbox.append(tx, CheckInRefused(**where, at=actor.now), **meta)
        return 422, {
            "error": "refused",
            "checkin_id": str(checkin_id),
            "admitted": False,
            "reasons": [{"field": "health_screening", "reason": refusal}],
        }

    if not await db.admit(
        tx,
        checkin_id,
        entry,
        at=actor.now,
        by_staff=actor.principal.sub,
        temperature_c=cmd.temperature_c,
        symptoms=cmd.symptoms,
    ):
        return _already_in(await db.admission(tx, cmd.child_id, today))
    hours = roster.site_hours(entry)
    await timers.schedule_many(
        tx,
        [
            timers.Timer("late_pickup", cmd.child_id, entry["class_id"], today, step, hours.escalation_at(today, step))
            for step in ESCALATION
        ],
    )
    staffing = await review(
        tx, class_id=entry["class_id"], site_id=cmd.site_id, class_type=entry["class_type"], day=today, meta=meta
    )
    events = [
        FollowUp(
            ChildCheckedIn(**where, booking_id=entry["booking_id"], programme_id=entry["programme_id"], at=actor.now),
            **meta,
        ),
        *staffing.alarm,
    ]
    if meta["union_id"] is not None:
        await statistics.count(
            tx,
            statistics.Fact(
                "attended", f"{cmd.child_id}:{today}", meta["union_id"], cmd.child_id, class_type=entry["class_type"]
            ),
        )
    await outbox.append_many(tx, events)
    return 201, {
        "checkin_id": str(checkin_id),
        "admitted": True,
        "at": actor.now.isoformat(),
        "children_present": staffing.present,
        "staff_on_duty": staffing.staff,
    }


def _already_in(admitted: asyncpg.Record) -> Result:
    return 200, {
        "checkin_id": str(admitted["checkin_id"]),
        "admitted": True,
        "at": admitted["at"].isoformat(),
        "already_checked_in": True,
    }
