"""What the manifests are made from: the services, their settings' variable names, and the names
of the resources that bind them together (Kafka cluster, database clusters, Secrets)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol

from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from deploy.k8s.overlays import Overlay
from deploy.kafka_access import service_user
from shared.auth import AuthSettings
from shared.service import ServiceDefinition
from shared.settings import HTTP_PORTS, ServiceSettings
from shared.topics import SUBSCRIPTIONS, topics_of

SERVICES = tuple(SUBSCRIPTIONS)
PART_OF = "tuoguan"
UID = 10001  # the image's user (deploy/container/Dockerfile)
KAFKA_PORT = 9093  # Strimzi's TLS listener, SCRAM-SHA-512
DB_PORT = 5432
KAFKA_CA = "/etc/tuoguan/kafka-ca/ca.crt"
DB_CA = "/etc/tuoguan/db-ca/ca.crt"
JWKS_FILE = "/etc/tuoguan/jwks/jwks.json"
JWKS_CONFIG_MAP = "tuoguan-jwks"  # the identity provider's public keys, supplied at install
BACKUP_CREDENTIALS = "tuoguan-backup-store"  # the object store's access key, supplied at install


def env_name(kind: type[BaseSettings], field: str, prefix: str) -> str:
    """The environment variable a settings field is read from; a renamed field fails here."""
    alias = kind.model_fields[field].validation_alias
    if isinstance(alias, AliasChoices):
        return str(alias.choices[0])
    return f"{prefix}{field}".upper()


def auth_env(field: str) -> str:
    return env_name(AuthSettings, field, str(AuthSettings.model_config.get("env_prefix", "")))


class Workload(Protocol):
    """What a resource named and labelled after its workload needs: a service or the web front end."""

    @property
    def name(self) -> str: ...

    @property
    def labels(self) -> dict[str, str]: ...


@dataclass(frozen=True)
class Service:
    """One service as the manifests see it."""

    definition: ServiceDefinition

    @property
    def name(self) -> str:
        return self.definition.name

    @property
    def port(self) -> int:
        return HTTP_PORTS[self.name]

    @property
    def consumes(self) -> tuple[str, ...]:
        """The topics the service reads (each insurer's inbound topic for the ``partner.inbound`` stream)."""
        return tuple(topic for stream in SUBSCRIPTIONS[self.name] for topic in topics_of(stream))

    @property
    def labels(self) -> dict[str, str]:
        return {"app.kubernetes.io/name": self.name, "app.kubernetes.io/part-of": PART_OF}

    def env(self, field: str) -> str:
        return env_name(self.definition.settings or ServiceSettings, field, f"{self.name}_")

    def kafka_principal(self, namespace: str) -> str:
        return service_user(self.name, namespace, "").principal

    @property
    def secret(self) -> str:
        """The service's own Secret: the values of ``ServiceDefinition.secrets``."""
        return f"{self.name}-secrets"

    @property
    def database(self) -> str:
        return self.name

    @property
    def db_cluster(self) -> str:
        return f"{self.name}-db"

    @property
    def db_owner(self) -> str:
        return f"{self.name}_owner"

    def database_url(self, role: str, password_var: str | None) -> str:
        """A URL to the cluster's primary, checking the server's certificate against the cluster's CA;
        the password (when there is one) is Kubernetes' ``$(VAR)`` expansion of another variable."""
        who = f"{role}:$({password_var})" if password_var else role
        return (
            f"postgresql://{who}@{self.db_cluster}-rw:{DB_PORT}/{self.database}?sslmode=verify-full&sslrootcert={DB_CA}"
        )


def services() -> list[Service]:
    return [Service(importlib.import_module(f"services.{name}.app").definition) for name in SERVICES]


def kafka_bootstrap(overlay: Overlay) -> str:
    return f"{overlay.kafka_cluster}-kafka-bootstrap:{KAFKA_PORT}"


def metadata(name: str, overlay: Overlay, labels: dict[str, str] | None = None, **extra: object) -> dict:
    found: dict = {"name": name, "namespace": overlay.namespace}
    if labels:
        found["labels"] = labels
    return found | extra
