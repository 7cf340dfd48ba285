"""Setting up the union tree, providers, 1+N site networks, programmes and classes."""

from __future__ import annotations

import uuid

import asyncpg

from services.enrollment.access import ensure_manages, not_found
from services.enrollment.db import organisation as db
from services.enrollment.domain.ages import CLASS_TYPE_AGES
from services.enrollment.domain.commands import (
    CreateClass,
    CreateNetwork,
    CreateProgramme,
    CreateProvider,
    CreateSite,
    CreateUnion,
)
from services.enrollment.domain.seats import DEFAULT_PRIORITY_ORDER
from services.enrollment.handlers import contracts
from shared.contracts.enrollment import SiteOpened
from shared.db import present
from shared.errors import Conflict, Invalid
from shared.outcomes import Created
from shared.principal import forbidden
from shared.uow import Actor, UnitOfWork


async def create_union(cmd: CreateUnion, uow: UnitOfWork) -> Created:
    tx, actor = uow.tx, uow.issuer
    parent = None
    if cmd.parent_id is None:
        if actor.principal.role != "admin":
            raise forbidden("only the platform admin creates a city federation")
    else:
        parent = await db.get_union(tx, cmd.parent_id)
        if parent is None:
            raise not_found("parent_id", "union")
        await ensure_manages(tx, actor.principal, parent["union_id"])
    union_id = uuid.uuid4()
    await db.insert_union(tx, union_id, cmd.name, cmd.level, parent)
    return Created({"union_id": str(union_id)})


async def create_provider(cmd: CreateProvider, uow: UnitOfWork) -> Created:
    tx, actor = uow.tx, uow.issuer
    await _existing_union(tx, actor, cmd.union_id)
    provider_id = uuid.uuid4()
    await db.insert_provider(tx, provider_id, cmd.union_id, cmd.name)
    return Created({"provider_id": str(provider_id)})


async def create_network(cmd: CreateNetwork, uow: UnitOfWork) -> Created:
    tx, actor = uow.tx, uow.issuer
    await _existing_union(tx, actor, cmd.union_id)
    network_id = uuid.uuid4()
    await db.insert_network(tx, network_id, cmd.union_id, cmd.name)
    return Created({"network_id": str(network_id)})


async def create_site(cmd: CreateSite, uow: UnitOfWork) -> Created:
    tx, actor = uow.tx, uow.issuer
    network = await db.get_network(tx, cmd.network_id)
    if network is None:
        raise not_found("network_id", "network")
    await ensure_manages(tx, actor.principal, network["union_id"])
    provider = await db.get_provider(tx, cmd.provider_id)
    if provider is None:
        raise not_found("provider_id", "provider")
    # The provider's staff will see the site's children: only a provider contracted here or above will do.
    if not await db.is_within(tx, network["union_id"], provider["union_id"]):
        raise Invalid("the provider is not contracted by the network's union or one above it", field="provider_id")
    if cmd.role == "hub" and await db.hub_of(tx, cmd.network_id):
        raise Conflict("this network already has its hub", field="role")
    site_id = uuid.uuid4()
    await db.insert_site(tx, site_id, network["union_id"], cmd)
    union = present(await db.get_union(tx, network["union_id"]), "union")
    uow.emit(
        SiteOpened(
            site_id=site_id,
            network_id=cmd.network_id,
            provider_id=cmd.provider_id,
            union_path=tuple(union["ancestors"]),
        ),
        union_id=network["union_id"],
    )
    return Created({"site_id": str(site_id)})


async def create_programme(cmd: CreateProgramme, uow: UnitOfWork) -> Created:
    tx, actor = uow.tx, uow.issuer
    network = await db.get_network(tx, cmd.network_id)
    if network is None:
        raise not_found("network_id", "network")
    await ensure_manages(tx, actor.principal, network["union_id"])
    programme_id = uuid.uuid4()
    order = list(cmd.priority_order or DEFAULT_PRIORITY_ORDER)
    await db.insert_programme(tx, programme_id, network["union_id"], cmd, order)
    return Created({"programme_id": str(programme_id), "priority_order": order})


async def create_class(cmd: CreateClass, uow: UnitOfWork) -> Created:
    tx, actor = uow.tx, uow.issuer
    programme = await db.get_programme(tx, cmd.programme_id)
    if programme is None:
        raise not_found("programme_id", "programme")
    await ensure_manages(tx, actor.principal, programme["union_id"])
    site = await db.get_site(tx, cmd.site_id)
    if site is None or site["network_id"] != programme["network_id"]:
        raise Invalid("the site is not in the programme's network", field="site_id")
    outside = [d.isoformat() for d in cmd.days if not programme["starts_on"] <= d <= programme["ends_on"]]
    if outside:
        raise Invalid("outside the programme's term: " + ", ".join(outside), field="days")
    ages = CLASS_TYPE_AGES[cmd.class_type]  # unless both bounds are given (the command has both or neither)
    if cmd.min_age_months is not None and cmd.max_age_months is not None:
        ages = (cmd.min_age_months, cmd.max_age_months)
    contract_id = await contracts.contract_for_class(tx, site, cmd)
    class_id = uuid.uuid4()
    await db.insert_class(tx, class_id, programme["union_id"], cmd, ages, contract_id)
    return Created({"class_id": str(class_id), "min_age_months": ages[0], "max_age_months": ages[1]})


async def _existing_union(tx: asyncpg.Connection, actor: Actor, union_id: uuid.UUID) -> None:
    if await db.get_union(tx, union_id) is None:
        raise not_found("union_id", "union")
    await ensure_manages(tx, actor.principal, union_id)
