"""Signing in through the city's identity provider (OpenID Connect, authorization code flow with
PKCE, state and nonce). The provider is a small app on loopback over https (discovery, /authorize,
/token, its keys); the web front end runs in this process. No browser and no service is needed:
the browser's part is following two redirects, and the services' part is shared/auth.Verifier,
which is given the provider's keys as a JWKS file."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import ipaddress
import json
import secrets
import ssl
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qs, urlencode

import httpx
import jwt
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from markupsafe import escape

from services.web.app import create_app
from services.web.config import WebSettings
from services.web.i18n import MESSAGES
from services.web.oidc import Login, login_cookie
from services.web.session import TOKEN_COOKIE
from shared.auth import Verifier, audience, public_jwk
from shared.secrets import SecretMissing
from testkit.processes import free_port
from tests.support.tls import self_signed

CLIENT_ID = "tuoguan-web"
WEB = "https://tuoguan.test"
CALLBACK = f"{WEB}/auth/callback"
UNION, MEMBER = uuid.uuid4(), uuid.uuid4()


@dataclass
class CityIdentityProvider:
    """The city's identity provider on loopback: it asks nobody anything (the person is always a
    parent who agrees), checks the client's secret and PKCE verifier, and signs both tokens."""

    cert: Path
    key: Path
    secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    port: int = field(default_factory=free_port)
    signing_key: Ed25519PrivateKey = field(default_factory=Ed25519PrivateKey.generate)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)  # access tokens, in order
    # what a test makes go wrong
    declines: bool = False
    nonce_instead: str | None = None
    id_token_key: Ed25519PrivateKey | None = None
    id_token_kid_published: bool = False  # the other key's token names the provider's own key id
    token_endpoint_down: bool = False
    public_client: bool = False  # registered without a secret: PKCE alone proves the client

    @property
    def issuer(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def reset(self) -> None:
        self.declines, self.nonce_instead, self.token_endpoint_down, self.public_client = False, None, False, False
        self.id_token_key, self.id_token_kid_published = None, False

    def jwks(self) -> dict:
        return {"keys": [public_jwk(self.signing_key)]}

    def _signed(self, claims: dict, key: Ed25519PrivateKey | None = None) -> str:
        key = key or self.signing_key
        kid = public_jwk(self.signing_key if self.id_token_kid_published else key)["kid"]
        now = int(time.time())
        return jwt.encode({"iat": now, "exp": now + 600, **claims}, key, algorithm="EdDSA", headers={"kid": kid})

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/.well-known/openid-configuration")
        async def discovery() -> dict:
            return {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "code_challenge_methods_supported": ["S256"],
                "id_token_signing_alg_values_supported": ["EdDSA"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }

        @app.get("/jwks")
        async def jwks() -> dict:
            return self.jwks()

        @app.get("/authorize")
        async def authorize(request: Request) -> RedirectResponse:
            asked = dict(request.query_params)
            assert asked["client_id"] == CLIENT_ID and asked["redirect_uri"] == CALLBACK, asked
            assert asked["response_type"] == "code" and asked["code_challenge_method"] == "S256", asked
            if self.declines:
                answer = {"error": "access_denied", "state": asked["state"]}
            else:
                code = secrets.token_urlsafe(16)
                self.codes[code] = asked
                answer = {"code": code, "state": asked["state"]}
            return RedirectResponse(f"{asked['redirect_uri']}?{urlencode(answer)}", status_code=302)

        @app.post("/token")
        async def token(request: Request) -> JSONResponse:
            if self.token_endpoint_down:
                return JSONResponse({"error": "temporarily_unavailable"}, status_code=503)
            form = {k: v[0] for k, v in parse_qs((await request.body()).decode()).items()}
            client = base64.b64encode(f"{CLIENT_ID}:{self.secret}".encode()).decode()
            expected = (None, CLIENT_ID) if self.public_client else (f"Basic {client}", None)
            if (request.headers.get("authorization"), form.get("client_id")) != expected:
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            asked = self.codes.pop(form.get("code", ""), None)  # a code is good once
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=").decode()
            if (
                asked is None
                or form.get("grant_type") != "authorization_code"
                or form.get("redirect_uri") != asked["redirect_uri"]
                or challenge != asked["code_challenge"]
            ):
                return JSONResponse({"error": "invalid_grant"}, status_code=400)
            sub = f"citizen-{secrets.token_hex(4)}"
            access = self._signed(
                {
                    "sub": sub,
                    "iss": "tuoguan",
                    "aud": [audience(s) for s in ("enrollment", "attendance", "subsidy", "notify")],
                    "role": "parent",
                    "union_id": str(UNION),
                    "member_id": str(MEMBER),
                }
            )
            self.issued.append(access)
            identity = self._signed(
                {"sub": sub, "iss": self.issuer, "aud": CLIENT_ID, "nonce": self.nonce_instead or asked["nonce"]},
                self.id_token_key,
            )
            return JSONResponse(
                {"access_token": access, "token_type": "Bearer", "id_token": identity, "expires_in": 600}
            )

        return app


@pytest.fixture(scope="module")
async def provider(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[CityIdentityProvider]:
    where = tmp_path_factory.mktemp("identity-provider")
    idp = CityIdentityProvider(*self_signed(where, x509.IPAddress(ipaddress.ip_address("127.0.0.1")), "city id"))
    server = uvicorn.Server(
        uvicorn.Config(
            idp.app(), host="127.0.0.1", port=idp.port, log_level="warning",
            ssl_certfile=str(idp.cert), ssl_keyfile=str(idp.key),
        )
    )  # fmt: skip
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield idp
    server.should_exit = True
    await serving


@dataclass
class Person:
    """A person's browser: the web front end in this process, the provider over https."""

    web: httpx.AsyncClient
    idp: httpx.AsyncClient

    async def sign_in(self, next_page: str = "/parent") -> httpx.Response:
        """Press "sign in with the city's identity service" and follow the provider back."""
        leaving = await self.web.get("/auth/login", params={"next": next_page})
        assert leaving.status_code == 303, leaving.text
        return await self.back_from_provider(await self.idp.get(leaving.headers["location"]))

    async def back_from_provider(self, answer: httpx.Response) -> httpx.Response:
        assert answer.status_code == 302, answer.text
        back = httpx.URL(answer.headers["location"])
        assert str(back.copy_with(query=None)) == CALLBACK
        return await self.web.get(back.path, params=back.params)


def settings_for(idp: CityIdentityProvider, secret_file: Path, **changes: object) -> WebSettings:
    production = dict(
        oidc_issuer=idp.issuer, oidc_client_id=CLIENT_ID, oidc_redirect_uri=CALLBACK, secure_cookies=True,
        oidc_client_secret_file=str(secret_file), oidc_ca_file=str(idp.cert),
    )  # fmt: skip
    return WebSettings(**(production | changes))


@asynccontextmanager
async def visiting(provider: CityIdentityProvider, settings: WebSettings) -> AsyncIterator[Person]:
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=WEB) as web,
        httpx.AsyncClient(verify=ssl.create_default_context(cafile=provider.cert)) as idp,
    ):
        yield Person(web, idp)


@pytest.fixture
async def person(provider: CityIdentityProvider, tmp_path: Path) -> AsyncIterator[Person]:
    provider.reset()
    secret_file = tmp_path / "client-secret"
    secret_file.write_text(provider.secret + "\n")
    async with visiting(provider, settings_for(provider, secret_file)) as person:
        yield person


def said(response: httpx.Response, key: str, lang: str = "zh-CN") -> bool:
    return str(escape(MESSAGES[lang][key])) in response.text  # as the template writes it


def not_signed_in(response: httpx.Response) -> bool:
    return TOKEN_COOKIE not in response.cookies


async def test_a_parent_signs_in_through_the_city_identity_provider_and_holds_its_token(
    provider: CityIdentityProvider, person: Person, tmp_path: Path
) -> None:
    back = await person.sign_in("/parent")
    assert back.status_code == 303 and back.headers["location"] == "/parent", back.text
    token = back.cookies[TOKEN_COOKIE]
    assert token == provider.issued[-1], "the person holds the provider's own access token"
    set_cookie = next(c for c in back.headers.get_list("set-cookie") if c.startswith(f"{TOKEN_COOKIE}="))
    assert "HttpOnly" in set_cookie and "Secure" in set_cookie and "samesite=lax" in set_cookie.lower()
    assert login_cookie(True) not in person.web.cookies, "a login is used once"

    jwks = tmp_path / "provider-jwks.json"  # what TUOGUAN_JWKS gives the services
    jwks.write_text(json.dumps(provider.jwks()))
    principal = await Verifier(str(jwks), "enrollment").verify(token)
    assert (principal.role, principal.union_id, principal.member_id) == ("parent", UNION, MEMBER)
    assert (await person.web.get("/")).headers["location"] == "/parent", "the parent's pages open"


async def test_a_login_cookie_holds_no_token_and_lives_ten_minutes_over_https_only(person: Person) -> None:
    leaving = await person.web.get("/auth/login", params={"next": "/parent"})
    (cookie,) = [c for c in leaving.headers.get_list("set-cookie") if c.startswith("__Host-tg_login=")]
    assert "HttpOnly" in cookie and "Secure" in cookie and "Max-Age=600" in cookie and "Path=/" in cookie
    assert "code_challenge=" in leaving.headers["location"] and "nonce=" in leaving.headers["location"]


async def test_a_callback_whose_state_is_forged_or_missing_signs_nobody_in(person: Person) -> None:
    leaving = await person.web.get("/auth/login", params={"next": "/parent"})
    answer = await person.idp.get(leaving.headers["location"])
    back = httpx.URL(answer.headers["location"])
    forged = await person.web.get(back.path, params={"code": back.params["code"], "state": "forged-by-someone"})
    assert forged.status_code == 400 and not_signed_in(forged) and said(forged, "signin.mismatch")

    leaving = await person.web.get("/auth/login", params={"next": "/parent"})
    answer = await person.idp.get(leaving.headers["location"])
    back = httpx.URL(answer.headers["location"])
    missing = await person.web.get(back.path, params={"code": back.params["code"]})
    assert missing.status_code == 400 and not_signed_in(missing) and said(missing, "signin.mismatch")


async def test_a_callback_without_a_login_under_way_is_an_expired_sign_in(person: Person) -> None:
    """A login cookie lives ten minutes; after that (or in another browser) there is none."""
    leaving = await person.web.get("/auth/login")
    answer = await person.idp.get(leaving.headers["location"])
    person.web.cookies.clear()
    late = await person.back_from_provider(answer)
    assert late.status_code == 400 and not_signed_in(late) and said(late, "signin.expired")

    leaving = await person.web.get("/auth/login")
    answer = await person.idp.get(leaving.headers["location"])
    login = Login.from_cookie(person.web.cookies[login_cookie(True)])
    assert login is not None
    stale = replace(login, expires=int(time.time()) - 1)  # kept past its Max-Age by a careless client
    person.web.cookies.set(login_cookie(True), stale.cookie(), domain="tuoguan.test")
    late = await person.back_from_provider(answer)
    assert late.status_code == 400 and not_signed_in(late) and said(late, "signin.expired")


async def test_an_id_token_for_another_login_is_refused(provider: CityIdentityProvider, person: Person) -> None:
    provider.nonce_instead = "a-nonce-from-someone-elses-login"
    back = await person.sign_in()
    assert back.status_code == 400 and not_signed_in(back) and said(back, "signin.failed")


@pytest.mark.parametrize("names_the_providers_key", [False, True])
async def test_an_id_token_signed_by_a_key_the_provider_never_published_is_refused(
    provider: CityIdentityProvider, person: Person, names_the_providers_key: bool
) -> None:
    provider.id_token_key = Ed25519PrivateKey.generate()
    provider.id_token_kid_published = names_the_providers_key
    back = await person.sign_in()
    assert back.status_code == 400 and not_signed_in(back) and said(back, "signin.failed")


async def test_a_person_who_declines_at_the_provider_is_told_so_in_plain_words(
    provider: CityIdentityProvider, person: Person
) -> None:
    provider.declines = True
    back = await person.sign_in()
    assert back.status_code == 400 and not_signed_in(back) and said(back, "signin.denied")
    await person.web.get("/lang/en")
    back = await person.sign_in()
    assert back.status_code == 400 and said(back, "signin.denied", "en")


@pytest.mark.parametrize("elsewhere", ["//evil.example/parent", "https://evil.example/parent", "/\\evil.example"])
async def test_a_next_page_on_another_site_is_not_followed(person: Person, elsewhere: str) -> None:
    back = await person.sign_in(elsewhere)
    assert back.status_code == 303 and back.headers["location"] == "/"
    assert TOKEN_COOKIE in back.cookies


async def test_a_provider_that_cannot_be_reached_is_a_503_with_retry_after(
    provider: CityIdentityProvider, person: Person, tmp_path: Path
) -> None:
    provider.token_endpoint_down = True
    back = await person.sign_in()
    assert back.status_code == 503 and back.headers["Retry-After"] == "30" and not_signed_in(back)
    assert said(back, "error.unavailable")

    secret_file = tmp_path / "client-secret"  # the person fixture's
    gone = settings_for(provider, secret_file, oidc_issuer=f"https://127.0.0.1:{free_port()}")
    async with visiting(provider, gone) as elsewhere:
        leaving = await elsewhere.web.get("/auth/login")
    assert leaving.status_code == 503 and leaving.headers["Retry-After"] == "30"
    assert said(leaving, "error.unavailable")


async def test_a_public_client_signs_in_with_pkce_alone(provider: CityIdentityProvider, person: Person) -> None:
    provider.public_client = True
    assert (await person.sign_in()).status_code == 400, "a client that sends a secret is not this public client"
    async with visiting(provider, settings_for(provider, Path(), oidc_client_secret_file="")) as public:
        back = await public.sign_in()
    assert back.status_code == 303 and back.cookies[TOKEN_COOKIE] == provider.issued[-1]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"oidc_issuer": "http://id.city.example"}, "WEB_OIDC_ISSUER"),
        ({"oidc_client_id": ""}, "WEB_OIDC_CLIENT_ID"),
        ({"oidc_client_secret_file": "/nonexistent/client-secret"}, "WEB_OIDC_CLIENT_SECRET_FILE"),
    ],
)
def test_an_install_that_names_a_provider_but_not_how_to_reach_it_safely_does_not_start(
    provider: CityIdentityProvider, tmp_path: Path, change: dict, named: str
) -> None:
    with pytest.raises(SecretMissing, match=named):
        create_app(settings_for(provider, tmp_path / "client-secret", **change))
