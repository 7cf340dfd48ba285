"""A command from an HTTP request: the Idempotency-Key header, the audit line, and the answer.
The edge half of shared/commands.py, which runs the command without knowing of HTTP."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import orjson
from fastapi import Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from shared.commands import AuditEntry, Command, execute
from shared.http import answer
from shared.principal import Principal
from shared.uow import Actor

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        description="Any unique string; a retry with the same key is answered with the first response",
    ),
]
OptionalIdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=8,
        max_length=200,
        description="Optional: the command is idempotent by itself",
    ),
]


async def respond(
    request: Request, caller: Principal, key: str | None, body: BaseModel, command: Command
) -> JSONResponse:
    """Run a command from an HTTP request: idempotency key scoped to the caller and the route, audited."""
    rt = request.app.state.runtime
    actor = Actor(caller, request.state.correlation_id, dt.datetime.now(dt.UTC))
    action = f"{request.method} {request.scope['route'].path}"
    audit = AuditEntry(
        service=rt.settings.service,
        actor=caller,
        action=action,
        target={k: str(v) for k, v in request.path_params.items()},
        idempotency_key=key or "",
        correlation_id=actor.correlation_id,
    )
    status, response = await execute(
        rt.pool,
        rt.outbox,
        actor,
        scope=f"{caller.sub} {action} {request.path_params}",
        key=key,
        request=body.model_dump(mode="json"),
        command=command,
        answer=answer,
        audit=audit,
    )
    return _OrjsonResponse(response, status_code=status)


class _OrjsonResponse(JSONResponse):
    """A JSON response rendered by orjson (FastAPI's own ORJSONResponse is deprecated)."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
