"""HTTP API of the enrollment service. Every endpoint needs a bearer token (see shared/auth.py);
every command that creates something needs an ``Idempotency-Key`` header."""

from fastapi import APIRouter

from services.enrollment.api import (
    agreements,
    bookings,
    classes,
    contracts,
    inspections,
    networks,
    people,
    surveys,
    unions,
)

router = APIRouter()
for resource in (unions, networks, contracts, classes, people, bookings, agreements, inspections, surveys):
    router.include_router(resource.router)
