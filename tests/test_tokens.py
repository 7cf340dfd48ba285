"""Who may call a service: only a bearer of a token the city's identity provider signed, for this
service, still valid and not made to live too long. And no service starts on a public secret."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from deploy.keys import SERVICES
from shared.auth import Principal, audience, mint, signing_key
from testkit.processes import ServiceProcess
from tests.conftest import SharedStarter, Stack

ADMIN = Principal(sub="admin-tokens-test", role="admin")


def claims(**overrides: object) -> dict:
    now = int(time.time())
    return {
        "sub": ADMIN.sub,
        "role": "admin",
        "iss": "tuoguan",
        "aud": [audience("enrollment")],
        "iat": now,
        "exp": now + 600,
        **overrides,
    }


def signed(payload: dict, key: object | None = None, algorithm: str = "EdDSA") -> str:
    private, kid = signing_key()
    return jwt.encode(payload, key or private, algorithm=algorithm, headers={"kid": kid})


@pytest.fixture
async def enrollment(module_service: SharedStarter) -> ServiceProcess:
    return await module_service("enrollment")


async def audit_answer(service: ServiceProcess, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=service.url, timeout=10) as http:
        return await http.get("/audit", params={"limit": 1}, headers={"Authorization": f"Bearer {token}"})


async def test_a_token_from_the_installs_key_for_this_service_is_accepted(enrollment: ServiceProcess) -> None:
    assert (await audit_answer(enrollment, mint(ADMIN, audiences=("enrollment",)))).status_code == 200


@pytest.mark.parametrize(
    "case",
    [
        "another key",
        "old public HS256 secret",
        "alg none",
        "another service",
        "lives too long",
        "expired",
        "issued in the future",
        "another issuer",
    ],
)
async def test_a_token_that_cannot_be_trusted_is_refused(enrollment: ServiceProcess, case: str) -> None:
    now = int(time.time())
    token = {
        "another key": lambda: signed(claims(), key=Ed25519PrivateKey.generate()),
        "old public HS256 secret": lambda: jwt.encode(
            claims(), "tuoguan-dev-secret-change-me-in-production", algorithm="HS256"
        ),
        "alg none": lambda: jwt.encode(claims(), None, algorithm="none"),
        "another service": lambda: signed(claims(aud=[audience("attendance")])),
        "lives too long": lambda: signed(claims(iat=now, exp=now + 30 * 24 * 3600)),
        "expired": lambda: signed(claims(iat=now - 7200, exp=now - 3600)),
        "issued in the future": lambda: signed(claims(iat=now + 3600, exp=now + 4000)),
        "another issuer": lambda: signed(claims(iss="someone-else")),
    }[case]()
    answer = await audit_answer(enrollment, token)
    assert answer.status_code == 401, (case, answer.text)
    assert answer.json()["reasons"][0]["field"] == "Authorization"


async def start_and_fail(stack: Stack, log_dir: Path, service: str, **env: str) -> str:
    process = ServiceProcess(service, stack.service_env(**env), log_dir, f"{service}-refuses").start()
    code = await process.wait_exit(timeout=60)
    assert code != 0
    return process.log_tail(5)


async def test_a_service_refuses_to_start_without_a_jwks(stack: Stack, log_dir: Path) -> None:
    assert "TUOGUAN_JWKS is not set" in await start_and_fail(stack, log_dir, "enrollment", TUOGUAN_JWKS="")


@pytest.mark.parametrize(
    "value, says",
    [
        ("tuoguan-dev-pseudonym-key", "known, public value"),
        ("short-7d3f9a2c", "at least 32"),
        ("", "not set"),
    ],
)
async def test_a_service_refuses_a_known_or_short_secret(stack: Stack, log_dir: Path, value: str, says: str) -> None:
    tail = await start_and_fail(stack, log_dir, "attendance", TUOGUAN_PSEUDONYM_KEY=value)
    assert "TUOGUAN_PSEUDONYM_KEY" in tail and says in tail, tail


async def test_a_service_refuses_a_weak_kafka_password(stack: Stack, log_dir: Path) -> None:
    tail = await start_and_fail(stack, log_dir, "subsidy", SUBSIDY_KAFKA_PASSWORD="password")
    assert "SUBSIDY_KAFKA_PASSWORD" in tail, tail


async def test_a_service_process_sees_only_its_own_secrets(stack: Stack, log_dir: Path) -> None:
    # A fresh interpreter, as production starts it: /proc/<pid>/environ is what the process was given.
    notify = ServiceProcess("notify", stack.service_env(), log_dir, "notify-env", fresh_interpreter=True).start()
    try:
        await notify.wait_healthy()
        assert notify.proc is not None
        names = {
            entry.split(b"=", 1)[0].decode()
            for entry in Path(f"/proc/{notify.proc.pid}/environ").read_bytes().split(b"\0")
            if b"=" in entry
        }
        assert {"NOTIFY_DATABASE_URL", "NOTIFY_KAFKA_PASSWORD", "TUOGUAN_JWKS"} <= names
        others = {n for n in names if n.startswith(tuple(f"{s.upper()}_" for s in SERVICES if s != "notify"))}
        assert others == set(), "another service's settings"
        assert not names & {
            "KAFKA_ADMIN_PASSWORD",
            "TUOGUAN_PG_ADMIN_URL",
            "TUOGUAN_JWT_SIGNING_KEY_FILE",
            "TUOGUAN_PSEUDONYM_KEY",
        }
    finally:
        notify.stop()
