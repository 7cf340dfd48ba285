"""Staff contacts: union staff name who is told of their union's funds, and who leads a site
(told of its late pick-ups at step 3 and of its staffing ratio). Scoped by ``access``; each
command is audited and idempotent like notify's others."""

from __future__ import annotations

import uuid
from typing import Any

from services.notify.access import ensure_names_staff_contacts
from services.notify.db import contacts
from services.notify.domain.commands import RegisterStaffContact
from shared.db import Conn
from shared.errors import NotFound
from shared.outcomes import Created, Done
from shared.principal import Principal
from shared.uow import UnitOfWork

SCOPES = {"unions": "union", "sites": "site"}  # the path's word, the scope


async def check(conn: Conn, caller: Principal, scope: str, scope_id: uuid.UUID) -> None:
    """May ``caller`` name the contacts of this union or site? A site notify has not heard of
    (site.opened) cannot be checked: only an admin names its lead then."""
    site = await contacts.site(conn, scope_id) if scope == "site" else None
    if scope == "site" and site is None and caller.role != "admin":
        raise NotFound("notify has not heard of this site (yet: it is known a moment after it opens)", field="site_id")
    facts = (site["union_path"], site["provider_id"]) if site is not None else None
    ensure_names_staff_contacts(caller, scope, scope_id, facts)


async def register(scope: str, scope_id: uuid.UUID, cmd: RegisterStaffContact, uow: UnitOfWork) -> Created:
    caller = uow.issuer.principal
    await check(uow.tx, caller, scope, scope_id)
    row = await contacts.register_staff_contact(uow.tx, scope, scope_id, cmd.model_dump(), caller.sub)
    return Created(_answer(row))


async def remove(scope: str, scope_id: uuid.UUID, contact_id: uuid.UUID, uow: UnitOfWork) -> Done:
    await check(uow.tx, uow.issuer.principal, scope, scope_id)
    if not await contacts.remove_staff_contact(uow.tx, scope, scope_id, contact_id):
        raise NotFound("no such staff contact here", field="contact_id")
    return Done({"contact_id": str(contact_id), "removed": True})


async def listing(conn: Conn, caller: Principal, scope: str, scope_id: uuid.UUID) -> dict[str, Any]:
    await check(conn, caller, scope, scope_id)
    found = await contacts.staff_contacts(conn, scope, [scope_id])
    return {"scope": scope, "scope_id": scope_id, "contacts": [_answer(r) for r in found.get(scope_id, [])]}


def _answer(row: Any) -> dict[str, Any]:
    return {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in dict(row).items()}
