"""The custody agreement (托管协议) of a programme: union staff publish it in numbered versions, and
a guardian accepts the current version for a child before the child is booked in the programme. A
new version asks again: the next booking needs an acceptance of it. A programme without a published
agreement needs none."""

from __future__ import annotations

import uuid

import asyncpg

from services.enrollment.access import ensure_manages, not_found
from services.enrollment.db import organisation, people
from services.enrollment.db import supervision as db
from services.enrollment.domain import AgreementNotAccepted
from services.enrollment.domain.commands import AcceptAgreement, PublishAgreement
from shared.errors import Conflict
from shared.outcomes import Created
from shared.principal import forbidden
from shared.uow import UnitOfWork


async def publish(programme_id: uuid.UUID, cmd: PublishAgreement, uow: UnitOfWork) -> Created:
    tx, actor = uow.tx, uow.issuer
    programme = await organisation.get_programme(tx, programme_id)
    if programme is None:
        raise not_found("programme_id", "programme")
    await ensure_manages(tx, actor.principal, programme["union_id"])
    await db.lock_programme(tx, programme_id)
    version = await db.insert_agreement(tx, programme_id, cmd, actor.principal.sub)
    return Created({"programme_id": str(programme_id), "version": version})


async def accept(programme_id: uuid.UUID, version: int, cmd: AcceptAgreement, uow: UnitOfWork) -> Created:
    """A guardian of the child accepts the programme's current version, for the child."""
    tx, actor = uow.tx, uow.issuer
    if await organisation.get_programme(tx, programme_id) is None:
        raise not_found("programme_id", "programme")
    child = await people.get_child(tx, cmd.child_id, lock=True)
    if child is None:
        raise not_found("child_id", "child")
    principal = actor.principal
    if principal.role != "parent" or principal.member_id is None or principal.member_id not in child["guardian_ids"]:
        raise forbidden("only a guardian of the child accepts a custody agreement for the child")
    current = await db.current_agreement(tx, programme_id)
    if current is None or current["version"] != version:
        now = f"version {current['version']} is current" if current else "the programme has no agreement"
        raise Conflict(f"version {version} is not the programme's current agreement: {now}", field="version")
    accepted = await db.insert_acceptance(
        tx, programme_id, version, child["child_id"], principal.member_id, principal.sub
    )
    if accepted is None:
        raise Conflict(f"a guardian of the child accepted version {version} already", field="child_id")
    return Created(
        {
            "programme_id": str(programme_id),
            "version": version,
            "child_id": str(child["child_id"]),
            "guardian_id": str(principal.member_id),
            "accepted_at": accepted["accepted_at"].isoformat(),
        }
    )


async def ensure_accepted(conn: asyncpg.Connection, programme_id: uuid.UUID, child_id: uuid.UUID) -> None:
    """A booking in the programme needs the current agreement accepted for the child (if it has one)."""
    current = await db.current_agreement(conn, programme_id)
    if current is None or await db.acceptance(conn, programme_id, current["version"], child_id):
        return
    version = current["version"]
    raise AgreementNotAccepted(
        f"a guardian must first accept version {version} of the programme's custody agreement (托管协议) "
        f"for the child: POST /programmes/{programme_id}/agreements/{version}/acceptances",
        field="child_id",
        programme_id=str(programme_id),
        agreement_version=version,
    )
