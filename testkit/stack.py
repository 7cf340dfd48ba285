"""A provisioned namespace on shared infrastructure: its own databases, roles and topics.
Tests and benchmarks each work in a fresh one and drop it afterwards."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

import asyncpg

from deploy.endpoints import Endpoints
from deploy.kafka_access import KafkaUser
from deploy.provision import deprovision, kafka_env, provision_databases, provision_kafka_users, provision_topics
from deploy.schema import owner_url
from shared.db import connect
from shared.kafka_auth import KafkaAccess
from shared.topics import consumer_group, qualified


@dataclass(frozen=True)
class Stack:
    endpoints: Endpoints
    namespace: str
    database_urls: dict[str, str]
    kafka_users: dict[str, KafkaUser]

    @property
    def kafka(self) -> KafkaAccess:
        """The admin principal: tests and benchmarks publish and read any topic with it."""
        return self.endpoints.kafka

    def kafka_as(self, service: str) -> KafkaAccess:
        """The service's own principal, confined by its ACLs."""
        user = self.kafka_users[service]
        return self.kafka.as_user(user.principal, user.password)

    def topic(self, name: str) -> str:
        return qualified(name, self.namespace)

    def group(self, service: str) -> str:
        return consumer_group(service, self.namespace)

    def service_env(self, **overrides: str) -> dict[str, str]:
        """Environment for ``python -m services.<name>`` in this namespace."""
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka.bootstrap,
            "KAFKA_SECURITY_PROTOCOL": self.kafka.protocol,
            "KAFKA_SSL_CAFILE": self.kafka.cafile or "",
            "TUOGUAN_NAMESPACE": self.namespace,
            **kafka_env(self.kafka_users),
        }
        for service, url in self.database_urls.items():
            env[f"{service.upper()}_DATABASE_URL"] = url
            # Tests and benchmarks drive a service harder than any one client may; the limiter's
            # own tests (tests/test_limits.py) set real limits.
            for limit in ("RATE_PER_TOKEN", "RATE_PER_ADDRESS", "RATE_TIGHT"):
                env[f"{service.upper()}_{limit}"] = "1000000/minute"
        return {**env, **overrides}

    async def connect(self, service: str) -> asyncpg.Connection:
        """A connection to the service's database, with the services' JSON codecs."""
        return await connect(self.database_urls[service])

    def owner_url(self, service: str) -> str:
        """The service database's owner (the admin acting as it): for migrations, and for what the
        service's own role may not do."""
        return owner_url(self.endpoints.pg_admin, urlsplit(self.database_urls[service]).path.lstrip("/"))


@asynccontextmanager
async def provisioned(endpoints: Endpoints, prefix: str = "t") -> AsyncIterator[Stack]:
    namespace = f"{prefix}{uuid.uuid4().hex[:10]}"
    urls = await provision_databases(endpoints.pg_admin, namespace, {})
    await provision_topics(endpoints.kafka, namespace)
    users = await provision_kafka_users(endpoints.kafka, namespace, {})
    try:
        yield Stack(endpoints=endpoints, namespace=namespace, database_urls=urls, kafka_users=users)
    finally:
        await deprovision(endpoints.pg_admin, endpoints.kafka, namespace)
