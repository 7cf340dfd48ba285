"""Running an HTTP command: one transaction, an idempotency key, retried on deadlock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from shared.http import CommandRejected
from shared.idempotency import run_once

Result = tuple[int, dict[str, Any]]
RETRYABLE = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)


async def execute(
    pool: asyncpg.Pool,
    *,
    scope: str,
    key: str,
    request: Any,
    command: Callable[[asyncpg.Connection], Awaitable[Result]],
    attempts: int = 3,
) -> Result:
    """Run ``command`` once per ``(scope, key)`` in a transaction; a retry returns the first result."""
    for attempt in range(1, attempts + 1):
        try:
            async with pool.acquire() as tx, tx.transaction():
                return await run_once(tx, scope=scope, key=key, request=request, command=lambda: command(tx))
        except RETRYABLE:
            if attempt == attempts:
                raise CommandRejected(503, [{"field": "", "reason": "busy; retry with the same Idempotency-Key"}])
    raise AssertionError("unreachable")
