"""A site's hours (check-in cut-off, closing time, escalation pace); the sites a caller may see,
and a site's classes of a day with their live counts (the kiosk's lists)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from services.attendance.access import ensure_at_site, site_scope
from services.attendance.api.responses import SiteClasses, SiteHoursSet, Sites
from services.attendance.db import roster
from services.attendance.domain.commands import Hours
from services.attendance.domain.staffing import children_per_staff, ratio_exceeded
from services.attendance.handlers import site
from shared.auth import Caller
from shared.errors import NotFound
from shared.http_commands import IdempotencyKey, respond
from shared.paging import Page
from shared.service import ServiceRuntime
from shared.timezones import local_today

router = APIRouter(tags=["sites"])


@router.put(
    "/sites/{site_id}/hours", response_model=SiteHoursSet, summary="Check-in cut-off, closing time, escalation pace"
)
async def set_hours(
    site_id: uuid.UUID, body: Hours, request: Request, caller: Caller, key: IdempotencyKey
) -> JSONResponse:
    return await respond(request, caller, key, body, lambda uow: site.set_hours(site_id, body, uow))


@router.get(
    "/sites",
    response_model=Sites,
    summary="The sites the caller may see (a provider's staff their provider's, union staff their subtree's), "
    "those with classes on the day first",
)
async def list_sites(
    rt: ServiceRuntime,
    caller: Caller,
    paging: Page,
    day: dt.date | None = Query(None, description="The day whose classes are counted; today (Asia/Shanghai)"),
) -> dict[str, Any]:
    day = day or local_today()
    found = await roster.sites_in_scope(rt.pool, site_scope(caller), day, paging.fetch, paging.offset)
    sites, page = paging.page(found)
    return {**page, "day": day, "sites": sites}


@router.get(
    "/sites/{site_id}/classes/{day}",
    response_model=SiteClasses,
    summary="The site's classes with children booked on the day: expected, present, absent, picked up, "
    "and the staff on duty against the ratio",
)
async def site_classes(
    site_id: uuid.UUID, day: dt.date, rt: ServiceRuntime, caller: Caller, paging: Page
) -> dict[str, Any]:
    facts = await roster.site_facts(rt.pool, site_id)
    if facts is None:
        raise NotFound("no such site (yet: a new site is known a moment after it opens)", field="site_id")
    ensure_at_site(caller, facts["provider_id"], facts["union_path"])
    found = await roster.classes_at_site(rt.pool, site_id, day, paging.fetch, paging.offset)
    classes, page = paging.page(found)
    for c in classes:
        kind = c["class_type"] or ""
        c["children_per_staff"] = children_per_staff(kind)
        c["ratio_exceeded"] = ratio_exceeded(kind, c["present"], c["staff_on_duty"])
    return {**page, "site_id": site_id, "day": day, "classes": classes}
