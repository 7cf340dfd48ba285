"""Sign-in. Locally (``WEB_DEV_SIGN_IN=true``) a form mints a development token with the
install's signing key, as ``./tuoguan token`` does; otherwise the only way in is the city's
identity provider (OpenID Connect: ``/auth/login`` redirects there, the provider sends the person
back to ``WEB_OIDC_REDIRECT_URI``; see docs/architecture.md)."""

from __future__ import annotations

import secrets
import uuid
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from services.web.config import settings_of
from services.web.i18n import language_of, t
from services.web.pages.common import form_of, one, render, see_other
from services.web.session import sign_in, sign_out
from shared.auth import mint
from shared.principal import Principal

router = APIRouter()
DEV_ROLES = ("parent", "provider_staff", "union_staff")
DEV_TOKEN_TTL_S = 8 * 3600
NEEDS = {"parent": ("union",), "union_staff": ("union",), "provider_staff": ("provider",)}


def _safe_next(value: str) -> str:
    return value if value.startswith("/") and not value.startswith("//") else "/"


@router.get("/signin", response_class=HTMLResponse)
async def sign_in_page(request: Request) -> HTMLResponse:
    settings = settings_of(request)
    return render(
        request,
        None,
        "signin.html",
        lang=language_of(request),
        dev=settings.dev_sign_in,
        idp=bool(settings.oidc_issuer),
        next=_safe_next(request.query_params.get("next", "/")),
        values={"role": "parent"},
        roles=DEV_ROLES,
    )


@router.post("/signin/dev", response_class=HTMLResponse)
async def dev_sign_in(request: Request) -> Response:
    settings = settings_of(request)
    if not settings.dev_sign_in:  # secure by default: nothing here mints a token unless asked to
        raise HTTPException(404)
    lang = language_of(request)
    form = await form_of(request)
    values = {name: one(form, name) for name in ("role", "union", "provider", "member", "next")}
    role = values["role"] if values["role"] in DEV_ROLES else "parent"
    ids: dict[str, uuid.UUID | None] = {}
    errors: dict[str, str] = {}
    for name in ("union", "provider", "member"):
        needed = name in NEEDS[role]
        if not values[name]:
            if needed:
                errors[name] = (
                    t(lang, "signin." + name) + ("：" if lang == "zh-CN" else ": ") + t(lang, "error.generic")
                )
            continue
        try:
            ids[name] = uuid.UUID(values[name])
        except ValueError:
            errors[name] = "编号格式不对，请检查。" if lang == "zh-CN" else "That number is not in the right form."
    if errors:
        return render(
            request, None, "signin.html", status=422, lang=lang, dev=True, idp=bool(settings.oidc_issuer),
            next=_safe_next(values["next"]), values=values, roles=DEV_ROLES, errors=errors,
        )  # fmt: skip
    if role == "parent":
        ids.setdefault("member", uuid.uuid4())
    principal = Principal(
        sub=f"web-{role}-{secrets.token_hex(4)}",
        role=role,
        union_id=ids.get("union") if role != "provider_staff" else None,
        provider_id=ids.get("provider") if role == "provider_staff" else None,
        member_id=ids.get("member") if role == "parent" else None,
    )
    response = see_other(_safe_next(values["next"]) if values["next"] != "/" else "/")
    sign_in(response, mint(principal, ttl_s=DEV_TOKEN_TTL_S), secure=settings.secure_cookies)
    return response


@router.get("/auth/login")
async def identity_provider(request: Request) -> Response:
    """Production sign-in: off to the city's identity provider (authorization code flow). The
    callback that trades the code for a token is the provider's integration, not built here."""
    settings = settings_of(request)
    if not settings.oidc_issuer:
        raise HTTPException(404)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": settings.oidc_client_id,
            "redirect_uri": settings.oidc_redirect_uri,
            "scope": "openid tuoguan",
            "state": secrets.token_urlsafe(16),
        }
    )
    return see_other(f"{settings.oidc_issuer.rstrip('/')}/authorize?{query}")


@router.post("/signout")
async def sign_out_now() -> Response:
    response = see_other("/signin")
    sign_out(response)
    return response
