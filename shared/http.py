"""HTTP pieces every service shares: error shapes, correlation ids, metrics, health.

A database outage is not a server bug: a request that meets one (:func:`shared.commands.is_outage`:
a refused or broken connection, a server starting or shutting down, no pool connection in time) is
answered ``503`` with ``Retry-After`` and the usual error body. Reads are retried once first, because
a pooled connection broken by a restart is replaced on the retry; commands retry inside
:func:`shared.commands.execute`, where their idempotency keys make it safe.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from opentelemetry import context
from opentelemetry.trace import SpanKind, Status, StatusCode
from prometheus_client import CONTENT_TYPE_LATEST
from pydantic import PlainSerializer, WithJsonSchema
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import logs, tracing
from shared.auth import authenticate
from shared.commands import is_outage
from shared.errors import (
    Conflict,
    DomainError,
    Gone,
    Invalid,
    Locked,
    NotAllowed,
    NotFound,
    Unauthenticated,
    Unavailable,
)
from shared.metrics import HTTP_REQUESTS, exposition
from shared.outcomes import Accepted, Created, Done, Outcome, Refused
from shared.principal import forbidden

CORRELATION_HEADER = "X-Correlation-ID"
OUTAGE_RETRY_AFTER_S = 2  # what a client is told to wait while the database is unreachable
# A time in an answer, written as ``datetime.isoformat()`` writes it ("+00:00"), as answers always
# have been (pydantic's own JSON would write "Z").
Timestamp = Annotated[
    dt.datetime,
    PlainSerializer(lambda at: at.isoformat(), return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]

STALE_OUTBOX_S = 30.0  # an unpublished event older than this makes the relay "degraded"
log = logging.getLogger(__name__)


def _validation_reasons(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"] if p != "body"), "reason": err["msg"], "type": err["type"]}
        for err in exc.errors()
    ]


# The one table from a command's outcome or refusal to its HTTP status; a class not listed takes
# the status of the nearest listed class it derives from.
STATUS: dict[type, int] = {
    Done: 200,
    Created: 201,
    Accepted: 202,
    Invalid: 422,
    NotFound: 404,
    Conflict: 409,
    NotAllowed: 403,
    Unauthenticated: 401,
    Gone: 410,
    Locked: 429,
    Unavailable: 503,
    asyncpg.UniqueViolationError: 409,
    asyncpg.IntegrityConstraintViolationError: 422,
    asyncpg.DataError: 422,
}


def status_of(kind: type) -> int:
    """The status of an outcome or refusal class, from :data:`STATUS`."""
    for cls in kind.__mro__:
        if cls in STATUS:
            return STATUS[cls]
    raise LookupError(f"{kind.__name__} has no HTTP status; add it to shared.http.STATUS")


def answer(outcome: Outcome | BaseException) -> tuple[int, dict[str, Any]]:
    """The status and body a command's outcome, or its refusal, is answered with."""
    match outcome:
        case Done(body=body):
            return status_of(type(outcome)), body
        case Refused(error=error, word=word):
            return status_of(type(error)), {"error": word, **error.details, "reasons": error.reasons}
        case DomainError():
            return status_of(type(outcome)), {"error": "rejected", **outcome.details, "reasons": outcome.reasons}
        case asyncpg.UniqueViolationError():
            reason = "conflicts with an existing record"
            field = outcome.column_name or ""
            return status_of(type(outcome)), {"error": "conflict", "reasons": [{"field": field, "reason": reason}]}
        case asyncpg.DataError():
            # e.g. a NUL character, which PostgreSQL text cannot hold: the input's fault, not ours.
            reason = "the request holds a value that cannot be stored (such as a NUL character)"
            return status_of(type(outcome)), {"error": "invalid_request", "reasons": [{"field": "", "reason": reason}]}
        case asyncpg.IntegrityConstraintViolationError():
            reason = "refers to or breaks a record's rules"
            field = outcome.column_name or ""
            return status_of(type(outcome)), {
                "error": "invalid_request",
                "reasons": [{"field": field, "reason": reason}],
            }
    raise TypeError(f"no answer for {outcome!r}")


def install(app: FastAPI, service: str) -> None:
    """Error handlers, the outage and correlation-id/metrics middlewares, and GET /health/live,
    /health/ready (alias /health), /metrics."""

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "invalid_request", "reasons": _validation_reasons(exc)}, status_code=422)

    @app.exception_handler(DomainError)
    @app.exception_handler(asyncpg.IntegrityConstraintViolationError)
    @app.exception_handler(asyncpg.DataError)
    async def _refused(_: Request, exc: Exception) -> JSONResponse:
        status, body = answer(exc)
        retry_after = getattr(exc, "retry_after_s", None)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return JSONResponse(body, status_code=status, headers=headers)

    app.add_middleware(_DatabaseOutage)
    app.add_middleware(_Correlation, service=service)
    app.add_middleware(_Tracing)  # outermost: the span covers the whole request
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


class _Tracing:
    """A SERVER span per HTTP request under the caller's ``traceparent``; without tracing, the
    caller's ``traceparent`` (if any) is made current so that the request's events carry it on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"traceparent"), None)
        if not tracing.enabled():
            parent = tracing.parent_context(incoming)
            if parent is None:
                await self.app(scope, receive, send)
                return
            token = context.attach(parent)
            try:
                await self.app(scope, receive, send)
            finally:
                context.detach(token)
            return
        method = scope["method"]
        with tracing.tracer().start_as_current_span(
            method, context=tracing.parent_context(incoming), kind=SpanKind.SERVER, record_exception=True
        ) as current:
            status = 500

            async def send_traced(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await self.app(scope, receive, send_traced)
            finally:
                route = getattr(scope.get("route"), "path", None)
                current.update_name(f"{method} {route or 'unmatched'}")
                current.set_attribute("http.request.method", method)
                current.set_attribute("url.path", scope["path"])
                current.set_attribute("http.response.status_code", status)
                if route:
                    current.set_attribute("http.route", route)
                if status >= 500:
                    current.set_status(Status(StatusCode.ERROR))


def database_unavailable() -> JSONResponse:
    """The answer to a request that met a database outage: retry later, nothing is broken."""
    return JSONResponse(
        {
            "error": "unavailable",
            "reasons": [
                {
                    "field": "",
                    "reason": "the database is unreachable for a moment; retry after the Retry-After seconds "
                    "(with the same Idempotency-Key for a command)",
                }
            ],
        },
        status_code=503,
        headers={"Retry-After": str(OUTAGE_RETRY_AFTER_S)},
    )


class _DatabaseOutage:
    """Answers a request that met a database outage (:func:`shared.commands.is_outage`) with
    503 + Retry-After instead of 500. A read (GET, HEAD) is retried once before that."""

    def __init__(self, app: ASGIApp, retry_pause_s: float = 0.2) -> None:
        self.app = app
        self.retry_pause_s = retry_pause_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        tries = 2 if scope["method"] in ("GET", "HEAD") else 1
        for attempt in range(1, tries + 1):
            try:
                await self.app(scope, receive, send_tracked)
                return
            except Exception as exc:
                if started or not is_outage(exc):
                    raise
                if attempt == tries:
                    log.warning("database unavailable; answered 503", extra={"error": repr(exc)})
                    await database_unavailable()(scope, receive, send)
                    return
                await asyncio.sleep(self.retry_pause_s)


_BACKLOG = """SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
              FROM outbox WHERE published_at IS NULL AND parked_at IS NULL"""


async def _database_check(runtime: Any) -> tuple[str, int | None, float]:
    try:
        pending, oldest_s = await asyncio.wait_for(runtime.pool.fetchrow(_BACKLOG), 2.0)
    except Exception:
        return "down", None, 0.0
    return "ok", pending, oldest_s


async def _false() -> bool:
    return False  # no broker: an in-process test's app, without Kafka


async def readiness(runtime: Any) -> JSONResponse:
    """200 when the database answers, else 503. Kafka down, or a relay behind, is ``degraded``:
    commands still commit (their events wait in the outbox), so the instance stays in service."""
    (database, pending, oldest_s), kafka_up = await asyncio.gather(
        _database_check(runtime), runtime.broker.ping(timeout=2.0) if runtime.broker else _false()
    )
    kafka = "ok" if kafka_up else "degraded"
    relay = "ok" if database == "ok" and oldest_s < STALE_OUTBOX_S else "degraded"
    status = "unavailable" if database != "ok" else "ok" if kafka == relay == "ok" else "degraded"
    body = {
        "status": status,
        "service": runtime.settings.service,
        "instance": runtime.settings.instance_id,
        "database": database,
        "kafka": kafka,
        "relay": relay,
        "relay_leader": bool(runtime.relay and runtime.relay.is_leader),
        "outbox_pending": pending,
        "outbox_oldest_pending_s": round(oldest_s, 1),
    }
    return JSONResponse(body, status_code=503 if database != "ok" else 200)


def _operations_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health/live", summary="200 while the process serves HTTP (liveness)")
    async def live(request: Request) -> dict[str, str]:
        settings = request.app.state.runtime.settings
        return {"status": "ok", "service": settings.service, "instance": settings.instance_id}

    @router.get(
        "/health/ready",
        summary="200 when the database answers (Kafka and the relay may be degraded), else 503 (readiness)",
    )
    @router.get("/health", summary="Alias of /health/ready, for older probes")
    async def ready(request: Request) -> JSONResponse:
        return await readiness(request.app.state.runtime)

    @router.get("/audit", summary="The audit trail of commands, newest first (platform admin only)")
    async def audit(request: Request, limit: int = 100) -> list[dict[str, Any]]:
        if (await authenticate(request)).role != "admin":
            raise forbidden("the audit trail is for the platform admin")
        rows = await request.app.state.runtime.pool.fetch(
            "SELECT * FROM audit_log ORDER BY audit_id DESC LIMIT $1", max(1, min(limit, 1000))
        )
        return [dict(r) for r in rows]

    @router.get("/metrics", summary="Prometheus metrics")
    async def metrics() -> Response:
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST)

    return router
