"""HTTP API of the enrollment service. Every endpoint needs a bearer token (see shared/auth.py);
every command that creates something needs an ``Idempotency-Key`` header."""

from fastapi import APIRouter

from services.enrollment.api import bookings, organisation, people

router = APIRouter()
router.include_router(organisation.router)
router.include_router(people.router)
router.include_router(bookings.router)
