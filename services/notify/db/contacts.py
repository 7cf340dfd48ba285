"""Recipients who are not guardians: children's emergency contacts (from child.registered), the
sites enrollment opened (who may name their leads), and the staff contacts of unions and sites."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import asyncpg

from shared.contracts.enrollment import ChildRegistered, SiteOpened
from shared.db import Conn, columns, present

STAFF_COLUMNS = "contact_id, scope, scope_id, display_name, kind, address, language, registered_by, created_at"


async def replace_emergency_contacts(tx: asyncpg.Connection, registrations: Sequence[ChildRegistered]) -> None:
    """Each child's emergency contact as its last registration in ``registrations`` names it (or none)."""
    latest = {r.child_id: r for r in registrations}
    await tx.execute("DELETE FROM emergency_contacts WHERE child_id = ANY($1::uuid[])", list(latest))
    rows = [
        (r.child_id, r.emergency_contact.display_name, r.emergency_contact.phone)
        for r in latest.values()
        if r.emergency_contact is not None
    ]
    if rows:
        await tx.execute(
            """INSERT INTO emergency_contacts (child_id, display_name, phone)
               SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[])""",
            *columns(rows, 3),
        )


async def emergency_contacts_of(conn: Conn, child_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, asyncpg.Record]:
    rows = await conn.fetch(
        "SELECT child_id, display_name, phone FROM emergency_contacts WHERE child_id = ANY($1::uuid[])",
        list(child_ids),
    )
    return {r["child_id"]: r for r in rows}


async def remember_sites(tx: asyncpg.Connection, opened: Sequence[SiteOpened]) -> None:
    rows = [(s.site_id, s.provider_id, list(s.union_path)) for s in {s.site_id: s for s in opened}.values()]
    for site_id, provider_id, union_path in rows:
        await tx.execute(
            """INSERT INTO sites (site_id, provider_id, union_path) VALUES ($1, $2, $3)
               ON CONFLICT (site_id) DO UPDATE SET provider_id = EXCLUDED.provider_id, union_path = EXCLUDED.union_path""",
            site_id,
            provider_id,
            union_path,
        )


async def site(conn: Conn, site_id: uuid.UUID) -> asyncpg.Record | None:
    return await conn.fetchrow("SELECT site_id, provider_id, union_path FROM sites WHERE site_id = $1", site_id)


async def register_staff_contact(
    tx: Conn, scope: str, scope_id: uuid.UUID, contact: dict[str, Any], registered_by: str
) -> dict[str, Any]:
    """Keep the contact; an address registered again for the same union or site keeps its id and
    takes the new name and language."""
    row = await tx.fetchrow(
        f"""INSERT INTO staff_contacts (contact_id, scope, scope_id, display_name, kind, address, language, registered_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            ON CONFLICT (scope, scope_id, kind, address) DO UPDATE SET display_name = EXCLUDED.display_name,
                language = EXCLUDED.language, registered_by = EXCLUDED.registered_by
            RETURNING {STAFF_COLUMNS}""",
        uuid.uuid4(),
        scope,
        scope_id,
        contact["display_name"],
        contact["kind"],
        contact["address"],
        contact["language"],
        registered_by,
    )
    return dict(present(row, "staff contact"))


async def staff_contacts(
    conn: Conn, scope: str, scope_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[asyncpg.Record]]:
    """The contacts of each union (``scope`` 'union') or site ('site'), oldest first."""
    rows = await conn.fetch(
        f"""SELECT {STAFF_COLUMNS} FROM staff_contacts WHERE scope = $1 AND scope_id = ANY($2::uuid[])
            ORDER BY created_at""",
        scope,
        list(scope_ids),
    )
    found: dict[uuid.UUID, list[asyncpg.Record]] = {}
    for row in rows:
        found.setdefault(row["scope_id"], []).append(row)
    return found


async def remove_staff_contact(conn: Conn, scope: str, scope_id: uuid.UUID, contact_id: uuid.UUID) -> bool:
    return bool(
        await conn.fetchval(
            "DELETE FROM staff_contacts WHERE scope = $1 AND scope_id = $2 AND contact_id = $3 RETURNING true",
            scope,
            scope_id,
            contact_id,
        )
    )
