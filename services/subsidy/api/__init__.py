"""HTTP API of the subsidy service, one module per resource. Every endpoint needs a bearer token;
commands need an ``Idempotency-Key``."""

from __future__ import annotations

from fastapi import APIRouter

from services.subsidy.api import (
    applications,
    funds,
    ledger,
    model_classes,
    payments,
    policies,
    spending,
    statements,
)

router = APIRouter()
for resource in (funds, policies, applications, spending, ledger, statements, payments, model_classes):
    router.include_router(resource.router)

__all__ = ["router"]
