"""The web front end's own rules, without a browser: secure by default (no development sign-in
unless asked for, no secret in its process), a complete catalogue, refusals put by the field."""

from __future__ import annotations

import httpx

from deploy.launch import web_environment
from services.web.app import create_app
from services.web.backend import ApiError
from services.web.config import WebSettings
from services.web.i18n import MESSAGES, plain
from services.web.pages.common import errors_of
from services.web.session import TOKEN_COOKIE, claims_of

FORM = {"content-type": "application/x-www-form-urlencoded"}


async def _post_dev_sign_in(settings: WebSettings) -> httpx.Response:
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://web") as http:
        return await http.post(
            "/signin/dev", content="role=union_staff&union=7f0c3a4e-3b1a-4c55-9a49-0d6f2b1c9e10", headers=FORM
        )


async def test_the_development_sign_in_mints_nothing_unless_it_is_switched_on(monkeypatch) -> None:
    monkeypatch.delenv("WEB_DEV_SIGN_IN", raising=False)
    assert WebSettings().dev_sign_in is False, "secure by default"
    refused = await _post_dev_sign_in(WebSettings())
    assert refused.status_code == 404 and TOKEN_COOKIE not in refused.cookies


async def test_the_development_sign_in_gives_a_staff_token_for_the_union_named() -> None:
    signed_in = await _post_dev_sign_in(WebSettings(dev_sign_in=True))
    assert signed_in.status_code == 303
    claims = claims_of(signed_in.cookies[TOKEN_COOKIE])
    assert claims["role"] == "union_staff" and claims["union_id"] == "7f0c3a4e-3b1a-4c55-9a49-0d6f2b1c9e10"


def test_the_web_process_sees_no_database_kafka_or_secret_and_no_signing_key_without_dev_sign_in() -> None:
    install = {
        "ENROLLMENT_DATABASE_URL": "postgresql://e",
        "SUBSIDY_KAFKA_PASSWORD": "p",
        "TUOGUAN_PSEUDONYM_KEY": "k",
        "NOTIFY_SEAL_PRIVATE_KEY": "s",
        "KAFKA_ADMIN_PASSWORD": "a",
        "TUOGUAN_JWT_SIGNING_KEY_FILE": "/keys/jwt-signing.pem",
        "ENROLLMENT_HTTP_PORT": "8101",
        "PATH": "/usr/bin",
    }
    production = web_environment(install)
    assert production == {"PATH": "/usr/bin", "WEB_ENROLLMENT_URL": "http://127.0.0.1:8101"}
    development = web_environment({**install, "WEB_DEV_SIGN_IN": "true"})
    assert development["TUOGUAN_JWT_SIGNING_KEY_FILE"] == "/keys/jwt-signing.pem"


def test_every_label_is_in_both_languages() -> None:
    assert set(MESSAGES["zh-CN"]) == set(MESSAGES["en"])


def test_an_api_refusal_goes_next_to_its_field_in_plain_words() -> None:
    refusal = ApiError(
        422,
        "invalid_request",
        [
            {"field": "temperature_c", "reason": "Input should be less than or equal to 43"},
            {"field": "days.0", "reason": "x"},
        ],
    )
    assert errors_of(refusal, "zh-CN") == {"temperature_c": "体温应在 34.0 到 43.0 °C 之间，请重新测量。", "days": "x"}
    assert plain("en", "a reason the catalogue does not know") == "a reason the catalogue does not know"


async def test_a_page_whose_api_refuses_says_so_in_plain_words_with_the_apis_status() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, json={"error": "forbidden", "reasons": [{"field": "Authorization", "reason": "no"}]})

    settings = WebSettings(dev_sign_in=True)
    app = create_app(
        settings, transports={s: httpx.MockTransport(refuse) for s in ("enrollment", "attendance", "subsidy", "notify")}
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://web") as http:
            signed_in = await http.post(
                "/signin/dev", content="role=parent&union=7f0c3a4e-3b1a-4c55-9a49-0d6f2b1c9e10", headers=FORM
            )
            http.cookies.set(TOKEN_COOKIE, signed_in.cookies[TOKEN_COOKIE])
            page = await http.get("/parent/preferences")
    assert page.status_code == 403
    assert "您没有权限查看或操作这一项。" in page.text
