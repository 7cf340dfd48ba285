"""Where tests and benchmarks find Kafka and PostgreSQL, in this order:

1. endpoints given in the environment: ``KAFKA_BOOTSTRAP_SERVERS`` with the admin principal
   (``KAFKA_ADMIN_USERNAME``, ``KAFKA_ADMIN_PASSWORD``, ``KAFKA_SECURITY_PROTOCOL``,
   ``KAFKA_SSL_CAFILE``), and ``TUOGUAN_PG_ADMIN_URL``;
2. for PostgreSQL, testcontainers when a Docker engine answers;
3. the project's own local broker and cluster (deploy/kafka, deploy/postgres), started here if
   they are not running and stopped again at the end if this run started them.

Kafka always comes from 1 or 3: the suite needs a broker that authenticates every client and
enforces ACLs, as production does, and the stock container images do neither.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from shared.kafka_auth import KafkaAccess

ROOT = Path(__file__).resolve().parents[1]
KAFKA_SCRIPT = ROOT / "deploy/kafka/kafka-local.sh"
PG_SCRIPT = ROOT / "deploy/postgres/pg-local.sh"


@dataclass(frozen=True)
class Endpoints:
    kafka: KafkaAccess  # the admin principal
    pg_admin: str
    source: str
    kafka_tls: KafkaAccess | None = None  # the same admin over SASL_SSL, when the broker offers it


def docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:
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


def kafka_state_dir() -> Path:
    """The local Kafka's state: the single broker's, or the cluster's when ``TUOGUAN_KAFKA_BROKERS`` > 1
    (deploy/kafka/kafka-local.sh)."""
    if os.environ.get("KAFKA_LOCAL_STATE"):
        return Path(os.environ["KAFKA_LOCAL_STATE"])
    brokers = int(os.environ.get("KAFKA_BROKERS") or os.environ.get("TUOGUAN_KAFKA_BROKERS") or 1)
    return ROOT / (".state/kafka-cluster" if brokers > 1 else ".state/kafka")


def local_kafka_client_env(state: Path | None = None) -> dict[str, str]:
    """The local broker's admin settings, written by kafka-local.sh when it starts."""
    path = (state or kafka_state_dir()) / "client.env"
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def local_kafka_access(state: Path | None = None) -> tuple[KafkaAccess, KafkaAccess]:
    """The admin principal over SASL_PLAINTEXT and over SASL_SSL, of the local Kafka in ``state``."""
    env = local_kafka_client_env(state)
    plain = KafkaAccess(
        env["KAFKA_BOOTSTRAP_SERVERS"],
        env["KAFKA_ADMIN_USERNAME"],
        env["KAFKA_ADMIN_PASSWORD"],
        env["KAFKA_SECURITY_PROTOCOL"],
        env.get("KAFKA_SSL_CAFILE"),
    )
    tls = KafkaAccess(
        env["KAFKA_TLS_BOOTSTRAP_SERVERS"], plain.username, plain.password, "SASL_SSL", env["KAFKA_SSL_CAFILE"]
    )
    return plain, tls


def _local_kafka(stack: ExitStack) -> tuple[KafkaAccess, KafkaAccess]:
    stack.enter_context(_local_script(KAFKA_SCRIPT))
    return local_kafka_access()


def _local_postgres(stack: ExitStack) -> str:
    stack.enter_context(_local_script(PG_SCRIPT))
    return subprocess.run(["bash", str(PG_SCRIPT), "url"], check=True, capture_output=True, text=True).stdout.strip()


def _container_postgres(stack: ExitStack) -> str:
    from testcontainers.postgres import PostgresContainer

    container = PostgresContainer(os.environ.get("TUOGUAN_POSTGRES_IMAGE", "postgres:16-alpine"), driver=None)
    return stack.enter_context(container).get_connection_url()


@contextmanager
def endpoints() -> Iterator[Endpoints]:
    with ExitStack() as stack:
        pg = os.environ.get("TUOGUAN_PG_ADMIN_URL")
        sources = []
        tls = None
        if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
            kafka = KafkaAccess.from_environment()
            if os.environ.get("KAFKA_TLS_BOOTSTRAP_SERVERS"):
                tls = KafkaAccess(
                    os.environ["KAFKA_TLS_BOOTSTRAP_SERVERS"],
                    kafka.username,
                    kafka.password,
                    "SASL_SSL",
                    os.environ.get("KAFKA_SSL_CAFILE"),
                )
            sources.append("environment kafka")
        else:
            kafka, tls = _local_kafka(stack)
            sources.append("local kafka")
        if pg:
            sources.append("environment postgres")
        else:
            use_docker = docker_answers()
            pg = _container_postgres(stack) if use_docker else _local_postgres(stack)
            sources.append("testcontainers postgres" if use_docker else "local postgres")
        yield Endpoints(kafka=kafka, pg_admin=pg, source=", ".join(sources), kafka_tls=tls)
