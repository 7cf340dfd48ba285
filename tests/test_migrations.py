"""Versioned schema migrations on a real PostgreSQL, run as the database's owner; a service whose
database lacks a migration refuses to start."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from shared.db import MigrationError, migrate
from tests.conftest import Stack


async def test_migrations_apply_once_and_refuse_edited_history(stack: Stack, tmp_path: Path) -> None:
    (tmp_path / "0001_cots.sql").write_text("CREATE TABLE cots (id int PRIMARY KEY);")
    (tmp_path / "0002_cot_labels.sql").write_text("ALTER TABLE cots ADD COLUMN label text;")
    conn = await asyncpg.connect(stack.owner_url("notify"))
    try:
        assert await migrate(conn, "cots-test", tmp_path) == [
            "cots-test/0001_cots.sql",
            "cots-test/0002_cot_labels.sql",
        ]
        assert await migrate(conn, "cots-test", tmp_path) == []
        await conn.execute("INSERT INTO cots VALUES (1, 'by the window')")

        (tmp_path / "0002_cot_labels.sql").write_text("ALTER TABLE cots ADD COLUMN colour text;")
        with pytest.raises(MigrationError, match="changed after it was applied"):
            await migrate(conn, "cots-test", tmp_path)
    finally:
        await conn.execute("DROP TABLE IF EXISTS cots")
        await conn.execute("DELETE FROM schema_migrations WHERE component = 'cots-test'")
        await conn.close()


async def test_a_badly_named_migration_file_is_refused(stack: Stack, tmp_path: Path) -> None:
    (tmp_path / "add-cots.sql").write_text("SELECT 1;")
    conn = await asyncpg.connect(stack.owner_url("notify"))
    try:
        with pytest.raises(MigrationError, match=r"NNNN_name\.sql"):
            await migrate(conn, "cots-test", tmp_path)
    finally:
        await conn.close()


async def test_a_service_refuses_to_start_on_a_database_its_deployment_has_not_migrated(
    stack: Stack, start_service
) -> None:
    owner = await asyncpg.connect(stack.owner_url("attendance"))
    try:
        timers = await owner.fetchrow(
            "DELETE FROM schema_migrations WHERE component = 'attendance' AND version = 3 RETURNING *"
        )
        attendance = start_service("attendance")
        assert await attendance.wait_exit() != 0
        log = attendance.log_tail()
        assert "attendance/0003_checkin_pickup_timers.sql" in log and "python -m deploy.provision" in log, log
    finally:
        await owner.execute(
            "INSERT INTO schema_migrations (component, version, name, checksum, applied_at) "
            "VALUES ($1, $2, $3, $4, $5)",
            *timers.values(),
        )
        await owner.close()
