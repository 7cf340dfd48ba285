"""Running an HTTP command: one transaction, an idempotency key, retried on deadlock."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.auth import Principal
from shared.http import CommandRejected
from shared.idempotency import run_once


@dataclass(frozen=True)
class Actor:
    """Who issued a command, when, and the correlation id its events carry."""

    principal: Principal
    correlation_id: uuid.UUID
    now: dt.datetime

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


async def respond(
    request: Request, pool: asyncpg.Pool, caller: Principal, key: str, body: BaseModel,
    command: Callable[[asyncpg.Connection, Actor], Awaitable[Result]],
) -> JSONResponse:
    """Run a command from an HTTP request; the idempotency key is scoped to the caller and the route."""
    actor = Actor(caller, request.state.correlation_id, dt.datetime.now(dt.UTC))
    scope = f"{caller.sub} {request.method} {request.scope['route'].path} {request.path_params}"
    status, response = await execute(pool, scope=scope, key=key, request=body.model_dump(mode="json"),
                                     command=lambda tx: command(tx, actor))
    return JSONResponse(response, status_code=status)
