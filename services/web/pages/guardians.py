"""Co-guardians in the parent portal: a guardian invites another member of the union by their
member number (enrollment's ``POST /children/{id}/guardians``); the invited parent sees their open
invitations on the portal's home (``GET /invitations``) and accepts or declines them. The child
is theirs to see and act for once they accept."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.web.backend import ApiError
from services.web.pages.common import backend_of, errors_of, form_of, in_words, one, see_other
from services.web.pages.parent import CATEGORIES, _child_page, _home
from services.web.session import session_of

router = APIRouter(prefix="/parent")
INVITE_FIELDS = {"display_name": "invite_name", "employment_category": "invite_category"}  # the API's -> the form's


@router.post("/children/{child_id}/guardians", response_class=HTMLResponse)
async def invite(child_id: uuid.UUID, request: Request) -> HTMLResponse:
    """Invite a co-guardian: their member number, the name they go by, their employment category;
    notifications reach them in the app until they give their own addresses when accepting."""
    session = session_of(request, "parent")
    form = await form_of(request)
    category = one(form, "invite_category")
    body = {
        "member_id": one(form, "member_id") or None,
        "display_name": one(form, "invite_name"),
        "employment_category": category if category in CATEGORIES else "regular",
        "channels": [{"kind": "inapp", "address": "app"}],
    }
    path = f"/children/{child_id}/guardians"
    try:
        await backend_of(request).post("enrollment", path, session.token, body, one(form, "key"))
    except ApiError as error:
        errors = errors_of(error, session.lang, INVITE_FIELDS)
        return await _child_page(request, session, child_id, status=422, errors=errors, invite_values=form)
    return await _child_page(request, session, child_id, invited_name=body["display_name"])


async def _answer(request: Request, child_id: uuid.UUID, answer: str) -> Response:
    session = session_of(request, "parent")
    form = await form_of(request)
    path = f"/invitations/{child_id}/{answer}"
    try:
        await backend_of(request).post("enrollment", path, session.token, {}, one(form, "key"))
    except ApiError as error:
        return await _home(request, session, status=error.status, errors={"": in_words(error, session.lang)})
    return see_other("/parent")


@router.post("/invitations/{child_id}/acceptance", response_class=HTMLResponse)
async def accept(child_id: uuid.UUID, request: Request) -> Response:
    return await _answer(request, child_id, "acceptance")


@router.post("/invitations/{child_id}/refusal", response_class=HTMLResponse)
async def decline(child_id: uuid.UUID, request: Request) -> Response:
    return await _answer(request, child_id, "refusal")
