"""A 3-broker Kafka cluster of a test's own (testkit/cluster.py), with a fresh namespace provisioned
on it: its topics replicated as the settings say for three brokers (3 copies, 2 in sync)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from deploy.endpoints import Endpoints
from testkit.cluster import THROWAWAY_JVM, LocalCluster, local_cluster
from testkit.stack import Stack, provisioned


@asynccontextmanager
async def stack_on_own_cluster(infra: Endpoints, brokers: int = 3) -> AsyncIterator[tuple[LocalCluster, Stack]]:
    """The shared PostgreSQL, and a cluster started here and removed afterwards."""
    with local_cluster(brokers, jvm_options=THROWAWAY_JVM) as cluster:
        kafka, tls = cluster.access()
        async with provisioned(dataclasses.replace(infra, kafka=kafka, kafka_tls=tls)) as stack:
            yield cluster, stack
