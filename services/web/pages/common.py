"""What every page module shares: rendering, form bodies, and refusals shown next to the field."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from services.web.backend import ApiError, Backend
from services.web.i18n import bad_number, plain, t, yuan
from services.web.session import Session

templates = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
templates.env.globals.update(t=t, yuan=yuan)

GENERAL = {404: "error.not_found", 403: "error.forbidden", 401: "error.forbidden", 503: "error.unavailable"}


def backend_of(request: Request) -> Backend:
    backend: Backend = request.app.state.backend
    return backend


async def form_of(request: Request) -> dict[str, list[str]]:
    """An ``application/x-www-form-urlencoded`` body (what forms and htmx send)."""
    return parse_qs((await request.body()).decode(), keep_blank_values=True)


def one(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0].strip()


def new_key() -> str:
    """A form's Idempotency-Key, rendered into it: sent twice, the command happens once."""
    return f"web-{uuid.uuid4()}"


def errors_of(error: ApiError, lang: str, fields: dict[str, str] | None = None) -> dict[str, str]:
    """The API's reasons by form field, in plain words. ``fields`` renames API fields to form
    fields; a reason for no known field (or a general refusal) goes under ``""`` at the form's top."""
    shown: dict[str, str] = {}
    for api_field, reason in error.by_field().items():
        name = (fields or {}).get(api_field, api_field)
        shown.setdefault(name, plain(lang, reason))
    if error.status in GENERAL and "" not in shown:
        shown[""] = t(lang, GENERAL[error.status])
    return shown


def in_words(error: ApiError, lang: str) -> str:
    """One line for a refusal shown at a single field or at the form's top."""
    shown = errors_of(error, lang)
    return shown.get("") or next(iter(shown.values()))


def by_number(number: str, path: str, lang: str) -> tuple[str | None, str | None]:
    """A thing opened by its number (an id from a notice, a QR code or a message): the page's
    path (``path`` with ``{}`` for the id), or the reason the number is not one."""
    try:
        return path.format(uuid.UUID(number.strip())), None
    except ValueError:
        return None, bad_number(lang)


def render(request: Request, session: Session | None, name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    lang = session.lang if session else context.pop("lang", "zh-CN")
    return templates.TemplateResponse(
        request,
        name,
        {"session": session, "lang": lang, "errors": {}, "key": new_key(), **context},
        status_code=status,
    )


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)
