"""Strimzi resources: the Kafka cluster (KRaft, one node pool of controller-brokers), a KafkaTopic per
topic of shared/topics.py and a KafkaUser per service and partner principal of deploy/kafka_access.py."""

from __future__ import annotations

from deploy.k8s.names import KAFKA_PORT, PART_OF, metadata
from deploy.k8s.overlays import Overlay
from deploy.kafka_access import KafkaUser, allowed, partner_access, service_user
from shared.topics import SUBSCRIPTIONS, all_topics, partners

POOL = "nodes"


def manifests(overlay: Overlay) -> list[dict]:
    found = [cluster(overlay), node_pool(overlay)]
    found += topics(overlay)
    return found + [user(u, overlay) for u in kafka_users()]


def _labels(overlay: Overlay) -> dict[str, str]:
    return {"strimzi.io/cluster": overlay.kafka_cluster, "app.kubernetes.io/part-of": PART_OF}


def cluster(overlay: Overlay) -> dict:
    listeners: list[dict] = [
        {
            "name": "tls",
            "port": KAFKA_PORT,
            "type": "internal",
            "tls": True,
            "authentication": {"type": "scram-sha-512"},
        }
    ]
    if overlay.partner_listener:
        listeners.append(
            {
                "name": "partners",
                "port": KAFKA_PORT + 1,
                "type": "loadbalancer",
                "tls": True,
                "authentication": {"type": "scram-sha-512"},
            }
        )
    replicas, isr = overlay.topic_replicas, overlay.min_insync_replicas
    config = {
        "auto.create.topics.enable": False,  # every topic is a KafkaTopic below
        "default.replication.factor": replicas,
        "min.insync.replicas": isr,
        "offsets.topic.replication.factor": replicas,
        "transaction.state.log.replication.factor": replicas,
        "transaction.state.log.min.isr": isr,
    }
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "Kafka",
        "metadata": metadata(
            overlay.kafka_cluster,
            overlay,
            {"app.kubernetes.io/part-of": PART_OF},
            annotations={"strimzi.io/kraft": "enabled", "strimzi.io/node-pools": "enabled"},
        ),
        "spec": {
            "kafka": {
                "version": overlay.kafka_version,
                "metadataVersion": overlay.kafka_metadata_version,
                "listeners": listeners,
                "authorization": {"type": "simple"},  # what no ACL allows is refused
                "config": config,
            },
            "entityOperator": {
                "topicOperator": {},
                "userOperator": {},
                # The services refuse a Kafka password shorter than 24 characters (shared/settings.py).
                "template": {
                    "userOperatorContainer": {"env": [{"name": "STRIMZI_SCRAM_SHA_PASSWORD_LENGTH", "value": "32"}]}
                },
            },
        },
    }


def node_pool(overlay: Overlay) -> dict:
    volume = {"id": 0, "type": "persistent-claim", "size": overlay.kafka_storage, "deleteClaim": False}
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaNodePool",
        "metadata": metadata(POOL, overlay, _labels(overlay)),
        "spec": {
            "replicas": overlay.kafka_nodes,
            "roles": ["controller", "broker"],
            "storage": {"type": "jbod", "volumes": [volume | {"kraftMetadata": "shared"}]},
            "resources": overlay.kafka_resources.manifest(),
        },
    }


def topics(overlay: Overlay) -> list[dict]:
    """Every topic of shared/topics.py: streams, partner feeds and dead letters."""
    return [
        {
            "apiVersion": "kafka.strimzi.io/v1beta2",
            "kind": "KafkaTopic",
            "metadata": metadata(topic.name, overlay, _labels(overlay)),
            "spec": {
                "topicName": topic.name,
                "partitions": topic.partitions,
                "replicas": overlay.topic_replicas,
                "config": {**topic.config, "min.insync.replicas": overlay.min_insync_replicas},
            },
        }
        for topic in all_topics("")
    ]


def kafka_users() -> list[KafkaUser]:
    """The principals of deploy/kafka_access.py; their passwords are Strimzi's, never rendered."""
    found = [service_user(s, "", "") for s in SUBSCRIPTIONS]
    return found + [partner_access(p, "", "").user for p in partners()]


def user(kafka_user: KafkaUser, overlay: Overlay) -> dict:
    acls: dict[tuple[str, str], list[str]] = {}
    for acl in allowed(kafka_user):
        acls.setdefault((acl.kind, acl.name), []).append(acl.operation)
    return {
        "apiVersion": "kafka.strimzi.io/v1beta2",
        "kind": "KafkaUser",
        "metadata": metadata(kafka_user.principal, overlay, _labels(overlay)),
        "spec": {
            "authentication": {"type": "scram-sha-512"},
            "authorization": {
                "type": "simple",
                "acls": [
                    {"resource": {"type": kind, "name": name, "patternType": "literal"}, "operations": ops, "host": "*"}
                    for (kind, name), ops in acls.items()
                ],
            },
        },
    }
