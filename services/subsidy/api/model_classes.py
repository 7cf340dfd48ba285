"""Model classes: designated by union staff, and lump-sum grants to their operators from a fund."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.subsidy import access
from services.subsidy.api.responses import GrantPaid, ModelClass, ModelClassDesignated
from services.subsidy.db import model_classes
from services.subsidy.domain.commands import DesignateModelClass, GrantToModelClass
from services.subsidy.handlers import model_classes as handlers
from shared.auth import Caller
from shared.errors import NotFound
from shared.http_commands import IdempotencyKey, respond
from shared.principal import forbidden
from shared.service import ServiceRuntime

router = APIRouter(tags=["model classes"])


@router.post(
    "/model-classes",
    status_code=201,
    response_model=ModelClassDesignated,
    summary="Designate a class a model class (staff of a union running it)",
)
async def designate(
    body: DesignateModelClass, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.designate(body, uow))


@router.post(
    "/model-classes/{class_id}/grants",
    status_code=201,
    response_model=GrantPaid,
    summary="Pay a model class's operator a lump-sum grant from a fund; refused (409) if the fund cannot cover it",
)
async def grant(
    class_id: uuid.UUID,
    body: GrantToModelClass,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: IdempotencyKey,
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.grant(class_id, body, uow))


@router.get("/model-classes/{class_id}", response_model=ModelClass, summary="A model class and its grants")
async def read_model_class(class_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    found = await model_classes.get(rt.pool, class_id)
    if found is None:
        raise NotFound("not a model class", field="class_id")
    if not access.on_path(caller, list(found["union_path"])):
        raise forbidden("this model class is outside your part of the union tree")
    return {**dict(found), "grants": await model_classes.grants(rt.pool, class_id)}
