"""Settings of the notify service: the shared ones plus its channels (``NOTIFY_*``)."""

from __future__ import annotations

from shared.settings import ServiceSettings


class NotifySettings(ServiceSettings):
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    smtp_sender: str = "tuoguan@localhost"
    webhook_secret: str = "tuoguan-dev-webhook-secret"
    sms_gateway_url: str | None = None
    wechat_gateway_url: str | None = None
    gateway_secret: str  # required, no default (shared/secrets.py checks it at start)
    seal_private_key: str  # opens sealed pick-up codes; required, no default
    delivery_timeout_s: float = 5.0
    delivery_backoff_s: float = 30.0
    delivery_backoff_max_s: float = 3600.0
    delivery_max_attempts: int = 8
    timer_interval_s: float = 1.0  # how often the dispatcher looks for due notifications
