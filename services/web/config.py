"""Settings of the web front end (``WEB_*``): where each service's API is, and whether the
development sign-in is on. Secure by default: without ``WEB_DEV_SIGN_IN=true`` nobody can mint a
token here, and sign-in goes to the city's identity provider (``WEB_OIDC_*``)."""

from __future__ import annotations

from fastapi import Request
from pydantic_settings import BaseSettings, SettingsConfigDict

BACKENDS = ("enrollment", "attendance", "subsidy", "notify")


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore")

    http_host: str = "127.0.0.1"
    http_port: int = 8100
    enrollment_url: str = "http://127.0.0.1:8101"
    attendance_url: str = "http://127.0.0.1:8102"
    subsidy_url: str = "http://127.0.0.1:8103"
    notify_url: str = "http://127.0.0.1:8104"
    api_timeout_s: float = 10.0
    # Development only: a form that mints a token with the install's signing key
    # (TUOGUAN_JWT_SIGNING_KEY_FILE). Off unless set explicitly; never on in production.
    dev_sign_in: bool = False
    # Production: the city's identity provider (OpenID Connect, authorization code flow with PKCE,
    # services/web/oidc.py). The issuer is an https URL; its discovery document names the rest.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_redirect_uri: str = ""  # e.g. https://tuoguan.example.cn/auth/callback
    oidc_client_secret_file: str = ""  # a file holding the client secret; empty: a public client (PKCE only)
    oidc_ca_file: str = ""  # the CA that signed the provider's certificate, when it is a private one
    oidc_scope: str = "openid tuoguan"
    oidc_timeout_s: float = 5.0
    secure_cookies: bool = False  # true behind https: the session cookie is then sent over https only

    def url_of(self, service: str) -> str:
        return str(getattr(self, f"{service}_url")).rstrip("/")


def settings_of(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings
