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


def ensure_provider_at_site(p: Principal, provider_id: uuid.UUID | None) -> None:
    """Only the provider's staff at the door check children in and hand them over."""
    if p.role != "provider_staff" or p.provider_id != provider_id:
        raise forbidden("only the provider's staff at this site may do this")


def ensure_guardian(p: Principal, guardians: list[dict]) -> None:
    if p.role == "parent" and str(p.member_id) in {g["guardian_id"] for g in guardians}:
        return
    raise forbidden("you are not a guardian of this child")
