"""Per-service settings, read from the environment.

Shared infrastructure comes from unprefixed variables (``KAFKA_BOOTSTRAP_SERVERS``,
``KAFKA_SECURITY_PROTOCOL``, ``TUOGUAN_NAMESPACE``); everything that belongs to one service is prefixed with its name,
for example ``ENROLLMENT_DATABASE_URL`` or ``NOTIFY_HTTP_PORT``.
"""

from __future__ import annotations

import os
import socket

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.kafka_auth import DEFAULT_BOOTSTRAP, KafkaAccess
from shared.secrets import SecretMissing, check

DEFAULT_KAFKA = DEFAULT_BOOTSTRAP
HTTP_PORTS = {"enrollment": 8101, "attendance": 8102, "subsidy": 8103, "notify": 8104}


class ServiceSettings(BaseSettings):
    """Settings every service has; a service subclasses it only to set its env prefix."""

    model_config = SettingsConfigDict(extra="ignore")

    service: str
    database_url: str
    kafka_bootstrap_servers: str = Field(DEFAULT_KAFKA, validation_alias=AliasChoices("KAFKA_BOOTSTRAP_SERVERS"))
    kafka_security_protocol: str = Field("SASL_PLAINTEXT", validation_alias=AliasChoices("KAFKA_SECURITY_PROTOCOL"))
    kafka_ssl_cafile: str | None = Field(None, validation_alias=AliasChoices("KAFKA_SSL_CAFILE"))
    kafka_username: str = ""  # <SERVICE>_KAFKA_USERNAME: the service's own principal
    kafka_password: str = ""  # <SERVICE>_KAFKA_PASSWORD: required, checked by shared.secrets
    namespace: str = Field("", validation_alias=AliasChoices("TUOGUAN_NAMESPACE"))
    instance_id: str = Field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}",
        validation_alias=AliasChoices("TUOGUAN_INSTANCE_ID"),
    )
    http_host: str = "127.0.0.1"
    http_port: int = 0
    log_level: str = "INFO"
    workers: int = 1
    db_pool_min: int = 2
    db_pool_max: int = 10
    consumer_max_records: int = 500
    # An instance that died unannounced keeps its partitions this long: the broker's bounds apply
    # (group.min.session.timeout.ms, 6 s by default, to group.max.session.timeout.ms).
    consumer_session_timeout_ms: int = Field(10_000, ge=3_000)
    consumer_max_attempts: int = 5
    consumer_backoff_s: float = 0.2
    consumer_backoff_max_s: float = 10.0
    relay_batch_size: int = 500
    relay_poll_interval_s: float = 1.0
    outbox_retention_days: int = 7
    timer_interval_s: float = 10.0
    statistics_period_s: int = Field(86_400, gt=0)  # statistics offices get one aggregate per cell and period
    statistics_grace_s: float = Field(60.0, ge=0)  # a period is published this long after it ends
    max_body_bytes: int = 65_536
    rate_per_token: str = "120/minute"  # commands per bearer token (limits' notation)
    rate_per_address: str = "600/minute"  # commands per client address
    rate_tight: str = ""  # when set, replaces the rate of every route the service limits harder
    idempotency_retention_hours: float = 72.0  # a key can be replayed for this long, then it is forgotten

    def kafka_access(self) -> KafkaAccess:
        """The service's own Kafka principal; refuses to go on without one."""
        prefix = f"{self.service.upper()}_KAFKA"
        if not self.kafka_username:
            raise SecretMissing(f"{prefix}_USERNAME is not set; every Kafka client authenticates as its own principal")
        return KafkaAccess(
            self.kafka_bootstrap_servers,
            self.kafka_username,
            check(f"{prefix}_PASSWORD", self.kafka_password, min_length=24),
            self.kafka_security_protocol,
            self.kafka_ssl_cafile,
        )


def load_settings(service: str, kind: type[ServiceSettings] = ServiceSettings) -> ServiceSettings:
    """Build the settings of ``service`` from ``<SERVICE>_*`` variables; ``kind`` adds a service's own fields."""

    class _Settings(kind):  # type: ignore[valid-type, misc]
        model_config = SettingsConfigDict(env_prefix=f"{service.upper()}_", extra="ignore")

    return _Settings(
        service=service, http_port=int(os.environ.get(f"{service.upper()}_HTTP_PORT", HTTP_PORTS.get(service, 0)))
    )
