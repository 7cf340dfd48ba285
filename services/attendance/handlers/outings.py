"""A class's activities: its timetable by age group, and outings that need each guardian's consent
first; a child without consent stays at the site with the member of staff the outing names."""

from __future__ import annotations

import datetime as dt
import uuid

from services.attendance.access import ensure_guardian
from services.attendance.db import outings, roster
from services.attendance.domain import NotAtSite
from services.attendance.domain.commands import OutingConsent, PlanOuting, Timetable
from services.attendance.domain.hours import local_today
from services.attendance.handlers.scope import class_of
from shared.contracts.attendance import OutingConsentRequested
from shared.db import present
from shared.errors import Conflict, Invalid, NotFound
from shared.outcomes import Created, Done
from shared.timezones import LOCAL_TIME
from shared.uow import UnitOfWork


async def set_timetable(class_id: uuid.UUID, cmd: Timetable, uow: UnitOfWork) -> Done:
    await class_of(uow, class_id)
    activities = [a.model_dump(mode="json") for a in cmd.activities]
    await outings.set_timetable(uow.tx, class_id, activities, uow.issuer.principal.sub, uow.issuer.now)
    return Done({"class_id": str(class_id), "activities": activities})


async def plan(class_id: uuid.UUID, cmd: PlanOuting, uow: UnitOfWork) -> Created:
    """An outing of the class; each booked child's guardians are asked for their consent."""
    tx, actor = uow.tx, uow.issuer
    facts = await class_of(uow, class_id, provider_only=True)
    if cmd.day < local_today(actor.now):
        raise Invalid("the outing's day has passed", field="day")
    outing_id = uuid.uuid4()
    await outings.insert_outing(tx, outing_id, class_id, facts["site_id"], cmd, actor.principal.sub, actor.now)
    booked = await outings.children(tx, {"outing_id": outing_id, "class_id": class_id, "day": cmd.day})
    union_id = facts["union_path"][-1] if facts["union_path"] else None
    for child in booked:
        uow.emit(
            OutingConsentRequested(
                child_id=child["child_id"],
                class_id=class_id,
                site_id=facts["site_id"],
                day=cmd.day,
                outing_id=outing_id,
                destination=cmd.destination,
                leaves_at=cmd.leaves_at,
                returns_at=cmd.returns_at,
            ),
            union_id=union_id,
        )
    return Created(
        {"outing_id": str(outing_id), "class_id": str(class_id), **cmd.model_dump(mode="json"), "asked": len(booked)}
    )


async def consent(outing_id: uuid.UUID, cmd: OutingConsent, uow: UnitOfWork) -> Done:
    """A guardian consents to the outing for their child, or withdraws a consent, until it leaves."""
    tx, actor = uow.tx, uow.issuer
    outing = await outings.outing(tx, outing_id)
    if outing is None:
        raise NotFound("no such outing", field="outing_id")
    entry = await roster.entry(tx, cmd.child_id, outing["day"], outing["site_id"])
    if entry is None or entry["class_id"] != outing["class_id"]:
        raise NotAtSite("the child is not booked in the outing's class that day", field="child_id")
    ensure_guardian(actor.principal, entry["guardians"])
    if actor.now >= dt.datetime.combine(outing["day"], outing["leaves_at"], LOCAL_TIME):
        raise Conflict("the outing has left", field="outing_id")
    guardian_id = present(actor.principal.member_id, "guardian's member id")
    await outings.record_consent(tx, outing_id, cmd.child_id, guardian_id, cmd.given, actor.now)
    return Done(
        {"outing_id": str(outing_id), "child_id": str(cmd.child_id), "given": cmd.given, "at": actor.now.isoformat()}
    )
