"""Idempotent provisioning: one PostgreSQL database per service, with its owner and runtime roles,
migrated to the code's schema; every Kafka topic; and one Kafka principal per service with its
ACLs (deploy/kafka_access.py).

    python -m deploy.provision [--namespace NS] [--env-file PATH]

The superuser URL comes from ``TUOGUAN_PG_ADMIN_URL`` (or the local cluster's, see
deploy/postgres/pg-local.sh). Each database belongs to an owner role that runs the migrations
(deploy/schema.py); the service logs in as its runtime role, the only role allowed to connect, which
may read and write rows but not change the schema or the audit trail. Kafka is reached as the admin
principal (``KAFKA_ADMIN_USERNAME``, ...; see shared/kafka_auth.py). The resulting
``<SERVICE>_DATABASE_URL`` (runtime roles), ``<SERVICE>_KAFKA_USERNAME`` and ``<SERVICE>_KAFKA_PASSWORD``
lines are written to the env file; passwords already in that file are kept, so running this twice
changes nothing but applying new migrations.
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
import asyncpg.utils  # _quote_ident, for names in DDL
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from deploy import schema
from deploy.kafka_access import KafkaUser, grant, new_password, revoke, service_user
from deploy.keys import write_private
from shared.kafka_auth import KafkaAccess
from shared.topics import SUBSCRIPTIONS, ReplicationSettings, all_topics

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
            ident = asyncpg.utils._quote_ident(name)
            if await conn.fetchval("SELECT 1 FROM pg_roles WHERE rolname = $1", name):
                await conn.execute(f"ALTER ROLE {ident} WITH LOGIN PASSWORD '{password}'")
            else:
                await conn.execute(
                    f"CREATE ROLE {ident} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD '{password}'"
                )
            owner = asyncpg.utils._quote_ident(await schema.create_owner(conn, name))
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


async def provision_topics(kafka: KafkaAccess, namespace: str) -> list[str]:
    """Create every declared topic that does not exist yet, replicated as the settings say
    (shared/topics.py, :class:`ReplicationSettings`); return the names created."""
    factor, in_sync = ReplicationSettings().resolve(kafka.servers)
    admin = AIOKafkaAdminClient(**kafka.aiokafka())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = [t for t in all_topics(namespace) if t.name not in existing]
        created = []
        for topic in wanted:
            try:
                config = {**topic.config, "min.insync.replicas": str(in_sync)}
                await admin.create_topics([NewTopic(topic.name, topic.partitions, factor, topic_configs=config)])
                created.append(topic.name)
            except TopicAlreadyExistsError:
                pass
        return created
    finally:
        await admin.close()


def kafka_users(namespace: str, passwords: dict[str, str]) -> dict[str, KafkaUser]:
    return {s: service_user(s, namespace, passwords.get(s) or new_password()) for s in SERVICES}


async def provision_kafka_users(kafka: KafkaAccess, namespace: str, passwords: dict[str, str]) -> dict[str, KafkaUser]:
    """Each service's principal and ACLs; return ``{service: user}``."""
    users = kafka_users(namespace, passwords)
    await asyncio.to_thread(grant, kafka, list(users.values()))
    return users


def kafka_env(users: dict[str, KafkaUser]) -> dict[str, str]:
    env = {}
    for service, user in users.items():
        env[f"{service.upper()}_KAFKA_USERNAME"] = user.principal
        env[f"{service.upper()}_KAFKA_PASSWORD"] = user.password
    return env


async def deprovision(admin: str, kafka_admin: KafkaAccess, namespace: str) -> None:
    """Drop a namespace's databases, roles, topics and principals (test runs clean up after themselves)."""
    if not namespace:
        raise ValueError("refusing to deprovision the default namespace")
    conn = await asyncpg.connect(admin)
    try:
        for service in SERVICES:
            name = database_name(service, namespace)
            ident = asyncpg.utils._quote_ident(name)
            await conn.execute(f"DROP DATABASE IF EXISTS {ident} WITH (FORCE)")
            await conn.execute(f"DROP ROLE IF EXISTS {ident}")
            owner = asyncpg.utils._quote_ident(schema.owner_role(name))
            await conn.execute(f"DROP ROLE IF EXISTS {owner}")
    finally:
        await conn.close()
    await asyncio.to_thread(revoke, kafka_admin, list(kafka_users(namespace, {}).values()))
    kafka = AIOKafkaAdminClient(**kafka_admin.aiokafka())
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
        if url and (password := urlsplit(url).password):
            found[service] = password
    return found


def kafka_passwords_from(env: dict[str, str]) -> dict[str, str]:
    return {s: env[f"{s.upper()}_KAFKA_PASSWORD"] for s in SERVICES if env.get(f"{s.upper()}_KAFKA_PASSWORD")}


async def provision(
    namespace: str, env_file: Path | None, kafka: KafkaAccess, *, topics_only: bool = False
) -> dict[str, str]:
    existing = read_env_file(env_file) if env_file else {}
    users = await provision_kafka_users(kafka, namespace, kafka_passwords_from(existing))
    if topics_only:
        created = await provision_topics(kafka, namespace)
        await schema.migrate_given(os.environ, SERVICES)
        log.info("databases given in the environment, migrated; created %d topics", len(created))
        env = kafka_env(users)
    else:
        urls = await provision_databases(admin_url(), namespace, passwords_from(existing))
        created = await provision_topics(kafka, namespace)
        env = {**{f"{s.upper()}_DATABASE_URL": u for s, u in urls.items()}, **kafka_env(users)}
    if env_file:
        write_private(env_file, "".join(f"{k}={v}\n" for k, v in env.items()).encode())
    log.info(
        "provisioned %d Kafka principals, created %d topics%s",
        len(users),
        len(created),
        "" if topics_only else f", {len(SERVICES)} databases",
    )
    return env


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="provision: %(message)s")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--namespace", default=os.environ.get("TUOGUAN_NAMESPACE", ""))
    parser.add_argument("--env-file", type=Path, default=ROOT / ".state/services.env")
    parser.add_argument(
        "--topics-only",
        action="store_true",
        help="databases are given: migrate them, create the topics and Kafka principals",
    )
    args = parser.parse_args()
    asyncio.run(provision(args.namespace, args.env_file, KafkaAccess.from_environment(), topics_only=args.topics_only))


if __name__ == "__main__":
    main()
