"""Policies: how much each kind of subsidy pays, from which of the union's funds."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.subsidy.api.responses import PolicyCreated
from services.subsidy.domain.commands import CreatePolicy
from services.subsidy.handlers import decisions
from shared.auth import Caller
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["funds"])


@router.post(
    "/policies",
    status_code=201,
    response_model=PolicyCreated,
    summary="Add a subsidy policy paid from one of the union's funds",
)
async def create_policy(
    body: CreatePolicy, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: decisions.create_policy(body, uow))
