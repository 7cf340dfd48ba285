"""A guardian's inbox live, as server-sent events. One ``LISTEN inbox`` connection per process
(the hub), fanned out to the streams this process serves, with a cap on the streams one guardian
may hold open.

A stream costs a queue, not a database connection, so a thousand parents watching their inbox
use one connection, and a guardian (or a stolen token) cannot open streams without end. When
the listening connection is lost every stream ends, and clients reconnect (EventSource does).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator

import asyncpg
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import StreamingResponse

from services.notify.access import ensure_self
from services.notify.config import settings_of
from services.notify.handlers.inbox import inbox_of
from shared.auth import Caller
from shared.db import connect
from shared.errors import Locked
from shared.principal import Principal
from shared.service import Runtime, ServiceRuntime

log = logging.getLogger(__name__)
router = APIRouter(tags=["inbox"])
CHANNEL = "inbox"
HEARTBEAT_S = 15.0


@router.get(
    "/guardians/{guardian_id}/notifications/stream",
    summary="Server-sent events: new in-app notifications live",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"text/event-stream": {}}, "description": "``notification`` events, then ``expired``"},
        429: {"description": "too many open streams"},
    },
)
async def stream_inbox(
    guardian_id: uuid.UUID, request: Request, rt: ServiceRuntime, caller: Caller
) -> StreamingResponse:
    """Ends when the token expires (``event: expired``): the client reconnects with a fresh one."""
    ensure_self(caller, guardian_id)
    subscription = await InboxHub.of(request.app, rt).subscribe(guardian_id)
    return StreamingResponse(
        _live(guardian_id, subscription, rt, caller),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _live(
    guardian_id: uuid.UUID, subscription: Subscription, rt: Runtime, caller: Principal
) -> AsyncIterator[str]:
    since, seen = dt.datetime.now(dt.UTC), set()
    expires_at = caller.exp or (time.time() + HEARTBEAT_S)
    try:
        yield ": connected\n\n"
        while (left := expires_at - time.time()) > 0:
            woken = await subscription.wait(min(HEARTBEAT_S, left))
            if woken is None:
                yield ": keep-alive\n\n"
                continue
            if not woken:  # the hub lost its database connection: the client reconnects
                return
            key = settings_of(rt).seal_private_key
            for item in reversed(await inbox_of(rt.pool, caller, guardian_id, 200, private_key=key, since=since)):
                if item["notification_id"] in seen:
                    continue
                seen.add(item["notification_id"])
                since = max(since, item["created_at"])
                yield f"id: {item['notification_id']}\nevent: notification\ndata: {json.dumps(item, default=str, ensure_ascii=False)}\n\n"
        yield "event: expired\ndata: {}\n\n"
    finally:
        subscription.close()


class Subscription:
    """One stream's view of the hub: ``wait`` answers True when the guardian's inbox changed, None
    on a timeout, and False when the hub lost its connection."""

    def __init__(self, hub: InboxHub, guardian_id: uuid.UUID) -> None:
        self.hub, self.guardian_id = hub, guardian_id
        self.woken: asyncio.Queue[bool] = asyncio.Queue(maxsize=1)

    def wake(self, changed: bool) -> None:
        if self.woken.empty():  # one pending wake-up says it all: the stream reads what is new
            self.woken.put_nowait(changed)

    async def wait(self, timeout_s: float) -> bool | None:
        try:
            return await asyncio.wait_for(self.woken.get(), timeout_s)
        except TimeoutError:
            return None

    def close(self) -> None:
        self.hub.release(self)


class InboxHub:
    def __init__(self, dsn: str, per_guardian: int) -> None:
        self.dsn, self.per_guardian = dsn, per_guardian
        self.streams: dict[uuid.UUID, set[Subscription]] = {}
        self.conn: asyncpg.Connection | None = None
        self.lock = asyncio.Lock()

    @classmethod
    def of(cls, app: FastAPI, rt: Runtime) -> InboxHub:
        """The process's hub, made on first use."""
        hub = getattr(app.state, "inbox_hub", None)
        if hub is None:
            settings = settings_of(rt)
            hub = app.state.inbox_hub = cls(settings.database_url, settings.streams_per_guardian)
        return hub

    async def subscribe(self, guardian_id: uuid.UUID) -> Subscription:
        open_now = self.streams.setdefault(guardian_id, set())
        if len(open_now) >= self.per_guardian:
            raise Locked(f"at most {self.per_guardian} live streams per guardian are open at once", field="guardian_id")
        subscription = Subscription(self, guardian_id)
        open_now.add(subscription)  # counted before the first await, so concurrent requests see it
        try:
            await self._listening()
        except Exception:
            self.release(subscription)
            raise
        return subscription

    def release(self, subscription: Subscription) -> None:
        open_now = self.streams.get(subscription.guardian_id)
        if open_now is not None:
            open_now.discard(subscription)
            if not open_now:
                del self.streams[subscription.guardian_id]

    async def _listening(self) -> None:
        async with self.lock:
            if self.conn is not None and not self.conn.is_closed():
                return
            conn = await connect(self.dsn)
            conn.add_termination_listener(self._lost)
            await conn.add_listener(CHANNEL, self._notified)
            self.conn = conn

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: object) -> None:
        try:
            guardian_id = uuid.UUID(str(payload))  # NOTIFY's payload: text, a guardian's id
        except ValueError:
            return
        for subscription in self.streams.get(guardian_id, ()):
            subscription.wake(True)

    def _lost(self, _conn: object) -> None:
        log.warning("the inbox listener lost its connection; live streams end and clients reconnect")
        self.conn = None
        for open_now in self.streams.values():
            for subscription in open_now:
                subscription.wake(False)
