"""HTTP API of the attendance service, one module per resource. Every endpoint needs a bearer
token; commands need an ``Idempotency-Key``."""

from __future__ import annotations

from fastapi import APIRouter

from services.attendance.api import (
    boarding,
    checkins,
    classes,
    figures,
    incidents,
    logs,
    outings,
    pickups,
    sites,
    staffing,
)

router = APIRouter()
for resource in (checkins, pickups, sites, classes, figures, staffing, incidents, logs, outings, boarding):
    router.include_router(resource.router)
