"""Sign-in. Locally (``WEB_DEV_SIGN_IN=true``) a form mints a development token with the
install's signing key, as ``./tuoguan token`` does; otherwise the only way in is the city's
identity provider (OpenID Connect: ``/auth/login`` redirects there, the provider sends the person
back to ``/auth/callback`` at ``WEB_OIDC_REDIRECT_URI``; services/web/oidc.py, docs/architecture.md)."""

from __future__ import annotations

import logging
import secrets
import uuid

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from services.web.config import settings_of
from services.web.i18n import language_of, t
from services.web.oidc import (
    LOGIN_TTL_S,
    RETRY_AFTER_S,
    IdentityProvider,
    Login,
    LoginRefused,
    ProviderUnreachable,
    login_cookie,
)
from services.web.pages.common import form_of, one, render, see_other
from services.web.session import claims_of, sign_in, sign_out
from shared.auth import mint
from shared.principal import Principal

log = logging.getLogger(__name__)
router = APIRouter()
DEV_ROLES = ("parent", "provider_staff", "union_staff")
DEV_TOKEN_TTL_S = 8 * 3600
NEEDS = {"parent": ("union",), "union_staff": ("union",), "provider_staff": ("provider",)}


def local_page(value: str) -> str:
    """``value`` when it is a path on this site, else ``/``: never a way to send someone elsewhere
    (``//host`` and ``/\\host`` are other sites to a browser)."""
    local = value.startswith("/") and not value.startswith("//") and "\\" not in value
    return value if local and value.isprintable() else "/"


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
        next=local_page(request.query_params.get("next", "/")),
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
            next=local_page(values["next"]), values=values, roles=DEV_ROLES, errors=errors,
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
    response = see_other(local_page(values["next"]) if values["next"] != "/" else "/")
    sign_in(response, mint(principal, ttl_s=DEV_TOKEN_TTL_S), secure=settings.secure_cookies)
    return response


def provider_of(request: Request) -> IdentityProvider:
    provider: IdentityProvider | None = request.app.state.identity_provider
    if provider is None:  # no WEB_OIDC_ISSUER: this install signs in some other way
        raise HTTPException(404)
    return provider


def _sign_in_again(request: Request, status: int, message: str, next_page: str = "/") -> HTMLResponse:
    """The sign-in page with why the last try did not sign the person in."""
    settings = settings_of(request)
    return render(
        request, None, "signin.html", status=status, lang=language_of(request), dev=settings.dev_sign_in,
        idp=True, next=local_page(next_page), values={"role": "parent"}, roles=DEV_ROLES, errors={"": message},
    )  # fmt: skip


def _provider_unreachable(request: Request) -> HTMLResponse:
    response = _sign_in_again(request, 503, t(language_of(request), "error.unavailable"))
    response.headers["Retry-After"] = str(RETRY_AFTER_S)
    return response


@router.get("/auth/login")
async def identity_provider(request: Request) -> Response:
    """Production sign-in: off to the city's identity provider (authorization code flow with PKCE).
    The login's state, nonce, code verifier and the page to return to wait in a short-lived cookie."""
    provider, secure = provider_of(request), settings_of(request).secure_cookies
    login = Login.start(local_page(request.query_params.get("next", "/")))
    try:
        response: Response = see_other(await provider.authorization_url(login))
    except ProviderUnreachable:
        return _provider_unreachable(request)
    response.set_cookie(
        login_cookie(secure), login.cookie(), max_age=LOGIN_TTL_S, httponly=True, samesite="lax", secure=secure
    )
    return response


@router.get("/auth/callback")
async def identity_provider_callback(request: Request) -> Response:
    """Back from the provider: the state checked, the code traded, the ID token verified; then the
    person holds the provider's access token (which the services verify) and goes where they were going."""
    provider, secure = provider_of(request), settings_of(request).secure_cookies
    login = Login.from_cookie(request.cookies.get(login_cookie(secure), ""))
    query = request.query_params
    response: Response
    try:
        if query.get("error"):
            raise LoginRefused("denied" if query["error"] == "access_denied" else "failed", query["error"][:64])
        if login is None:
            raise LoginRefused("expired")
        if not login.answers(query.get("state", "")):
            raise LoginRefused("mismatch")
        if not query.get("code"):
            raise LoginRefused("failed", "the provider sent the person back without a code")
        access_token, id_token = await provider.redeem(query["code"], login)
        await provider.identity(id_token, login)
        if not claims_of(access_token).get("role"):
            raise LoginRefused("no_role", "the access token carries no Tuoguan role")
        response = see_other(local_page(login.next))
        sign_in(response, access_token, secure=secure)
    except LoginRefused as refused:
        log.info("a sign-in through the identity provider was refused: %s", refused)
        status = 403 if refused.reason == "no_role" else 400
        lang = language_of(request)
        response = _sign_in_again(request, status, t(lang, f"signin.{refused.reason}"), login.next if login else "/")
    except ProviderUnreachable:
        response = _provider_unreachable(request)
    response.delete_cookie(login_cookie(secure), httponly=True, samesite="lax", secure=secure)  # used once
    return response


@router.post("/signout")
async def sign_out_now() -> Response:
    response = see_other("/signin")
    sign_out(response)
    return response
