"""Union staff contract a provider to run sites for a span of dates; a class runs only at a site
under a current contract (handlers/contracts.py)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.enrollment.access import ensure_oversees, not_found
from services.enrollment.api import responses
from services.enrollment.db import supervision as db
from services.enrollment.domain.commands import SignContract
from services.enrollment.handlers import contracts as handlers
from shared.auth import Caller
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["supervision"])


@router.post(
    "/contracts",
    status_code=201,
    response_model=responses.ContractSigned,
    summary="Sign a provider contract: its sites, dates, fee and places a day",
)
async def sign_contract(
    body: SignContract, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.sign(body, uow))


@router.get(
    "/contracts/{contract_id}",
    response_model=responses.Contract,
    summary="A provider contract (union staff above its union, or the provider's staff)",
)
async def read_contract(contract_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    contract = await db.get_contract(rt.pool, contract_id)
    if contract is None:
        raise not_found("contract_id", "contract")
    await ensure_oversees(rt.pool, caller, contract["union_id"], contract["provider_id"])
    return dict(contract)
