"""HTTP pieces every service shares: error shapes, correlation ids, metrics, health."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import asyncpg
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import logs
from shared.auth import authenticate, forbidden
from shared.errors import CommandRejected, refusal_status
from shared.metrics import HTTP_REQUESTS, exposition

CORRELATION_HEADER = "X-Correlation-ID"


def _validation_reasons(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"] if p != "body"), "reason": err["msg"], "type": err["type"]}
        for err in exc.errors()
    ]


def install(app: FastAPI, service: str) -> None:
    """Error handlers, the correlation-id/metrics middleware and GET /health, /metrics."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "invalid_request", "reasons": _validation_reasons(exc)}, status_code=422)

    @app.exception_handler(CommandRejected)
    async def _rejected(_: Request, exc: CommandRejected) -> JSONResponse:
        headers = {"Retry-After": str(exc.retry_after_s)} if exc.retry_after_s is not None else None
        return JSONResponse({"error": "rejected", "reasons": exc.reasons}, status_code=exc.status, headers=headers)

    @app.exception_handler(asyncpg.UniqueViolationError)
    async def _conflict(_: Request, exc: asyncpg.UniqueViolationError) -> JSONResponse:
        return JSONResponse({"error": "conflict", "reasons": [
            {"field": exc.column_name or "", "reason": "conflicts with an existing record"}]},
            status_code=refusal_status(exc))

    @app.exception_handler(asyncpg.DataError)
    async def _unstorable(_: Request, exc: asyncpg.DataError) -> JSONResponse:
        # e.g. a NUL character, which PostgreSQL text cannot hold: the input's fault, not ours.
        return JSONResponse({"error": "invalid_request", "reasons": [
            {"field": "", "reason": "the request holds a value that cannot be stored (such as a NUL character)"}]},
            status_code=refusal_status(exc))

    @app.exception_handler(asyncpg.IntegrityConstraintViolationError)
    async def _integrity(_: Request, exc: asyncpg.IntegrityConstraintViolationError) -> JSONResponse:
        return JSONResponse({"error": "invalid_request", "reasons": [
            {"field": exc.column_name or "", "reason": "refers to or breaks a record's rules"}]},
            status_code=refusal_status(exc))

    app.add_middleware(_Correlation, service=service)
    app.include_router(_operations_router())


class _Correlation:
    """Correlation id in and out (``X-Correlation-ID``), in the logs, and request metrics.

    A plain ASGI middleware: Starlette's ``BaseHTTPMiddleware`` costs a task and a streamed
    response per request."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = Headers(scope=scope).get(CORRELATION_HEADER, "")
        try:
            correlation = uuid.UUID(raw)
        except ValueError:
            correlation = uuid.uuid4()
        scope.setdefault("state", {})["correlation_id"] = correlation
        header = (CORRELATION_HEADER.lower().encode(), str(correlation).encode())
        status = 500

        async def send_correlated(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        token = logs.correlation_id.set(str(correlation))
        try:
            await self.app(scope, receive, send_correlated)
        finally:
            logs.correlation_id.reset(token)
            route = scope.get("route")
            HTTP_REQUESTS.labels(self.service, scope["method"], getattr(route, "path", "unmatched"), status).inc()


def _operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health", summary="200 when the database and Kafka answer, else 503")
    async def health(request: Request) -> JSONResponse:
        runtime = request.app.state.runtime
        checks = {"database": "down", "kafka": "down"}
        try:
            await asyncio.wait_for(runtime.pool.fetchval("SELECT 1"), 2.0)
            checks["database"] = "ok"
        except Exception:  # noqa: BLE001 - any failure means unhealthy
            pass
        if await runtime.broker.ping(timeout=2.0):
            checks["kafka"] = "ok"
        healthy = all(v == "ok" for v in checks.values())
        body = {"status": "ok" if healthy else "unavailable", "service": runtime.settings.service,
                "instance": runtime.settings.instance_id, "relay_leader": runtime.relay.is_leader, **checks}
        return JSONResponse(body, status_code=200 if healthy else 503)

    @router.get("/audit", summary="The audit trail of commands, newest first (platform admin only)")
    async def audit(request: Request, limit: int = 100) -> list[dict[str, Any]]:
        if (await authenticate(request)).role != "admin":
            raise forbidden("the audit trail is for the platform admin")
        rows = await request.app.state.runtime.pool.fetch(
            "SELECT * FROM audit_log ORDER BY audit_id DESC LIMIT $1", max(1, min(limit, 1000)))
        return [dict(r) for r in rows]

    @router.get("/metrics", summary="Prometheus metrics")
    async def metrics() -> Response:
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    return router

