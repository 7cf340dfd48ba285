"""What the enrollment endpoints share: the caller, the idempotency key, running a command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

import asyncpg
from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.auth import Caller
from shared.commands import Actor, Result, respond
from shared.service import Runtime, runtime

IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=8, max_length=200,
                                       description="Any unique string; a retry with the same key is answered "
                                                   "with the first response")]
Rt = Annotated[Runtime, Depends(runtime)]


async def run(request: Request, rt: Runtime, caller: Caller, key: str, body: BaseModel,
              command: Callable[[asyncpg.Connection, Actor], Awaitable[Result]]) -> JSONResponse:
    return await respond(request, rt.pool, caller, key, body, command)
