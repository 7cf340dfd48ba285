"""The check-in kiosk at a site's door (provider staff): the staff member picks their site, then
one of today's classes (each with its live counts); the class's roster with live counts, staff on
duty and the ratio; check-in with temperature and symptoms; pick-up by one of the child's adults,
chosen by name, with the code handshake (attendance sends the code to the guardians; the adult
shows it). A class can still be opened by its number.

attendance gives the lists (``GET /sites``, ``GET /sites/{id}/classes/{day}``) and the roster
(``GET /classes/{id}/roster/{day}``, with each child's pick-up adults); the names of sites and
classes come from enrollment's class search, which shows a provider's staff their own classes."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.web.backend import ApiError
from services.web.pages.common import backend_of, by_number, errors_of, form_of, in_words, one, render, see_other
from services.web.session import Session, session_of
from shared.timezones import local_today

router = APIRouter(prefix="/kiosk")
SYMPTOMS = ("fever", "cough", "rash", "vomiting", "diarrhoea")
STATES = ("present", "expected", "absent", "picked_up", "refused")


@router.get("", response_class=HTMLResponse)
async def choose_site(request: Request) -> Response:
    """The staff member's sites (those with classes today first); or a class opened by its number."""
    session = session_of(request, "provider_staff")
    number = request.query_params.get("class_id", "")
    if not number:
        return await _sites(request, session)
    path, bad = by_number(number, "/kiosk/classes/{}", session.lang)
    if path:
        return see_other(path)
    return await _sites(request, session, status=422, errors={"class_id": bad})


async def _sites(request: Request, session: Session, *, status: int = 200, **context: Any) -> HTMLResponse:
    offset = request.query_params.get("offset") or None
    sites, names = await asyncio.gather(
        backend_of(request).get("attendance", "/sites", session.token, offset=offset), _names(request, session)
    )
    return render(request, session, "kiosk/choose.html", status=status, sites=sites, names=names, **context)


async def _names(request: Request, session: Session, **filters: Any) -> dict[str, str]:
    """The names of sites and classes (enrollment's class search, from today), by id; none when
    enrollment does not answer: the lists then show numbers."""
    try:
        found = await backend_of(request).get(
            "enrollment", "/classes", session.token, **{"from": local_today().isoformat()}, limit=100, **filters
        )
    except ApiError:
        return {}
    return {c["site_id"]: c["site_name"] for c in found["classes"]} | {
        c["class_id"]: c["name"] for c in found["classes"]
    }


@router.get("/sites/{site_id}", response_class=HTMLResponse)
async def site_page(site_id: uuid.UUID, request: Request) -> HTMLResponse:
    """Today's classes at the site, each with its live counts and staff against the ratio."""
    session = session_of(request, "provider_staff")
    today = local_today().isoformat()
    offset = request.query_params.get("offset") or None
    try:
        classes, names = await asyncio.gather(
            backend_of(request).get("attendance", f"/sites/{site_id}/classes/{today}", session.token, offset=offset),
            _names(request, session, site_id=str(site_id), to=today),
        )
    except ApiError as error:
        return await _sites(request, session, status=error.status, errors={"": in_words(error, session.lang)})
    return render(request, session, "kiosk/site.html", found=classes, names=names)


async def _roster(request: Request, session: Session, class_id: uuid.UUID) -> dict[str, Any]:
    roster: dict[str, Any] = await backend_of(request).get(
        "attendance", f"/classes/{class_id}/roster/{local_today()}", session.token
    )
    roster["counts"] = {state: sum(1 for c in roster["children"] if c["status"] == state) for state in STATES}
    return roster


@router.get("/classes/{class_id}", response_class=HTMLResponse)
async def roster_page(class_id: uuid.UUID, request: Request) -> HTMLResponse:
    session = session_of(request, "provider_staff")
    try:
        roster = await _roster(request, session, class_id)
    except ApiError as error:
        return await _sites(request, session, status=404, errors={"class_id": in_words(error, session.lang)})
    return render(request, session, "kiosk/roster.html", roster=roster, symptoms=SYMPTOMS, panel={})


@router.get("/classes/{class_id}/counts", response_class=HTMLResponse)
async def counts(class_id: uuid.UUID, request: Request) -> HTMLResponse:
    """The live counts, staff on duty and ratio (the page asks every few seconds)."""
    session = session_of(request, "provider_staff")
    return render(request, session, "kiosk/counts.html", roster=await _roster(request, session, class_id))


async def _row(request: Request, session: Session, class_id: uuid.UUID, child_id: str, **panel: Any) -> HTMLResponse:
    roster = await _roster(request, session, class_id)
    child = next(c for c in roster["children"] if c["child_id"] == child_id)
    status = 422 if panel.get("errors") else 200
    return render(
        request, session, "kiosk/row.html", status=status, roster=roster, child=child, symptoms=SYMPTOMS, panel=panel
    )


async def _act(
    request: Request, class_id: uuid.UUID, path: str, body: dict[str, Any], done_as: str, **on_refusal: Any
) -> HTMLResponse:
    """Send one of the door's commands to attendance and show the child's row again: with what
    happened (``done_as``), or with the refusal next to its field."""
    session = session_of(request, "provider_staff")
    form = await form_of(request)
    child_id = one(form, "child_id")
    try:
        done = await backend_of(request).post("attendance", path, session.token, body, one(form, "key"))
    except ApiError as error:
        return await _row(request, session, class_id, child_id, errors=errors_of(error, session.lang), **on_refusal)
    return await _row(request, session, class_id, child_id, **{done_as: done})


@router.post("/classes/{class_id}/checkins", response_class=HTMLResponse)
async def check_in(class_id: uuid.UUID, request: Request) -> HTMLResponse:
    form = await form_of(request)
    body = {
        "child_id": one(form, "child_id"),
        "site_id": one(form, "site_id"),
        "temperature_c": one(form, "temperature_c") or None,
        "symptoms": form.get("symptoms", []),
    }
    return await _act(request, class_id, "/checkins", body, "checked_in", values=body)


@router.post("/classes/{class_id}/pickups", response_class=HTMLResponse)
async def start_pickup(class_id: uuid.UUID, request: Request) -> HTMLResponse:
    form = await form_of(request)
    body = {"child_id": one(form, "child_id"), "adult_id": one(form, "adult_id") or None}
    return await _act(request, class_id, "/pickups", body, "attempt")


@router.post("/classes/{class_id}/pickups/{attempt_id}", response_class=HTMLResponse)
async def confirm_pickup(class_id: uuid.UUID, attempt_id: uuid.UUID, request: Request) -> HTMLResponse:
    form = await form_of(request)
    attempt = {"attempt_id": str(attempt_id), "adult_name": one(form, "adult_name")}
    path = f"/pickups/{attempt_id}/confirmation"
    return await _act(request, class_id, path, {"code": one(form, "code")}, "handed_over", attempt=attempt)
