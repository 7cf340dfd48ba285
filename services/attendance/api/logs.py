"""A site's daily logs: disinfection, the menu, food samples kept (留样), the morning check."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.attendance.access import ensure_at_site
from services.attendance.api.responses import (
    DisinfectionLogged,
    MenuSet,
    MorningCheckSet,
    SampleDiscarded,
    SampleKept,
    SiteDayLog,
)
from services.attendance.db import logs as db
from services.attendance.db import roster
from services.attendance.domain.commands import DiscardSample, Disinfection, FoodSample, Menu, MorningCheck
from services.attendance.domain.logs import missing_logs
from services.attendance.handlers import logs
from shared.auth import Caller
from shared.errors import NotFound
from shared.http_commands import IdempotencyKey, respond
from shared.service import ServiceRuntime

router = APIRouter(tags=["daily logs"])
DAY = "/sites/{site_id}/days/{day}"


@router.post(f"{DAY}/disinfections", status_code=201, response_model=DisinfectionLogged, summary="A disinfection round")
async def disinfected(
    site_id: uuid.UUID, day: dt.date, body: Disinfection, request: Request, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: logs.disinfected(site_id, day, body, uow))


@router.put(f"{DAY}/menu", response_model=MenuSet, summary="The day's menu")
async def set_menu(
    site_id: uuid.UUID, day: dt.date, body: Menu, request: Request, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: logs.set_menu(site_id, day, body, uow))


@router.post(
    f"{DAY}/food-samples", status_code=201, response_model=SampleKept, summary="A dish's sample kept (留样, 48 h)"
)
async def keep_sample(
    site_id: uuid.UUID, day: dt.date, body: FoodSample, request: Request, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: logs.keep_sample(site_id, day, body, uow))


@router.post(
    "/sites/{site_id}/food-samples/{sample_id}/discard",
    response_model=SampleDiscarded,
    summary="A food sample discarded: refused before it has been kept 48 hours",
)
async def discard_sample(
    site_id: uuid.UUID, sample_id: uuid.UUID, body: DiscardSample, request: Request, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: logs.discard_sample(site_id, sample_id, body, uow))


@router.put(f"{DAY}/morning-check", response_model=MorningCheckSet, summary="The health worker's morning check")
async def morning_check(
    site_id: uuid.UUID, day: dt.date, body: MorningCheck, request: Request, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: logs.morning_check(site_id, day, body, uow))


@router.get(
    f"{DAY}/log", response_model=SiteDayLog, summary="Everything logged at a site on a day, and what is missing"
)
async def day_log(site_id: uuid.UUID, day: dt.date, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    site = await roster.site_facts(rt.pool, site_id)
    if site is None:
        raise NotFound("no such site", field="site_id")
    ensure_at_site(caller, site["provider_id"], site["union_path"])
    logged = await db.day_log(rt.pool, site_id, day)
    kinds = await db.logged_kinds(rt.pool, [site_id], day)
    return {"site_id": site_id, "day": day, **logged, "missing": missing_logs(kinds[site_id])}
