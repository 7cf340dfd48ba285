"""The services' HTTP APIs, called with the signed-in person's token. The web front end has no
rule of its own: a refusal comes back as :class:`ApiError` with the API's ``reasons``
(``[{field, reason}]``), which the page shows next to the field."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from services.web.config import BACKENDS, WebSettings


@dataclass
class ApiError(Exception):
    status: int
    error: str
    reasons: list[dict[str, Any]] = field(default_factory=list)

    def by_field(self) -> dict[str, str]:
        """The first reason per field, keyed by the last part of its path (``days.0`` -> ``days``)."""
        found: dict[str, str] = {}
        for reason in self.reasons:
            path = str(reason.get("field") or "")
            key = next((p for p in reversed(path.split(".")) if p and not p.isdigit()), "")
            found.setdefault(key, str(reason.get("reason") or self.error))
        return found or {"": self.error}


class Backend:
    """One pooled HTTP client per service; made when the app starts, closed when it stops.
    ``transports`` lets a test hand a service's app in directly (httpx.ASGITransport)."""

    def __init__(self, settings: WebSettings, transports: dict[str, httpx.AsyncBaseTransport] | None = None) -> None:
        self.clients = {
            service: httpx.AsyncClient(
                base_url=settings.url_of(service),
                timeout=settings.api_timeout_s,
                transport=(transports or {}).get(service),
            )
            for service in BACKENDS
        }

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        token: str,
        *,
        body: dict[str, Any] | None = None,
        key: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any:
        """The JSON answer, or :class:`ApiError`. A command carries ``key`` as its Idempotency-Key:
        a form rendered once and sent twice has one effect."""
        headers = {"Authorization": f"Bearer {token}"}
        if method != "GET":
            headers["Idempotency-Key"] = key or f"web-{uuid.uuid4()}"
        try:
            response = await self.clients[service].request(method, path, json=body, params=params, headers=headers)
        except httpx.TransportError as exc:
            raise ApiError(503, "unavailable", [{"field": "", "reason": f"{service} did not answer"}]) from exc
        if response.status_code >= 400:
            try:
                answer = response.json()
            except ValueError:
                answer = {}
            raise ApiError(
                response.status_code, str(answer.get("error", response.status_code)), answer.get("reasons", [])
            )
        if response.headers.get("content-type", "").startswith("application/json"):
            return response.json()
        return response.text

    async def get(self, service: str, path: str, token: str, **params: Any) -> Any:
        return await self.call(service, "GET", path, token, params={k: v for k, v in params.items() if v is not None})

    async def post(self, service: str, path: str, token: str, body: dict[str, Any], key: str | None = None) -> Any:
        return await self.call(service, "POST", path, token, body=body, key=key)

    async def put(self, service: str, path: str, token: str, body: dict[str, Any], key: str | None = None) -> Any:
        return await self.call(service, "PUT", path, token, body=body, key=key)

    async def patch(self, service: str, path: str, token: str, body: dict[str, Any], key: str | None = None) -> Any:
        return await self.call(service, "PATCH", path, token, body=body, key=key)

    def stream(self, service: str, path: str, token: str) -> Any:
        """An open streaming GET (server-sent events), to pass through to the browser."""
        request = self.clients[service].build_request(
            "GET", path, headers={"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}, timeout=None
        )
        return self.clients[service].send(request, stream=True)
