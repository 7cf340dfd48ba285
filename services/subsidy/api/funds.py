"""Funds: a union's budgets, and what is reserved, spent and left of each."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.subsidy import access
from services.subsidy.api.responses import FundBalance, FundCreated, SubtreeFunds
from services.subsidy.db import funds, unions
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
    await access.ensure_sees_subtree(rt.pool, caller, fund["union_id"])
    return dict(fund)


@router.get(
    "/unions/{union_id}/funds",
    response_model=SubtreeFunds,
    summary="The funds of a union and of every union below it, with their balances (read only)",
)
async def subtree_funds(union_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    await access.ensure_sees_subtree(rt.pool, caller, union_id)
    return {"union_id": union_id, "funds": await unions.funds_of_subtree(rt.pool, union_id)}
