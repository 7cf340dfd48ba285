"""deploy/drill-restore: a service's database dumped, restored into a scratch database and counted;
the scratch database is gone afterwards, and a restore that lost a row fails the drill."""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from deploy.drill_restore import compare, drill, source_of
from deploy.endpoints import ROOT
from tests.conftest import Stack

ADMIN = "postgresql://admin:pw@db.example:5432/postgres"
# Events attendance has handled: rows the drill must bring back, one by one.
HANDLED = [uuid.uuid4() for _ in range(5)]


@pytest.fixture
async def handled_events(stack: Stack) -> AsyncIterator[list[uuid.UUID]]:
    conn = await stack.connect("attendance")
    try:
        await conn.executemany(
            "INSERT INTO processed_events (event_id, event_type, topic, kafka_partition, kafka_offset, handled_by) "
            "VALUES ($1, 'child.enrolled', 'enrollment.events', 0, $2, 'drill')",
            [(event_id, offset) for offset, event_id in enumerate(HANDLED)],
        )
        yield HANDLED
        await conn.execute("DELETE FROM processed_events WHERE event_id = ANY($1)", HANDLED)
    finally:
        await conn.close()


async def scratch_databases(stack: Stack) -> list[str]:
    conn = await asyncpg.connect(stack.endpoints.pg_admin)
    try:
        return [r[0] for r in await conn.fetch("SELECT datname FROM pg_database WHERE datname LIKE 'drill\\_%'")]
    finally:
        await conn.close()


async def test_a_drill_restores_attendances_database_with_every_row_and_leaves_no_scratch_behind(
    stack: Stack, handled_events: list[uuid.UUID]
) -> None:
    before = await scratch_databases(stack)
    # As the service's own role (its rights suffice to dump its database), the URL in the environment.
    source = {"DRILL_SOURCE_URL": stack.database_urls["attendance"], "TUOGUAN_PG_ADMIN_URL": stack.endpoints.pg_admin}
    done = await asyncio.to_thread(
        subprocess.run,
        [str(ROOT / "deploy/drill-restore")],
        env={**os.environ, **source},
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    line = done.stdout.strip()
    assert "\n" not in line and line.startswith(f"drill-restore: {stack.namespace}_attendance -> drill_"), line
    assert line.endswith(": ok"), line
    assert await scratch_databases(stack) == before


async def test_a_restore_that_lost_a_handled_event_fails_the_drill(
    stack: Stack, handled_events: list[uuid.UUID]
) -> None:
    async def lose_one(restored: asyncpg.Connection) -> None:
        await restored.execute("DELETE FROM processed_events WHERE event_id = $1", handled_events[0])

    result = await drill(stack.database_urls["attendance"], stack.endpoints.pg_admin, after_restore=lose_one)
    assert not result.ok
    assert result.mismatches == [
        f"public.processed_events {result.source_counts['public.processed_events']} != "
        f"{result.source_counts['public.processed_events'] - 1}"
    ]
    assert "MISMATCH in 1 table(s): public.processed_events" in result.line()


def test_a_table_missing_from_the_restore_or_only_in_it_is_a_mismatch() -> None:
    assert compare({"public.a": 3, "public.b": 1}, {"public.a": 3, "public.b": 1}) == []
    assert compare({"public.a": 3, "public.b": 1}, {"public.a": 3, "public.c": 0}) == [
        "public.b missing from the restore (1 rows)",
        "public.c only in the restore (0 rows)",
    ]


def test_a_service_named_without_a_url_is_drilled_in_its_namespaces_database_on_the_admins_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("DRILL_SOURCE_URL", "ATTENDANCE_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    named = argparse.Namespace(url=None, service="attendance", namespace="wuhan")
    assert source_of(named, ADMIN) == "postgresql://admin:pw@db.example:5432/wuhan_attendance"
    monkeypatch.setenv("ATTENDANCE_DATABASE_URL", "postgresql://attendance:pw@db.example:5432/attendance")
    assert source_of(named, ADMIN) == "postgresql://attendance:pw@db.example:5432/attendance"
