"""HTTP API of the enrollment service. Every endpoint needs a bearer token (see shared/auth.py);
every command that creates something needs an ``Idempotency-Key`` header."""

from fastapi import APIRouter

from services.enrollment.api import bookings, classes, networks, people, unions

router = APIRouter()
for resource in (unions, networks, classes, people, bookings):
    router.include_router(resource.router)
