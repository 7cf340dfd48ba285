"""Who may see and change what. Union staff act within their union's subtree, providers at their
own sites, parents for their own children, and the platform admin everywhere."""

from __future__ import annotations

import uuid

import asyncpg

from services.enrollment.db import organisation
from shared.db import Conn
from shared.errors import NotFound
from shared.principal import Principal, forbidden


def not_found(field: str, what: str) -> NotFound:
    return NotFound(f"no such {what}", field=field)


async def ensure_manages(conn: Conn, principal: Principal, union_id: uuid.UUID) -> None:
    """Admin, or staff of ``union_id`` or of a union above it."""
    if principal.role == "admin":
        return
    if (
        principal.role == "union_staff"
        and principal.union_id
        and await organisation.is_within(conn, union_id, principal.union_id)
    ):
        return
    raise forbidden("this belongs to a union outside your part of the union tree")


async def ensure_sees_class(conn: Conn, principal: Principal, care_class: asyncpg.Record) -> None:
    """Staff above the class's union, its site's provider, or a member of the class's union or one below it."""
    if principal.role == "provider_staff" and principal.provider_id == care_class["provider_id"]:
        return
    if (
        principal.role == "parent"
        and principal.union_id
        and await organisation.is_within(conn, principal.union_id, care_class["union_id"])
    ):
        return
    if principal.role in ("admin", "union_staff"):
        return await ensure_manages(conn, principal, care_class["union_id"])
    raise forbidden("this class is not open to you")


async def ensure_sees_roster(conn: Conn, principal: Principal, care_class: asyncpg.Record) -> None:
    """Staff who see the class: a roster names other people's children, so no parent sees one."""
    if principal.role == "parent":
        raise forbidden("a roster is for union and provider staff")
    await ensure_sees_class(conn, principal, care_class)


async def ensure_acts_for_child(conn: Conn, principal: Principal, child: asyncpg.Record) -> None:
    """A guardian of the child, or staff above the child's union."""
    if principal.role == "parent" and principal.member_id in child["guardian_ids"]:
        return
    if principal.role in ("admin", "union_staff"):
        return await ensure_manages(conn, principal, child["union_id"])
    raise forbidden("you are not a guardian of this child")


async def ensure_class_open_to_child(conn: Conn, care_class: asyncpg.Record, child: asyncpg.Record) -> None:
    """A class serves the members of its union and of the unions below it."""
    if not await organisation.is_within(conn, child["union_id"], care_class["union_id"]):
        raise forbidden("this class is run for members of another part of the union tree")


async def ensure_oversees(conn: Conn, principal: Principal, union_id: uuid.UUID, provider_id: uuid.UUID) -> None:
    """A provider's contract or a site's inspection: staff above the union, or the provider's own staff."""
    if principal.role == "provider_staff" and principal.provider_id == provider_id:
        return
    await ensure_manages(conn, principal, union_id)


async def ensure_sees_programme(conn: Conn, principal: Principal, programme: asyncpg.Record) -> None:
    """Staff above the programme's union, or a member of its union or one below it (who may book)."""
    if (
        principal.role == "parent"
        and principal.union_id
        and await organisation.is_within(conn, principal.union_id, programme["union_id"])
    ):
        return
    await ensure_manages(conn, principal, programme["union_id"])


def class_search_scope(principal: Principal) -> dict[str, uuid.UUID]:
    """What a search of classes may show the caller, as ensure_sees_class decides for one class: a
    member the classes of their union and the unions above it, union staff those of their subtree,
    a provider's staff their own, the platform admin all."""
    if principal.role == "parent" and principal.union_id:
        return {"member_of": principal.union_id}
    if principal.role == "union_staff" and principal.union_id:
        return {"within": principal.union_id}
    if principal.role == "provider_staff" and principal.provider_id:
        return {"provider_id": principal.provider_id}
    if principal.role == "admin":
        return {}
    raise forbidden("the token names no union membership, union or provider")
