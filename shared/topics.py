"""Every Kafka topic Tuoguan uses, declared once.

Each service publishes its events to its own stream, ``<service>.events``. A service that consumes
a stream gets a dead-letter topic ``<stream>.dlq.<service>`` for the events it could not handle.
Partners publish too: each insurer answers on its own inbound topic, ``partner.<insurer>.inbound``;
a service subscribes to all of them at once as the stream :data:`INBOUND` (see :func:`topics_of`).
``TUOGUAN_NAMESPACE`` prefixes every name, so test runs and cities can share one cluster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    config: dict[str, str] = field(default_factory=dict)


STREAMS: dict[str, TopicSpec] = {
    spec.name: spec
    for spec in (
        TopicSpec("enrollment.events", 12, {"retention.ms": str(30 * DAY_MS)}),
        TopicSpec("attendance.events", 12, {"retention.ms": str(30 * DAY_MS)}),
        TopicSpec("subsidy.events", 6, {"retention.ms": str(30 * DAY_MS)}),
        TopicSpec("notify.events", 6, {"retention.ms": str(7 * DAY_MS)}),
    )
}

# What partners publish: each insurer's answers about the covers it was told of, on its own topic
# that only it may write (deploy/kafka_access.py). A stream of one topic per insurer.
INBOUND = "partner.inbound"
INBOUND_FEED = "insurance"  # the partners that have an inbound topic

# Which service consumes which streams. Adding a line here creates its dead-letter topic.
SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    "enrollment": (INBOUND,),
    "attendance": ("enrollment.events",),
    "subsidy": ("enrollment.events", "attendance.events"),
    "notify": ("enrollment.events", "attendance.events", "subsidy.events"),
}

FEEDS = ("insurance", "statistics")
DEFAULT_PARTNERS = "demo-insurer:insurance,demo-statistics:statistics"


class PartnerListSettings(BaseSettings):
    """``TUOGUAN_PARTNERS``: ``"pingan:insurance,henan-stats:statistics"``, each partner with the feed it reads."""

    model_config = SettingsConfigDict(env_prefix="TUOGUAN_", extra="ignore")

    partners: str = DEFAULT_PARTNERS


@dataclass(frozen=True)
class Partner:
    """A partner of the city (shared/partners.py) and the one feed it reads, ``partner.<name>.<feed>``."""

    name: str
    feed: str

    @property
    def stream(self) -> str:
        return f"partner.{self.name}.{self.feed}"

    @property
    def inbound(self) -> str | None:
        """The topic this partner publishes on, ``partner.<name>.inbound``; None for a partner that only reads."""
        return f"partner.{self.name}.inbound" if self.feed == INBOUND_FEED else None


def partners() -> list[Partner]:
    found = []
    for item in filter(None, (p.strip() for p in PartnerListSettings().partners.split(","))):
        name, _, feed = item.partition(":")
        if feed not in FEEDS or not name.replace("-", "").isalnum():
            raise ValueError(f"TUOGUAN_PARTNERS entry {item!r} is not <name>:<{'|'.join(FEEDS)}>")
        found.append(Partner(name, feed))
    return found


# Which partner feeds each service publishes (shared/partners.py); its principal may write them.
PARTNER_FEEDS: dict[str, tuple[str, ...]] = {
    "enrollment": ("insurance", "statistics"),
    "attendance": ("insurance", "statistics"),  # insurers: claim notices of incidents
    "subsidy": ("statistics",),
}


class ReplicationSettings(BaseSettings):
    """How many copies of each partition the brokers keep (``TUOGUAN_REPLICATION_FACTOR``) and how many
    must have a record before a producer's acks=all write succeeds (``TUOGUAN_MIN_INSYNC_REPLICAS``).
    Unset, both follow the number of brokers in ``KAFKA_BOOTSTRAP_SERVERS``: 3 and 2 on a cluster of
    three or more (one broker can be lost without losing an acknowledged write or stopping producers),
    1 and 1 on a single broker."""

    model_config = SettingsConfigDict(env_prefix="TUOGUAN_", extra="ignore")

    replication_factor: int | None = Field(None, ge=1)
    min_insync_replicas: int | None = Field(None, ge=1)

    def resolve(self, bootstrap: list[str]) -> tuple[int, int]:
        """``(replication factor, min.insync.replicas)`` for a cluster reached through ``bootstrap``
        (one ``host:port`` per broker)."""
        brokers = len(bootstrap)
        factor = self.replication_factor or max(1, min(3, brokers))
        in_sync = self.min_insync_replicas or max(1, factor - 1)
        if in_sync > factor:
            raise ValueError(f"min.insync.replicas {in_sync} exceeds the replication factor {factor}")
        return factor, in_sync


DLQ_CONFIG = {"retention.ms": str(90 * DAY_MS)}
PARTNER_CONFIG = {"retention.ms": str(30 * DAY_MS)}
PARTNER_PARTITIONS = 3


def qualified(name: str, namespace: str) -> str:
    return f"{namespace}.{name}" if namespace else name


def is_partner_feed(topic: str) -> bool:
    """``[<namespace>.]partner.<partner>.<feed>``."""
    parts = topic.split(".")
    return len(parts) >= 3 and parts[-3] == "partner" and parts[-1] in FEEDS


def topics_of(stream: str) -> list[str]:
    """The topics of a stream: the stream itself, or for :data:`INBOUND` each insurer's inbound topic."""
    if stream != INBOUND:
        return [stream]
    return [topic for p in partners() if (topic := p.inbound)]


def sender_of(topic: str | None) -> str | None:
    """The partner whose inbound topic ``[<namespace>.]partner.<partner>.inbound`` is (only it may write
    there: the broker's ACLs vouch for it); None for any other topic."""
    parts = (topic or "").split(".")
    if len(parts) >= 3 and parts[-3] == "partner" and parts[-1] == "inbound":
        return parts[-2]
    return None


def stream_of(service: str) -> str:
    return f"{service}.events"


def dead_letter_topic(stream: str, service: str) -> str:
    return f"{stream}.dlq.{service}"


def consumer_group(service: str, namespace: str) -> str:
    return qualified(service, namespace)


def relay_transactional_id(service: str, namespace: str) -> str:
    """The Kafka transactional id of a service's outbox relay: one per service, so a new leader
    fences the one before it."""
    return qualified(f"{service}.outbox-relay", namespace)


def all_topics(namespace: str = "") -> list[TopicSpec]:
    """Every topic to create, with the namespace applied: streams, dead letters, partner feeds and
    inbound topics."""
    topics = [TopicSpec(qualified(s.name, namespace), s.partitions, s.config) for s in STREAMS.values()]
    topics += [TopicSpec(qualified(p.stream, namespace), PARTNER_PARTITIONS, PARTNER_CONFIG) for p in partners()]
    topics += [TopicSpec(qualified(t, namespace), PARTNER_PARTITIONS, PARTNER_CONFIG) for t in topics_of(INBOUND)]
    for service, streams in SUBSCRIPTIONS.items():
        for stream in streams:
            for topic in topics_of(stream):
                partitions = STREAMS[topic].partitions if topic in STREAMS else PARTNER_PARTITIONS
                dlq = dead_letter_topic(topic, service)
                topics.append(TopicSpec(qualified(dlq, namespace), partitions, DLQ_CONFIG))
    return topics
