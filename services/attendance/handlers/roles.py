"""Staffing by role: a site's rule, set by its provider or union staff above it, and the review of a
class-day against it, raising each missing role and each lapsed qualification once."""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.attendance.db import duty, roster
from services.attendance.domain.commands import StaffingRule
from services.attendance.domain.roles import lapses, role_counts, role_key
from services.attendance.handlers.scope import site_of
from shared.contracts.attendance import QualificationExpired, StaffingRoleFilled, StaffingRoleMissing
from shared.envelope import Event
from shared.outcomes import Done
from shared.uow import UnitOfWork


async def set_rule(site_id: uuid.UUID, cmd: StaffingRule, uow: UnitOfWork) -> Done:
    tx, actor = uow.tx, uow.issuer
    await site_of(uow, site_id)
    rule = cmd.model_dump(mode="json")
    await duty.set_rule(tx, site_id, cmd.class_type, rule["roles"], actor.principal.sub, actor.now)
    return Done({"site_id": str(site_id), **rule})


async def review_roles(
    tx: asyncpg.Connection, *, class_id: uuid.UUID, site_id: uuid.UUID, class_type: str, day: dt.date
) -> list[Event]:
    """The class-day against its site's staffing rule, after a change written in ``tx`` (under the
    class-day's lock): a role newly missing, a role filled again, a qualification newly lapsed."""
    rule = await duty.rule_for(tx, site_id, class_type)
    if rule is None:
        return []
    facts = await roster.class_facts(tx, class_id)
    union_path = facts["union_path"] if facts is not None else None
    where = {"class_id": class_id, "site_id": site_id, "day": day, "union_id": union_path[-1] if union_path else None}
    children = await duty.children_booked(tx, class_id, day)
    staff = await duty.on_duty(tx, class_id, day)
    counts = {role_key(c.role): c for c in role_counts(rule, children, [s["role"] for s in staff])}
    missing = {r for r, c in counts.items() if c.missing}
    raised = await duty.raised_roles(tx, class_id, day)
    news, filled = sorted(missing - raised), sorted(raised - missing)
    await duty.raise_roles(tx, class_id, day, news)
    await duty.clear_roles(tx, class_id, day, filled)
    alarms: list[Event] = [
        (StaffingRoleMissing if r in news else StaffingRoleFilled)(
            **where, role=c.role, required=c.required, on_duty=c.on_duty, children=children
        )
        for r in news + filled
        if (c := counts.get(r)) is not None and c.required > 0
    ]
    for lapse in lapses(rule, staff, day):
        if await duty.raise_lapse(tx, class_id, day, lapse.staff_name, lapse.qualification):
            alarms.append(
                QualificationExpired(
                    **where,
                    staff_name=lapse.staff_name,
                    role=lapse.role,
                    qualification=lapse.qualification,
                    expires_on=lapse.expires_on,
                )
            )
    return alarms
