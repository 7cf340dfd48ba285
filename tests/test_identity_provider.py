"""Tokens from the city's identity provider: a service reads the provider's public keys from its
https JWKS URL, follows a key rotation, and answers 503 with Retry-After (not 500, not 401) while
the provider cannot be reached."""

from __future__ import annotations

import asyncio
import datetime as dt
import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import jwt
import pytest
import uvicorn
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from shared.auth import audience, public_jwk
from testkit.processes import ServiceProcess, free_port
from tests.conftest import ServiceStarter
from tests.support.tls import self_signed


@dataclass
class IdentityProvider:
    """The city's identity provider on loopback: it signs tokens and publishes its keys over https."""

    cert: Path
    key: Path
    port: int = field(default_factory=free_port)
    keys: list[Ed25519PrivateKey] = field(default_factory=lambda: [Ed25519PrivateKey.generate()])
    answering: bool = True
    server: uvicorn.Server | None = None
    task: asyncio.Task | None = None

    @property
    def jwks_url(self) -> str:
        return f"https://127.0.0.1:{self.port}/.well-known/jwks.json"

    async def up(self) -> None:
        app = FastAPI()

        @app.get("/.well-known/jwks.json")
        async def jwks() -> JSONResponse:
            if not self.answering:
                return JSONResponse({"error": "maintenance"}, status_code=503)
            return JSONResponse({"keys": [public_jwk(k) for k in self.keys]})

        self.server = uvicorn.Server(
            uvicorn.Config(
                app,
                host="127.0.0.1",
                port=self.port,
                log_level="warning",
                ssl_certfile=str(self.cert),
                ssl_keyfile=str(self.key),
            )
        )
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            await asyncio.sleep(0.05)

    async def down(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
            await self.task

    def token(self, key: Ed25519PrivateKey | None = None, service: str = "enrollment") -> str:
        key = key or self.keys[-1]
        now = int(dt.datetime.now(dt.UTC).timestamp())
        claims = {
            "sub": "admin-from-idp",
            "role": "admin",
            "iss": "tuoguan",
            "aud": [audience(service)],
            "iat": now,
            "exp": now + 600,
        }
        return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": public_jwk(key)["kid"]})


@pytest.fixture
async def idp(tmp_path: Path) -> AsyncIterator[IdentityProvider]:
    provider = IdentityProvider(
        *self_signed(tmp_path, x509.IPAddress(ipaddress.ip_address("127.0.0.1")), "city identity provider")
    )
    await provider.up()
    yield provider
    await provider.down()


async def audit(service: ServiceProcess, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=service.url, timeout=15) as http:
        return await http.get("/audit", params={"limit": 1}, headers={"Authorization": f"Bearer {token}"})


async def test_tokens_are_checked_with_the_providers_keys_through_a_rotation_and_an_outage(
    idp: IdentityProvider, start_service: ServiceStarter
) -> None:
    enrollment = await start_service(
        "enrollment", TUOGUAN_JWKS=idp.jwks_url, TUOGUAN_JWKS_CA_FILE=str(idp.cert), TUOGUAN_JWKS_REFRESH_MIN_S="0.2"
    ).wait_healthy()
    assert (await audit(enrollment, idp.token())).status_code == 200

    stranger = Ed25519PrivateKey.generate()
    assert (await audit(enrollment, idp.token(stranger))).status_code == 401, "a key the provider never published"

    idp.keys.append(Ed25519PrivateKey.generate())  # the provider rotates: a new key signs from now on
    await asyncio.sleep(0.3)
    assert (await audit(enrollment, idp.token())).status_code == 200, "the new key is fetched when first seen"

    idp.answering = False
    idp.keys.append(Ed25519PrivateKey.generate())
    await asyncio.sleep(0.3)
    down = await audit(enrollment, idp.token())
    assert down.status_code == 503 and down.headers["Retry-After"] == "5", down.text
    assert (await audit(enrollment, idp.token(idp.keys[0]))).status_code == 200, "known keys keep working"

    idp.answering = True
    await asyncio.sleep(0.3)
    assert (await audit(enrollment, idp.token())).status_code == 200, "the first request after the outage works"


async def test_a_provider_whose_certificate_is_not_trusted_is_not_believed(
    idp: IdentityProvider, start_service: ServiceStarter
) -> None:
    enrollment = await start_service("enrollment", TUOGUAN_JWKS=idp.jwks_url).wait_healthy()
    assert (await audit(enrollment, idp.token())).status_code == 503


async def test_an_http_jwks_url_is_refused_at_start(start_service: ServiceStarter) -> None:
    enrollment = start_service("enrollment", TUOGUAN_JWKS="http://127.0.0.1:9/jwks.json")
    assert await enrollment.wait_exit(timeout=60) != 0
    assert "TUOGUAN_JWKS must be an https URL" in enrollment.log_tail(5)
