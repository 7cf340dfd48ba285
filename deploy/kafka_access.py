"""Who may do what on Kafka: one SCRAM-SHA-512 principal per service and per partner, and ACLs
that allow each exactly its part (KRaft StandardAuthorizer; what no ACL allows is refused).

- A service writes only its own stream, the partner feeds it publishes and its own dead-letter
  topics; it reads only the streams it subscribes to, with its own consumer group.
- A partner reads only its own feed, with a consumer group of its own name; an insurer also
  writes its own inbound topic (its answers about covers), and nothing else. Only the service that
  consumes the inbound topics reads them.
- The broker's own principal (``broker``, inter-broker and controller traffic) and the admin
  (``admin``, provisioning and operations tools) are super users set up by the broker's install
  (deploy/kafka/kafka-local.sh); nothing else is.

    python -m deploy.kafka_access [--namespace NS] [--env-file .state/partners.env]

grants the partners of ``TUOGUAN_PARTNERS`` (the services' principals are made by
``python -m deploy.provision``). Idempotent: passwords in the env file are kept, ACLs that exist
are created again (Kafka ignores duplicates). Uses confluent-kafka's Admin API, because aiokafka
has no ACL or SCRAM calls.
"""

from __future__ import annotations

import argparse
import functools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from confluent_kafka import KafkaException
from confluent_kafka.admin import (
    AclBinding,
    AclBindingFilter,
    AclOperation,
    AclPermissionType,
    AdminClient,
    ResourcePatternType,
    ResourceType,
    ScramCredentialInfo,
    ScramMechanism,
    UserScramCredentialDeletion,
    UserScramCredentialUpsertion,
)

from shared.kafka_auth import KafkaAccess
from shared.topics import (
    PARTNER_FEEDS,
    SUBSCRIPTIONS,
    Partner,
    consumer_group,
    dead_letter_topic,
    partners,
    qualified,
    relay_transactional_id,
    stream_of,
    topics_of,
)

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class KafkaUser:
    """A principal and what its ACLs allow."""

    principal: str
    password: str
    writes: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()
    group: str | None = None
    transactional_id: str | None = None  # the outbox relay's


def new_password() -> str:
    return secrets.token_urlsafe(32)


def _user_name(kind: str, name: str, namespace: str) -> str:
    return f"{namespace}-{kind}-{name}" if namespace else f"{kind}-{name}"


def service_user(service: str, namespace: str, password: str) -> KafkaUser:
    subscribed = [topic for stream in SUBSCRIPTIONS[service] for topic in topics_of(stream)]
    writes = [stream_of(service)] + [p.stream for p in partners() if p.feed in PARTNER_FEEDS.get(service, ())]
    writes += [dead_letter_topic(topic, service) for topic in subscribed]
    return KafkaUser(
        _user_name("service", service, namespace),
        password,
        writes=tuple(qualified(t, namespace) for t in writes),
        reads=tuple(qualified(t, namespace) for t in subscribed),
        group=consumer_group(service, namespace) if subscribed else None,
        transactional_id=relay_transactional_id(service, namespace),
    )


@dataclass(frozen=True)
class PartnerAccess:
    partner: Partner
    user: KafkaUser

    @property
    def principal(self) -> str:
        return self.user.principal

    @property
    def password(self) -> str:
        return self.user.password

    @property
    def topic(self) -> str:
        return self.user.reads[0]

    @property
    def inbound(self) -> str | None:
        """The topic the partner writes (an insurer's answers), if any."""
        return self.user.writes[0] if self.user.writes else None

    @property
    def group(self) -> str:
        assert self.user.group
        return self.user.group


def partner_access(partner: Partner, namespace: str, password: str) -> PartnerAccess:
    name = _user_name("partner", partner.name, namespace)
    writes = (qualified(partner.inbound, namespace),) if partner.inbound else ()
    return PartnerAccess(
        partner, KafkaUser(name, password, writes=writes, reads=(qualified(partner.stream, namespace),), group=name)
    )


@dataclass(frozen=True)
class Allowed:
    """One ACL: ``operation`` on the resource ``kind`` named ``name`` (literal, from any host)."""

    kind: str  # "topic", "group", "transactionalId" (Strimzi's spelling)
    name: str
    operation: str  # "Write", "Read", "Describe"


def allowed(user: KafkaUser) -> list[Allowed]:
    """Everything ``user`` may do; both the broker's ACLs (:func:`grant`) and the Kubernetes
    ``KafkaUser`` resources (deploy/k8s) are made from this list."""
    found = [Allowed("topic", t, op) for t in user.writes for op in ("Write", "Describe")]
    found += [Allowed("topic", t, op) for t in user.reads for op in ("Read", "Describe")]
    if user.group:
        found.append(Allowed("group", user.group, "Read"))
    if user.transactional_id:
        found += [Allowed("transactionalId", user.transactional_id, op) for op in ("Write", "Describe")]
    return found


_RESOURCE = {"topic": ResourceType.TOPIC, "group": ResourceType.GROUP, "transactionalId": ResourceType.TRANSACTIONAL_ID}
_OPERATION = {"Write": AclOperation.WRITE, "Read": AclOperation.READ, "Describe": AclOperation.DESCRIBE}


def _bindings(user: KafkaUser) -> list[AclBinding]:
    who = f"User:{user.principal}"
    return [
        AclBinding(
            _RESOURCE[a.kind],
            a.name,
            ResourcePatternType.LITERAL,
            who,
            "*",
            _OPERATION[a.operation],
            AclPermissionType.ALLOW,
        )
        for a in allowed(user)
    ]


def _wait(futures: dict, timeout_s: float) -> None:
    for future in futures.values():
        future.result(timeout=timeout_s)


def grant(admin: KafkaAccess, users: list[KafkaUser], timeout_s: float = 30.0) -> None:
    """Create (or update) each user's SCRAM credential and its ACLs, and wait until the broker
    applies them: both travel through the controller's metadata log, so a client that logs in at
    once may otherwise be refused for a moment."""
    client = AdminClient(admin.confluent())
    credential = ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, 8192)
    _wait(
        client.alter_user_scram_credentials(
            [UserScramCredentialUpsertion(u.principal, credential, u.password.encode()) for u in users]
        ),
        timeout_s,
    )
    bindings = [b for u in users for b in _bindings(u)]
    _wait(client.create_acls(bindings), timeout_s)
    deadline = time.monotonic() + timeout_s
    for user in users:
        as_user = admin.as_user(user.principal, user.password)
        _wait_until(functools.partial(_logs_in, as_user), deadline, f"{user.principal} cannot log in")
    _wait_until(lambda: _applied(client, bindings), deadline, "the ACLs are not applied")


def _every_acl_of(principal: str) -> AclBindingFilter:
    """A filter for every ACL of ``principal``: None matches any resource name and any host."""
    return AclBindingFilter(
        ResourceType.ANY,
        None,  # type: ignore[arg-type]  # confluent-kafka's hints say str, its docs allow None
        ResourcePatternType.ANY,
        principal,
        None,  # type: ignore[arg-type]
        AclOperation.ANY,
        AclPermissionType.ANY,
    )


def _wait_until(ready: Callable[[], bool], deadline: float, failure: str) -> None:
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(failure)
        time.sleep(0.2)


def _logs_in(access: KafkaAccess) -> bool:
    try:
        # Quiet: until the credential has reached the broker, librdkafka would log each refusal.
        AdminClient({**access.confluent(), "log_level": 0}).list_topics(timeout=3)
        return True
    except KafkaException:
        return False


def _applied(client: AdminClient, bindings: list[AclBinding]) -> bool:
    """Every binding is in the broker's authorizer (which is what DescribeAcls reads)."""
    principals = {b.principal for b in bindings}
    found: set[AclBinding] = set()
    for principal in principals:
        (future,) = [client.describe_acls(_every_acl_of(principal))]
        found.update(future.result(timeout=10))
    return set(bindings) <= found


def revoke(admin: KafkaAccess, users: list[KafkaUser], timeout_s: float = 30.0) -> None:
    """Remove the principals and their ACLs (test namespaces clean up after themselves)."""
    client = AdminClient(admin.confluent())
    _wait(
        client.delete_acls([_every_acl_of(f"User:{u.principal}") for u in users]),
        timeout_s,
    )
    _wait(
        client.alter_user_scram_credentials(
            [UserScramCredentialDeletion(u.principal, ScramMechanism.SCRAM_SHA_512) for u in users]
        ),
        timeout_s,
    )


def provision_partners(admin: KafkaAccess, namespace: str, known: dict[str, str]) -> list[PartnerAccess]:
    accesses = [partner_access(p, namespace, known.get(p.name) or new_password()) for p in partners()]
    grant(admin, [a.user for a in accesses])
    return accesses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--namespace", default="")
    parser.add_argument("--env-file", type=Path, default=ROOT / ".state/partners.env")
    args = parser.parse_args()
    known = {}
    if args.env_file.exists():
        for line in args.env_file.read_text().splitlines():
            name, _, rest = line.partition("=")
            known[name] = rest.split(" ", 1)[0]
    accesses = provision_partners(KafkaAccess.from_environment(), args.namespace, known)
    args.env_file.parent.mkdir(parents=True, exist_ok=True)
    args.env_file.write_text(
        "".join(
            f"{a.partner.name}={a.password} principal={a.principal} topic={a.topic} group={a.group}"
            + (f" inbound={a.inbound}" if a.inbound else "")
            + "\n"
            for a in accesses
        )
    )
    args.env_file.chmod(0o600)
    print(f"partner access: {len(accesses)} partners; credentials in {args.env_file}")


if __name__ == "__main__":
    main()
