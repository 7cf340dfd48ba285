"""Where tests and benchmarks find Kafka and PostgreSQL, in this order:

1. endpoints given in the environment (``KAFKA_BOOTSTRAP_SERVERS``, ``TUOGUAN_PG_ADMIN_URL``);
2. testcontainers, when a Docker engine answers;
3. the project's own local broker and cluster (deploy/kafka, deploy/postgres), started here if
   they are not running and stopped again at the end if this run started them.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KAFKA_SCRIPT = ROOT / "deploy/kafka/kafka-local.sh"
PG_SCRIPT = ROOT / "deploy/postgres/pg-local.sh"


@dataclass(frozen=True)
class Endpoints:
    kafka: str
    pg_admin: str
    source: str


def docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:  # noqa: BLE001 - no engine, no socket, no permission: all mean "no Docker"
        return False


@contextmanager
def _local_script(script: Path) -> Iterator[None]:
    running = subprocess.run(["bash", str(script), "status"], capture_output=True).returncode == 0
    if not running:
        subprocess.run(["bash", str(script), "start"], check=True)
    try:
        yield
    finally:
        if not running and not os.environ.get("TUOGUAN_KEEP_INFRA"):
            subprocess.run(["bash", str(script), "stop"], check=False)


def _local_kafka(stack: ExitStack) -> str:
    stack.enter_context(_local_script(KAFKA_SCRIPT))
    return "127.0.0.1:" + os.environ.get("KAFKA_PORT", "19092")


def _local_postgres(stack: ExitStack) -> str:
    stack.enter_context(_local_script(PG_SCRIPT))
    return subprocess.run(["bash", str(PG_SCRIPT), "url"], check=True, capture_output=True, text=True).stdout.strip()


def _container_kafka(stack: ExitStack) -> str:
    from testcontainers.kafka import KafkaContainer

    container = KafkaContainer(os.environ.get("TUOGUAN_KAFKA_IMAGE", "confluentinc/cp-kafka:7.6.1")).with_kraft()
    container.with_env("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false")
    return stack.enter_context(container).get_bootstrap_server()


def _container_postgres(stack: ExitStack) -> str:
    from testcontainers.postgres import PostgresContainer

    container = PostgresContainer(os.environ.get("TUOGUAN_POSTGRES_IMAGE", "postgres:16-alpine"), driver=None)
    return stack.enter_context(container).get_connection_url()


@contextmanager
def endpoints() -> Iterator[Endpoints]:
    with ExitStack() as stack:
        kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        pg = os.environ.get("TUOGUAN_PG_ADMIN_URL")
        sources = []
        if kafka and pg:
            sources.append("environment")
        use_docker = not (kafka and pg) and docker_answers()
        if not kafka:
            kafka = _container_kafka(stack) if use_docker else _local_kafka(stack)
            sources.append("testcontainers kafka" if use_docker else "local kafka")
        if not pg:
            pg = _container_postgres(stack) if use_docker else _local_postgres(stack)
            sources.append("testcontainers postgres" if use_docker else "local postgres")
        yield Endpoints(kafka=kafka, pg_admin=pg, source=", ".join(sources))
