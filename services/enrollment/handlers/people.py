"""Registering a child with their guardians, pick-up adults and emergency contact; co-guardians
accepting (or declining) their invitation.

The registering parent is the child's first guardian. Every other guardian is invited: until
they accept, authenticated as themselves, they are not linked to the child, cannot see the child,
are not told about the child and do not count for the child's priority group. ``child.registered``
names only linked guardians; an acceptance publishes it again with the new guardian in it (the
event always carries the full current picture)."""

from __future__ import annotations

import uuid
from collections import Counter

import asyncpg

from services.enrollment.access import not_found
from services.enrollment.db import organisation
from services.enrollment.db import people as db
from services.enrollment.domain import TooManyChildren
from services.enrollment.domain.commands import AcceptGuardianship, GuardianIn, RegisterChild
from services.enrollment.domain.seats import child_priority_group
from shared.contracts.enrollment import AuthorisedAdult, Channel, ChildRegistered, ChildUpdated, GuardianContact
from shared.db import present
from shared.errors import Invalid, NotAllowed
from shared.outcomes import Created, Done
from shared.principal import require_role
from shared.uow import Actor, UnitOfWork


async def register_child(cmd: RegisterChild, uow: UnitOfWork, *, max_children: int, max_per_kind: int) -> Created:
    """A parent registers their child; the parent is its first guardian, the others are invited."""
    tx, actor = uow.tx, uow.issuer
    parent = actor.principal
    require_role(parent, "parent")
    if parent.union_id is None or parent.member_id is None or await organisation.get_union(tx, parent.union_id) is None:
        raise NotAllowed("the token names no known union membership", field="Authorization")
    member_ids = [g.member_id or parent.member_id for g in cmd.guardians]
    if parent.member_id not in member_ids:
        raise Invalid("the registering parent must be a guardian", field="guardians")
    if len(set(member_ids)) != len(member_ids):
        raise Invalid("a guardian is listed twice", field="guardians")
    for i, g in enumerate(cmd.guardians):
        within_address_quota(g.channels, max_per_kind, f"guardians[{i}].channels")
    await _within_children_quota(tx, parent.member_id, max_children)
    contacts = [contact_of(member_id, g) for member_id, g in zip(member_ids, cmd.guardians, strict=True)]
    linked = [c for c in contacts if c.guardian_id == parent.member_id]
    invited = [c for c in contacts if c.guardian_id != parent.member_id]
    declared = child_priority_group([g.employment_category for g in linked])
    adults = {uuid.uuid4(): adult for adult in cmd.authorised_adults}  # ID numbers stay here, out of the event
    child = ChildRegistered(
        child_id=uuid.uuid4(),
        display_name=cmd.display_name,
        priority_group="regular",  # until union staff verify a claim (handlers/priority.py)
        guardians=tuple(linked),
        authorised_adults=tuple(
            AuthorisedAdult(adult_id=adult_id, **adult.model_dump(exclude={"id_number"}))
            for adult_id, adult in adults.items()
        ),
        emergency_contact=cmd.emergency_contact,
    )
    id_numbers = {adult_id: adult.id_number for adult_id, adult in adults.items() if adult.id_number}
    await db.insert_child(tx, child, parent.union_id, cmd.birth_date, declared, invited, parent.member_id, id_numbers)
    uow.emit(child, union_id=parent.union_id)
    return Created(
        {
            "child_id": str(child.child_id),
            "priority_group": declared,
            "verified_group": child.priority_group,
            "guardian_ids": [str(g.guardian_id) for g in child.guardians],
            "invited_ids": [str(g.guardian_id) for g in invited],
            "authorised_adult_ids": [str(a.adult_id) for a in child.authorised_adults],
        }
    )


async def accept_guardianship(
    child_id: uuid.UUID,
    cmd: AcceptGuardianship,
    uow: UnitOfWork,
    *,
    max_children: int,
    max_per_kind: int,
) -> Done:
    """An invited member accepts: they are linked to the child, everyone who knows the child
    learns the new picture (``child.registered`` again), and the guardians are told (``child.updated``)."""
    tx, actor = uow.tx, uow.issuer
    member_id = _invited_member(actor)
    if cmd.channels is not None:
        within_address_quota(cmd.channels, max_per_kind, "channels")
    child = await db.get_child(tx, child_id, lock=True)
    if child is None:
        raise not_found("child_id", "invitation")
    await _within_children_quota(tx, member_id, max_children)
    changes = {
        k: v
        for k, v in {
            "employment_category": cmd.employment_category,
            "channels": None if cmd.channels is None else [c.model_dump() for c in cmd.channels],
        }.items()
        if v is not None
    }
    if not await db.accept(tx, child_id, member_id, changes):
        raise not_found("child_id", "invitation")
    guardians = await db.guardians_of(tx, child_id)
    declared = child_priority_group([g["employment_category"] for g in guardians])  # verified: handlers/priority.py
    await db.set_priority_group(tx, child_id, declared)
    registered = await db.registration(tx, present(await db.get_child(tx, child_id), "child"))
    uow.emit(registered, union_id=child["union_id"])
    joined = next(g["display_name"] for g in guardians if g["guardian_id"] == member_id)
    uow.emit(
        ChildUpdated(child_id=child_id, changed=("guardians",), by="parent", by_name=joined, guardian_added=joined),
        union_id=child["union_id"],
    )
    return Done(
        {
            "child_id": str(child_id),
            "guardian_ids": [str(g.guardian_id) for g in registered.guardians],
            "priority_group": declared,
            "verified_group": registered.priority_group,
        }
    )


async def decline_guardianship(child_id: uuid.UUID, uow: UnitOfWork) -> Done:
    """An invited member declines: the invitation is gone; nobody else learns anything."""
    if not await db.decline(uow.tx, child_id, _invited_member(uow.issuer)):
        raise not_found("child_id", "invitation")
    return Done({"child_id": str(child_id), "declined": True})


def contact_of(member_id: uuid.UUID, g: GuardianIn) -> GuardianContact:
    return GuardianContact(
        guardian_id=member_id,
        display_name=g.display_name,
        employment_category=g.employment_category,
        channels=tuple(g.channels),
    )


def _invited_member(actor: Actor) -> uuid.UUID:
    principal = actor.principal
    require_role(principal, "parent")
    if principal.member_id is None:
        raise NotAllowed("the token names no union membership", field="Authorization")
    return principal.member_id


def within_address_quota(channels: list[Channel], per_kind: int, field: str) -> None:
    for kind, n in Counter(c.kind for c in channels if c.kind != "inapp").items():
        if n > per_kind:
            raise Invalid(f"{n} {kind} addresses; a guardian may have at most {per_kind}", field=field)


async def _within_children_quota(tx: asyncpg.Connection, member_id: uuid.UUID, most: int) -> None:
    await db.lock_member(tx, member_id)
    if await db.children_of_member(tx, member_id) >= most:
        raise TooManyChildren(f"a member may be the guardian of at most {most} children", field="guardians")
