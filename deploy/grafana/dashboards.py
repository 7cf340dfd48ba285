"""The dashboards: the same rows for every service (up, HTTP, events, lag, outbox, dead letters),
and subsidy's fund balances. Panels query by the ``service`` label, which every Tuoguan metric has
and the scrape job adds to ``up`` (deploy/prometheus/prometheus.yml)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SERVICES = ("enrollment", "attendance", "subsidy", "notify")

# (title, unit, PromQL with {s} for the service's label matcher)
COMMON: list[tuple[str, str, str]] = [
    ("Instances up", "none", 'sum(up{{job="tuoguan", {s}}})'),
    (
        "HTTP requests by route and status",
        "reqps",
        "sum by (route, status) (rate(tuoguan_http_requests_total{{{s}}}[5m]))",
    ),
    ("Events by outcome", "ops", "sum by (type, outcome) (rate(tuoguan_events_consumed_total{{{s}}}[5m]))"),
    (
        "Event batch time, p99",
        "s",
        "histogram_quantile(0.99, sum by (le) (rate(tuoguan_event_batch_seconds_bucket{{{s}}}[5m])))",
    ),
    ("Consumer lag per partition", "short", "max by (group, topic, partition) (tuoguan_consumer_lag{{{s}}})"),
    ("Outbox: oldest unpublished event", "s", "max(tuoguan_outbox_oldest_pending_seconds{{{s}}})"),
    ("Outbox: pending and parked", "short", "max(tuoguan_outbox_pending{{{s}}}) or max(tuoguan_outbox_parked{{{s}}})"),
    ("Outbox: published", "ops", "sum(rate(tuoguan_outbox_published_total{{{s}}}[5m]))"),
    ("Relay leaders (should be 1)", "none", "sum(tuoguan_outbox_relay_leader{{{s}}})"),
    ("Dead letters (last hour)", "short", "sum by (topic, kind) (increase(tuoguan_dead_letters_total{{{s}}}[1h]))"),
    ("Handler retries", "ops", "sum by (kind) (rate(tuoguan_event_retries_total{{{s}}}[5m]))"),
]
OWN: dict[str, list[tuple[str, str, str]]] = {
    "subsidy": [
        (
            "Funds nearest exhaustion (share left)",
            "percentunit",
            "bottomk(10, min by (union_id, fund_id) (tuoguan_fund_available_ratio{{{s}}}))",
        ),
        (
            "Funds nearest exhaustion (fen left)",
            "short",
            "bottomk(10, min by (union_id, fund_id) (tuoguan_fund_available_fen{{{s}}}))",
        ),
    ],
}


def dashboard(service: str) -> dict[str, Any]:
    matcher = f'service="{service}"'
    panels = []
    for n, (title, unit, query) in enumerate(COMMON + OWN.get(service, [])):
        panels.append(
            {
                "id": n + 1,
                "type": "timeseries",
                "title": title,
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "gridPos": {"h": 8, "w": 12, "x": 12 * (n % 2), "y": 8 * (n // 2)},
                "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                "targets": [{"refId": "A", "expr": query.format(s=matcher)}],
            }
        )
    return {
        "uid": f"tuoguan-{service}",
        "title": f"Tuoguan {service}",
        "tags": ["tuoguan"],
        "timezone": "browser",
        "schemaVersion": 39,
        "refresh": "30s",
        "time": {"from": "now-6h", "to": "now"},
        "templating": {
            "list": [{"name": "datasource", "type": "datasource", "query": "prometheus", "label": "Prometheus"}]
        },
        "panels": panels,
    }


def rendered(service: str) -> str:
    return json.dumps(dashboard(service), indent=2, ensure_ascii=False) + "\n"


def write_all() -> list[Path]:
    paths = []
    for service in SERVICES:
        path = HERE / f"{service}.json"
        path.write_text(rendered(service))
        paths.append(path)
    return paths
