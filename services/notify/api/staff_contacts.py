"""Staff contacts of a union (told of its funds running low or dry) or of a site (its lead: told
of late pick-ups at step 3 and of the staffing ratio). They have no app account: each is told on
the one address registered here. Named by the union's own staff, or for a site by union staff
above it or its provider; see ``access``."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.notify.api.responses import RemovedStaffContact, StaffContact, StaffContacts
from services.notify.domain.commands import RegisterStaffContact, RemoveStaffContact
from services.notify.handlers import staff_contacts as handlers
from shared.auth import Caller
from shared.http_commands import IdempotencyKey, OptionalIdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["staff contacts"])
Scope = Literal["unions", "sites"]


@router.post(
    "/{scope}/{scope_id}/staff-contacts",
    status_code=201,
    summary="Register a staff contact of a union or a site (an address registered again is updated)",
    response_model=StaffContact,
)
async def register_staff_contact(
    scope: Scope,
    scope_id: uuid.UUID,
    body: RegisterStaffContact,
    request: Request,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(
        request, caller, key, body, lambda uow: handlers.register(handlers.SCOPES[scope], scope_id, body, uow)
    )


@router.get(
    "/{scope}/{scope_id}/staff-contacts",
    summary="The staff contacts of a union or a site",
    response_model=StaffContacts,
)
async def read_staff_contacts(scope: Scope, scope_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    return await handlers.listing(rt.pool, caller, handlers.SCOPES[scope], scope_id)


@router.delete(
    "/{scope}/{scope_id}/staff-contacts/{contact_id}",
    summary="Remove a staff contact: they are told nothing more",
    response_model=RemovedStaffContact,
)
async def remove_staff_contact(
    scope: Scope,
    scope_id: uuid.UUID,
    contact_id: uuid.UUID,
    request: Request,
    caller: Caller,
    key: OptionalIdempotencyKey = None,
) -> JSONResponse:
    return await respond(
        request,
        caller,
        key,
        RemoveStaffContact(),
        lambda uow: handlers.remove(handlers.SCOPES[scope], scope_id, contact_id, uow),
    )
