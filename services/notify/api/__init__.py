"""HTTP API of the notify service, one module per resource: a guardian's in-app inbox (a feed and a
live stream), their preferences, their outside addresses and their webhook endpoints. A parent
sees only their own (their member id is their guardian id); see ``access``."""

from __future__ import annotations

from fastapi import APIRouter

from services.notify.api import addresses, inbox, live, preferences, webhooks

router = APIRouter()
for resource in (inbox, live, preferences, webhooks, addresses):
    router.include_router(resource.router)
