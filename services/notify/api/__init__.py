"""HTTP API of the notify service: a guardian's in-app inbox (a feed and a live stream) and their
preferences. A parent sees only their own (their member id is their guardian id). A pick-up code
shows only to the parent reading their own inbox, and only until it expires; admins never see it."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator

from services.notify.api.live import InboxHub, Subscription
from services.notify.db import notifications, recipients
from services.notify.domain import Preferences, with_code
from shared.auth import Caller
from shared.contracts.enrollment import ChannelKind
from shared.envelope import Event
from shared.http_commands import OptionalIdempotencyKey, respond
from shared.outcomes import Done
from shared.principal import Principal, forbidden
from shared.service import Runtime, ServiceRuntime
from shared.uow import UnitOfWork

router = APIRouter(tags=["inbox"])
HEARTBEAT_S = 15.0


def _ensure_self(p: Principal, guardian_id: uuid.UUID) -> None:
    if p.role == "admin" or (p.role == "parent" and p.member_id == guardian_id):
        return
    raise forbidden("a guardian's notifications are theirs alone")


def _shown(items: list[dict[str, Any]], p: Principal, guardian_id: uuid.UUID, rt: Runtime) -> list[dict[str, Any]]:
    """Inbox items as the caller may see them: the pick-up code opened for the guardian alone."""
    reveal, now = p.role == "parent" and p.member_id == guardian_id, dt.datetime.now(dt.UTC)
    return [
        {
            **{k: v for k, v in item.items() if k not in ("language", "sealed_code", "code_expires_at")},
            "body": with_code(
                item["body"],
                item["language"],
                notifications.sealed_code(item),
                private_key=rt.settings.seal_private_key,
                reveal=reveal,
                now=now,
            ),
        }
        for item in items
    ]


@router.get("/guardians/{guardian_id}/notifications", summary="The in-app inbox, newest first")
async def read_inbox(
    guardian_id: uuid.UUID, rt: ServiceRuntime, caller: Caller, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> dict[str, Any]:
    _ensure_self(caller, guardian_id)
    items = await notifications.inbox_of(rt.pool, guardian_id, limit)
    return {"guardian_id": guardian_id, "notifications": _shown(items, caller, guardian_id, rt)}


@router.get("/guardians/{guardian_id}/deliveries", summary="Every channel's notifications and their delivery state")
async def read_deliveries(guardian_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    _ensure_self(caller, guardian_id)
    return {"guardian_id": guardian_id, "notifications": await notifications.deliveries_of(rt.pool, guardian_id)}


@router.get(
    "/guardians/{guardian_id}/notifications/stream",
    summary="Server-sent events: new in-app notifications live",
    response_class=StreamingResponse,
    responses={429: {"description": "too many open streams"}},
)
async def stream_inbox(
    guardian_id: uuid.UUID, request: Request, rt: ServiceRuntime, caller: Caller
) -> StreamingResponse:
    """Ends when the token expires (``event: expired``): the client reconnects with a fresh one."""
    _ensure_self(caller, guardian_id)
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
            for item in reversed(
                _shown(await notifications.inbox_of(rt.pool, guardian_id, 200, since), caller, guardian_id, rt)
            ):
                if item["notification_id"] in seen:
                    continue
                seen.add(item["notification_id"])
                since = max(since, item["created_at"])
                yield f"id: {item['notification_id']}\nevent: notification\ndata: {json.dumps(item, default=str, ensure_ascii=False)}\n\n"
        yield "event: expired\ndata: {}\n\n"
    finally:
        subscription.close()


class PreferencesIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("muted_kinds")
    @classmethod
    def _known_kinds(cls, kinds: list[str]) -> list[str]:
        unknown = sorted(set(kinds) - set(Event.REGISTRY))
        if unknown:
            raise ValueError(f"not event types: {', '.join(unknown)[:200]}")
        return kinds

    muted_kinds: list[str] = Field(
        default_factory=list, max_length=50, description="Event types not to be told about (safety alerts always come)"
    )
    channels: list[ChannelKind] | None = Field(None, max_length=10, description="Channels to use; all when absent")
    quiet_start: dt.time | None = Field(None, description="Local time; routine messages wait until quiet_end")
    quiet_end: dt.time | None = None
    language: Literal["zh-CN", "en"] = "zh-CN"


@router.get("/guardians/{guardian_id}/preferences", summary="What, where and when a guardian wants to be told")
async def read_preferences(guardian_id: uuid.UUID, rt: ServiceRuntime, caller: Caller) -> dict[str, Any]:
    _ensure_self(caller, guardian_id)
    return await _preferences_of(rt.pool, guardian_id)


async def _preferences_of(conn: recipients.Conn, guardian_id: uuid.UUID) -> dict[str, Any]:
    p = await recipients.preferences(conn, guardian_id)
    return {
        "guardian_id": guardian_id,
        "muted_kinds": list(p.muted_kinds),
        "channels": list(p.channels) if p.channels is not None else None,
        "quiet_start": p.quiet_start,
        "quiet_end": p.quiet_end,
        "language": p.language,
    }


@router.put("/guardians/{guardian_id}/preferences", summary="Replace a guardian's preferences")
async def write_preferences(
    guardian_id: uuid.UUID,
    body: PreferencesIn,
    request: Request,
    rt: ServiceRuntime,
    caller: Caller,
    key: OptionalIdempotencyKey = None,
) -> JSONResponse:
    async def replace(uow: UnitOfWork) -> Done:
        tx = uow.tx
        _ensure_self(caller, guardian_id)
        prefs = Preferences(
            tuple(body.muted_kinds),
            tuple(body.channels) if body.channels is not None else None,
            body.quiet_start,
            body.quiet_end,
            body.language,
        )
        await recipients.save_preferences(tx, guardian_id, prefs)
        return Done(await _preferences_of(tx, guardian_id))

    return await respond(request, caller, key, body, replace)
