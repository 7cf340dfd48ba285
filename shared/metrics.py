"""Prometheus metrics shared by every service (served on GET /metrics).

With several worker processes (``<SVC>_WORKERS``), ``shared.service.run`` points
``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder before the workers start, so each worker writes its
samples there and ``/metrics`` adds them up across workers, whichever worker answers.
"""

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

EVENTS_CONSUMED = Counter(
    "tuoguan_events_consumed_total",
    "Events taken from Kafka, by outcome (handled, duplicate, ignored, dead_lettered).",
    ["service", "topic", "type", "outcome"],
)
EVENT_BATCH_SECONDS = Histogram(
    "tuoguan_event_batch_seconds", "Time to apply one partition's batch of events, commit included.", ["service"]
)
EVENT_BATCH_SIZE = Histogram(
    "tuoguan_event_batch_size",
    "Events applied in one transaction.",
    ["service"],
    buckets=(1, 2, 5, 10, 20, 50, 100, 200, 500, 1000),
)
EVENT_RETRIES = Counter(
    "tuoguan_event_retries_total", "Handler attempts that failed and were retried.", ["service", "kind"]
)
OUTBOX_PUBLISHED = Counter("tuoguan_outbox_published_total", "Outbox events published to Kafka.", ["service"])
OUTBOX_PENDING = Gauge(
    "tuoguan_outbox_pending",
    "Outbox events not yet published, as last seen by the relay.",
    ["service"],
    multiprocess_mode="livemax",
)
OUTBOX_OLDEST_PENDING_SECONDS = Gauge(
    "tuoguan_outbox_oldest_pending_seconds",
    "Age of the oldest unpublished outbox event.",
    ["service"],
    multiprocess_mode="livemax",
)
OUTBOX_PARKED = Gauge(
    "tuoguan_outbox_parked",
    "Outbox events Kafka refuses (missing topic, no write access, too large): waiting for an operator.",
    ["service"],
    multiprocess_mode="livemax",
)
OUTBOX_RELAY_LEADER = Gauge(
    "tuoguan_outbox_relay_leader",
    "1 while this process leads the service's outbox relay (holds its advisory lock), else 0.",
    ["service"],
    multiprocess_mode="livesum",
)
CONSUMER_LAG = Gauge(
    "tuoguan_consumer_lag",
    "Records of a partition not yet taken by the consumer group (last stable offset - position), "
    "refreshed every few seconds from the consumer's own fetch state.",
    ["service", "group", "topic", "partition"],
    multiprocess_mode="livemax",
)
DEAD_LETTERS = Counter(
    "tuoguan_dead_letters_total",
    "Records parked on a dead-letter topic, by the topic they came from and why (malformed, handler_error).",
    ["service", "topic", "kind"],
)
FUND_AVAILABLE_FEN = Gauge(
    "tuoguan_fund_available_fen",
    "What a subsidy fund still has (budget - reserved - spent), in fen; the funds nearest exhaustion, at most 100.",
    ["service", "union_id", "fund_id"],
    multiprocess_mode="livemax",
)
FUND_AVAILABLE_RATIO = Gauge(
    "tuoguan_fund_available_ratio",
    "The share of a subsidy fund's budget still available (0 to 1); the same funds as tuoguan_fund_available_fen.",
    ["service", "union_id", "fund_id"],
    multiprocess_mode="livemax",
)
HTTP_REQUESTS = Counter(
    "tuoguan_http_requests_total", "HTTP requests served.", ["service", "method", "route", "status"]
)


def exposition() -> bytes:
    """The text format of every metric: this process's, or all workers' added up."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # prometheus_client leaves it unannotated
        return generate_latest(registry)
    return generate_latest()
