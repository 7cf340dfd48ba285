"""A local Kafka cluster of a test's or benchmark's own (deploy/kafka/kafka-local.sh with
``KAFKA_BROKERS``): its own state directory and ports, nodes to kill and restart, removed afterwards.
The shared single broker is never touched."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka.admin import AdminClient

from deploy.endpoints import KAFKA_SCRIPT, local_kafka_access
from shared.kafka_auth import KafkaAccess

log = logging.getLogger("cluster")
PORTS_PER_NODE = 4  # client, controller, TLS, inter-broker: kafka-local.sh lays them out from KAFKA_PORT
# A test's throwaway broker lives for a minute: the C1 compiler only and the serial collector halve
# what its start costs (measured: 3.9 CPU-s against 7.8 with the server defaults; ready in 4.7 s,
# not 6.9). The shared broker and the benchmarks keep the server defaults.
THROWAWAY_JVM = "-server -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true"


def free_port_block(size: int, attempts: int = 200) -> int:
    """The first of ``size`` consecutive loopback ports that are all free now."""
    for _ in range(attempts):
        base = random.randrange(30_000, 60_000 - size)
        sockets = []
        try:
            for port in range(base, base + size):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError(f"no {size} consecutive free ports")


def run_script(script: Path, env: dict[str, str], *args: str, timeout: float) -> str:
    """Run one of the project's local scripts (deploy/kafka/kafka-local.sh, deploy/postgres/pg-local.sh)
    with ``env`` added, bounded in time; its stdout, or an error with the end of its stderr."""
    done = subprocess.run(
        ["bash", str(script), *args], env={**os.environ, **env}, timeout=timeout, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"{script.name} {' '.join(args)} failed: {done.stderr[-5000:]}")
    return done.stdout.strip()


@dataclass
class LocalCluster:
    """``brokers`` combined broker+controller nodes, numbered from 1."""

    brokers: int
    state: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = 120.0) -> str:
        return run_script(KAFKA_SCRIPT, self.env, *args, timeout=timeout)

    def access(self) -> tuple[KafkaAccess, KafkaAccess]:
        """The admin principal over SASL_PLAINTEXT and SASL_SSL, with every node in the bootstrap list."""
        return local_kafka_access(self.state)

    def controller(self) -> int:
        """The node id of the active KRaft controller."""
        return int(self.run("controller", timeout=30.0))

    def kill(self, node: int) -> None:
        """SIGKILL, as when the machine dies."""
        self.run("kill-node", str(node), timeout=30.0)

    def restart(self, node: int) -> None:
        """Start the node again and wait until it accepts clients. Once (in one of about ten runs on
        a busy machine, after 4 s down) a node restarted this way exited during start-up for a reason
        its log's tail did not show; it is then started once more, and the first failure logged."""
        try:
            self.run("start-node", str(node), timeout=240.0)
        except RuntimeError as failed:
            log.warning("kafka node %s did not restart, starting it again: %s", node, failed)
            self.run("start-node", str(node), timeout=240.0)

    def pids(self) -> list[int]:
        found = []
        for pid_file in self.state.glob("node-*/kafka.pid"):
            try:
                found.append(int(pid_file.read_text().strip()))
            except (OSError, ValueError):
                continue
        return found


def in_sync(kafka: KafkaAccess) -> bool:
    """Every partition of every topic has all its replicas in sync."""
    try:
        metadata = AdminClient({**kafka.confluent(), "log_level": 0}).list_topics(timeout=10)
    except Exception:
        return False
    return all(
        not p.error and set(p.isrs) == set(p.replicas) for t in metadata.topics.values() for p in t.partitions.values()
    )


async def wait_in_sync(kafka: KafkaAccess, timeout: float = 120.0) -> float:
    """Wait until a restarted node has caught up on every partition; return the seconds it took."""
    started = time.monotonic()
    while not await asyncio.to_thread(in_sync, kafka):
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"replicas not in sync after {timeout}s")
        await asyncio.sleep(0.5)
    return time.monotonic() - started


@contextmanager
def local_cluster(brokers: int = 3, jvm_options: str = "") -> Iterator[LocalCluster]:
    """Start a cluster on a fresh state directory and free ports; discard it after (SIGKILL: nothing
    of a throwaway cluster needs a controlled shutdown) and delete its state."""
    state = Path(tempfile.mkdtemp(prefix="tuoguan-kafka-cluster-"))
    os.chmod(state, 0o755)
    env = {
        "KAFKA_BROKERS": str(brokers),
        "KAFKA_LOCAL_STATE": str(state),
        "KAFKA_PORT": str(free_port_block(PORTS_PER_NODE * brokers)),
        "KAFKA_STOP_TIMEOUT": "10",
        "KAFKA_HEAP_OPTS": os.environ.get("TUOGUAN_CLUSTER_HEAP_OPTS", "-Xms128m -Xmx384m"),
        **({"KAFKA_JVM_PERFORMANCE_OPTS": jvm_options} if jvm_options else {}),
    }
    cluster = LocalCluster(brokers, state, env)
    try:
        cluster.run("start", timeout=300.0)
        yield cluster
    finally:
        try:
            cluster.run("discard", timeout=60.0)
        except (RuntimeError, subprocess.TimeoutExpired):
            pass
        finally:
            for pid in cluster.pids():  # whatever is left, by the ids this cluster recorded
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            subprocess.run(["rm", "-rf", str(state)], timeout=60, check=False)
