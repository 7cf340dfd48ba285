"""The audit trail: a service can add to it but never rewrite it, tampering by the database's owner
is found and named by ``tuoguan audit verify``, and every command leaves a line, refused ones too."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid

import asyncpg
import httpx
import jwt
import pytest

from deploy.endpoints import ROOT
from shared import audit
from shared.auth import Principal
from shared.commands import AuditEntry
from testkit.city import token
from tests.conftest import Stack
from tests.support.polling import eventually

SERVICES = ["enrollment", "attendance", "subsidy", "notify"]


@pytest.mark.parametrize("service", SERVICES)
async def test_a_service_cannot_rewrite_erase_or_unguard_its_audit_trail(stack: Stack, service: str) -> None:
    conn = await stack.connect(service)
    try:
        for table in ("audit_log", "audit_chain"):
            for statement in (f"UPDATE {table} SET audit_id = audit_id", f"DELETE FROM {table}", f"TRUNCATE {table}"):
                with pytest.raises(asyncpg.InsufficientPrivilegeError, match=f"permission denied for table {table}"):
                    await conn.execute(statement)
            with pytest.raises(asyncpg.InsufficientPrivilegeError, match="must be owner"):
                await conn.execute(f"ALTER TABLE {table} DISABLE TRIGGER ALL")
        with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied for schema public"):
            await conn.execute("CREATE TABLE shadow_audit_log (line text)")
    finally:
        await conn.close()


async def _verify(stack: Stack) -> tuple[int, str]:
    """``tuoguan audit verify`` for subsidy's trail, as an operator runs it: (exit code, output)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "shared.audit",
        "verify",
        "--service",
        "subsidy",
        cwd=ROOT,
        env={**os.environ, **stack.service_env()},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    return process.returncode, out.decode()


def _decision(officer: Principal) -> AuditEntry:
    application = str(uuid.uuid4())
    return AuditEntry(
        service="subsidy",
        actor=officer,
        action="POST /applications/{application_id}/decision",
        target={"application_id": application},
        idempotency_key=f"k-{application}",
        correlation_id=uuid.uuid4(),
    )


async def _sealed(conn: asyncpg.Connection, ids: list[int]) -> bool:
    return await conn.fetchval("SELECT count(*) FROM audit_chain WHERE audit_id = ANY($1::bigint[])", ids) == len(ids)


async def _decisions_audited(stack: Stack, statuses: list[int]) -> list[int]:
    """Audit lines of a union officer's subsidy decisions, written as the service writes them, sealed."""
    officer = Principal(sub=f"officer-{uuid.uuid4().hex[:8]}", role="union_staff", union_id=uuid.uuid4())
    conn = await stack.connect("subsidy")
    try:
        for status in statuses:
            await _decision(officer).record(conn, status)
        ids = [
            r["audit_id"]
            for r in await conn.fetch(
                "SELECT audit_id FROM audit_log WHERE actor_sub = $1 ORDER BY audit_id", officer.sub
            )
        ]
        await eventually(lambda: _seal_then(conn, ids))
    finally:
        await conn.close()
    return ids


async def test_a_slow_commands_line_committed_after_a_quicker_one_is_still_chained(stack: Stack) -> None:
    officer = Principal(sub=f"officer-{uuid.uuid4().hex[:8]}", role="union_staff", union_id=uuid.uuid4())
    slow, quick, sealer = [await stack.connect("subsidy") for _ in range(3)]
    try:
        async with slow.transaction():
            await _decision(officer).record(slow, 200)  # the lower audit id, still uncommitted
            await _decision(officer).record(quick, 403)
            ids = [
                r["audit_id"]
                for r in await sealer.fetch("SELECT audit_id FROM audit_log WHERE actor_sub = $1", officer.sub)
            ]
            await audit.seal(sealer)
            assert ids and not await _sealed(sealer, ids), "the quick line waits for the slow command to end"
        ids = [
            r["audit_id"]
            for r in await sealer.fetch(
                "SELECT audit_id FROM audit_log WHERE actor_sub = $1 ORDER BY audit_id", officer.sub
            )
        ]
        assert len(ids) == 2
        await eventually(lambda: _seal_then(sealer, ids))
        assert (await audit.verify(sealer)).broken is None
    finally:
        for conn in (slow, quick, sealer):
            await conn.close()


async def _seal_then(conn: asyncpg.Connection, ids: list[int]) -> bool:
    await audit.seal(conn)
    return await _sealed(conn, ids)


async def test_a_refusal_rewritten_as_an_approval_is_found_and_named(stack: Stack) -> None:
    _, refused, _ = await _decisions_audited(stack, [200, 403, 200])
    assert (await _verify(stack))[0] == 0
    owner = await asyncpg.connect(stack.owner_url("subsidy"))
    try:
        await owner.execute("UPDATE audit_log SET status_code = 200 WHERE audit_id = $1", refused)
        code, out = await _verify(stack)
        assert code == 1 and f"BROKEN at row {refused}: its content does not match its seal" in out, out

        await owner.execute("UPDATE audit_log SET status_code = 403 WHERE audit_id = $1", refused)
        code, out = await _verify(stack)
        assert code == 0 and "subsidy:" in out and out.rstrip().endswith(": ok"), out
    finally:
        await owner.close()


async def test_an_erased_audit_line_is_found_and_named(stack: Stack) -> None:
    _, refused, _ = await _decisions_audited(stack, [200, 403, 200])
    owner = await asyncpg.connect(stack.owner_url("subsidy"))
    try:
        await owner.execute("CREATE TEMP TABLE erased AS SELECT * FROM audit_log WHERE audit_id = $1", refused)
        await owner.execute("DELETE FROM audit_log WHERE audit_id = $1", refused)
        code, out = await _verify(stack)
        assert code == 1 and f"BROKEN at row {refused}: it was deleted" in out, out
    finally:
        await owner.execute("INSERT INTO audit_log SELECT * FROM erased")
        await owner.close()
    assert (await _verify(stack))[0] == 0


async def _trail(service_url: str, actor_sub: str) -> list[tuple[str, int, dict]]:
    async with httpx.AsyncClient(base_url=service_url, timeout=30) as http:
        lines = (
            await http.get("/audit", params={"limit": 1000}, headers={"Authorization": f"Bearer {token('admin')}"})
        ).json()
    return [(line["action"], line["status_code"], line["target"]) for line in lines if line["actor_sub"] == actor_sub]


def _sub(bearer: str) -> str:
    return jwt.decode(bearer, options={"verify_signature": False})["sub"]


async def test_a_guardians_preference_change_and_a_strangers_attempt_are_audited(start_service) -> None:
    notify = await start_service("notify").wait_healthy()
    guardian = uuid.uuid4()
    own, stranger = token("parent", member_id=guardian), token("parent", member_id=uuid.uuid4())
    quiet = {"quiet_start": "21:00:00", "quiet_end": "07:00:00", "language": "en"}
    async with httpx.AsyncClient(base_url=notify.url, timeout=30) as http:
        path = f"/guardians/{guardian}/preferences"
        assert (await http.put(path, json=quiet, headers={"Authorization": f"Bearer {own}"})).status_code == 200
        assert (await http.put(path, json={}, headers={"Authorization": f"Bearer {stranger}"})).status_code == 403
    action, target = "PUT /guardians/{guardian_id}/preferences", {"guardian_id": str(guardian)}
    assert await _trail(notify.url, _sub(own)) == [(action, 200, target)]
    assert await _trail(notify.url, _sub(stranger)) == [(action, 403, target)]


async def test_a_union_name_the_database_cannot_store_is_refused_and_audited(start_service) -> None:
    enrollment = await start_service("enrollment").wait_healthy()
    admin = token("admin")
    async with httpx.AsyncClient(base_url=enrollment.url, timeout=30) as http:
        nul_in_name = {"name": "郑州市\u0000总工会", "level": "city", "parent_id": None}
        refused = await http.post(
            "/unions",
            json=nul_in_name,
            headers={"Authorization": f"Bearer {admin}", "Idempotency-Key": f"k-{uuid.uuid4()}"},
        )
    assert refused.status_code == 422, refused.text
    assert await _trail(enrollment.url, _sub(admin)) == [("POST /unions", 422, {})]
