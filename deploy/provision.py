"""Idempotent provisioning: one PostgreSQL database per service, with its owner and runtime roles,
migrated to the code's schema; and every Kafka topic.

    python -m deploy.provision [--namespace NS] [--env-file PATH]

The superuser URL comes from ``TUOGUAN_PG_ADMIN_URL`` (or the local cluster's, see
deploy/postgres/pg-local.sh). Each database belongs to an owner role that runs the migrations
(deploy/schema.py); the service logs in as its runtime role, the only role allowed to connect, which
may read and write rows but not change the schema or the audit trail. The resulting
``<SERVICE>_DATABASE_URL`` lines (runtime roles) are written to the env file; passwords already in
that file are kept, so running this twice changes nothing but applying new migrations.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import secrets
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from deploy import schema
from shared.settings import DEFAULT_KAFKA
from shared.topics import SUBSCRIPTIONS, all_topics

log = logging.getLogger("provision")
ROOT = Path(__file__).resolve().parent.parent
SERVICES = tuple(SUBSCRIPTIONS)


def local_admin_url() -> str:
    return subprocess.run(
        ["bash", str(ROOT / "deploy/postgres/pg-local.sh"), "url"], check=True, capture_output=True, text=True
    ).stdout.strip()


def admin_url() -> str:
    return os.environ.get("TUOGUAN_PG_ADMIN_URL") or local_admin_url()


def database_name(service: str, namespace: str) -> str:
    return f"{namespace}_{service}" if namespace else service


def service_url(admin: str, role: str, password: str, database: str) -> str:
    parts = urlsplit(admin)
    host = parts.hostname or "127.0.0.1"
    netloc = f"{role}:{password}@{host}:{parts.port or 5432}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", parts.query, ""))


async def provision_databases(admin: str, namespace: str, passwords: dict[str, str]) -> dict[str, str]:
    """Create (or keep) each service's roles and database and migrate it; return ``{service: url}``."""
    urls = {}
    conn = await asyncpg.connect(admin)
    try:
        for service in SERVICES:
            name = database_name(service, namespace)
            password = (passwords.get(service) or secrets.token_urlsafe(18)).replace("'", "''")
            ident = asyncpg.utils._quote_ident(name)  # noqa: SLF001 - asyncpg's own identifier quoting
            if await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", name):
                await conn.execute(f"ALTER ROLE {ident} WITH LOGIN PASSWORD '{password}'")
            else:
                await conn.execute(f"CREATE ROLE {ident} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{password}'")
            owner = asyncpg.utils._quote_ident(await schema.create_owner(conn, name))  # noqa: SLF001
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name):
                await conn.execute(f"CREATE DATABASE {ident} OWNER {owner}")
            else:  # before the grants: a change of owner hands the old owner's rights to the new one
                await conn.execute(f"ALTER DATABASE {ident} OWNER TO {owner}")
            await conn.execute(f"REVOKE ALL ON DATABASE {ident} FROM PUBLIC")
            await conn.execute(f"GRANT CONNECT, TEMPORARY ON DATABASE {ident} TO {ident}")
            await schema.bring_up_to_date(admin, name, service)
            urls[service] = service_url(admin, name, password, name)
    finally:
        await conn.close()
    return urls


async def provision_topics(bootstrap: str, namespace: str) -> list[str]:
    """Create every declared topic that does not exist yet; return the names created."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in all_topics(namespace) if t.name not in existing]
        created = []
        for topic in wanted:
            try:
                await admin.create_topics([NewTopic(topic.name, topic.partitions, 1, topic_configs=topic.config)])
                created.append(topic.name)
            except TopicAlreadyExistsError:
                pass
        return created
    finally:
        await admin.close()


async def deprovision(admin: str, bootstrap: str, namespace: str) -> None:
    """Drop a namespace's databases, roles and topics (test runs clean up after themselves)."""
    if not namespace:
        raise ValueError("refusing to deprovision the default namespace")
    conn = await asyncpg.connect(admin)
    try:
        for service in SERVICES:
            name = database_name(service, namespace)
            ident = asyncpg.utils._quote_ident(name)  # noqa: SLF001
            await conn.execute(f"DROP DATABASE IF EXISTS {ident} WITH (FORCE)")
            await conn.execute(f"DROP ROLE IF EXISTS {ident}")
            owner = asyncpg.utils._quote_ident(schema.owner_role(name))  # noqa: SLF001
            await conn.execute(f"DROP ROLE IF EXISTS {owner}")
    finally:
        await conn.close()
    kafka = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await kafka.start()
    try:
        ours = [t for t in await kafka.list_topics() if t.startswith(f"{namespace}.")]
        if ours:
            await kafka.delete_topics(ours)
    finally:
        await kafka.close()


def read_env_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs}


def passwords_from(env: dict[str, str]) -> dict[str, str]:
    found = {}
    for service in SERVICES:
        url = env.get(f"{service.upper()}_DATABASE_URL")
        if url and urlsplit(url).password:
            found[service] = urlsplit(url).password
    return found


async def provision(namespace: str, env_file: Path | None, bootstrap: str, *, topics_only: bool = False) -> dict[str, str]:
    if topics_only:
        created = await provision_topics(bootstrap, namespace)
        await schema.migrate_given(os.environ, SERVICES)
        log.info("databases given in the environment, migrated; created %d topics", len(created))
        return {}
    existing = read_env_file(env_file) if env_file else {}
    urls = await provision_databases(admin_url(), namespace, passwords_from(existing))
    created = await provision_topics(bootstrap, namespace)
    env = {f"{s.upper()}_DATABASE_URL": u for s, u in urls.items()}
    if env_file:
        env_file.parent.mkdir(parents=True, exist_ok=True)
        env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
        env_file.chmod(0o600)
    log.info("provisioned %d databases, created %d topics", len(urls), len(created))
    return env


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="provision: %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--namespace", default=os.environ.get("TUOGUAN_NAMESPACE", ""))
    parser.add_argument("--env-file", type=Path, default=ROOT / ".state/services.env")
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA))
    parser.add_argument("--topics-only", action="store_true",
                        help="databases are given: migrate them and create the topics")
    args = parser.parse_args()
    asyncio.run(provision(args.namespace, args.env_file, args.bootstrap, topics_only=args.topics_only))


if __name__ == "__main__":
    main()
