"""Who may see and change what in the subsidy service.

Union staff set up their own union's funds and policies; they see the funds, applications and
figures of their part of the union tree, read only (the tree is known from the paths of the sites
enrollment opens and of the classes booked);
an application is decided by staff of the union that owns each fund it draws on, or of a union
above it. A child's guardians read the child's applications and statements. Staff of a union on
the class's path record a family's payments; the payment gateway tells of payments with a
signature made with its shared secret. The admin may do everything.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

import asyncpg
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.subsidy.db import applications, children, unions
from shared.db import Conn
from shared.errors import Invalid, Unauthenticated
from shared.principal import Principal, Role, forbidden, require_role


def ensure_union_staff_of(p: Principal, union_id: uuid.UUID) -> None:
    if p.role == "admin" or (p.role == "union_staff" and p.union_id == union_id):
        return
    raise forbidden("this belongs to another union")


async def ensure_sees_subtree(conn: Conn, p: Principal, union_id: uuid.UUID) -> None:
    """The union's own staff, or staff of a union above it (known from the sites' and the
    classes' paths): they read, they do not change."""
    if (
        p.role == "union_staff"
        and p.union_id
        and p.union_id != union_id
        and (
            await unions.is_above(conn, p.union_id, union_id) or await applications.is_above(conn, p.union_id, union_id)
        )
    ):
        return
    ensure_union_staff_of(p, union_id)


async def ensure_may_read(conn: Conn, p: Principal, application: dict[str, Any]) -> None:
    """Union staff within the class's part of the tree, and the child's own guardians."""
    if p.role == "admin" or (p.role == "union_staff" and p.union_id in (application["union_path"] or [])):
        return
    if p.role == "parent" and p.member_id and await children.is_guardian(conn, application["child_id"], p.member_id):
        return
    raise forbidden("this application is outside your part of the union tree")


async def ensure_guardian_if_parent(conn: Conn, p: Principal, child_id: uuid.UUID) -> None:
    """A parent reads only the applications of a child they are a guardian of."""
    if p.role == "parent" and (p.member_id is None or not await children.is_guardian(conn, child_id, p.member_id)):
        raise forbidden("you are not a guardian of this child")


def ensure_is_the_guardian(p: Principal, guardian_id: uuid.UUID) -> None:
    """A family's statements are read by the guardian themselves (and the admin)."""
    if p.role == "admin" or (p.role == "parent" and p.member_id == guardian_id):
        return
    raise forbidden("a family's statements are its guardians' alone")


def own_union(p: Principal, union_id: uuid.UUID | None) -> uuid.UUID | None:
    """The union whose funds and policies ``p`` sets up: their own (the admin names one). None
    only for a staff token that names no union (the database then refuses the row, as before)."""
    require_role(p, "union_staff", "admin")
    if p.role == "admin":
        if union_id is None:
            raise Invalid("the admin must name the union", field="union_id")
        return union_id
    if union_id not in (None, p.union_id):
        raise forbidden("funds and policies are set up by the union's own staff")
    return p.union_id


async def ensure_decides(tx: asyncpg.Connection, p: Principal, application: asyncpg.Record) -> None:
    """Staff of the union that owns each fund involved, or of a union above it on the class's path."""
    if p.role == "admin":
        return
    path = list(application["union_path"] or [])
    owners = await applications.fund_owners(tx, application["application_id"])
    if (
        p.role != "union_staff"
        or p.union_id not in path
        or any(o not in path or path.index(p.union_id) > path.index(o) for o in owners)
    ):
        raise forbidden("this application is decided by the staff of the union that owns its fund")


def ensure_records_payments(p: Principal, statement: asyncpg.Record) -> None:
    """Staff of a union on the class's path (or the admin) record what a family paid them."""
    if on_path(p, list(statement["union_path"] or [])):
        return
    raise forbidden("payments are recorded by the staff of the unions running the class")


def on_path(p: Principal, union_path: list[uuid.UUID]) -> bool:
    """The admin, or staff of a union on a class's path (its own union or one above it)."""
    return p.role == "admin" or (p.role == "union_staff" and p.union_id in union_path)


def designating_union(p: Principal, union_path: list[uuid.UUID]) -> uuid.UUID:
    """The union designating a model class: the caller's own, on the class's path (the admin acts
    for the class's own union)."""
    if not on_path(p, union_path):
        raise forbidden("model classes are designated by the staff of the unions running the class")
    return p.union_id if p.role == "union_staff" and p.union_id else union_path[-1]


GATEWAY = "payment-gateway"


def payment_gateway(secret: str, headers: dict[str, str], body: bytes) -> Principal:
    """The payment gateway, when the request carries its Standard Webhooks signature over ``body``
    (made with ``SUBSIDY_PAYMENT_GATEWAY_SECRET``, at most five minutes old); else 401."""
    try:
        Webhook(secret.encode()).verify(body, headers, json_parse=False)
    except (WebhookVerificationError, ValueError):
        raise Unauthenticated("not signed by the payment gateway", field="webhook-signature") from None
    # The audit trail names the gateway; it holds no token, so no role of a person applies.
    return Principal.model_construct(sub=GATEWAY, role=cast(Role, "gateway"))
