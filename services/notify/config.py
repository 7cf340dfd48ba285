"""Settings of the notify service: the shared ones plus its channels (``NOTIFY_*``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from services.notify.channels.addresses import Reach
from shared.settings import ServiceSettings

if TYPE_CHECKING:  # handlers import this module; at run time it must not bring in shared.service (FastAPI)
    from shared.service import Runtime


class NotifySettings(ServiceSettings):
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    smtp_sender: str = "tuoguan@localhost"
    sms_gateway_url: str | None = None
    wechat_gateway_url: str | None = None
    gateway_secret: str  # required, no default (shared/secrets.py checks it at start)
    seal_private_key: str  # opens sealed pick-up codes; required, no default
    delivery_timeout_s: float = 5.0  # the deadline of a whole send, however the receiver trickles
    delivery_concurrency: int = 32  # sends in flight at once; each slow receiver holds only its own
    streams_per_guardian: int = 3  # live inbox streams one guardian may hold open (per instance)
    delivery_backoff_s: float = 30.0
    delivery_backoff_max_s: float = 3600.0
    delivery_max_attempts: int = 8
    max_addresses_per_kind: int = 5  # e-mail, SMS, WeChat and webhook addresses a guardian may have, each
    confirmation_code_ttl_s: float = 900.0  # how long an address's confirmation code is valid
    confirmation_max_wrong_codes: int = 5  # wrong tries against one code before it is void
    confirmation_max_codes: int = 5  # codes sent to one address, ever (each new code voids the last)
    timer_interval_s: float = 1.0  # how often the dispatcher looks for due notifications
    # Tests only, so that their receivers on loopback can be reached; production sets none of them.
    webhook_allow_networks: str = ""  # comma-separated networks, e.g. "127.0.0.0/8"
    webhook_allow_http: bool = False
    webhook_hosts_file: Path | None = None  # "<ip> <name>" lines consulted before DNS, re-read at every lookup

    @property
    def webhook_reach(self) -> Reach:
        return Reach.of(self.webhook_allow_networks, self.webhook_allow_http, self.webhook_hosts_file)


def settings_of(runtime: Runtime) -> NotifySettings:
    """The runtime's settings, typed as notify's own."""
    return runtime.settings_as(NotifySettings)
