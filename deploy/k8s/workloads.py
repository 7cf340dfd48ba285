"""Per service: ServiceAccount, Secret, Deployment, Service, PodDisruptionBudget, NetworkPolicy and
its autoscaling (KEDA on consumer lag and CPU for a consumer, an HPA on CPU for the HTTP-only one)."""

from __future__ import annotations

from deploy.k8s.names import (
    DB_PORT,
    JWKS_CONFIG_MAP,
    JWKS_FILE,
    KAFKA_CA,
    KAFKA_PORT,
    UID,
    Service,
    Workload,
    auth_env,
    kafka_bootstrap,
    metadata,
)
from deploy.k8s.overlays import PRIVATE_NETWORKS, Overlay
from shared.topics import DEFAULT_PARTNERS, PartnerListSettings, consumer_group, qualified

MOUNTS = {
    "kafka-ca": "/etc/tuoguan/kafka-ca",
    "db-ca": "/etc/tuoguan/db-ca",
    "jwks": "/etc/tuoguan/jwks",
    "tmp": "/tmp",
}


def manifests(service: Service, overlay: Overlay) -> list[dict]:
    found = [service_account(service, overlay), secret(service, overlay), deployment(service, overlay)]
    found += [http_service(service, overlay), disruption_budget(service, overlay), network_policy(service, overlay)]
    return found + autoscaling(service, overlay)


def _named(api_version: str, kind: str, service: Workload, overlay: Overlay, **body: object) -> dict:
    """A resource named after its service and labelled as its."""
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": metadata(service.name, overlay, service.labels),
        **body,
    }


def service_account(service: Workload, overlay: Overlay) -> dict:
    return _named(
        "v1",
        "ServiceAccount",
        service,
        overlay,
        automountServiceAccountToken=False,  # no service talks to the Kubernetes API
    )


def secret(service: Service, overlay: Overlay) -> dict:
    """Names only: the keys the service needs, listed in an annotation; the values are supplied at
    install (docs/operations.md), so a render never holds one and a missing key stops the pod."""
    keys = ",".join(service.definition.secrets)
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata(service.secret, overlay, service.labels, annotations={"tuoguan.example/keys": keys}),
        "type": "Opaque",
    }


def _value(name: str, value: str) -> dict:
    return {"name": name, "value": value}


def _from_secret(name: str, secret: str, key: str) -> dict:
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def partners_setting() -> str:
    return PartnerListSettings().partners or DEFAULT_PARTNERS


def service_env(service: Service, overlay: Overlay) -> list[dict]:
    password = f"{service.name.upper()}_DATABASE_PASSWORD"  # only for $(...) below
    env = [
        _value(service.env("http_host"), "0.0.0.0"),
        _value(service.env("http_port"), str(service.port)),
        {"name": service.env("instance_id"), "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        _value(service.env("kafka_bootstrap_servers"), kafka_bootstrap(overlay)),
        _value(service.env("kafka_security_protocol"), "SASL_SSL"),
        _value(service.env("kafka_ssl_cafile"), KAFKA_CA),
        _value(service.env("kafka_username"), service.kafka_principal("")),
        _from_secret(service.env("kafka_password"), service.kafka_principal(""), "password"),
        _from_secret(password, f"{service.db_cluster}-runtime", "password"),
        _value(service.env("database_url"), service.database_url(service.database, password)),
        _value(auth_env("jwks"), JWKS_FILE),
        _value("TUOGUAN_PARTNERS", partners_setting()),
    ]
    return env + [_from_secret(name, service.secret, name) for name in service.definition.secrets]


def migration_env(service: Service) -> list[dict]:
    """The owner's credential, for the init container that migrates the database; never in the
    service's own container (deploy/schema.py: the service's role may not change the schema)."""
    password = f"{service.name.upper()}_OWNER_DATABASE_PASSWORD"
    return [
        _value(service.env("database_url"), service.database_url(service.database, None)),
        _from_secret(password, f"{service.db_cluster}-owner", "password"),
        _value(f"{service.name.upper()}_OWNER_DATABASE_URL", service.database_url(service.db_owner, password)),
    ]


SECURITY = {
    "allowPrivilegeEscalation": False,
    "readOnlyRootFilesystem": True,
    "capabilities": {"drop": ["ALL"]},
}


def _probe(path: str, period: int, failures: int) -> dict:
    return {"httpGet": {"path": path, "port": "http"}, "periodSeconds": period, "failureThreshold": failures}


def deployment(service: Service, overlay: Overlay) -> dict:
    mounts = [{"name": n, "mountPath": p, "readOnly": n != "tmp"} for n, p in MOUNTS.items()]
    container = {
        "name": service.name,
        "image": overlay.image,
        "args": [f"services.{service.name}"],  # the image's entrypoint is `python -m`
        "ports": [{"name": "http", "containerPort": service.port, "protocol": "TCP"}],
        # The city's own settings (notify's SMTP host and gateways, limits...), supplied at install;
        # what `env` sets wins over them.
        "envFrom": [{"configMapRef": {"name": f"{service.name}-settings", "optional": True}}],
        "env": service_env(service, overlay),
        "resources": overlay.service_resources.manifest(),
        "startupProbe": _probe("/health/live", 2, 30),
        "livenessProbe": _probe("/health/live", 10, 3),
        "readinessProbe": _probe("/health/ready", 5, 3),
        "securityContext": SECURITY,
        "volumeMounts": mounts,
    }
    migrate = {
        "name": "migrate",
        "image": overlay.image,
        "args": ["deploy.k8s.migrate", service.name],
        "env": migration_env(service),
        "resources": overlay.service_resources.manifest(),
        "securityContext": SECURITY,
        "volumeMounts": [m for m in mounts if m["name"] in ("db-ca", "tmp")],
    }
    volumes = [
        {
            "name": "kafka-ca",
            "secret": {"secretName": f"{overlay.kafka_cluster}-cluster-ca-cert", "items": [_key("ca.crt")]},
        },
        {"name": "db-ca", "secret": {"secretName": f"{service.db_cluster}-ca", "items": [_key("ca.crt")]}},
        {"name": "jwks", "configMap": {"name": JWKS_CONFIG_MAP, "items": [_key("jwks.json")]}},
        {"name": "tmp", "emptyDir": {"medium": "Memory", "sizeLimit": "64Mi"}},
    ]
    return rolling_deployment(service, overlay, [container], volumes, init=[migrate])


def rolling_deployment(
    workload: Workload, overlay: Overlay, containers: list[dict], volumes: list[dict], init: list[dict] | None = None
) -> dict:
    """A Deployment of ``workload``'s pods: its own service account, as the image's non-root user,
    spread over the nodes, replaced one at a time."""
    pod = {
        "serviceAccountName": workload.name,
        "automountServiceAccountToken": False,
        "securityContext": {
            "runAsNonRoot": True,
            "runAsUser": UID,
            "runAsGroup": UID,
            "fsGroup": UID,
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        "terminationGracePeriodSeconds": 30,
        **({"initContainers": init} if init else {}),
        "containers": containers,
        "volumes": volumes,
        "topologySpreadConstraints": [
            {
                "maxSkew": 1,
                "topologyKey": "kubernetes.io/hostname",
                "whenUnsatisfiable": "ScheduleAnyway",
                "labelSelector": {"matchLabels": workload.labels},
            }
        ],
    }
    return _named(
        "apps/v1",
        "Deployment",
        workload,
        overlay,
        # No `replicas`: the autoscaler owns the count, and a re-apply must not reset it.
        spec={
            "selector": {"matchLabels": workload.labels},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            "template": {"metadata": {"labels": workload.labels}, "spec": pod},
        },
    )


def _key(name: str) -> dict:
    return {"key": name, "path": name}


def http_service(service: Workload, overlay: Overlay) -> dict:
    return _named(
        "v1",
        "Service",
        service,
        overlay,
        spec={
            "selector": service.labels,
            "ports": [{"name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"}],
        },
    )


def disruption_budget(service: Workload, overlay: Overlay) -> dict:
    return _named(
        "policy/v1",
        "PodDisruptionBudget",
        service,
        overlay,
        spec={"maxUnavailable": 1, "selector": {"matchLabels": service.labels}},
    )


def _ports(protocol: str, *ports: int) -> list[dict]:
    return [{"protocol": protocol, "port": p} for p in ports]


def dns_egress() -> dict:
    return {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
            }
        ],
        "ports": _ports("UDP", 53) + _ports("TCP", 53),
    }


def network_policy(service: Service, overlay: Overlay) -> dict:
    """In: the HTTP port. Out: its own database, the Kafka brokers and DNS (notify: also its
    channels' public addresses)."""
    egress = [
        {
            "to": [{"podSelector": {"matchLabels": {"cnpg.io/cluster": service.db_cluster}}}],
            "ports": _ports("TCP", DB_PORT),
        },
        {
            "to": [
                {
                    "podSelector": {
                        "matchLabels": {"strimzi.io/cluster": overlay.kafka_cluster, "strimzi.io/broker-role": "true"}
                    }
                }
            ],
            "ports": _ports("TCP", KAFKA_PORT),
        },
        dns_egress(),
    ]
    if service.name == "notify":
        outside = {"ipBlock": {"cidr": "0.0.0.0/0", "except": list(PRIVATE_NETWORKS)}}
        egress.append({"to": [outside], "ports": _ports("TCP", *overlay.notify_outside_ports)})
    return reach(service, overlay, service.port, egress)


def reach(workload: Workload, overlay: Overlay, port: int, egress: list[dict]) -> dict:
    """The NetworkPolicy of ``workload``'s pods: in on its HTTP ``port``, out to ``egress`` only."""
    return _named(
        "networking.k8s.io/v1",
        "NetworkPolicy",
        workload,
        overlay,
        spec={
            "podSelector": {"matchLabels": workload.labels},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [{"ports": _ports("TCP", port)}],
            "egress": egress,
        },
    )


def autoscaling(service: Service, overlay: Overlay) -> list[dict]:
    """A consumer: a KEDA ScaledObject with one lag trigger per stream it reads and a CPU trigger;
    KEDA makes and owns the Deployment's one HPA from both. An HTTP-only service: a plain HPA on CPU.
    Never both for one Deployment: two HPAs would fight over its replica count."""
    if not service.consumes:
        return [cpu_autoscaler(service, overlay)]
    return [
        scaler_settings(service, overlay),
        trigger_authentication(service, overlay),
        scaled_object(service, overlay),
    ]


def _deployment_of(service: Workload) -> dict:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "name": service.name}


def cpu_autoscaler(service: Workload, overlay: Overlay) -> dict:
    return _named(
        "autoscaling/v2",
        "HorizontalPodAutoscaler",
        service,
        overlay,
        spec={
            "scaleTargetRef": _deployment_of(service),
            "minReplicas": overlay.min_replicas,
            "maxReplicas": overlay.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": overlay.cpu_target_percent},
                    },
                }
            ],
        },
    )


def scaler_settings(service: Service, overlay: Overlay) -> dict:
    """How KEDA logs in to Kafka to read the group's lag, as the service's own principal (its ACLs
    allow describing its group and topics). Not secret: the password comes from Strimzi's Secret."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata(f"{service.name}-kafka-scaler", overlay, service.labels),
        "type": "Opaque",
        "stringData": {"sasl": "scram_sha512", "tls": "enable", "username": service.kafka_principal("")},
    }


def trigger_authentication(service: Service, overlay: Overlay) -> dict:
    settings = f"{service.name}-kafka-scaler"
    refs = [
        {"parameter": "sasl", "name": settings, "key": "sasl"},
        {"parameter": "tls", "name": settings, "key": "tls"},
        {"parameter": "username", "name": settings, "key": "username"},
        {"parameter": "password", "name": service.kafka_principal(""), "key": "password"},
        {"parameter": "ca", "name": f"{overlay.kafka_cluster}-cluster-ca-cert", "key": "ca.crt"},
    ]
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "TriggerAuthentication",
        "metadata": metadata(f"{service.name}-kafka", overlay, service.labels),
        "spec": {"secretTargetRef": refs},
    }


def scaled_object(service: Service, overlay: Overlay) -> dict:
    lag = [
        {
            "type": "kafka",
            "name": f"lag-{stream.replace('.', '-')}",
            "metadata": {
                "bootstrapServers": kafka_bootstrap(overlay),
                "consumerGroup": consumer_group(service.name, ""),
                "topic": qualified(stream, ""),
                "lagThreshold": str(overlay.lag_threshold),
                "offsetResetPolicy": "earliest",
            },
            "authenticationRef": {"name": f"{service.name}-kafka"},
        }
        for stream in service.consumes
    ]
    cpu = {"type": "cpu", "metricType": "Utilization", "metadata": {"value": str(overlay.cpu_target_percent)}}
    return _named(
        "keda.sh/v1alpha1",
        "ScaledObject",
        service,
        overlay,
        spec={
            "scaleTargetRef": _deployment_of(service),
            "minReplicaCount": overlay.min_replicas,
            "maxReplicaCount": overlay.max_replicas,
            "triggers": [*lag, cpu],
        },
    )
