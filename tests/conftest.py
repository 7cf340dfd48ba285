"""Fixtures: one Kafka and one PostgreSQL for the whole run (see tests/support/infra.py), a fresh
namespace of databases and topics per run, and services started as real processes."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest

from deploy.provision import SERVICES, database_name, deprovision, provision_databases, provision_topics
from shared.topics import consumer_group, qualified
from tests.support.infra import ROOT, Endpoints, endpoints
from tests.support.processes import ServiceProcess


@dataclass(frozen=True)
class Stack:
    """A provisioned namespace: its own databases, roles and topics on the shared infrastructure."""

    endpoints: Endpoints
    namespace: str
    database_urls: dict[str, str]

    @property
    def kafka(self) -> str:
        return self.endpoints.kafka

    def topic(self, name: str) -> str:
        return qualified(name, self.namespace)

    def group(self, service: str) -> str:
        return consumer_group(service, self.namespace)

    def service_env(self) -> dict[str, str]:
        env = {"KAFKA_BOOTSTRAP_SERVERS": self.kafka, "TUOGUAN_NAMESPACE": self.namespace}
        for service, url in self.database_urls.items():
            env[f"{service.upper()}_DATABASE_URL"] = url
            env[f"{service.upper()}_CONSUMER_BACKOFF_S"] = "0.05"
            env[f"{service.upper()}_CONSUMER_MAX_ATTEMPTS"] = "3"
            env[f"{service.upper()}_RELAY_POLL_INTERVAL_S"] = "0.2"
        return env

    async def connect(self, service: str) -> asyncpg.Connection:
        return await asyncpg.connect(self.database_urls[service])


@pytest.fixture(scope="session")
def infra() -> Iterator[Endpoints]:
    with endpoints() as found:
        yield found


@pytest.fixture(scope="session")
async def stack(infra: Endpoints) -> AsyncIterator[Stack]:
    namespace = f"t{uuid.uuid4().hex[:10]}"
    urls = await provision_databases(infra.pg_admin, namespace, {})
    await provision_topics(infra.kafka, namespace)
    yield Stack(endpoints=infra, namespace=namespace, database_urls=urls)
    await deprovision(infra.pg_admin, infra.kafka, namespace)


@pytest.fixture(scope="session")
def log_dir() -> Path:
    path = ROOT / ".state/test-logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


ServiceStarter = Callable[..., ServiceProcess]


@pytest.fixture
async def start_service(stack: Stack, log_dir: Path) -> AsyncIterator[ServiceStarter]:
    """Start ``python -m services.<name>`` with the namespace's settings; stopped after the test."""
    started: list[ServiceProcess] = []

    def start(service: str, label: str = "", **env: str) -> ServiceProcess:
        process = ServiceProcess(service, {**stack.service_env(), **env}, log_dir, label).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


__all__ = ["SERVICES", "Stack", "database_name"]
