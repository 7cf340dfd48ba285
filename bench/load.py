"""The benchmarks' HTTP load generator: aiohttp with a pool of keep-alive connections.

httpx (what the tests use) spends more CPU per request in its connection pool than the services
it is measuring spend answering (a py-spy profile of checkin-rush showed 86 % of the load
generator's time in httpx and httpcore), so on a 2-core machine it, not the service, set the pace.
"""

from __future__ import annotations

import time
from typing import Any

import aiohttp
import orjson


class Load:
    """``async with Load(url, concurrency) as load: status, body, ms = await load.post(path, body, headers)``."""

    def __init__(self, base_url: str, concurrency: int, headers: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.concurrency = concurrency
        self.headers = headers or {}
        self.session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Load:
        self.session = aiohttp.ClientSession(
            base_url=self.base_url,
            headers=self.headers,
            json_serialize=lambda v: orjson.dumps(v).decode(),
            connector=aiohttp.TCPConnector(limit=self.concurrency),
            timeout=aiohttp.ClientTimeout(total=120),
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self.session is not None
        await self.session.close()

    async def post(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, Any, float]:
        """Status, decoded JSON body and milliseconds; a dropped connection is retried with the same headers
        (so with the same Idempotency-Key), as a careful client would."""
        assert self.session is not None
        for attempt in range(3):
            started = time.perf_counter()
            try:
                async with self.session.post(path, json=body, headers=headers) as answer:
                    raw = await answer.read()
                    return answer.status, orjson.loads(raw) if raw else None, (time.perf_counter() - started) * 1000
            except aiohttp.ClientConnectionError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")
