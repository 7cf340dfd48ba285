"""What every benchmark needs: infrastructure, a fresh namespace, services as processes, percentiles."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from deploy.endpoints import ROOT, endpoints
from testkit.processes import ServiceProcess
from testkit.stack import Stack, provisioned

LOG_DIR = ROOT / ".state/bench-logs"


@asynccontextmanager
async def running_system(services: list[str], **env: str) -> AsyncIterator[tuple[Stack, dict[str, ServiceProcess]]]:
    """Kafka, PostgreSQL, a fresh namespace and the given services, all torn down afterwards."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    with endpoints() as found:
        logging.getLogger("bench").info("infrastructure: %s", found.source)
        async with provisioned(found, prefix="b") as stack:
            processes = {s: ServiceProcess(s, stack.service_env(**env), LOG_DIR).start() for s in services}
            try:
                await asyncio.gather(*(p.wait_healthy() for p in processes.values()))
                yield stack, processes
            finally:
                for process in processes.values():
                    process.stop()


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]
