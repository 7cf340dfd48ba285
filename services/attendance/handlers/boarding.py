"""Weekly boarding (周托): staff at the site record each night a boarding child stays."""

from __future__ import annotations

import datetime as dt
import uuid

from services.attendance.db import boarding
from services.attendance.domain import NotAtSite
from services.attendance.domain.boarding import night_refusal
from services.attendance.domain.commands import NightPresence
from services.attendance.domain.hours import local_today
from services.attendance.handlers.scope import class_of
from shared.errors import Invalid
from shared.outcomes import Done
from shared.uow import UnitOfWork


async def record_night(
    class_id: uuid.UUID, night: dt.date, child_id: uuid.UUID, cmd: NightPresence, uow: UnitOfWork
) -> Done:
    """The provider's staff record whether the child spent the night at the site."""
    await class_of(uow, class_id, provider_only=True)
    if reason := night_refusal(night, local_today(uow.issuer.now)):
        raise Invalid(reason, field="night")
    if not await boarding.night_roll(uow.tx, class_id, night, child_id):
        raise NotAtSite("the child does not stay this night in this boarding class", field="child_id")
    await boarding.record_night(
        uow.tx,
        child_id,
        class_id,
        night,
        present=cmd.present,
        note=cmd.note,
        by=uow.issuer.principal.sub,
        at=uow.issuer.now,
    )
    return Done(
        {
            "class_id": str(class_id),
            "night": night.isoformat(),
            "child_id": str(child_id),
            "present": cmd.present,
            "note": cmd.note,
        }
    )
