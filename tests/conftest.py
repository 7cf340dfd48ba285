"""Fixtures: one Kafka and one PostgreSQL for the whole run (see deploy/endpoints.py), a fresh
namespace of databases and topics per run, and services started as real processes."""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from deploy import keys
from deploy.endpoints import ROOT, Endpoints, endpoints
from deploy.provision import SERVICES
from testkit.processes import ServiceProcess, fork_from_warm_interpreter
from testkit.stack import Stack, provisioned

# A fresh install's keys and secrets per run (deploy/keys.py): services verify tokens with the
# public JWKS, the test process signs them with the private key; no secret is shared with the source.
for _name, _value in keys.ensure(Path(tempfile.mkdtemp(prefix="tuoguan-test-keys-"))).items():
    os.environ.setdefault(_name, _value)
# Two insurers, to show their pseudonyms cannot be linked, and a statistics office.
os.environ.setdefault("TUOGUAN_PARTNERS", "pingan:insurance,taiping:insurance,henan-stats:statistics")


def _fast_retries() -> dict[str, str]:
    env = {}
    for service in SERVICES:
        env[f"{service.upper()}_CONSUMER_BACKOFF_S"] = "0.05"
        env[f"{service.upper()}_CONSUMER_MAX_ATTEMPTS"] = "3"
        env[f"{service.upper()}_RELAY_POLL_INTERVAL_S"] = "0.2"
        env[f"{service.upper()}_TIMER_INTERVAL_S"] = "0.5"
        env[f"{service.upper()}_CONSUMER_SESSION_TIMEOUT_MS"] = "6000"  # a killed instance's partitions move sooner
    return env


@pytest.fixture(scope="session", autouse=True)
def warm_interpreter() -> None:
    """Service processes of this worker start forked from one that has imported the services
    (testkit/processes.py): the same processes, without a second of imports each."""
    fork_from_warm_interpreter()


@pytest.fixture(scope="session")
def infra() -> Iterator[Endpoints]:
    with endpoints() as found:
        yield found


@pytest.fixture(scope="session")
async def stack(infra: Endpoints) -> AsyncIterator[Stack]:
    async with provisioned(infra) as fresh:
        yield fresh


@pytest.fixture(scope="session")
def log_dir() -> Path:
    path = ROOT / ".state/test-logs" / os.environ.get("PYTEST_XDIST_WORKER", "main")  # a folder per worker
    path.mkdir(parents=True, exist_ok=True)
    return path


ServiceStarter = Callable[..., ServiceProcess]


@pytest.fixture
async def start_service(stack: Stack, log_dir: Path) -> AsyncIterator[ServiceStarter]:
    """Start ``python -m services.<name>`` with the namespace's settings; stopped after the test."""
    started: list[ServiceProcess] = []

    def start(service: str, label: str = "", **env: str) -> ServiceProcess:
        process = ServiceProcess(service, stack.service_env(**{**_fast_retries(), **env}), log_dir, label).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


SharedStarter = Callable[..., Awaitable[ServiceProcess]]


@pytest.fixture(scope="module")
async def module_service(stack: Stack, log_dir: Path) -> AsyncIterator[SharedStarter]:
    """Like ``start_service``, for tests that only talk to a service: one healthy process per
    service and settings, shared by the module's tests (a process start costs seconds); stopped
    when the module is done. A test that stops, kills or counts on a fresh process starts its own."""
    started: dict[tuple[str, tuple[tuple[str, str], ...]], ServiceProcess] = {}

    async def running(service: str, **env: str) -> ServiceProcess:
        key = (service, tuple(sorted(env.items())))
        if key not in started:
            settings = stack.service_env(**{**_fast_retries(), **env})
            started[key] = ServiceProcess(service, settings, log_dir, f"{service}-module").start()
        return await started[key].wait_healthy()

    yield running
    for process in started.values():
        process.stop()


__all__ = ["Stack"]
