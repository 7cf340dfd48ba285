"""Bearer tokens (JWT signed with EdDSA or RS256) and who the caller is.

Roles: ``admin`` (the platform operator, creates city federations), ``union_staff`` (acts
within the subtree of ``union_id``), ``provider_staff`` (acts at the sites of ``provider_id``),
``parent`` (a union member, ``member_id``, belonging to ``union_id``; acts for their own
children). New roles add a value here and a rule where they are checked.

Verification uses public keys only, from the JWKS in ``TUOGUAN_JWKS``: a file, or the https URL
of the city's identity provider. There is no shared secret and no default key: a service
without a JWKS does not start. Every token must name the service it is for in ``aud``
(``tuoguan-<service>``), be issued by ``TUOGUAN_JWT_ISSUER``, and live no longer than
``TUOGUAN_TOKEN_MAX_TTL_S`` (``exp - iat``), whatever its signature says.

Development tokens are signed with the install's private key (``deploy/keys.py`` makes one per
install; ``./tuoguan token`` mints with it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import ssl
import time
import uuid
from collections import OrderedDict
from pathlib import Path
from typing import Annotated, Any, get_args

import httpx
import jwt
from fastapi import Depends, Request
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.errors import Unauthenticated, Unavailable
from shared.principal import Principal, Role
from shared.secrets import SecretMissing

log = logging.getLogger(__name__)
ALGORITHMS = ("EdDSA", "RS256")
DEFAULT_ISSUER = "tuoguan"
DEFAULT_MAX_TTL_S = 12 * 3600
LEEWAY_S = 30
SERVICES = ("enrollment", "attendance", "subsidy", "notify")
JWKS_REFRESH_MIN_S = 30.0


class AuthSettings(BaseSettings):
    """``TUOGUAN_JWKS``, ``TUOGUAN_JWT_ISSUER``, ``TUOGUAN_TOKEN_MAX_TTL_S``, ``TUOGUAN_JWKS_CA_FILE``,
    ``TUOGUAN_JWKS_REFRESH_MIN_S`` and, for development tokens, ``TUOGUAN_JWT_SIGNING_KEY_FILE``."""

    model_config = SettingsConfigDict(env_prefix="TUOGUAN_", extra="ignore")

    jwks: str = ""
    jwt_issuer: str = DEFAULT_ISSUER
    token_max_ttl_s: int = DEFAULT_MAX_TTL_S
    jwks_ca_file: str = ""
    jwks_refresh_min_s: float = JWKS_REFRESH_MIN_S
    jwt_signing_key_file: str = ""


def audience(service: str) -> str:
    return f"tuoguan-{service}"


class IdentityProviderUnavailable(Exception):
    """The JWKS URL did not answer with keys; a token naming a new key cannot be checked now."""


class TokenRefused(Exception):
    """The token cannot be trusted; the message is safe to show the caller."""


class Verifier:
    """Checks tokens for one service against the keys of a JWKS.

    Keys are looked up by ``kid``. A URL source is fetched again when a token names a key not
    seen yet (a rotation at the identity provider), at most once per ``JWKS_REFRESH_MIN_S``, so a
    flood of made-up ``kid`` values cannot turn into a flood of fetches. An identity provider whose
    certificate comes from a private CA is trusted through ``TUOGUAN_JWKS_CA_FILE``.

    A token that passed is remembered (the last ``CACHE_SIZE``) until it expires: an Ed25519
    check costs about 0.25 ms, and a client sends the same token with every request.
    """

    CACHE_SIZE = 4096

    def __init__(
        self,
        source: str,
        service: str,
        *,
        issuer: str = DEFAULT_ISSUER,
        max_ttl_s: int = DEFAULT_MAX_TTL_S,
        ca_file: str | None = None,
        refresh_min_s: float = JWKS_REFRESH_MIN_S,
    ) -> None:
        if not source:
            raise SecretMissing(
                "TUOGUAN_JWKS is not set: it must name the JWKS file or the identity "
                "provider's https JWKS URL (./tuoguan up generates a key pair per install)"
            )
        if source.startswith("http://"):
            raise SecretMissing("TUOGUAN_JWKS must be an https URL or a file path, not http")
        self.source, self.audience, self.issuer, self.max_ttl_s = source, audience(service), issuer, max_ttl_s
        self.ca_file, self.refresh_min_s = ca_file, refresh_min_s
        self._keys: dict[str, jwt.PyJWK] = {}
        self._verified: OrderedDict[str, Principal] = OrderedDict()
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        if not self._is_url:
            path = Path(source)
            if not path.is_file():
                raise SecretMissing(f"TUOGUAN_JWKS names {source}, which is not a readable file")
            self._keys = _parse_jwks(path.read_text())
            if not self._keys:
                raise SecretMissing(f"TUOGUAN_JWKS file {source} holds no EdDSA or RS256 signing key")

    @classmethod
    def from_environment(cls, service: str) -> Verifier:
        settings = AuthSettings()
        return cls(
            settings.jwks,
            service,
            issuer=settings.jwt_issuer,
            max_ttl_s=settings.token_max_ttl_s,
            ca_file=settings.jwks_ca_file or None,
            refresh_min_s=settings.jwks_refresh_min_s,
        )

    @property
    def _is_url(self) -> bool:
        return self.source.startswith("https://")

    async def _key(self, kid: str) -> jwt.PyJWK:
        if kid not in self._keys and self._is_url:
            async with self._lock:
                if kid not in self._keys and time.monotonic() - self._fetched_at >= self.refresh_min_s:
                    self._fetched_at = time.monotonic()
                    trust = ssl.create_default_context(cafile=self.ca_file) if self.ca_file else True
                    try:
                        async with httpx.AsyncClient(timeout=5.0, verify=trust, follow_redirects=False) as client:
                            response = await client.get(self.source)
                            response.raise_for_status()
                        self._keys = _parse_jwks(response.text)
                    except (httpx.HTTPError, ValueError, jwt.PyJWKSetError) as unreachable:
                        self._fetched_at = 0.0  # try again with the next request
                        log.warning("the identity provider's JWKS could not be read: %s", unreachable)
                        raise IdentityProviderUnavailable from None
        try:
            return self._keys[kid]
        except KeyError:
            raise TokenRefused("the token is signed with an unknown key") from None

    async def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None:
            if known.exp is not None and known.exp > time.time() - LEEWAY_S:
                self._verified.move_to_end(token)
                return known
            del self._verified[token]
        principal = await self._check(token)
        self._verified[token] = principal
        if len(self._verified) > self.CACHE_SIZE:
            self._verified.popitem(last=False)
        return principal

    async def _check(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise TokenRefused("the token is not valid") from None
        if header.get("alg") not in ALGORITHMS:
            raise TokenRefused("the token's algorithm is not accepted")
        key = await self._key(str(header.get("kid", "")))
        if key.algorithm_name != header["alg"]:
            raise TokenRefused("the token's algorithm does not match its key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[header["alg"]],
                issuer=self.issuer,
                audience=self.audience,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise TokenRefused("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise TokenRefused(f"the token is not for this service (audience {self.audience})") from None
        except jwt.InvalidTokenError:
            raise TokenRefused("the token is not valid") from None
        if claims["exp"] <= time.time() - LEEWAY_S:  # PyJWT checked too; one clock for this and the cache
            raise TokenRefused("the token has expired")
        if claims["exp"] - claims["iat"] > self.max_ttl_s:
            raise TokenRefused(f"the token lives longer than the {self.max_ttl_s} s this service accepts")
        if claims["iat"] > time.time() + LEEWAY_S:
            raise TokenRefused("the token was issued in the future")
        try:
            return Principal.model_validate(claims)
        except ValidationError:
            raise TokenRefused("the token's claims are not valid") from None


def _parse_jwks(text: str) -> dict[str, jwt.PyJWK]:
    keys = {}
    for jwk in jwt.PyJWKSet.from_dict(json.loads(text)).keys:
        if jwk.key_id and jwk.algorithm_name in ALGORITHMS and jwk.public_key_use in (None, "sig"):
            keys[jwk.key_id] = jwk
    return keys


def public_jwk(private: Any) -> dict[str, str]:
    """The public JWK of an Ed25519 private key; its ``kid`` is the RFC 7638 thumbprint."""
    import base64
    import hashlib

    from cryptography.hazmat.primitives import serialization

    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    x = b64(private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    canonical = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True)
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": x,
        "kid": b64(hashlib.sha256(canonical.encode()).digest()),
        "alg": "EdDSA",
        "use": "sig",
    }


def _unauthorised(reason: str) -> Unauthenticated:
    return Unauthenticated(reason, field="Authorization")


async def authenticate(request: Request) -> Principal:
    """The verified caller, or 401 with the reason."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorised("a bearer token is required")
    try:
        verifier: Verifier = request.app.state.verifier
        return await verifier.verify(token)
    except TokenRefused as refused:
        raise _unauthorised(str(refused)) from None
    except IdentityProviderUnavailable:
        raise Unavailable(
            "the identity provider's keys cannot be read just now; try again shortly",
            field="Authorization",
            retry_after_s=5,
        ) from None


async def caller(request: Request) -> Principal:
    """The verified caller; async, so that FastAPI runs it on the event loop rather than in a thread."""
    return await authenticate(request)


Caller = Annotated[Principal, Depends(caller)]


# ---- development tokens ------------------------------------------------------------------------


def signing_key(path: str | None = None) -> tuple[Any, str]:
    """The install's private key and its ``kid`` (``TUOGUAN_JWT_SIGNING_KEY_FILE``)."""
    from cryptography.hazmat.primitives import serialization

    path = path or AuthSettings().jwt_signing_key_file
    if not path:
        raise SecretMissing("TUOGUAN_JWT_SIGNING_KEY_FILE is not set; run ./tuoguan up (or python -m deploy.keys)")
    private = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    return private, public_jwk(private)["kid"]


def mint(
    principal: Principal,
    *,
    ttl_s: int = 3600,
    audiences: tuple[str, ...] = SERVICES,
    key_file: str | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """A token for ``principal``, valid at the given services, signed with the install's key."""
    private, kid = signing_key(key_file)
    now = int(time.time())
    claims = {
        **principal.model_dump(mode="json", exclude_none=True),
        "iss": AuthSettings().jwt_issuer,
        "aud": [audience(s) for s in audiences],
        "iat": now,
        "exp": now + ttl_s,
        **(extra or {}),
    }
    return jwt.encode(claims, private, algorithm="EdDSA", headers={"kid": kid})


# What each role's token must name: a parent acts for a member of a union, staff for their union or provider.
ROLE_NEEDS = {"parent": ("union", "member"), "union_staff": ("union",), "provider_staff": ("provider",)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="./tuoguan token", description="Mint a development token with the install's signing key."
    )
    parser.add_argument("command", choices=["mint"], help=argparse.SUPPRESS)
    parser.add_argument("--role", required=True, choices=list(get_args(Role)))
    parser.add_argument("--sub", default=None)
    parser.add_argument("--union", type=uuid.UUID)
    parser.add_argument("--provider", type=uuid.UUID)
    parser.add_argument("--member", type=uuid.UUID)
    parser.add_argument(
        "--service",
        action="append",
        choices=SERVICES,
        help="the services the token is for (repeatable; default all four)",
    )
    parser.add_argument("--ttl", type=int, default=DEFAULT_MAX_TTL_S)
    args = parser.parse_args(argv)
    missing = [f"--{name}" for name in ROLE_NEEDS.get(args.role, ()) if getattr(args, name) is None]
    if missing:
        parser.error(f"--role {args.role} needs {' and '.join(missing)}")
    principal = Principal(
        sub=args.sub or f"{args.role}-{uuid.uuid4().hex[:8]}",
        role=args.role,
        union_id=args.union,
        provider_id=args.provider,
        member_id=args.member,
    )
    print(mint(principal, ttl_s=args.ttl, audiences=tuple(args.service or SERVICES)))


if __name__ == "__main__":
    main()
