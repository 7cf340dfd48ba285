"""A restore drill: dump a service's database, restore the dump into a scratch database, and check
that every table came back with the same number of rows.

    deploy/drill-restore --service notify [--namespace NS]     # the service's database
    DRILL_SOURCE_URL=postgresql://... deploy/drill-restore      # any database, by URL

The source is ``--service``'s database: ``<SERVICE>_DATABASE_URL`` when set, else the database
``[<namespace>_]<service>`` on the admin's server (``TUOGUAN_PG_ADMIN_URL``, or the local cluster's,
as deploy/provision.py finds it). Or a URL: ``DRILL_SOURCE_URL`` (kept off the command line, where
``ps`` would show its password) or ``--url``. The scratch database is created on the admin's server
under a new name (``drill_<database>_<random>``), never over an existing one, and dropped at the end.

The source is read inside one ``REPEATABLE READ`` transaction whose snapshot ``pg_dump`` shares
(``--snapshot``), so the counts compared are the dump's own even while the services write. The
restore leaves out owners and grants (``--no-owner --no-privileges``): the drill checks the data; a
real restore gets its roles and rights from ``python -m deploy.provision``. pg_dump and pg_restore
come from Debian's postgresql-client (deploy/bootstrap.sh installs it); the newest installed major
version is used (``PG_BINDIR`` picks another), since pg_dump must be at least the server's.

One line is printed; the exit code is 0 when every count matches, 1 on a mismatch, 2 when the drill
could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import asyncpg.utils  # _quote_ident, for names in DDL

# Every ordinary and partitioned table outside the system schemas, as (schema, table).
TABLES = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'
    ORDER BY 1, 2"""

Counts = dict[str, int]
AfterRestore = Callable[[asyncpg.Connection], Awaitable[None]]


class DrillFailed(Exception):
    """The drill could not run (a tool failed, a database could not be reached)."""


@dataclass(frozen=True)
class Result:
    source: str  # the source database's name
    scratch: str
    source_counts: Counts
    restored_counts: Counts
    dump_bytes: int
    seconds: float

    @property
    def mismatches(self) -> list[str]:
        return compare(self.source_counts, self.restored_counts)

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def line(self) -> str:
        head = (
            f"drill-restore: {self.source} -> {self.scratch}: {len(self.source_counts)} tables, "
            f"{sum(self.source_counts.values())} rows, dump {self.dump_bytes // 1024} KiB, {self.seconds:.1f} s"
        )
        if self.ok:
            return f"{head}: ok"
        return f"{head}: MISMATCH in {len(self.mismatches)} table(s): {'; '.join(self.mismatches)}"


def compare(source: Counts, restored: Counts) -> list[str]:
    """One line per table whose count differs, or that is on one side only; empty when all match."""
    found = []
    for table in sorted(source.keys() | restored.keys()):
        if table not in restored:
            found.append(f"{table} missing from the restore ({source[table]} rows)")
        elif table not in source:
            found.append(f"{table} only in the restore ({restored[table]} rows)")
        elif source[table] != restored[table]:
            found.append(f"{table} {source[table]} != {restored[table]}")
    return found


async def count_rows(conn: asyncpg.Connection) -> Counts:
    counts = {}
    for schema, table in await conn.fetch(TABLES):
        name = f"{asyncpg.utils._quote_ident(schema)}.{asyncpg.utils._quote_ident(table)}"
        counts[f"{schema}.{table}"] = await conn.fetchval(f"SELECT count(*) FROM {name}")
    return counts


def pg_tool(name: str) -> str:
    """``pg_dump`` or ``pg_restore``: from ``PG_BINDIR``, else the newest Debian major version, else PATH."""
    if bindir := os.environ.get("PG_BINDIR"):
        return str(Path(bindir) / name)
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3]), reverse=True)
    if versions:
        return str(versions[0])
    if found := shutil.which(name):
        return found
    raise DrillFailed(f"{name} not found: install Debian's postgresql-client (deploy/bootstrap.sh does)")


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, for a command line, and the environment that carries it."""
    parts = urlsplit(url)
    env = {"PGPASSWORD": parts.password} if parts.password else {}
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    return urlunsplit(parts._replace(netloc=netloc)), env


def on_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


def run_tool(name: str, args: list[str], url: str) -> None:
    dsn, secret = libpq(url)
    done = subprocess.run(
        [pg_tool(name), *args, f"--dbname={dsn}"], env={**os.environ, **secret}, capture_output=True, text=True
    )
    if done.returncode:
        raise DrillFailed(f"{name} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


async def drill(source_url: str, admin: str, *, after_restore: AfterRestore | None = None) -> Result:
    """Dump ``source_url``, restore it into a new scratch database on ``admin``'s server, count both.
    ``after_restore`` runs on the scratch database before it is counted (the tests tamper with it)."""
    started = time.monotonic()
    source_name = urlsplit(source_url).path.lstrip("/")
    scratch = f"drill_{source_name}_{secrets.token_hex(4)}"[:63]
    ident = asyncpg.utils._quote_ident(scratch)
    source = await asyncpg.connect(source_url)
    try:
        async with source.transaction(isolation="repeatable_read", readonly=True):
            snapshot = await source.fetchval("SELECT pg_export_snapshot()")
            with tempfile.TemporaryDirectory(prefix="drill-restore-") as folder:
                dump = Path(folder) / f"{source_name}.dump"
                dumping = asyncio.to_thread(
                    run_tool, "pg_dump", ["--format=custom", f"--snapshot={snapshot}", f"--file={dump}"], source_url
                )
                # The snapshot lives as long as this transaction: count while pg_dump reads it.
                source_counts, _ = await asyncio.gather(count_rows(source), dumping)
                dump_bytes = dump.stat().st_size
                server = await asyncpg.connect(admin)
                try:
                    await server.execute(f"CREATE DATABASE {ident}")  # fails rather than reuse a name
                    try:
                        await asyncio.to_thread(
                            run_tool,
                            "pg_restore",
                            ["--no-owner", "--no-privileges", "--exit-on-error", str(dump)],
                            on_database(admin, scratch),
                        )
                        restored = await asyncpg.connect(on_database(admin, scratch))
                        try:
                            if after_restore:
                                await after_restore(restored)
                            restored_counts = await count_rows(restored)
                        finally:
                            await restored.close()
                    finally:
                        await server.execute(f"DROP DATABASE IF EXISTS {ident} WITH (FORCE)")
                finally:
                    await server.close()
    finally:
        await source.close()
    return Result(source_name, scratch, source_counts, restored_counts, dump_bytes, time.monotonic() - started)


def admin_server() -> str:
    """Where the scratch database goes: ``TUOGUAN_PG_ADMIN_URL``, else the local cluster's superuser."""
    if url := os.environ.get("TUOGUAN_PG_ADMIN_URL"):
        return url
    from deploy.provision import admin_url  # Kafka's clients too: imported only when needed

    try:
        return admin_url()
    except (subprocess.CalledProcessError, FileNotFoundError):
        raise DrillFailed("set TUOGUAN_PG_ADMIN_URL (a role that may create databases)") from None


def source_of(args: argparse.Namespace, admin: str) -> str:
    if args.url:
        return str(args.url)
    if url := os.environ.get("DRILL_SOURCE_URL"):
        return url
    if not args.service:
        raise DrillFailed("name a database: --service NAME, DRILL_SOURCE_URL or --url")
    if url := os.environ.get(f"{args.service.upper()}_DATABASE_URL"):
        return url
    from deploy.provision import SERVICES, database_name

    if args.service not in SERVICES:
        raise DrillFailed(f"--service is one of {', '.join(SERVICES)}")
    return on_database(admin, database_name(args.service, args.namespace))


def main() -> None:
    parser = argparse.ArgumentParser(prog="deploy/drill-restore", description=__doc__.split("\n\n")[0])
    parser.add_argument("--service", help="the service whose database is drilled: enrollment, attendance, ...")
    parser.add_argument("--namespace", default=os.environ.get("TUOGUAN_NAMESPACE", ""))
    parser.add_argument("--url", help="the source database (prefer DRILL_SOURCE_URL: ps shows arguments)")
    args = parser.parse_args()
    try:
        admin = admin_server()
        result = asyncio.run(drill(source_of(args, admin), admin))
    except (DrillFailed, OSError, asyncpg.PostgresError) as failure:
        print(f"drill-restore: could not run: {failure}", file=sys.stderr)
        raise SystemExit(2) from None
    print(result.line())
    raise SystemExit(0 if result.ok else 1)


if __name__ == "__main__":
    main()
