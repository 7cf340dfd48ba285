"""An accident or incident at a site: recorded whole here, told to the guardians at once as a safety
alert (``incident.reported``, its kind only), and to each insurer as a claim notice with no name."""

from __future__ import annotations

import datetime as dt
import uuid

from services.attendance.access import ensure_provider_at_site
from services.attendance.db import incidents, roster
from services.attendance.domain import NotAtSite
from services.attendance.domain.commands import ReportIncident
from services.attendance.domain.hours import local_today
from shared.contracts.attendance import IncidentReported
from shared.contracts.partners import ClaimNotice
from shared.errors import Invalid
from shared.outcomes import Created
from shared.partners import cover_id, pseudonym
from shared.uow import UnitOfWork

CLOCK_SKEW = dt.timedelta(minutes=2)


async def report(cmd: ReportIncident, uow: UnitOfWork) -> Created:
    tx, actor = uow.tx, uow.issuer
    if cmd.at > actor.now + CLOCK_SKEW:
        raise Invalid("the incident cannot have happened in the future", field="at")
    day = local_today(cmd.at)
    entry = await roster.entry(tx, cmd.child_id, day, cmd.site_id)
    if entry is None or entry["site_id"] != cmd.site_id:
        raise NotAtSite("the child was not booked at this site that day", field="child_id")
    ensure_provider_at_site(actor.principal, entry["provider_id"])
    incident_id = uuid.uuid4()
    await incidents.insert(tx, incident_id, cmd, entry, day=day, by=actor.principal.sub, now=actor.now)
    union_id = entry["union_path"][-1] if entry["union_path"] else None
    first_aid, child_id, programme_id = cmd.first_aid is not None, cmd.child_id, entry["programme_id"]
    uow.emit(
        IncidentReported(
            child_id=child_id,
            class_id=entry["class_id"],
            site_id=cmd.site_id,
            day=day,
            incident_id=incident_id,
            at=cmd.at,
            kind=cmd.kind,
            first_aid_given=first_aid,
            follow_up_needed=cmd.follow_up is not None,
        ),
        union_id=union_id,
    )
    if union_id is not None:
        uow.emit(
            lambda partner: ClaimNotice(
                pseudonym=pseudonym(partner, child_id),
                cover_id=cover_id(partner, child_id, programme_id),
                claim_id=pseudonym(partner, incident_id),
                day=day,
                incident_kind=cmd.kind,
                first_aid_given=first_aid,
                class_type=entry["class_type"],
                union_id=union_id,
            ),
            to="insurance",
            union_id=union_id,
        )
    return Created(
        {
            "incident_id": str(incident_id),
            "child_id": str(child_id),
            "class_id": str(entry["class_id"]),
            "site_id": str(cmd.site_id),
            "day": day.isoformat(),
            "kind": cmd.kind,
            "guardians_alerted": True,
        }
    )
