"""Funds: a union's budgets, and what is reserved, spent and left of each."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.subsidy import access
from services.subsidy.api.responses import FundBalance, FundCreated
from services.subsidy.db import funds
from services.subsidy.domain.commands import CreateFund
from services.subsidy.handlers import decisions
from shared.auth import Caller
from shared.errors import NotFound
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["funds"])


@router.post("/funds", status_code=201, response_model=FundCreated, summary="Open a fund with a budget (union staff)")
async def create_fund(
    body: CreateFund, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: decisions.create_fund(body, uow))


@router.get(
    "/funds/{fund_id}", response_model=FundBalance, summary="A fund's budget, reserved, spent and available money"
)
async def fund_balance(fund_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    fund = await funds.get_fund(rt.pool, fund_id)
    if fund is None:
        raise NotFound("no such fund", field="fund_id")
    access.ensure_union_staff_of(caller, fund["union_id"])
    return dict(fund)
