"""Verified priority: a family claims a priority category with evidence, and union staff above the
child's union verify or reject it, with a reason. Only a verified category gives a child priority
(reserved quotas, waitlist order) or money (the group in ``child.enrolled``, which subsidy reads).

Verification counts for bookings made after it: a booking keeps the group it was made with (its
place in the waitlist and the subsidy of its days were decided then), so a family that wants the
priority for days booked before books them again (or cancels and rebooks)."""

from __future__ import annotations

import uuid

from services.enrollment.access import ensure_acts_for_child, ensure_manages, not_found
from services.enrollment.db import people as db
from services.enrollment.domain.commands import ClaimPriority, DecidePriority
from services.enrollment.domain.seats import child_priority_group
from shared.contracts.enrollment import PriorityRejected, PriorityVerified
from shared.db import present
from shared.errors import Conflict, Invalid
from shared.outcomes import Created, Done
from shared.uow import UnitOfWork


async def claim(child_id: uuid.UUID, cmd: ClaimPriority, uow: UnitOfWork) -> Created:
    """A guardian (or staff for the family) claims a category one of the child's guardians declared."""
    tx, actor = uow.tx, uow.issuer
    child = await db.get_child(tx, child_id, lock=True)
    if child is None:
        raise not_found("child_id", "child")
    await ensure_acts_for_child(tx, actor.principal, child)
    declared = {g["employment_category"] for g in await db.guardians_of(tx, child_id)}
    if cmd.category not in declared:
        raise Invalid("no guardian of the child declared this category", field="category")
    claim_id = uuid.uuid4()
    if not await db.insert_claim(tx, claim_id, child_id, cmd.category, cmd.evidence, actor.principal.sub):
        raise Conflict("the child has a claim for this category pending or verified already", field="category")
    return Created({"claim_id": str(claim_id), "child_id": str(child_id), "category": cmd.category, "state": "pending"})


async def decide(claim_id: uuid.UUID, cmd: DecidePriority, uow: UnitOfWork) -> Done:
    """Union staff above the child's union verify or reject a pending claim; the family is told why."""
    tx, actor = uow.tx, uow.issuer
    found = await db.get_claim(tx, claim_id)
    if found is None:
        raise not_found("claim_id", "claim")
    child = present(await db.get_child(tx, found["child_id"], lock=True), "child")
    await ensure_manages(tx, actor.principal, child["union_id"])
    state = "verified" if cmd.decision == "verify" else "rejected"
    if not await db.decide_claim(tx, claim_id, state, actor.principal.sub, cmd.reason):
        raise Conflict("the claim is decided already", field="claim_id")
    group = child["verified_group"]
    decided = {"child_id": child["child_id"], "claim_id": claim_id, "category": found["category"], "reason": cmd.reason}
    if state == "verified":
        group = child_priority_group(await db.verified_categories(tx, child["child_id"]))
        await db.set_verified_group(tx, child["child_id"], group)
        uow.emit(PriorityVerified(**decided, priority_group=group), union_id=child["union_id"])
    else:
        uow.emit(PriorityRejected(**decided), union_id=child["union_id"])
    return Done(
        {"claim_id": str(claim_id), "child_id": str(child["child_id"]), "state": state, "priority_group": group}
    )
