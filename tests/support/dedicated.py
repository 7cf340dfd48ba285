"""A PostgreSQL or a Kafka broker of a test's own, to stop and start under load without touching
the shared infrastructure. Every script call is bounded in time; teardown deletes the state."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from deploy.endpoints import KAFKA_SCRIPT, PG_SCRIPT
from testkit.cluster import THROWAWAY_JVM, run_script
from testkit.processes import free_port


@dataclass
class DedicatedServer:
    """One of the project's local scripts (deploy/postgres/pg-local.sh, deploy/kafka/kafka-local.sh),
    run on its own state directory and ports."""

    script: Path
    env: dict[str, str]

    def run(self, command: str, timeout: float = 120.0) -> str:
        return run_script(self.script, self.env, command, timeout=timeout)

    def start(self) -> None:
        self.run("start")

    def stop(self) -> None:
        self.run("stop", timeout=60.0)


@contextmanager
def _dedicated(script: Path, state_variable: str, ports: tuple[str, ...], **settings: str) -> Iterator[DedicatedServer]:
    state = tempfile.mkdtemp(prefix=f"tuoguan-{script.stem}-")
    os.chmod(state, 0o755)
    server = DedicatedServer(script, {state_variable: state, **{p: str(free_port()) for p in ports}, **settings})
    try:
        server.start()
        yield server
    finally:
        try:
            server.run("discard", timeout=90.0)  # SIGKILL and delete: a throwaway server
        finally:
            subprocess.run(["rm", "-rf", state], timeout=60, check=False)


@contextmanager
def dedicated_postgres() -> Iterator[tuple[DedicatedServer, str]]:
    """A PostgreSQL cluster of the test's own, and its superuser URL."""
    with _dedicated(PG_SCRIPT, "PG_LOCAL_STATE", ("PG_PORT",)) as server:
        yield server, server.run("url")


@contextmanager
def dedicated_kafka() -> Iterator[DedicatedServer]:
    """A broker of the test's own (its admin settings are in ``<state>/client.env``)."""
    ports = ("KAFKA_PORT", "KAFKA_CONTROLLER_PORT", "KAFKA_TLS_PORT", "KAFKA_INTERNAL_PORT")
    with _dedicated(KAFKA_SCRIPT, "KAFKA_LOCAL_STATE", ports, KAFKA_JVM_PERFORMANCE_OPTS=THROWAWAY_JVM) as server:
        yield server
