"""Provider contracts: union staff contract a provider to run some sites for a span of dates, at a
fee per child and day, for a number of places a day. A class runs only at a site under a current
contract: one that names the site and covers every day of the class, with places left on each."""

from __future__ import annotations

import uuid

import asyncpg

from services.enrollment.access import ensure_manages, not_found
from services.enrollment.db import organisation
from services.enrollment.db import supervision as db
from services.enrollment.domain.commands import CreateClass, SignContract
from services.enrollment.domain.contracts import short_of_places, uncovered
from shared.errors import Conflict, Invalid
from shared.outcomes import Created
from shared.uow import UnitOfWork


async def sign(cmd: SignContract, uow: UnitOfWork) -> Created:
    tx, actor = uow.tx, uow.issuer
    if await organisation.get_union(tx, cmd.union_id) is None:
        raise not_found("union_id", "union")
    await ensure_manages(tx, actor.principal, cmd.union_id)
    provider = await organisation.get_provider(tx, cmd.provider_id)
    if provider is None:
        raise not_found("provider_id", "provider")
    if not await organisation.is_within(tx, cmd.union_id, provider["union_id"]):
        raise Invalid("the provider is registered by another part of the union tree", field="provider_id")
    found = {s["site_id"]: s for s in await db.sites(tx, cmd.site_ids)}
    if missing := [str(s) for s in cmd.site_ids if s not in found]:
        raise Invalid("no such site: " + ", ".join(missing), field="site_ids")
    if others := [str(s) for s, site in found.items() if site["provider_id"] != cmd.provider_id]:
        raise Invalid("these sites are run by another provider: " + ", ".join(others), field="site_ids")
    for site_id, site in found.items():
        if not await organisation.is_within(tx, site["union_id"], cmd.union_id):
            raise Invalid(f"the site {site_id} belongs to a union outside the contracting union", field="site_ids")
    contract_id = uuid.uuid4()
    await db.insert_contract(tx, contract_id, cmd, actor.principal.sub)
    return Created(
        {"contract_id": str(contract_id), "starts_on": cmd.starts_on.isoformat(), "ends_on": cmd.ends_on.isoformat()}
    )


async def contract_for_class(tx: asyncpg.Connection, site: asyncpg.Record, cmd: CreateClass) -> uuid.UUID:
    """The current contract a new class runs under, locked; Conflict saying why there is none."""
    contracts = await db.contracts_of_site(tx, site["site_id"], site["provider_id"])
    if reason := uncovered(contracts, cmd.days):
        raise Conflict(reason, field="site_id" if not contracts else "days")
    first, last = min(cmd.days), max(cmd.days)
    short = ""
    for contract in contracts:
        if not contract["starts_on"] <= first <= last <= contract["ends_on"]:
            continue
        await db.lock_contract(tx, contract["contract_id"])
        taken = await db.places_taken(tx, contract["contract_id"], cmd.days)
        if not (short := short_of_places(contract["places"], taken, cmd.capacity_per_day) or ""):
            return contract["contract_id"]
    raise Conflict(short, field="capacity_per_day")
