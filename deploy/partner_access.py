"""Partner access on Kafka: one SCRAM-SHA-512 principal per partner, allowed to read its own feed
topic with its own consumer group and nothing else (ACLs on the KRaft StandardAuthorizer).

    python -m deploy.partner_access [--namespace NS] [--env-file .state/partners.env]

Idempotent: passwords already in the env file are kept (set again, which is harmless), ACLs that
exist are created again (Kafka ignores duplicates). Uses confluent-kafka's Admin API, because
aiokafka has no ACL or SCRAM calls.
"""

from __future__ import annotations

import argparse
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka.admin import (
    AclBinding, AclOperation, AclPermissionType, AdminClient, ResourcePatternType, ResourceType,
    ScramCredentialInfo, ScramMechanism, UserScramCredentialUpsertion,
)

from shared.partners import Partner, partners
from shared.settings import DEFAULT_KAFKA
from shared.topics import qualified

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class PartnerAccess:
    partner: Partner
    principal: str
    password: str
    topic: str
    group: str


def access_for(partner: Partner, namespace: str, password: str) -> PartnerAccess:
    user = f"{namespace}-partner-{partner.name}" if namespace else f"partner-{partner.name}"
    return PartnerAccess(partner, user, password, qualified(partner.stream, namespace), user)


def grant(bootstrap: str, accesses: list[PartnerAccess], timeout_s: float = 30.0) -> None:
    admin = AdminClient({"bootstrap.servers": bootstrap})
    credential = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192)
    upserts = [UserScramCredentialUpsertion(a.principal, credential, a.password.encode()) for a in accesses]
    for future in admin.alter_user_scram_credentials(upserts).values():
        future.result(timeout=timeout_s)
    bindings = []
    for a in accesses:
        who = f"User:{a.principal}"
        bindings += [
            AclBinding(ResourceType.TOPIC, a.topic, ResourcePatternType.LITERAL, who, "*", op, AclPermissionType.ALLOW)
            for op in (AclOperation.READ, AclOperation.DESCRIBE)]
        bindings.append(AclBinding(ResourceType.GROUP, a.group, ResourcePatternType.LITERAL, who, "*",
                                   AclOperation.READ, AclPermissionType.ALLOW))
    for future in admin.create_acls(bindings).values():
        future.result(timeout=timeout_s)


def revoke(bootstrap: str, accesses: list[PartnerAccess], timeout_s: float = 30.0) -> None:
    """Remove the principals and their ACLs (test namespaces clean up after themselves)."""
    from confluent_kafka.admin import AclBindingFilter, UserScramCredentialDeletion

    admin = AdminClient({"bootstrap.servers": bootstrap})
    filters = [AclBindingFilter(ResourceType.ANY, None, ResourcePatternType.ANY, f"User:{a.principal}", None,
                                AclOperation.ANY, AclPermissionType.ANY) for a in accesses]
    for future in admin.delete_acls(filters).values():
        future.result(timeout=timeout_s)
    deletions = [UserScramCredentialDeletion(a.principal, ScramMechanism.SCRAM_SHA_512) for a in accesses]
    for future in admin.alter_user_scram_credentials(deletions).values():
        future.result(timeout=timeout_s)


def provision(bootstrap: str, namespace: str, known: dict[str, str]) -> list[PartnerAccess]:
    accesses = [access_for(p, namespace, known.get(p.name) or secrets.token_urlsafe(18)) for p in partners()]
    grant(bootstrap, accesses)
    return accesses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--namespace", default=os.environ.get("TUOGUAN_NAMESPACE", ""))
    parser.add_argument("--env-file", type=Path, default=ROOT / ".state/partners.env")
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", DEFAULT_KAFKA))
    args = parser.parse_args()
    known = {}
    if args.env_file.exists():
        for line in args.env_file.read_text().splitlines():
            name, _, rest = line.partition("=")
            known[name] = rest.split(" ", 1)[0]
    accesses = provision(args.bootstrap, args.namespace, known)
    args.env_file.parent.mkdir(parents=True, exist_ok=True)
    args.env_file.write_text("".join(f"{a.partner.name}={a.password} principal={a.principal} topic={a.topic} "
                                     f"group={a.group}\n" for a in accesses))
    args.env_file.chmod(0o600)
    print(f"partner access: {len(accesses)} partners; credentials in {args.env_file}")


if __name__ == "__main__":
    main()
