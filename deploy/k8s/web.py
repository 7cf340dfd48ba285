"""The web front end in the cluster: ServiceAccount, Secret (the identity provider's client secret,
by name only), Deployment, Service, PodDisruptionBudget, NetworkPolicy and an HPA on CPU.

Least privilege: the web front end owns no data and reads no event, so it gets no database URL, no
Kafka credential and no token signing key (people sign in at the city's identity provider; the
development sign-in is off, whatever an install's ConfigMap says). It reaches the four services'
HTTP ports, DNS and the identity provider, nothing else."""

from __future__ import annotations

from dataclasses import dataclass

from deploy.k8s.names import PART_OF, env_name, metadata, services
from deploy.k8s.overlays import Overlay
from deploy.k8s.workloads import (
    SECURITY,
    _key,
    _ports,
    _probe,
    _value,
    cpu_autoscaler,
    disruption_budget,
    dns_egress,
    http_service,
    reach,
    rolling_deployment,
    service_account,
)
from services.web.config import BACKENDS, WebSettings

CLIENT_SECRET_KEY = "oidc-client-secret"
CLIENT_SECRET_DIR = "/etc/tuoguan/oidc"


@dataclass(frozen=True)
class Web:
    name: str = "web"

    @property
    def labels(self) -> dict[str, str]:
        return {"app.kubernetes.io/name": self.name, "app.kubernetes.io/part-of": PART_OF}

    @property
    def port(self) -> int:
        return int(WebSettings.model_fields["http_port"].default)

    @property
    def secret(self) -> str:
        return f"{self.name}-secrets"

    def env(self, field: str) -> str:
        return env_name(WebSettings, field, str(WebSettings.model_config.get("env_prefix", "")))


WEB = Web()


def manifests(overlay: Overlay) -> list[dict]:
    return [
        service_account(WEB, overlay),
        secret(overlay),
        deployment(overlay),
        http_service(WEB, overlay),
        disruption_budget(WEB, overlay),
        network_policy(overlay),
        cpu_autoscaler(WEB, overlay),
    ]


def secret(overlay: Overlay) -> dict:
    """The client secret the identity provider gave this install: its key's name only, the value is
    supplied at install (docs/operations.md)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata(WEB.secret, overlay, WEB.labels, annotations={"tuoguan.example/keys": CLIENT_SECRET_KEY}),
        "type": "Opaque",
    }


def web_env(overlay: Overlay) -> list[dict]:
    backends = [_value(WEB.env(f"{name}_url"), f"http://{name}") for name in BACKENDS]  # each one's Service, port 80
    return [
        _value(WEB.env("http_host"), "0.0.0.0"),
        _value(WEB.env("http_port"), str(WEB.port)),
        *backends,
        _value(WEB.env("dev_sign_in"), "false"),
        _value(WEB.env("secure_cookies"), "true"),
        _value(WEB.env("oidc_issuer"), overlay.oidc_issuer),
        _value(WEB.env("oidc_client_id"), overlay.oidc_client_id),
        _value(WEB.env("oidc_redirect_uri"), f"{overlay.web_url}/auth/callback"),
        _value(WEB.env("oidc_client_secret_file"), f"{CLIENT_SECRET_DIR}/{CLIENT_SECRET_KEY}"),
    ]


def deployment(overlay: Overlay) -> dict:
    container = {
        "name": WEB.name,
        "image": overlay.image,
        "args": ["services.web"],  # the image's entrypoint is `python -m`
        "ports": [{"name": "http", "containerPort": WEB.port, "protocol": "TCP"}],
        # The city's own settings (WEB_OIDC_SCOPE, WEB_OIDC_CA_FILE...), supplied at install; `env` wins.
        "envFrom": [{"configMapRef": {"name": f"{WEB.name}-settings", "optional": True}}],
        "env": web_env(overlay),
        "resources": overlay.service_resources.manifest(),
        "startupProbe": _probe("/health", 2, 30),
        "livenessProbe": _probe("/health", 10, 3),
        "readinessProbe": _probe("/health", 5, 3),
        "securityContext": SECURITY,
        "volumeMounts": [
            {"name": "oidc", "mountPath": CLIENT_SECRET_DIR, "readOnly": True},
            {"name": "tmp", "mountPath": "/tmp", "readOnly": False},
        ],
    }
    volumes = [
        {"name": "oidc", "secret": {"secretName": WEB.secret, "items": [_key(CLIENT_SECRET_KEY)]}},
        {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "16Mi"}},
    ]
    return rolling_deployment(WEB, overlay, [container], volumes)


def network_policy(overlay: Overlay) -> dict:
    """In: the HTTP port. Out: each service's HTTP port, DNS, and the identity provider over https."""
    to_services = [
        {"to": [{"podSelector": {"matchLabels": service.labels}}], "ports": _ports("TCP", service.port)}
        for service in services()
    ]
    provider = {"to": [{"ipBlock": {"cidr": overlay.identity_provider_cidr}}], "ports": _ports("TCP", 443)}
    return reach(WEB, overlay, WEB.port, [*to_services, dns_egress(), provider])
