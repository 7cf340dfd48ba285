"""The union dashboard (union staff): figures for the subtree (enrollment, attendance, subsidy
spending, fund balances), the subtree's classes with their seats per day and a class-day's
waitlist, the applications waiting for a decision (or one opened by its number, as notify's message
to staff gives it) to approve or reject with a reason, and the ledger as CSV."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.web.backend import ApiError
from services.web.pages.common import backend_of, by_number, errors_of, form_of, in_words, one, render, see_other
from services.web.session import Session, session_of
from shared.timezones import local_today

router = APIRouter(prefix="/union")
STAFF = ("union_staff", "admin")


async def _figures(request: Request, session: Session) -> dict[str, Any]:
    union = session.id_of("union_id")
    backend = backend_of(request)
    calls = {
        "enrollment": backend.get("enrollment", f"/unions/{union}/figures", session.token),
        "attendance": backend.get("attendance", f"/unions/{union}/attendance", session.token, day=local_today()),
        "spending": backend.get("subsidy", f"/unions/{union}/spending", session.token),
        "funds": backend.get("subsidy", f"/unions/{union}/funds", session.token),
        "pending": backend.get("subsidy", f"/unions/{union}/applications", session.token, limit=50),
        "classes": backend.get(
            "enrollment", f"/unions/{union}/classes", session.token, limit=50,
            **{name: request.query_params.get(name) or None for name in ("from", "to")},
        ),
    }  # fmt: skip
    answers = await asyncio.gather(*calls.values(), return_exceptions=True)
    return {name: (None if isinstance(a, BaseException) else a) for name, a in zip(calls, answers, strict=True)}


@router.get("", response_class=HTMLResponse)
async def dashboard(request: Request) -> Response:
    session = session_of(request, *STAFF)
    number = request.query_params.get("application_id", "")
    path, bad = by_number(number, "/union/applications/{}", session.lang) if number else (None, None)
    if path:
        return see_other(path)
    errors = {"application_id": bad} if bad else {}
    figures = await _figures(request, session)
    return render(request, session, "union/dashboard.html", status=422 if bad else 200, figures=figures, errors=errors)


@router.get("/applications/{application_id}", response_class=HTMLResponse)
async def application(application_id: uuid.UUID, request: Request) -> HTMLResponse:
    session = session_of(request, *STAFF)
    try:
        found = await backend_of(request).get("subsidy", f"/applications/{application_id}", session.token)
    except ApiError as error:
        figures = await _figures(request, session)
        return render(
            request,
            session,
            "union/dashboard.html",
            status=404,
            figures=figures,
            errors={"application_id": in_words(error, session.lang)},
        )
    return render(request, session, "union/application.html", application=found)


@router.post("/applications/{application_id}/decision", response_class=HTMLResponse)
async def decide(application_id: uuid.UUID, request: Request) -> HTMLResponse:
    session = session_of(request, *STAFF)
    form = await form_of(request)
    body = {"approve": one(form, "decision") == "approve", "reason": one(form, "reason")}
    backend = backend_of(request)
    path = f"/applications/{application_id}"
    try:
        decided = await backend.post("subsidy", f"{path}/decision", session.token, body, one(form, "key"))
    except ApiError as error:
        found = await backend.get("subsidy", path, session.token)
        errors = errors_of(error, session.lang, {"": "reason"})  # "a rejection needs a reason" names no field
        return render(
            request, session, "union/application.html", status=422, application=found, errors=errors, values=body
        )
    found = await backend.get("subsidy", path, session.token)
    return render(request, session, "union/application.html", application=found, decided=decided)


@router.get("/ledger.csv")
async def ledger(request: Request) -> Response:
    session = session_of(request, *STAFF)
    union = session.id_of("union_id")
    text = await backend_of(request).get("subsidy", f"/unions/{union}/ledger.csv", session.token)
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="ledger-{union}.csv"'},
    )


@router.get("/classes/{class_id}/waitlist/{day}", response_class=HTMLResponse)
async def waitlist(class_id: uuid.UUID, day: dt.date, request: Request) -> HTMLResponse:
    """A class-day's waitlist, in the order it is served (enrollment's staff list)."""
    session = session_of(request, *STAFF)
    found = await backend_of(request).get("enrollment", f"/classes/{class_id}/waitlist/{day}", session.token, limit=100)
    return render(request, session, "union/waitlist.html", waitlist=found)
