"""The web front end's wiring: settings, the API clients, the page routers and the static files.
Unlike the four services it has no database and no consumer: see docs/architecture.md."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from services.web.backend import ApiError, Backend
from services.web.config import WebSettings
from services.web.i18n import LANG_COOKIE, LANGUAGES, language_of
from services.web.oidc import IdentityProvider
from services.web.pages import guardians, kiosk, parent, signin, union
from services.web.pages.common import in_words, render
from services.web.session import NotSignedIn

STATIC = Path(__file__).resolve().parent / "static"
HOME = {"parent": "/parent", "provider_staff": "/kiosk", "union_staff": "/union", "admin": "/union"}


def create_app(settings: WebSettings, transports: dict[str, httpx.AsyncBaseTransport] | None = None) -> FastAPI:
    # Made here, not at start-up: an install that names an identity provider but not its client stops now.
    provider = IdentityProvider(settings) if settings.oidc_issuer else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.backend = Backend(settings, transports)
        yield
        await app.state.backend.close()
        if provider is not None:
            await provider.close()

    app = FastAPI(title="tuoguan web", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.identity_provider = provider
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (signin, parent, guardians, kiosk, union):
        app.include_router(module.router)

    @app.exception_handler(NotSignedIn)
    async def _to_sign_in(request: Request, _: NotSignedIn) -> Response:
        target = f"/signin?next={quote(request.url.path)}"
        if request.headers.get("HX-Request"):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(ApiError)
    async def _refused(request: Request, error: ApiError) -> Response:
        """A refusal no form expected (a page's own read): said in plain words, with the API's status."""
        lang = language_of(request)
        return render(request, None, "error.html", status=error.status, lang=lang, message=in_words(error, lang))

    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", include_in_schema=False)
    async def home(request: Request) -> Response:
        from services.web.session import claims_of

        role = claims_of(request.cookies.get("tg_token", "")).get("role", "")
        return RedirectResponse(HOME.get(str(role), "/signin"), status_code=303)

    @app.get("/lang/{lang}", include_in_schema=False)
    async def switch_language(lang: str, request: Request) -> Response:
        back = request.query_params.get("next", "/")
        response = RedirectResponse(signin.local_page(back), 303)
        if lang in LANGUAGES:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
        return response

    return app
