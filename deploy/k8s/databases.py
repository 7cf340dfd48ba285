"""CloudNativePG: one PostgreSQL cluster per service, its two roles, and its backups."""

from __future__ import annotations

from deploy.k8s.names import BACKUP_CREDENTIALS, Service, metadata
from deploy.k8s.overlays import Overlay


def manifests(service: Service, overlay: Overlay) -> list[dict]:
    found = [role_secret(service, overlay, "owner", service.db_owner)]
    found += [role_secret(service, overlay, "runtime", service.database), cluster(service, overlay)]
    if overlay.backups:
        found.append(scheduled_backup(service, overlay))
    return found


def _labels(service: Service) -> dict[str, str]:
    return service.labels | {"app.kubernetes.io/component": "database"}


def role_secret(service: Service, overlay: Overlay, kind: str, role: str) -> dict:
    """The role's name; its password is supplied at install (a URL-safe value: it goes into a URL)."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": metadata(
            f"{service.db_cluster}-{kind}", overlay, _labels(service), annotations={"tuoguan.example/keys": "password"}
        ),
        "type": "kubernetes.io/basic-auth",
        "stringData": {"username": role},
    }


def cluster(service: Service, overlay: Overlay) -> dict:
    """The owner owns the database and runs the migrations (the Deployment's init container); the
    service logs in as its runtime role, which the migrations grant row rights only (deploy/schema.py)."""
    spec: dict = {
        "instances": overlay.db_instances,
        "storage": {"size": overlay.db_storage},
        "resources": overlay.db_resources.manifest(),
        "bootstrap": {
            "initdb": {
                "database": service.database,
                "owner": service.db_owner,
                "secret": {"name": f"{service.db_cluster}-owner"},
            }
        },
        "managed": {
            "roles": [
                {
                    "name": service.database,
                    "ensure": "present",
                    "login": True,
                    "passwordSecret": {"name": f"{service.db_cluster}-runtime"},
                }
            ]
        },
    }
    if overlay.backups:
        spec["backup"] = {
            "retentionPolicy": overlay.backup_retention,
            "barmanObjectStore": {
                "destinationPath": f"{overlay.backup_destination}/{service.name}",
                "endpointURL": overlay.backup_endpoint,
                "s3Credentials": {
                    "accessKeyId": {"name": BACKUP_CREDENTIALS, "key": "ACCESS_KEY_ID"},
                    "secretAccessKey": {"name": BACKUP_CREDENTIALS, "key": "ACCESS_SECRET_KEY"},
                },
                "wal": {"compression": "gzip"},
                "data": {"compression": "gzip"},
            },
        }
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "Cluster",
        "metadata": metadata(service.db_cluster, overlay, _labels(service)),
        "spec": spec,
    }


def scheduled_backup(service: Service, overlay: Overlay) -> dict:
    return {
        "apiVersion": "postgresql.cnpg.io/v1",
        "kind": "ScheduledBackup",
        "metadata": metadata(f"{service.db_cluster}-daily", overlay, _labels(service)),
        "spec": {
            "schedule": overlay.backup_schedule,
            "backupOwnerReference": "self",
            "cluster": {"name": service.db_cluster},
            "method": "barmanObjectStore",
        },
    }
