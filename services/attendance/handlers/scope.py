"""Finding what a command names and checking the caller may act on it, in one place."""

from __future__ import annotations

import uuid

import asyncpg

from services.attendance.access import ensure_at_site, ensure_provider_at_site
from services.attendance.db import roster
from shared.errors import NotFound
from shared.uow import UnitOfWork


async def site_of(uow: UnitOfWork, site_id: uuid.UUID, *, provider_only: bool = False) -> asyncpg.Record:
    """The site, once the caller is checked to act there: its provider's staff, or (unless
    ``provider_only``) union staff above it."""
    site = await roster.site_facts(uow.tx, site_id)
    missing = "no such site (yet: a new site is known a moment after it opens)"
    return _checked(uow, site, NotFound(missing, field="site_id"), provider_only)


async def class_of(uow: UnitOfWork, class_id: uuid.UUID, *, provider_only: bool = False) -> asyncpg.Record:
    """The class (its site, provider, union path and type, from its bookings), as :func:`site_of`."""
    facts = await roster.class_facts(uow.tx, class_id)
    return _checked(uow, facts, NotFound("no bookings in this class yet", field="class_id"), provider_only)


def _checked(uow: UnitOfWork, facts: asyncpg.Record | None, missing: NotFound, provider_only: bool) -> asyncpg.Record:
    if facts is None:
        raise missing
    if provider_only:
        ensure_provider_at_site(uow.issuer.principal, facts["provider_id"])
    else:
        ensure_at_site(uow.issuer.principal, facts["provider_id"], facts["union_path"])
    return facts
