"""Who may act where: provider staff at their own sites, union staff within their subtree
(the class's union path comes with enrollment's events), parents for their own children."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from shared.principal import Principal, forbidden


def ensure_at_site(p: Principal, provider_id: uuid.UUID | None, union_path: Sequence[uuid.UUID] | None) -> None:
    if p.role == "admin":
        return
    if p.role == "provider_staff" and p.provider_id is not None and p.provider_id == provider_id:
        return
    if p.role == "union_staff" and p.union_id is not None and p.union_id in (union_path or ()):
        return
    raise forbidden("this site is not yours")


def site_scope(p: Principal) -> dict[str, uuid.UUID]:
    """Which sites a list may show the caller, as :func:`ensure_at_site` decides for one: a
    provider's staff their provider's, union staff those under their union, the admin all."""
    if p.role == "admin":
        return {}
    if p.role == "provider_staff" and p.provider_id is not None:
        return {"provider_id": p.provider_id}
    if p.role == "union_staff" and p.union_id is not None:
        return {"within": p.union_id}
    raise forbidden("site staff and union staff only")


def ensure_provider_at_site(p: Principal, provider_id: uuid.UUID | None) -> None:
    """Only the provider's staff at the door check children in and hand them over."""
    if p.role != "provider_staff" or p.provider_id != provider_id:
        raise forbidden("only the provider's staff at this site may do this")


def ensure_guardian(p: Principal, guardians: list[dict]) -> None:
    if p.role == "parent" and str(p.member_id) in {g["guardian_id"] for g in guardians}:
        return
    raise forbidden("you are not a guardian of this child")


def ensure_sees_child(p: Principal, guardians: list[dict], in_union_tree: bool) -> None:
    """A child's attendance: its guardians, union staff above one of its classes, admins.
    ``in_union_tree``: whether one of the child's classes lies under the caller's union."""
    if p.role == "parent":
        ensure_guardian(p, guardians)
    elif p.role == "union_staff":
        if not in_union_tree:
            raise forbidden("this child is outside your part of the union tree")
    elif p.role != "admin":
        raise forbidden("guardians and union staff only")


def ensure_sees_union(p: Principal, union_id: uuid.UUID, above: bool) -> None:
    """A union's figures: its own staff, staff of a union ``above`` it, admins."""
    if p.role == "admin":
        return
    if p.role == "union_staff" and p.union_id and (p.union_id == union_id or above):
        return
    raise forbidden("union staff see their own union's subtree")
