"""Guardians (or union staff above the child's union) keep a child's record current after
registration: pick-up adults (with their ID-card number), the emergency contact, allergies and
health notes, and who the guardians are (a new co-guardian is invited and linked once they accept:
handlers/people.py).

Every change publishes the child's full picture again (``child.registered``: attendance's roster
and notify's recipients replace what they had, as for a registration) and then ``child.updated``,
which notify tells every guardian, with what changed and who changed it."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from services.enrollment.access import ensure_acts_for_child, not_found
from services.enrollment.db import people as db
from services.enrollment.domain.commands import EditChildRecord, InviteGuardian, PickupAdultIn
from services.enrollment.domain.identity import shown
from services.enrollment.domain.seats import child_priority_group
from services.enrollment.handlers.bookings import changed_by
from services.enrollment.handlers.people import contact_of, within_address_quota
from shared.contracts.enrollment import ChildPart, ChildUpdated
from shared.db import present
from shared.errors import Conflict, Invalid
from shared.outcomes import Created, Done
from shared.principal import require_role
from shared.uow import UnitOfWork


async def edit(child_id: uuid.UUID, cmd: EditChildRecord, uow: UnitOfWork) -> Done:
    """Replace the parts of the record the command gives; the others stay."""
    child = await _child_acted_for(uow, child_id)
    parts: dict[str, Any] = {}
    if "authorised_adults" in cmd.model_fields_set:
        parts["authorised_adults"] = _adults(child["authorised_adults"], cmd.authorised_adults or [])
    if "emergency_contact" in cmd.model_fields_set and cmd.emergency_contact is not None:
        parts["emergency_contact"] = cmd.emergency_contact.model_dump(mode="json")
    for note in ("allergies", "health_notes"):
        if note in cmd.model_fields_set:
            parts[note] = getattr(cmd, note) or None  # "" clears the note
    if not parts:
        raise Invalid("nothing to change", field="body")
    await db.update_record(uow.tx, child_id, parts)
    named: tuple[ChildPart, ...] = ("authorised_adults", "emergency_contact", "health_notes")
    changed = [p for p in named if _touches(p, parts)]
    await _publish(uow, child, changed)
    return Done(
        {
            "child_id": str(child_id),
            "changed": changed,
            "authorised_adults": [shown(a) for a in parts.get("authorised_adults", child["authorised_adults"])],
        }
    )


async def invite(child_id: uuid.UUID, cmd: InviteGuardian, uow: UnitOfWork, *, max_per_kind: int) -> Created:
    """A guardian invites another member as a co-guardian; they are linked once they accept."""
    require_role(uow.issuer.principal, "parent")
    child = await _child_acted_for(uow, child_id)
    within_address_quota(cmd.channels, max_per_kind, "channels")
    inviter = uow.issuer.principal.member_id
    assert inviter is not None  # a parent acting for the child is one of its guardians
    if not await db.invite(uow.tx, child["child_id"], contact_of(cmd.member_id, cmd), inviter):
        raise Conflict("this member is already a guardian of the child, or invited", field="member_id")
    return Created({"child_id": str(child_id), "invited_id": str(cmd.member_id), "accepted": False})


async def remove_guardian(child_id: uuid.UUID, guardian_id: uuid.UUID, uow: UnitOfWork) -> Done:
    """Unlink a guardian (or withdraw an invitation). The last guardian stays: a child always has one."""
    tx = uow.tx
    child = await _child_acted_for(uow, child_id)
    linked = guardian_id in child["guardian_ids"]
    if linked and len(child["guardian_ids"]) == 1:
        raise Conflict("the child's only guardian cannot be removed", field="guardian_id")
    by_name = await _by_name(uow, child)  # before the acting guardian may remove themself
    name = await db.unlink(tx, child_id, guardian_id)
    if name is None:
        raise not_found("guardian_id", "guardian or invitation of this child")
    if linked:
        declared = child_priority_group([g["employment_category"] for g in await db.guardians_of(tx, child_id)])
        await db.set_priority_group(tx, child_id, declared)
        await _publish(uow, child, ["guardians"], guardian_removed=name, by_name=by_name)
    return Done({"child_id": str(child_id), "removed_id": str(guardian_id), "was_linked": linked})


async def _child_acted_for(uow: UnitOfWork, child_id: uuid.UUID) -> asyncpg.Record:
    child = await db.get_child(uow.tx, child_id, lock=True)
    if child is None:
        raise not_found("child_id", "child")
    await ensure_acts_for_child(uow.tx, uow.issuer.principal, child)
    return child


async def _publish(
    uow: UnitOfWork,
    child: asyncpg.Record,
    changed: list[ChildPart],
    *,
    guardian_removed: str | None = None,
    by_name: str | None = None,
) -> None:
    """The new full picture, then what changed and by whom."""
    tx, principal = uow.tx, uow.issuer.principal
    if principal.role == "parent" and by_name is None:
        by_name = await _by_name(uow, child)
    registered = await db.registration(tx, present(await db.get_child(tx, child["child_id"]), "child"))
    uow.emit(registered, union_id=child["union_id"])
    by, by_id = changed_by(principal)
    uow.emit(
        ChildUpdated(
            child_id=child["child_id"],
            changed=tuple(changed),
            by=by,
            by_name=by_name,
            by_id=by_id,
            guardian_removed=guardian_removed,
        ),
        union_id=child["union_id"],
    )


async def _by_name(uow: UnitOfWork, child: asyncpg.Record) -> str | None:
    """The acting guardian's name as the family knows it (none for staff)."""
    member_id = uow.issuer.principal.member_id
    if uow.issuer.principal.role != "parent":
        return None
    return next(
        (g["display_name"] for g in await db.guardians_of(uow.tx, child["child_id"]) if g["guardian_id"] == member_id),
        None,
    )


def _adults(current: list[dict[str, Any]], wanted: list[PickupAdultIn]) -> list[dict[str, Any]]:
    """The new list: an adult named by ``adult_id`` keeps it (pick-up codes name it), others get one."""
    known = {str(a["adult_id"]) for a in current}
    adults = []
    for i, adult in enumerate(wanted):
        if adult.adult_id is not None and str(adult.adult_id) not in known:
            raise Invalid(
                "no such pick-up adult of this child: leave adult_id out for a new one",
                field=f"authorised_adults[{i}].adult_id",
            )
        adults.append(
            {
                "adult_id": str(adult.adult_id or uuid.uuid4()),
                "display_name": adult.display_name,
                "relationship": adult.relationship,
                "id_number": adult.id_number,
            }
        )
    return adults


def _touches(part: str, parts: dict[str, Any]) -> bool:
    return part in parts or (part == "health_notes" and "allergies" in parts)
