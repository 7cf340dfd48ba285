"""The parent portal: children, a class and its days, booking, the result with the subsidy and
the price, the live inbox and preferences.

Two pages wait for APIs being built (issue 16): finding a class by district, address, age and free
seats (today: open a class by its number, as printed on its notice) and "my children" (today: the
children this browser registered or was given the number of, kept in a cookie). Both are behind
:func:`children_of` and the ``/parent/classes`` redirect, so wiring the APIs changes only those."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from services.web.backend import ApiError
from services.web.config import settings_of
from services.web.pages.common import backend_of, by_number, errors_of, form_of, in_words, one, render, see_other
from services.web.session import Session, remember_child, session_of

router = APIRouter(prefix="/parent")
CATEGORIES = ("regular", "gig", "migrant", "hardship", "model_worker", "dual_worker")


async def children_of(request: Request, session: Session) -> list[dict[str, Any]]:
    """The parent's children. Waits for the "my children" API; until then, the known ones."""
    backend = backend_of(request)
    found = await asyncio.gather(
        *(backend.get("enrollment", f"/children/{c}", session.token) for c in session.children), return_exceptions=True
    )
    return [c for c in found if isinstance(c, dict)]


async def _home(request: Request, session: Session, *, status: int = 200, **context: Any) -> HTMLResponse:
    children = await children_of(request, session)
    return render(
        request, session, "parent/home.html", status=status, children=children, categories=CATEGORIES, **context
    )


@router.get("", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return await _home(request, session_of(request, "parent"))


@router.post("/children", response_class=HTMLResponse)
async def register_child(request: Request) -> Response:
    session = session_of(request, "parent")
    form = await form_of(request)
    body = {
        "display_name": one(form, "display_name"),
        "birth_date": one(form, "birth_date") or None,
        "guardians": [
            {
                "display_name": one(form, "guardian_name"),
                "employment_category": one(form, "category") or "regular",
                "channels": [{"kind": "inapp", "address": "app"}],
            }
        ],
    }
    try:
        created = await backend_of(request).post("enrollment", "/children", session.token, body, one(form, "key"))
    except ApiError as error:
        errors = errors_of(error, session.lang, {"guardians": "guardian_name", "employment_category": "category"})
        return await _home(request, session, status=422, errors=errors, values=form)
    response = see_other("/parent")
    remember_child(response, session, created["child_id"], secure=settings_of(request).secure_cookies)
    return response


@router.post("/children/known", response_class=HTMLResponse)
async def add_known_child(request: Request) -> Response:
    """A child registered elsewhere (by a co-guardian, or on another device), by its number."""
    session = session_of(request, "parent")
    path, bad = by_number(one(await form_of(request), "child_id"), "/children/{}", session.lang)
    if not path:
        return await _home(request, session, status=422, errors={"child_id": bad})
    try:
        child = await backend_of(request).get("enrollment", path, session.token)
    except ApiError as error:
        return await _home(request, session, status=422, errors={"child_id": in_words(error, session.lang)})
    response = see_other("/parent")
    remember_child(response, session, child["child_id"], secure=settings_of(request).secure_cookies)
    return response


@router.get("/classes", response_class=HTMLResponse)
async def find_class(request: Request) -> Response:
    """Finding a class. Waits for class search (district, address, age, free seats); until then a
    class opens by its number."""
    session = session_of(request, "parent")
    path, bad = by_number(request.query_params.get("class_id", ""), "/parent/classes/{}", session.lang)
    if path:
        return see_other(path)
    return await _home(request, session, status=422, errors={"class_id": bad})


async def _class_page(
    request: Request, session: Session, class_id: uuid.UUID, *, status: int = 200, **context: Any
) -> HTMLResponse:
    backend = backend_of(request)
    try:
        care_class = await backend.get("enrollment", f"/classes/{class_id}", session.token)
        days = care_class["days"] or [None]
        availability = await backend.get(
            "enrollment", f"/classes/{class_id}/availability", session.token, **{"from": min(days), "to": max(days)}
        )
    except ApiError as error:
        return await _home(request, session, status=404, errors={"class_id": in_words(error, session.lang)})
    children = await children_of(request, session)
    return render(
        request, session, "parent/class.html", status=status, care_class=care_class,
        availability=availability["days"], children=children, **context,
    )  # fmt: skip


@router.get("/classes/{class_id}", response_class=HTMLResponse)
async def show_class(class_id: uuid.UUID, request: Request) -> HTMLResponse:
    return await _class_page(request, session_of(request, "parent"), class_id)


@router.post("/classes/{class_id}/bookings", response_class=HTMLResponse)
async def book(class_id: uuid.UUID, request: Request) -> Response:
    session = session_of(request, "parent")
    form = await form_of(request)
    body: dict[str, Any] = {"child_id": one(form, "child_id") or None, "class_id": str(class_id)}
    if "weeks" in form:
        body["weeks"] = [w.strip() for w in one(form, "weeks").splitlines() if w.strip()]
    else:
        body["days"] = form.get("days", [])
    try:
        made = await backend_of(request).post("enrollment", "/bookings", session.token, body, one(form, "key"))
    except ApiError as error:
        errors = errors_of(error, session.lang)
        return await _class_page(
            request, session, class_id, status=422, errors=errors, chosen=set(form.get("days", []))
        )
    return see_other(f"/parent/bookings/{made['booking_id']}")


@router.get("/bookings/{booking_id}", response_class=HTMLResponse)
async def show_booking(booking_id: uuid.UUID, request: Request) -> HTMLResponse:
    session = session_of(request, "parent")
    booking = await backend_of(request).get("enrollment", f"/bookings/{booking_id}", session.token)
    states = {d["state"] for d in booking["days"]}
    status = (
        "confirmed"
        if states <= {"confirmed", "cancelled"}
        else "waitlisted"
        if "confirmed" not in states
        else "partly_waitlisted"
    )
    return render(request, session, "parent/booking.html", booking=booking, booking_status=status)


@router.get("/bookings/{booking_id}/statement", response_class=HTMLResponse)
async def booking_statement(booking_id: uuid.UUID, request: Request) -> HTMLResponse:
    """The subsidy and the price: subsidy works them out from the booking's events, so the page
    asks again (htmx polling) until the statement is there."""
    session = session_of(request, "parent")
    backend = backend_of(request)
    try:
        statement, applications = await asyncio.gather(
            backend.get("subsidy", f"/bookings/{booking_id}/statement", session.token),
            backend.get("subsidy", f"/bookings/{booking_id}/applications", session.token),
        )
    except ApiError:
        statement, applications = None, {"applications": []}
    return render(
        request, session, "parent/statement.html", booking_id=booking_id, statement=statement,
        applications=applications["applications"],
    )  # fmt: skip


@router.get("/inbox", response_class=HTMLResponse)
async def inbox(request: Request) -> HTMLResponse:
    session = session_of(request, "parent")
    found = await backend_of(request).get(
        "notify", f"/guardians/{session.id_of('member_id')}/notifications", session.token
    )
    return render(request, session, "parent/inbox.html", notifications=found["notifications"])


@router.get("/inbox/stream")
async def inbox_stream(request: Request) -> StreamingResponse:
    """notify's server-sent events, passed through with the parent's token (which the browser's
    EventSource cannot send itself)."""
    session = session_of(request, "parent")
    upstream = await backend_of(request).stream(
        "notify", f"/guardians/{session.id_of('member_id')}/notifications/stream", session.token
    )

    async def relay() -> AsyncIterator[bytes]:
        try:
            async for chunk in upstream.aiter_raw():
                yield chunk
        finally:
            await upstream.aclose()

    return StreamingResponse(
        relay(), status_code=upstream.status_code, media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


@router.get("/preferences", response_class=HTMLResponse)
async def preferences(request: Request) -> HTMLResponse:
    session = session_of(request, "parent")
    current = await backend_of(request).get(
        "notify", f"/guardians/{session.id_of('member_id')}/preferences", session.token
    )
    return render(request, session, "parent/preferences.html", prefs=current)


@router.post("/preferences", response_class=HTMLResponse)
async def save_preferences(request: Request) -> HTMLResponse:
    session = session_of(request, "parent")
    form = await form_of(request)
    path = f"/guardians/{session.id_of('member_id')}/preferences"
    body = {
        "muted_kinds": form.get("muted_kinds", []),
        "quiet_start": one(form, "quiet_start") or None,
        "quiet_end": one(form, "quiet_end") or None,
        "language": one(form, "language") or "zh-CN",
    }
    try:
        saved = await backend_of(request).put("notify", path, session.token, body, one(form, "key"))
    except ApiError as error:
        prefs = {**body, "muted_kinds": body["muted_kinds"]}
        return render(
            request, session, "parent/preferences.html", status=422, prefs=prefs, errors=errors_of(error, session.lang)
        )
    return render(request, session, "parent/preferences.html", prefs=saved, saved=True)
