"""The parent portal: children, finding a class (class search: district, age, dates, free seats;
or by its number, as printed on its notice), booking, the result with the subsidy and the price, a
child's contacts and pick-up adults, reporting an absence, the live inbox and preferences."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from services.web.backend import ApiError
from services.web.config import settings_of
from services.web.i18n import plain
from services.web.pages.common import backend_of, by_number, errors_of, form_of, in_words, one, render, see_other
from services.web.session import Session, remember_child, session_of
from shared.timezones import local_today

router = APIRouter(prefix="/parent")
CATEGORIES = ("regular", "gig", "migrant", "hardship", "model_worker", "dual_worker")


async def children_of(request: Request, session: Session) -> list[dict[str, Any]]:
    """The parent's children with their bookings (enrollment's ``GET /me/children``), then any child
    this browser was given the number of and the parent is not yet linked to (an invitation)."""
    backend = backend_of(request)
    mine = await backend.get("enrollment", "/me/children", session.token, limit=100)
    children: list[dict[str, Any]] = mine["children"]
    linked = {c["child_id"] for c in children}
    others = [c for c in session.children if str(c) not in linked]
    found = await asyncio.gather(
        *(backend.get("enrollment", f"/children/{c}", session.token) for c in others), return_exceptions=True
    )
    return children + [c for c in found if isinstance(c, dict)]


async def _home(request: Request, session: Session, *, status: int = 200, **context: Any) -> HTMLResponse:
    children, invitations = await asyncio.gather(
        children_of(request, session), backend_of(request).get("enrollment", "/invitations", session.token)
    )
    return render(
        request, session, "parent/home.html", status=status, children=children, categories=CATEGORIES,
        invitations=invitations["invitations"], **context,
    )  # fmt: skip


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


SEARCH_FIELDS = ("district", "age", "from", "to")
ROW_FIELDS = {"display_name": "adult_name"}  # a pick-up adult's API field -> the form's


@router.get("/classes", response_class=HTMLResponse)
async def find_class(request: Request) -> Response:
    """Finding a class: by its number (a notice, a QR code), else enrollment's class search by
    district, the child's age, dates and free seats, a page of results at a time."""
    session = session_of(request, "parent")
    query = request.query_params
    if query.get("class_id", "").strip():
        path, bad = by_number(query["class_id"], "/parent/classes/{}", session.lang)
        if path:
            return see_other(path)
        return await _home(request, session, status=422, errors={"class_id": bad})
    values = {name: query.get(name, "").strip() for name in SEARCH_FIELDS}
    free = query.get("free_seats") == "true"
    params = {name: value or None for name, value in values.items()}
    try:
        found = await backend_of(request).get(
            "enrollment", "/classes", session.token, **params, free_seats=free, offset=query.get("offset") or None
        )
    except ApiError as error:
        return render(
            request, session, "parent/search.html", status=422, values=values, free=free, found=None,
            errors=errors_of(error, session.lang),
        )  # fmt: skip
    more = urlencode({**{k: v for k, v in values.items() if v}, "free_seats": str(free).lower()})
    return render(request, session, "parent/search.html", values=values, free=free, found=found, more=more)


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


async def _child_page(
    request: Request, session: Session, child_id: uuid.UUID, *, status: int = 200, **context: Any
) -> HTMLResponse:
    backend = backend_of(request)
    record = await backend.get("enrollment", f"/children/{child_id}", session.token)
    mine = next((c for c in await children_of(request, session) if c["child_id"] == str(child_id)), {})
    after = local_today().isoformat()
    bookings = [
        {**b, "can_miss": [d["day"] for d in b["days"] if d["state"] == "confirmed" and d["day"] > after]}
        for b in mine.get("bookings", [])
    ]
    return render(
        request, session, "parent/child.html", status=status, child=record, bookings=bookings,
        categories=CATEGORIES, **context,
    )  # fmt: skip


@router.get("/children/{child_id}", response_class=HTMLResponse)
async def show_child(child_id: uuid.UUID, request: Request) -> HTMLResponse:
    return await _child_page(request, session_of(request, "parent"), child_id)


async def _edit(request: Request, child_id: uuid.UUID, body: dict[str, Any], form: dict[str, list[str]]) -> Response:
    """``PATCH /children/{id}`` with the parts a form gives; a refusal goes next to its field."""
    session = session_of(request, "parent")
    try:
        await backend_of(request).patch("enrollment", f"/children/{child_id}", session.token, body, one(form, "key"))
    except ApiError as error:
        return await _child_page(
            request, session, child_id, status=422, errors=row_errors(error, session.lang), values=form
        )
    return await _child_page(request, session, child_id, saved=True)


def row_errors(error: ApiError, lang: str) -> dict[str, str]:
    """The API's reasons by form field; a pick-up adult's field carries its row
    (``authorised_adults.1.id_number`` -> ``id_number-1``), as the form names it."""
    shown: dict[str, str] = {}
    rest = []
    for reason in error.reasons:
        parts = str(reason.get("field") or "").split(".")
        if "authorised_adults" in parts[:-2]:
            at = parts.index("authorised_adults")
            name = ROW_FIELDS.get(parts[at + 2], parts[at + 2])
            shown.setdefault(f"{name}-{parts[at + 1]}", plain(lang, str(reason.get("reason") or "")))
        else:
            rest.append(reason)
    if rest or not shown:
        others = ApiError(error.status, error.error, rest)
        shown |= errors_of(others, lang, {"phone": "contact_phone", "display_name": "contact_name"})
    return shown


@router.post("/children/{child_id}/contact", response_class=HTMLResponse)
async def edit_contact(child_id: uuid.UUID, request: Request) -> Response:
    form = await form_of(request)
    body: dict[str, Any] = {"allergies": one(form, "allergies"), "health_notes": one(form, "health_notes")}
    if one(form, "contact_name") or one(form, "contact_phone"):
        body["emergency_contact"] = {"display_name": one(form, "contact_name"), "phone": one(form, "contact_phone")}
    return await _edit(request, child_id, body, form)


@router.post("/children/{child_id}/adults", response_class=HTMLResponse)
async def edit_adults(child_id: uuid.UUID, request: Request) -> Response:
    """The whole list of pick-up adults: each row's name, relationship and ID-card number (an
    adult already listed keeps their id); a blank new row is left out."""
    form = await form_of(request)
    rows = zip(
        form.get("adult_id", []), form.get("adult_name", []), form.get("relationship", []),
        form.get("id_number", []), strict=False,
    )  # fmt: skip
    adults = [
        {"display_name": name.strip(), "relationship": relation.strip(), "id_number": number.strip()}
        | ({"adult_id": adult_id} if adult_id else {})
        for adult_id, name, relation, number in rows
        if adult_id or name.strip() or number.strip()
    ]
    return await _edit(request, child_id, {"authorised_adults": adults}, form)


@router.post("/bookings/{booking_id}/absences", response_class=HTMLResponse)
async def report_absence(booking_id: uuid.UUID, request: Request) -> Response:
    session = session_of(request, "parent")
    form = await form_of(request)
    child_id = uuid.UUID(one(form, "child_id"))
    body = {"day": one(form, "day") or None}
    try:
        done = await backend_of(request).post(
            "enrollment", f"/bookings/{booking_id}/absences", session.token, body, one(form, "key")
        )
    except ApiError as error:
        errors = {f"day-{booking_id}": in_words(error, session.lang)}
        return await _child_page(request, session, child_id, status=422, errors=errors)
    return await _child_page(request, session, child_id, absent=done["cancelled_days"])
