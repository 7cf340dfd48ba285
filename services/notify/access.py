"""Who may see and change what. A guardian's inbox, deliveries, preferences, addresses and webhook
endpoints are theirs alone (a parent's member id is their guardian id); an admin may read and
change them too, but only the guardian confirms an address or adds a webhook endpoint (pick-up
codes travel to those in clear), and only the guardian sees a pick-up code in their inbox.
Staff contacts belong to a union or a site, and are named by the staff responsible for it.

api/ checks before it reads; a command's handler checks before it changes anything."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from shared.principal import Principal, forbidden


def is_the_guardian(p: Principal, guardian_id: uuid.UUID) -> bool:
    return p.role == "parent" and p.member_id == guardian_id


def ensure_self(p: Principal, guardian_id: uuid.UUID) -> None:
    """The guardian, or an admin."""
    if p.role == "admin" or is_the_guardian(p, guardian_id):
        return
    raise forbidden("a guardian's notifications are theirs alone")


def ensure_confirms(p: Principal, guardian_id: uuid.UUID) -> None:
    """Only the guardian confirms an address, or asks for a new code."""
    if not is_the_guardian(p, guardian_id):
        raise forbidden("only the guardian confirms their own addresses")


def ensure_registers_webhook(p: Principal, guardian_id: uuid.UUID) -> None:
    """Only the guardian adds a webhook endpoint: pick-up codes travel to it in clear."""
    if p.role != "parent":
        raise forbidden("only the guardian registers their webhook endpoints")
    ensure_self(p, guardian_id)


def reveals_code(p: Principal, guardian_id: uuid.UUID) -> bool:
    """Whether a pick-up code in the inbox shows to ``p``: to the guardian alone."""
    return is_the_guardian(p, guardian_id)


def ensure_names_staff_contacts(
    p: Principal, scope: str, scope_id: uuid.UUID, site: tuple[Sequence[uuid.UUID], uuid.UUID] | None
) -> None:
    """Who registers, reads and removes staff contacts: a union's own staff for their union; for a
    site (``site``: its union path and provider, as site.opened said), union staff above it and the
    provider running it; admins for any."""
    if p.role == "admin":
        return
    if scope == "union":
        if p.role == "union_staff" and p.union_id == scope_id:
            return
        raise forbidden("only the union's own staff name its contacts")
    if site is not None:
        union_path, provider_id = site
        if p.role == "union_staff" and p.union_id in union_path:
            return
        if p.role == "provider_staff" and p.provider_id == provider_id:
            return
    raise forbidden("only union staff above the site, or its provider, name its lead")
