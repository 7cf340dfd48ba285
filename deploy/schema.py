"""A service database's two roles, and its schema brought to the code's version.

The owner role (``<database>_owner``, NOLOGIN) owns the database and everything in it, and is the
only role that runs migrations; deployment acts as it from the admin's connection. The service
logs in as its runtime role (``<database>``, the one in ``<SERVICE>_DATABASE_URL``): it reads and
writes rows, but on the audit tables it may only add and read. Without UPDATE, DELETE, TRUNCATE
there, and without DDL anywhere, it can neither rewrite the trail nor remove what guards it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import asyncpg
import asyncpg.utils  # _quote_ident, for names in DDL

from shared.db import connect, migrate_service

APPEND_ONLY = ("audit_log", "audit_chain")


def owner_role(database: str) -> str:
    return f"{database}_owner"


def _ident(name: str) -> str:
    return asyncpg.utils._quote_ident(name)


def owner_url(admin: str, database: str) -> str:
    """The admin's URL on ``database``, acting as its owner: what it creates belongs to the owner."""
    parts = urlsplit(admin)
    query = "&".join(q for q in (parts.query, urlencode({"role": owner_role(database)})) if q)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", query, ""))


async def create_owner(admin: asyncpg.Connection, database: str) -> str:
    """The database's owner role (created once); returns its name."""
    owner = owner_role(database)
    if not await admin.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", owner):
        await admin.execute(f"CREATE ROLE {_ident(owner)} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE")
    return owner


async def bring_up_to_date(admin: str, database: str, service: str) -> list[str]:
    """Hand the owner whatever the runtime role still owns (installs from before the two roles),
    then apply pending migrations as the owner and grant the runtime role its rights."""
    conn = await asyncpg.connect(urlunsplit(urlsplit(admin)._replace(path=f"/{database}")))
    try:
        await conn.execute(f"REASSIGN OWNED BY {_ident(database)} TO {_ident(owner_role(database))}")
        await conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    finally:
        await conn.close()
    return await migrate_and_grant(owner_url(admin, database), service, runtime=database)


async def migrate_and_grant(owner_dsn: str, service: str, *, runtime: str) -> list[str]:
    """As the owner: the pending migrations, then the runtime role's rights; return what was applied."""
    conn = await connect(owner_dsn)
    try:
        applied = await migrate_service(conn, service, migrations_of(service))
        if await conn.fetchval("SELECT current_user") != runtime:
            await conn.execute(_grants(_ident(runtime)))
    finally:
        await conn.close()
    return applied


async def migrate_given(env: Mapping[str, str], services: tuple[str, ...]) -> None:
    """Databases provisioned by others: migrate each as ``<SERVICE>_OWNER_DATABASE_URL`` when given,
    else as the runtime role itself (which then must own its database, and is not kept from the trail)."""
    for service in services:
        runtime_url = env[f"{service.upper()}_DATABASE_URL"]
        owner_dsn = env.get(f"{service.upper()}_OWNER_DATABASE_URL") or runtime_url
        await migrate_and_grant(owner_dsn, service, runtime=urlsplit(runtime_url).username or "")


def migrations_of(service: str) -> Path:
    return importlib.import_module(f"services.{service}.app").definition.migrations


def _grants(runtime: str) -> str:
    append_only = ", ".join(APPEND_ONLY)
    return f"""
        GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {runtime};
        GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {runtime};
        REVOKE UPDATE, DELETE, TRUNCATE ON {append_only} FROM {runtime};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {runtime};
        ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO {runtime};"""
