"""Parents register their children, guardians, pick-up adults and an emergency contact; a member
invited as a co-guardian accepts (or declines) before being linked to the child."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.enrollment.access import ensure_acts_for_child, not_found
from services.enrollment.api import responses
from services.enrollment.api.paging import Page
from services.enrollment.config import settings_of
from services.enrollment.db import bookings
from services.enrollment.db import people as db
from services.enrollment.domain.commands import (
    AcceptGuardianship,
    ClaimPriority,
    DecidePriority,
    DeclineGuardianship,
    EditChildRecord,
    InviteGuardian,
    RegisterChild,
    RemoveGuardian,
)
from services.enrollment.domain.identity import shown
from services.enrollment.handlers import people as handlers
from services.enrollment.handlers import priority, records
from shared.auth import Caller
from shared.errors import NotAllowed
from shared.http_commands import IdempotencyKey, respond
from shared.principal import require_role
from shared.service import Runtime, ServiceRuntime

router = APIRouter(tags=["children"])


@router.post(
    "/children",
    status_code=201,
    response_model=responses.ChildRegistered,
    summary="Register a child (parents only; the caller is a guardian, other guardians are invited)",
)
async def register_child(
    body: RegisterChild, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    quotas = _quotas(rt)
    return await respond(request, caller, key, body, lambda uow: handlers.register_child(body, uow, **quotas))


@router.get(
    "/children/{child_id}", response_model=responses.Child, summary="A child, with guardians and pick-up adults"
)
async def read_child(child_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    child = await db.get_child(rt.pool, child_id)
    if child is None:
        raise not_found("child_id", "child")
    await ensure_acts_for_child(rt.pool, caller, child)
    return {
        **dict(child),
        "authorised_adults": [shown(a) for a in child["authorised_adults"]],
        "guardians": await db.guardians_of(rt.pool, child_id),
        "invited": await db.invited_to(rt.pool, child_id),
        "priority_claims": await db.claims_of(rt.pool, child_id),
    }


@router.post(
    "/children/{child_id}/priority-claims",
    status_code=201,
    response_model=responses.PriorityClaimed,
    summary="Claim a priority category a guardian declared, with evidence; it counts once union staff verify it",
)
async def claim_priority(
    child_id: uuid.UUID,
    body: ClaimPriority,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: priority.claim(child_id, body, uow))


@router.post(
    "/priority-claims/{claim_id}/decision",
    response_model=responses.PriorityDecided,
    summary="Verify or reject a priority claim, with a reason (union staff above the child's union)",
)
async def decide_priority(
    claim_id: uuid.UUID,
    body: DecidePriority,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: priority.decide(claim_id, body, uow))


@router.get(
    "/invitations",
    response_model=responses.Invitations,
    summary="The caller's open invitations to be a child's guardian",
)
async def read_invitations(rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    require_role(caller, "parent")
    return {"member_id": caller.member_id, "invitations": await db.invitations_of(rt.pool, caller.member_id)}


@router.post(
    "/invitations/{child_id}/acceptance",
    response_model=responses.GuardianshipAccepted,
    summary="Accept being the child's guardian (the invited member only); then linked and told",
)
async def accept_invitation(
    child_id: uuid.UUID,
    body: AcceptGuardianship,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    quotas = _quotas(rt)
    return await respond(
        request,
        caller,
        key,
        body,
        lambda uow: handlers.accept_guardianship(child_id, body, uow, **quotas),
    )


@router.post(
    "/invitations/{child_id}/refusal",
    response_model=responses.GuardianshipDeclined,
    summary="Decline being the child's guardian (the invited member only)",
)
async def decline_invitation(
    child_id: uuid.UUID, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(
        request, caller, key, DeclineGuardianship(), lambda uow: handlers.decline_guardianship(child_id, uow)
    )


@router.get(
    "/me/children",
    response_model=responses.MyChildren,
    response_model_exclude_unset=True,
    summary="The calling parent's children, each with their bookings, waitlist positions and subsidy links",
)
async def my_children(rt: ServiceRuntime, caller: Caller, paging: Page) -> dict[str, Any]:
    require_role(caller, "parent")
    if caller.member_id is None:
        raise NotAllowed("the token names no union membership", field="Authorization")
    rows, page = paging.page(await db.children_of_guardian(rt.pool, caller.member_id, paging.fetch, paging.offset))
    ids = [r["child_id"] for r in rows]
    days: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for d in await bookings.days_of_children(rt.pool, ids):
        days.setdefault(d["booking_id"], []).append(
            {
                "day": d["day"],
                "state": d["state"],
                **({"waitlist_position": d["position"]} if d["position"] is not None else {}),
                **({"accept_by": d["hold_until"]} if d["hold_until"] else {}),
            }
        )
    booked: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for b in await bookings.bookings_of_children(rt.pool, ids):
        booked.setdefault(b["child_id"], []).append({**dict(b), "days": days.get(b["booking_id"], [])})
    children = []
    for child_id in ids:
        child = await db.get_child(rt.pool, child_id)
        if child is None:  # gone since the page was read: nothing to show
            continue
        children.append(
            {
                **{k: child[k] for k in ("child_id", "display_name", "birth_date", "verified_group")},
                "bookings": booked.get(child_id, []),
                "subsidy": {
                    "service": "subsidy",
                    "applications": f"/children/{child_id}/applications",
                    "statements": f"/children/{child_id}/statements",
                },
            }
        )
    return {
        **page,
        "member_id": caller.member_id,
        "family_statements": f"/guardians/{caller.member_id}/statements",
        "children": children,
    }


@router.patch(
    "/children/{child_id}",
    response_model=responses.RecordEdited,
    summary="Edit a child's pick-up adults (ID-card number checked), emergency contact, allergies or health "
    "notes (a guardian, or union staff above); the guardians are told",
)
async def edit_child(
    child_id: uuid.UUID,
    body: EditChildRecord,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: records.edit(child_id, body, uow))


@router.post(
    "/children/{child_id}/guardians",
    status_code=201,
    response_model=responses.GuardianInvited,
    summary="Invite another member as the child's co-guardian (a guardian); linked once they accept",
)
async def invite_guardian(
    child_id: uuid.UUID,
    body: InviteGuardian,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    per_kind = _quotas(rt)["max_per_kind"]
    return await respond(
        request, caller, key, body, lambda uow: records.invite(child_id, body, uow, max_per_kind=per_kind)
    )


@router.post(
    "/children/{child_id}/guardians/{guardian_id}/removal",
    response_model=responses.GuardianRemoved,
    summary="Unlink a guardian or withdraw an invitation (a guardian, or union staff above); never the last one",
)
async def remove_guardian(
    child_id: uuid.UUID,
    guardian_id: uuid.UUID,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(
        request, caller, key, RemoveGuardian(), lambda uow: records.remove_guardian(child_id, guardian_id, uow)
    )


def _quotas(rt: Runtime) -> dict[str, int]:
    settings = settings_of(rt)
    return {"max_children": settings.max_children_per_member, "max_per_kind": settings.max_addresses_per_kind}
