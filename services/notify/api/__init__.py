"""HTTP API of the notify service, one module per resource: a guardian's in-app inbox (a feed and a
live stream), their preferences, their outside addresses and their webhook endpoints. A parent
sees only their own (their member id is their guardian id); see ``access``. And the staff contacts
of unions and sites, who are told what is for them."""

from __future__ import annotations

from fastapi import APIRouter

from services.notify.api import addresses, inbox, live, preferences, staff_contacts, webhooks

router = APIRouter()
for resource in (inbox, live, preferences, webhooks, addresses, staff_contacts):
    router.include_router(resource.router)
