"""Union staff contract care providers and set up 1+N site networks: the hub and its satellites,
and the programmes (terms) the network runs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.enrollment.api import responses
from services.enrollment.domain.commands import CreateNetwork, CreateProgramme, CreateProvider, CreateSite
from services.enrollment.handlers import organisation as handlers
from shared.auth import Caller
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["organisation"])


@router.post(
    "/providers",
    status_code=201,
    response_model=responses.ProviderCreated,
    summary="Register a care provider contracted by a union",
)
async def create_provider(
    body: CreateProvider, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.create_provider(body, uow))


@router.post("/networks", status_code=201, response_model=responses.NetworkCreated, summary="Create a 1+N site network")
async def create_network(
    body: CreateNetwork, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.create_network(body, uow))


@router.post(
    "/sites",
    status_code=201,
    response_model=responses.SiteCreated,
    summary="Add the hub or a satellite site to a network",
)
async def create_site(
    body: CreateSite, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.create_site(body, uow))


@router.post(
    "/programmes",
    status_code=201,
    response_model=responses.ProgrammeCreated,
    summary="Open a programme (a term) at a network",
)
async def create_programme(
    body: CreateProgramme, request: Request, rt: ServiceRuntime, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: handlers.create_programme(body, uow))
