"""PostgreSQL access: the connection pool and versioned schema migrations.

Migrations are plain SQL files named ``NNNN_what.sql``: the shared plumbing set
(``shared/migrations``), then the service's own (``services/<name>/migrations``). Deployment
applies them as the database's owner (deploy/schema.py); a service only checks at start-up that
its database is at the code's version, because its own role may not change the schema.
Applied files are recorded with a checksum; editing an applied file stops the service.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import TypeVar

import asyncpg
import orjson

log = logging.getLogger(__name__)

Conn = asyncpg.Connection | asyncpg.Pool  # what a query runs on: a transaction's connection or the pool
Row = TypeVar("Row")  # a fetched row: an asyncpg.Record, or a dict made of one

PLUMBING_MIGRATIONS = Path(__file__).parent / "migrations"
_FILE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
_LOCK = 7_263_001  # advisory lock id: only one instance migrates at a time


def json_text(value: object) -> str:
    """JSON as text: how a ``jsonb[]`` column is fed (``$1::text[]`` cast per element), because
    asyncpg would read nested lists as extra array dimensions."""
    return orjson.dumps(value).decode()


async def _init_connection(conn: asyncpg.Connection) -> None:
    for pg_type in ("json", "jsonb"):
        await conn.set_type_codec(pg_type, encoder=json_text, decoder=orjson.loads, schema="pg_catalog")


async def connect(dsn: str) -> asyncpg.Connection:
    """A single connection with the same codecs as the pool's."""
    conn = await asyncpg.connect(dsn)
    await _init_connection(conn)
    return conn


def acquire(pool: asyncpg.Pool, *, timeout: float | None = None) -> AbstractAsyncContextManager[asyncpg.Connection]:
    """``pool.acquire()``, typed as what it lends: a connection. The pool's proxy forwards every
    method to the connection, but asyncpg's type stubs do not make it one."""
    return pool.acquire(timeout=timeout)  # type: ignore[return-value]


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=_init_connection)


def present(row: Row | None, what: str) -> Row:
    """A row that another one refers to, or that the transaction has already seen (a booking's
    child and class, an application locked a moment ago): it is always there. Its absence is a
    broken invariant, not a request's fault."""
    if row is None:
        raise LookupError(f"the {what} a record refers to is missing")
    return row


def columns(rows: Sequence[Sequence[object]], width: int) -> list[list[object]]:
    """Rows as one list per column: the arguments of an ``INSERT ... SELECT * FROM unnest(...)``."""
    return [[row[i] for row in rows] for i in range(width)]


class MigrationError(RuntimeError):
    pass


class SchemaNotReady(RuntimeError):
    """The database lacks migrations the code needs: deployment has not run them yet."""


def _files(directory: Path) -> list[tuple[int, str, str]]:
    found = []
    for path in sorted(directory.glob("*.sql")):
        match = _FILE.match(path.name)
        if not match:
            raise MigrationError(f"migration file name {path.name!r} is not NNNN_name.sql")
        found.append((int(match.group(1)), path.name, path.read_text()))
    return found


async def migrate(conn: asyncpg.Connection, component: str, directory: Path) -> list[str]:
    """Apply the pending migrations of ``component`` from ``directory``; return their names."""
    applied_now: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _LOCK)
        await conn.execute(
            """CREATE TABLE IF NOT EXISTS schema_migrations (
                   component text NOT NULL, version integer NOT NULL, name text NOT NULL,
                   checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
                   PRIMARY KEY (component, version))"""
        )
        rows = await conn.fetch("SELECT version, checksum FROM schema_migrations WHERE component=$1", component)
        done = {r["version"]: r["checksum"] for r in rows}
        for version, name, sql in _files(directory):
            checksum = _checksum(sql)
            if version in done:
                if done[version] != checksum:
                    raise MigrationError(f"{component}/{name} changed after it was applied")
                continue
            await conn.execute(sql)
            await conn.execute(
                "INSERT INTO schema_migrations (component, version, name, checksum) VALUES ($1,$2,$3,$4)",
                component,
                version,
                name,
                checksum,
            )
            applied_now.append(f"{component}/{name}")
    if applied_now:
        log.info("applied migrations", extra={"migrations": applied_now})
    return applied_now


def _checksum(sql: str) -> str:
    return hashlib.sha256(sql.encode()).hexdigest()


async def migrate_service(conn: asyncpg.Connection, service: str, directory: Path) -> list[str]:
    """Apply the plumbing's and then the service's pending migrations (as the database's owner)."""
    return await migrate(conn, "plumbing", PLUMBING_MIGRATIONS) + await migrate(conn, service, directory)


async def _unapplied(conn: asyncpg.Connection, component: str, directory: Path) -> list[str]:
    done = {}
    if await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL"):
        rows = await conn.fetch("SELECT version, checksum FROM schema_migrations WHERE component=$1", component)
        done = {r["version"]: r["checksum"] for r in rows}
    return [
        f"{component}/{name}" + (" (changed after it was applied)" if version in done else "")
        for version, name, sql in _files(directory)
        if done.get(version) != _checksum(sql)
    ]


async def check_schema(dsn: str, service: str, directory: Path) -> None:
    """Raise :class:`SchemaNotReady` unless every migration of the plumbing and of ``service`` is applied."""
    conn = await connect(dsn)
    try:
        missing = await _unapplied(conn, "plumbing", PLUMBING_MIGRATIONS) + await _unapplied(conn, service, directory)
    finally:
        await conn.close()
    if missing:
        raise SchemaNotReady(
            f"{service} does not start: its database lacks {', '.join(missing)}. Migrations run at deployment, "
            "as the database's owner: python -m deploy.provision (./tuoguan up runs it)"
        )
