"""Payments: recorded by union staff, or told by the payment gateway in a signed callback
(docs/payment-gateway.md); and the refund rule of a union's classes."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from services.subsidy import access
from services.subsidy.api.responses import PaymentRecorded, RefundRuleSet
from services.subsidy.config import settings_of
from services.subsidy.domain.commands import GatewayPayment, RecordPayment, RefundRule
from services.subsidy.handlers import statements
from shared.auth import Caller
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["payments"])


@router.post(
    "/bookings/{booking_id}/payments",
    status_code=201,
    response_model=PaymentRecorded,
    summary="Record money the family paid (union staff); more than the balance is refused",
)
async def record_payment(
    booking_id: uuid.UUID,
    body: RecordPayment,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: statements.record_payment(booking_id, body, uow))


@router.post(
    "/payment-gateway/payments",
    status_code=201,
    response_model=PaymentRecorded,
    summary="The payment gateway's signed callback: a family paid online (Standard Webhooks signature)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": GatewayPayment.model_json_schema()}},
        }
    },
)
async def gateway_payment(request: Request, rt: ServiceRuntime) -> JSONResponse:
    raw = await request.body()
    gateway = access.payment_gateway(settings_of(rt).payment_gateway_secret, dict(request.headers), raw)
    try:
        body = GatewayPayment.model_validate_json(raw)
    except ValidationError as invalid:
        raise RequestValidationError(invalid.errors()) from None
    # The gateway's message id is the idempotency key: a redelivered callback gets the first answer.
    key = request.headers["webhook-id"]
    return await respond(request, gateway, key, body, lambda uow: statements.gateway_payment(body, uow))


@router.put(
    "/unions/{union_id}/refund-rule",
    response_model=RefundRuleSet,
    summary="Set how many days ahead a day must be given up to be refunded (the union's own staff)",
)
async def set_refund_rule(
    union_id: uuid.UUID, body: RefundRule, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: statements.set_refund_rule(union_id, body, uow))
