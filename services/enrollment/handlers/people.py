"""Registering a child with their guardians, pick-up adults and emergency contact."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from services.enrollment.db import organisation
from services.enrollment.db import people as db
from services.enrollment.domain.commands import RegisterChild
from services.enrollment.domain.seats import child_priority_group
from services.enrollment.handlers import Actor
from shared.auth import require_role
from shared.contracts.enrollment import AuthorisedAdult, ChildRegistered, GuardianContact
from shared.errors import CommandRejected
from shared.outbox import Outbox


async def register_child(cmd: RegisterChild, actor: Actor, *, tx: asyncpg.Connection, outbox: Outbox
                         ) -> tuple[int, dict[str, Any]]:
    """A parent registers their child; the parent is one of the guardians."""
    p = actor.principal
    require_role(p, "parent")
    if p.union_id is None or p.member_id is None or await organisation.get_union(tx, p.union_id) is None:
        raise CommandRejected(403, [{"field": "Authorization", "reason": "the token names no known union membership"}])
    member_ids = [g.member_id or p.member_id for g in cmd.guardians]
    if p.member_id not in member_ids:
        raise CommandRejected(422, [{"field": "guardians", "reason": "the registering parent must be a guardian"}])
    if len(set(member_ids)) != len(member_ids):
        raise CommandRejected(422, [{"field": "guardians", "reason": "a guardian is listed twice"}])
    child = ChildRegistered(
        child_id=uuid.uuid4(),
        display_name=cmd.display_name,
        priority_group=child_priority_group([g.employment_category for g in cmd.guardians]),
        guardians=tuple(
            GuardianContact(guardian_id=member_id, display_name=g.display_name,
                            employment_category=g.employment_category, channels=tuple(g.channels))
            for member_id, g in zip(member_ids, cmd.guardians, strict=True)),
        authorised_adults=tuple(AuthorisedAdult(adult_id=uuid.uuid4(), **a.model_dump()) for a in cmd.authorised_adults),
        emergency_contact=cmd.emergency_contact,
    )
    await db.insert_child(tx, child, p.union_id, cmd.birth_date)
    await outbox.append(tx, child, union_id=p.union_id, correlation_id=actor.correlation_id)
    return 201, {
        "child_id": str(child.child_id),
        "priority_group": child.priority_group,
        "guardian_ids": [str(g.guardian_id) for g in child.guardians],
        "authorised_adult_ids": [str(a.adult_id) for a in child.authorised_adults],
    }
