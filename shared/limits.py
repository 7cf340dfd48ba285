"""Limits against abuse, at the HTTP edge of every service: request bodies are capped, and
commands (POST, PUT, PATCH, DELETE) are rate-limited per bearer token and per client address,
with tighter limits on routes a service names (attendance's pick-up code check).

Counting uses the ``limits`` library's moving window, in this process's memory: with N instances
behind a load balancer a client gets up to N times the limit. Production adds a shared limit at
the ingress (see docs/security.md). The client address is the TCP peer; behind a proxy, have the
proxy limit per address too.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Iterable

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

COMMANDS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _template(path: str) -> re.Pattern[str]:
    """``/pickups/{attempt_id}/confirmation`` -> a regex matching concrete paths."""
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")


class Guard:
    """ASGI middleware: 413 above ``max_body_bytes``, 429 with ``Retry-After`` above a rate."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        per_token: str,
        per_address: str,
        tight: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.limiter = MovingWindowRateLimiter(MemoryStorage())
        self.per_token, self.per_address = parse(per_token), parse(per_address)
        self.tight = [(_template(path), parse(rate)) for path, rate in tight]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await self._refuse(send, 413, "body", f"the request body may have at most {self.max_body_bytes} bytes")
            return
        if scope["method"] in COMMANDS:
            refused = self._over_limit(scope, headers)
            if refused:
                field, reason, retry_after = refused
                await self._refuse(send, 429, field, reason, retry_after)
                return
        await self._call_capped(scope, receive, send)

    def _over_limit(self, scope: Scope, headers: Headers) -> tuple[str, str, int] | None:
        path, token = scope["path"], headers.get("authorization", "")
        address = (scope.get("client") or ("unknown",))[0]
        token_key = hashlib.sha256(token.encode()).hexdigest()[:24] if token else None
        checks: list[tuple[RateLimitItem, str, str]] = []
        for pattern, rate in self.tight:
            if pattern.match(path):
                checks.append((rate, f"tight:{pattern.pattern}:address:{address}", "client"))
                if token_key:
                    checks.append((rate, f"tight:{pattern.pattern}:token:{token_key}", "Authorization"))
        checks.append((self.per_address, f"address:{address}", "client"))
        if token_key:
            checks.append((self.per_token, f"token:{token_key}", "Authorization"))
        for rate, key, field in checks:
            if not self.limiter.hit(rate, key):
                reset = self.limiter.get_window_stats(rate, key).reset_time
                who = "this token" if field == "Authorization" else "this address"
                return (
                    field,
                    f"too many requests from {who}: at most {rate.amount} per {rate.get_expiry()} s",
                    max(1, math.ceil(reset - time.time())),
                )
        return None

    async def _call_capped(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, counting body bytes that came without (or beyond) a length. Past
        the cap the client gets 413 at once, and the app is told the client went away (so it stops
        reading) and cannot answer any more."""
        received, started, refused = 0, False, False

        async def counted() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes and not started:
                    refused = True
                    await self._refuse(
                        send, 413, "body", f"the request body may have at most {self.max_body_bytes} bytes"
                    )
                    return {"type": "http.disconnect"}
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except Exception:
            if not refused:
                raise

    @staticmethod
    async def _refuse(send: Send, status: int, field: str, reason: str, retry_after: int | None = None) -> None:
        body = json.dumps(
            {"error": "too_large" if status == 413 else "rate_limited", "reasons": [{"field": field, "reason": reason}]}
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if retry_after is not None:
            headers.append((b"retry-after", str(retry_after).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
