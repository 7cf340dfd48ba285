"""Wiring of the notify service."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from services.notify.api import router
from services.notify.channels import Channel
from services.notify.channels.email import Email
from services.notify.channels.http_push import SignedPost
from services.notify.config import NotifySettings
from services.notify.db.notifications import blank_expired_codes
from services.notify.handlers.dispatch import dispatch_due
from services.notify.handlers.events import events
from shared.service import Runtime, ServiceDefinition


def channels(settings: NotifySettings) -> dict[str, Channel]:
    """The outside channels this deployment has; in-app needs none."""
    found: dict[str, Channel] = {
        "webhook": SignedPost(secret=settings.webhook_secret, timeout_s=settings.delivery_timeout_s),
        "email": Email(host=settings.smtp_host, port=settings.smtp_port, sender=settings.smtp_sender,
                       timeout_s=settings.delivery_timeout_s),
    }
    for kind, url in (("sms", settings.sms_gateway_url), ("wechat", settings.wechat_gateway_url)):
        if url:
            found[kind] = SignedPost(secret=settings.gateway_secret, timeout_s=settings.delivery_timeout_s,
                                     gateway_url=url)
    return found


async def dispatch(rt: Runtime) -> None:
    """Timer: send what is due on outside channels."""
    await dispatch_due(rt.pool, rt.outbox, channels(rt.settings), rt.settings)


async def forget_expired_codes(rt: Runtime) -> None:
    """Timer: blank the sealed pick-up codes whose time is up."""
    await blank_expired_codes(rt.pool, dt.datetime.now(dt.UTC))


definition = ServiceDefinition(
    name="notify",
    secrets=("NOTIFY_GATEWAY_SECRET", "NOTIFY_SEAL_PRIVATE_KEY"),
    title="Tuoguan notify",
    migrations=Path(__file__).parent / "migrations",
    api=router,
    events=events,
    timers=[dispatch, forget_expired_codes],
    settings=NotifySettings,
)
