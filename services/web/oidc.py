"""Signing in through the city's identity provider: OpenID Connect's authorization code flow with
PKCE (S256), ``state`` and ``nonce`` (OpenID Connect Core 1.0 §3.1, RFC 7636).

The provider's endpoints come from its discovery document (``WEB_OIDC_ISSUER/.well-known/
openid-configuration``) and its public keys from its JWKS; both are cached. The ID token is
checked with PyJWT (signature against those keys, ``iss``, ``aud`` = the client id, ``exp``,
``iat``) and here (``nonce``, ``azp``). What the browser carries between the two legs is a
:class:`Login`, kept in a short-lived HttpOnly cookie and compared in constant time.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import secrets
import ssl
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlencode

import httpx
import jwt

from services.web.config import WebSettings
from shared.secrets import SecretMissing

log = logging.getLogger(__name__)
ALGORITHMS = ("RS256", "PS256", "ES256", "EdDSA")  # asymmetric only: never "none", never a shared secret
DISCOVERY_TTL_S = 3600.0
JWKS_REFRESH_MIN_S = 30.0
LEEWAY_S = 30
LOGIN_TTL_S = 600  # from leaving for the provider to coming back
RETRY_AFTER_S = 30


class ProviderUnreachable(Exception):
    """The provider did not answer, or answered what no working provider would; try again later."""


class LoginRefused(Exception):
    """This sign-in must not go on. ``reason`` names the catalogue's words (``signin.<reason>``):
    ``expired``, ``mismatch``, ``denied``, ``failed`` or ``no_role``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(detail or reason)
        self.reason = reason


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class Login:
    """One sign-in under way: what ``/auth/login`` made and ``/auth/callback`` checks."""

    state: str
    nonce: str
    verifier: str  # PKCE's code_verifier: 86 characters of 43..128 allowed
    next: str
    expires: int

    @classmethod
    def start(cls, next_page: str) -> Login:
        token = secrets.token_urlsafe
        return cls(token(32), token(32), token(64), next_page, int(time.time()) + LOGIN_TTL_S)

    @property
    def challenge(self) -> str:
        return _b64(hashlib.sha256(self.verifier.encode()).digest())

    def cookie(self) -> str:
        return _b64(json.dumps(asdict(self), separators=(",", ":")).encode())

    @classmethod
    def from_cookie(cls, value: str) -> Login | None:
        """The login in ``value``, or None when there is none or it has expired."""
        try:
            found = cls(**json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))))
        except (ValueError, TypeError):
            return None
        texts = (found.state, found.nonce, found.verifier, found.next)
        if not all(isinstance(text, str) for text in texts) or not isinstance(found.expires, int):
            return None
        return found if found.expires > time.time() else None

    def answers(self, state: str) -> bool:
        return hmac.compare_digest(self.state.encode(), state.encode())


def login_cookie(secure: bool) -> str:
    """``__Host-`` over https: the browser then takes it only from this host, never a sibling domain."""
    return "__Host-tg_login" if secure else "tg_login"


@dataclass(frozen=True)
class Endpoints:
    issuer: str
    authorization: str
    token: str
    jwks: str
    auth_methods: tuple[str, ...]


class IdentityProvider:
    """The city's identity provider as this client (``WEB_OIDC_CLIENT_ID``) sees it."""

    def __init__(self, settings: WebSettings) -> None:
        if not settings.oidc_issuer.startswith("https://"):
            raise SecretMissing("WEB_OIDC_ISSUER must be the identity provider's https URL")
        if not settings.oidc_client_id or not settings.oidc_redirect_uri:
            raise SecretMissing("WEB_OIDC_CLIENT_ID and WEB_OIDC_REDIRECT_URI must be set with WEB_OIDC_ISSUER")
        self.issuer, self.client_id = settings.oidc_issuer, settings.oidc_client_id
        self.redirect_uri, self.scope = settings.oidc_redirect_uri, settings.oidc_scope
        self.secret = _client_secret(settings.oidc_client_secret_file)
        trust = ssl.create_default_context(cafile=settings.oidc_ca_file) if settings.oidc_ca_file else True
        self.http = httpx.AsyncClient(timeout=settings.oidc_timeout_s, verify=trust, follow_redirects=False)
        self._endpoints: Endpoints | None = None
        self._discovered_at = 0.0
        self._keys: dict[str, jwt.PyJWK] = {}
        self._keys_at = float("-inf")
        self._lock = asyncio.Lock()

    async def close(self) -> None:
        await self.http.aclose()

    async def _get(self, url: str) -> dict[str, Any]:
        try:
            response = await self.http.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            found = response.json()
        except (httpx.HTTPError, ValueError) as error:
            log.warning("the identity provider could not be read at %s: %s", url, error)
            raise ProviderUnreachable from None
        if not isinstance(found, dict):
            raise ProviderUnreachable
        return found

    async def endpoints(self) -> Endpoints:
        """The discovery document's endpoints, read again after ``DISCOVERY_TTL_S``."""
        async with self._lock:
            if self._endpoints is None or time.monotonic() - self._discovered_at > DISCOVERY_TTL_S:
                document = await self._get(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
                self._endpoints = self._endpoints_in(document)
                self._discovered_at = time.monotonic()
            return self._endpoints

    def _endpoints_in(self, document: dict[str, Any]) -> Endpoints:
        urls = {k: document.get(k) for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")}
        named = {k: u for k, u in urls.items() if isinstance(u, str) and u.startswith("https://")}
        if document.get("issuer") != self.issuer or len(named) != len(urls):
            log.warning("the discovery document does not name the issuer %s and https endpoints", self.issuer)
            raise ProviderUnreachable
        methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        return Endpoints(
            self.issuer, named["authorization_endpoint"], named["token_endpoint"], named["jwks_uri"], tuple(methods)
        )

    async def authorization_url(self, login: Login) -> str:
        endpoints = await self.endpoints()
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": self.scope,
            "state": login.state,
            "nonce": login.nonce,
            "code_challenge": login.challenge,
            "code_challenge_method": "S256",
        }
        return f"{endpoints.authorization}{'&' if '?' in endpoints.authorization else '?'}{urlencode(query)}"

    async def redeem(self, code: str, login: Login) -> tuple[str, str]:
        """The code traded at the token endpoint: ``(access token, ID token)``."""
        endpoints = await self.endpoints()
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": self.redirect_uri,
            "code_verifier": login.verifier,
        }
        headers = {"Accept": "application/json"}
        if self.secret is None:
            form["client_id"] = self.client_id
        elif "client_secret_basic" in endpoints.auth_methods:  # RFC 6749 §2.3.1: form-encoded, then Basic
            pair = f"{quote_plus(self.client_id)}:{quote_plus(self.secret)}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        else:
            form |= {"client_id": self.client_id, "client_secret": self.secret}
        try:
            response = await self.http.post(endpoints.token, data=form, headers=headers)
        except httpx.HTTPError as error:
            log.warning("the identity provider's token endpoint did not answer: %s", error)
            raise ProviderUnreachable from None
        if response.status_code >= 500:
            raise ProviderUnreachable
        try:
            tokens = response.json() if response.status_code == 200 else {}
        except ValueError:
            tokens = {}
        access, identity = tokens.get("access_token"), tokens.get("id_token")
        if not (isinstance(access, str) and isinstance(identity, str) and access and identity):
            raise LoginRefused("failed", f"the token endpoint answered {response.status_code} without both tokens")
        if str(tokens.get("token_type", "")).lower() != "bearer":
            raise LoginRefused("failed", "the token endpoint's token is not a bearer token")
        return access, identity

    async def _key(self, kid: str, jwks_uri: str) -> jwt.PyJWK:
        """The provider's key ``kid``; its JWKS is read again when a token names a key not seen yet
        (a rotation), at most once per ``JWKS_REFRESH_MIN_S``."""
        async with self._lock:
            if kid not in self._keys and time.monotonic() - self._keys_at >= JWKS_REFRESH_MIN_S:
                document = await self._get(jwks_uri)
                self._keys_at = time.monotonic()
                try:
                    keys = jwt.PyJWKSet.from_dict(document).keys
                except jwt.PyJWKSetError:
                    keys = []
                self._keys = {k.key_id or "": k for k in keys if k.public_key_use in (None, "sig")}
        if kid not in self._keys and not kid and len(self._keys) == 1:
            return next(iter(self._keys.values()))  # a provider with one key may leave kid out
        try:
            return self._keys[kid]
        except KeyError:
            raise LoginRefused("failed", "the ID token is signed with a key the provider does not publish") from None

    async def identity(self, id_token: str, login: Login) -> dict[str, Any]:
        """The ID token's claims, once it is shown to be the provider's, for this client and this login."""
        endpoints = await self.endpoints()
        try:
            header = jwt.get_unverified_header(id_token)
        except jwt.InvalidTokenError:
            raise LoginRefused("failed", "the ID token is not a JWT") from None
        algorithm, kid = header.get("alg"), str(header.get("kid") or "")
        if algorithm not in ALGORITHMS:
            raise LoginRefused("failed", f"the ID token's algorithm {algorithm!r} is not accepted")
        key = await self._key(kid, endpoints.jwks)
        try:
            claims: dict[str, Any] = jwt.decode(
                id_token,
                key.key,
                algorithms=[str(algorithm)],
                audience=self.client_id,
                issuer=endpoints.issuer,
                leeway=LEEWAY_S,
                options={"require": ["iss", "aud", "exp", "iat", "sub", "nonce"]},
            )
        except jwt.InvalidTokenError as refused:
            raise LoginRefused("failed", f"the ID token is refused: {refused}") from None
        if not hmac.compare_digest(str(claims["nonce"]).encode(), login.nonce.encode()):
            raise LoginRefused("failed", "the ID token's nonce is not this login's")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:
            raise LoginRefused("failed", "the ID token was issued to another client (azp)")
        return claims


def _client_secret(path: str) -> str | None:
    """The client secret from its file (``WEB_OIDC_CLIENT_SECRET_FILE``); None for a public client."""
    if not path:
        return None
    try:
        secret = Path(path).read_text().strip()
    except OSError as error:
        raise SecretMissing(f"WEB_OIDC_CLIENT_SECRET_FILE names {path}, which cannot be read: {error}") from None
    if not secret:
        raise SecretMissing(f"WEB_OIDC_CLIENT_SECRET_FILE names {path}, which is empty")
    return secret
