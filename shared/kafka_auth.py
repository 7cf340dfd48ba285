"""How a process proves who it is to Kafka: one principal per service, tool or partner.

Every Kafka client in Tuoguan is built from a :class:`KafkaAccess`: the bootstrap servers, the
security protocol (``SASL_PLAINTEXT`` or ``SASL_SSL``; there is no unauthenticated mode) and a
SCRAM-SHA-512 user and password. The broker's ACLs (deploy/kafka_access.py) confine each
principal to its own streams, dead-letter topics, subscriptions and consumer group.

Environment:

- ``KAFKA_BOOTSTRAP_SERVERS``, ``KAFKA_SECURITY_PROTOCOL`` (default ``SASL_PLAINTEXT``; use
  ``SASL_SSL`` in production), ``KAFKA_SSL_CAFILE`` (the CA that signed the brokers' certificates;
  the system's trust store when unset);
- a service's own principal: ``<SERVICE>_KAFKA_USERNAME``, ``<SERVICE>_KAFKA_PASSWORD``;
- operations tools and the test harness: ``KAFKA_ADMIN_USERNAME``, ``KAFKA_ADMIN_PASSWORD``.
"""

from __future__ import annotations

import os
import ssl
from dataclasses import dataclass
from typing import Any

from shared.secrets import SecretMissing, check

MECHANISM = "SCRAM-SHA-512"
PROTOCOLS = ("SASL_PLAINTEXT", "SASL_SSL")
DEFAULT_BOOTSTRAP = "127.0.0.1:19092"


@dataclass(frozen=True)
class KafkaAccess:
    bootstrap: str
    username: str
    password: str
    protocol: str = "SASL_PLAINTEXT"
    cafile: str | None = None

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            raise SecretMissing(
                f"KAFKA_SECURITY_PROTOCOL is {self.protocol!r}; it must be one of {', '.join(PROTOCOLS)}"
            )

    @classmethod
    def from_environment(cls, prefix: str = "KAFKA_ADMIN", *, bootstrap: str | None = None) -> KafkaAccess:
        """The principal in ``<prefix>_USERNAME`` / ``<prefix>_PASSWORD``; refuses a missing or weak password."""
        username = os.environ.get(f"{prefix}_USERNAME", "")
        if not username:
            raise SecretMissing(f"{prefix}_USERNAME is not set; every Kafka client authenticates")
        password = check(f"{prefix}_PASSWORD", os.environ.get(f"{prefix}_PASSWORD"), min_length=24)
        return cls(
            bootstrap or os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_BOOTSTRAP),
            username,
            password,
            os.environ.get("KAFKA_SECURITY_PROTOCOL", "SASL_PLAINTEXT"),
            os.environ.get("KAFKA_SSL_CAFILE") or None,
        )

    @property
    def servers(self) -> list[str]:
        """The bootstrap list, one ``host:port`` per broker (faststream takes a list: given the
        comma-separated string, it would try it as one host name)."""
        return [s.strip() for s in self.bootstrap.split(",") if s.strip()]

    def as_user(self, username: str, password: str) -> KafkaAccess:
        """The same brokers and transport, another principal."""
        return KafkaAccess(self.bootstrap, username, password, self.protocol, self.cafile)

    def environment(self, prefix: str = "KAFKA_ADMIN") -> dict[str, str]:
        """The variables :meth:`from_environment` reads back, for a child process."""
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "KAFKA_SECURITY_PROTOCOL": self.protocol,
            "KAFKA_SSL_CAFILE": self.cafile or "",
            f"{prefix}_USERNAME": self.username,
            f"{prefix}_PASSWORD": self.password,
        }

    def ssl_context(self) -> ssl.SSLContext | None:
        if self.protocol != "SASL_SSL":
            return None
        context = ssl.create_default_context(cafile=self.cafile)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        return context

    def aiokafka(self) -> dict[str, Any]:
        """Keyword arguments for aiokafka's producer, consumer and admin client."""
        return {
            "bootstrap_servers": self.bootstrap,
            "security_protocol": self.protocol,
            "sasl_mechanism": MECHANISM,
            "sasl_plain_username": self.username,
            "sasl_plain_password": self.password,
            "ssl_context": self.ssl_context(),
        }

    def faststream(self) -> Any:
        """The ``security`` object of faststream's KafkaBroker."""
        from faststream.security import SASLScram512

        return SASLScram512(
            username=self.username,
            password=self.password,
            use_ssl=self.protocol == "SASL_SSL",
            ssl_context=self.ssl_context(),
        )

    def confluent(self) -> dict[str, str | int | float | bool]:
        """Configuration for confluent-kafka (librdkafka) clients."""
        config: dict[str, str | int | float | bool] = {
            "bootstrap.servers": self.bootstrap,
            "security.protocol": self.protocol,
            "sasl.mechanisms": MECHANISM,
            "sasl.username": self.username,
            "sasl.password": self.password,
        }
        if self.cafile:
            config["ssl.ca.location"] = self.cafile
        return config

    def __repr__(self) -> str:  # never print the password
        return f"KafkaAccess({self.bootstrap!r}, {self.username!r}, protocol={self.protocol!r})"
