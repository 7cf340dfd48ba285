"""The overlays: what differs between a production city and a laptop's cluster, and nothing else."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def version() -> str:
    """The project's version (pyproject.toml), which is the image's tag."""
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


@dataclass(frozen=True)
class Resources:
    cpu: str
    memory: str
    memory_limit: str

    def manifest(self) -> dict:
        return {"requests": {"cpu": self.cpu, "memory": self.memory}, "limits": {"memory": self.memory_limit}}


@dataclass(frozen=True)
class Overlay:
    name: str
    namespace: str  # the Kubernetes namespace
    image: str
    min_replicas: int  # per service; the autoscaler adds more
    max_replicas: int  # per service; a consumer beyond its topics' partitions would idle
    service_resources: Resources
    cpu_target_percent: int  # the HTTP side's autoscaling target
    lag_threshold: int  # consumer-group lag per instance that asks for one more
    kafka_cluster: str
    kafka_version: str
    kafka_metadata_version: str
    kafka_nodes: int  # KRaft: each node is controller and broker
    kafka_storage: str
    kafka_resources: Resources
    topic_replicas: int
    min_insync_replicas: int
    partner_listener: bool  # partners connect from outside the cluster, over TLS
    db_instances: int
    db_storage: str
    db_resources: Resources
    backups: bool
    backup_destination: str  # s3://bucket/prefix; each service's database under <prefix>/<service>
    backup_endpoint: str  # the object store's URL ("" for AWS S3 itself)
    backup_retention: str
    backup_schedule: str  # six-field cron (seconds first), UTC
    # Notify's channels reach outside the cluster (SMTP, SMS and WeChat gateways, webhooks): the
    # one egress beyond the database and Kafka, to public addresses only.
    notify_outside_ports: tuple[int, ...]
    # The web front end: the address people open (the identity provider sends them back to its
    # /auth/callback), the city's identity provider, this client's id there, and where the provider
    # answers from (narrow it to the provider's addresses at install).
    web_url: str
    oidc_issuer: str
    oidc_client_id: str
    identity_provider_cidr: str


PRIVATE_NETWORKS = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "127.0.0.0/8")

PRODUCTION = Overlay(
    name="production",
    namespace="tuoguan",
    image=f"registry.tuoguan.example/tuoguan:{version()}",
    min_replicas=2,
    max_replicas=12,
    service_resources=Resources("250m", "256Mi", "512Mi"),
    cpu_target_percent=70,
    lag_threshold=500,
    kafka_cluster="tuoguan",
    kafka_version="3.9.0",
    kafka_metadata_version="3.9-IV0",
    kafka_nodes=3,
    kafka_storage="100Gi",
    kafka_resources=Resources("1", "4Gi", "4Gi"),
    topic_replicas=3,
    min_insync_replicas=2,
    partner_listener=True,
    db_instances=3,
    db_storage="50Gi",
    db_resources=Resources("500m", "1Gi", "2Gi"),
    backups=True,
    backup_destination="s3://tuoguan-backups",
    backup_endpoint="https://objects.tuoguan.example",
    backup_retention="30d",
    backup_schedule="0 0 2 * * *",
    notify_outside_ports=(443, 465, 587),
    web_url="https://tuoguan.example",
    oidc_issuer="https://id.city.example",
    oidc_client_id="tuoguan-web",
    identity_provider_cidr="0.0.0.0/0",
)

# A laptop's cluster (kind, minikube): production's shape, one of everything, no backups.
LOCAL = replace(
    PRODUCTION,
    name="local",
    image=f"tuoguan:{version()}",
    min_replicas=1,
    max_replicas=3,
    service_resources=Resources("100m", "192Mi", "384Mi"),
    cpu_target_percent=80,
    lag_threshold=100,
    kafka_nodes=1,
    kafka_storage="5Gi",
    kafka_resources=Resources("250m", "1Gi", "1Gi"),
    topic_replicas=1,
    min_insync_replicas=1,
    partner_listener=False,
    db_instances=1,
    db_storage="2Gi",
    db_resources=Resources("100m", "256Mi", "512Mi"),
    backups=False,
    web_url="https://tuoguan.localhost",
)

OVERLAYS = {o.name: o for o in (PRODUCTION, LOCAL)}
