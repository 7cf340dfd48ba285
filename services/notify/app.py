"""Wiring of the notify service."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from services.notify.api import router as api
from services.notify.channels import Channel
from services.notify.channels.email import Email
from services.notify.channels.http_push import GatewayPost, WebhookPost
from services.notify.config import NotifySettings, settings_of
from services.notify.db.notifications import blank_expired_codes
from services.notify.handlers.confirmation import send_confirmation_codes
from services.notify.handlers.dispatch import Dispatcher
from services.notify.handlers.events import events
from shared.service import Runtime, ServiceDefinition

log = logging.getLogger(__name__)


def channels(settings: NotifySettings) -> dict[str, Channel]:
    """The outside channels this deployment has; in-app needs none."""
    if settings.webhook_allow_networks or settings.webhook_allow_http or settings.webhook_hosts_file:
        log.warning("webhooks may reach beyond the public internet: a setting for tests only is set")
    found: dict[str, Channel] = {
        "webhook": WebhookPost(reach=settings.webhook_reach, timeout_s=settings.delivery_timeout_s),
        "email": Email(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_sender,
            timeout_s=settings.delivery_timeout_s,
        ),
    }
    for kind, url in (("sms", settings.sms_gateway_url), ("wechat", settings.wechat_gateway_url)):
        if url:
            found[kind] = GatewayPost(url=url, secret=settings.gateway_secret, timeout_s=settings.delivery_timeout_s)
    return found


class Dispatching:
    """Timer: start sending what is due on outside channels; the sends outlive the tick."""

    __name__ = "dispatch"

    def __init__(self) -> None:
        self.runtime: Runtime | None = None
        self.dispatcher: Dispatcher | None = None

    async def __call__(self, rt: Runtime) -> None:
        if self.runtime is not rt or self.dispatcher is None:
            self.runtime = rt
            settings = settings_of(rt)
            self.dispatcher = Dispatcher(rt.pool, rt.outbox, channels(settings), settings)
        await self.dispatcher.dispatch_due()


async def forget_expired_codes(rt: Runtime) -> None:
    """Timer: blank the sealed pick-up codes whose time is up."""
    await blank_expired_codes(rt.pool, dt.datetime.now(dt.UTC))


async def confirmation_codes(rt: Runtime) -> None:
    """Timer: a one-time code to each new address (and to each that asked for a new one)."""
    await send_confirmation_codes(rt.pool, settings_of(rt), dt.datetime.now(dt.UTC))


definition = ServiceDefinition(
    name="notify",
    secrets=("NOTIFY_GATEWAY_SECRET", "NOTIFY_SEAL_PRIVATE_KEY"),
    title="Tuoguan notify",
    migrations=Path(__file__).parent / "migrations",
    api=api,
    events=events,
    timers=[Dispatching(), forget_expired_codes, confirmation_codes],
    settings=NotifySettings,
)
