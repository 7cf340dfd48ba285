"""The alert rules and the dashboards speak of metrics the services export, and the rules fire
when they should (with promtool, when it is installed)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

import shared.metrics  # noqa: F401  (registers the metrics)
from deploy.grafana import dashboards

PROMETHEUS = Path(__file__).parents[2] / "deploy/prometheus"
PROMTOOL = shutil.which("promtool") or next((str(p) for p in [Path.home() / "go/bin/promtool"] if p.exists()), None)
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def exported() -> set[str]:
    """Every series name the services' /metrics can show, and the scrape's own ``up``."""
    names = {"up"}
    for family in REGISTRY.collect():
        if family.name.startswith("tuoguan_"):
            names |= {family.name + suffix for suffix in SUFFIXES.get(family.type, ("",))}
    return names


def metrics_in(expr: str) -> set[str]:
    """The series names a PromQL expression selects (``tuoguan_*`` and ``up``)."""
    return set(re.findall(r"\b(tuoguan_[a-z_]+|up(?=\{))", expr))


def rules() -> list[dict]:
    return [
        rule for group in yaml.safe_load((PROMETHEUS / "alerts.yml").read_text())["groups"] for rule in group["rules"]
    ]


def test_every_alert_watches_a_metric_the_services_export() -> None:
    named = {rule["alert"] for rule in rules()}
    assert {"TuoguanServiceDown", "TuoguanConsumerLagHigh", "TuoguanOutboxStale", "TuoguanDeadLetters"} <= named
    assert {"TuoguanNoRelayLeader", "TuoguanFundLow"} <= named
    for rule in rules():
        used = metrics_in(rule["expr"])
        assert used, f"{rule['alert']} selects no Tuoguan metric"
        assert used <= exported(), f"{rule['alert']} uses {sorted(used - exported())}, which nothing exports"
        assert rule["annotations"]["summary"] and rule["annotations"]["description"]
        assert rule["labels"]["severity"] in {"page", "ticket"}


def test_every_dashboard_panel_shows_a_metric_the_services_export() -> None:
    for service in dashboards.SERVICES:
        committed = (Path(dashboards.HERE) / f"{service}.json").read_text()
        assert committed == dashboards.rendered(service), "stale: run python -m deploy.grafana"
        for panel in json.loads(committed)["panels"]:
            for target in panel["targets"]:
                used = metrics_in(target["expr"])
                assert used and used <= exported(), f"{service}: {panel['title']} uses {sorted(used - exported())}"
                assert f'service="{service}"' in target["expr"]


@pytest.mark.skipif(PROMTOOL is None, reason="promtool is not installed (docs/operations.md says how)")
def test_the_alerts_fire_when_they_should_and_not_before() -> None:
    run = subprocess.run(
        [str(PROMTOOL), "test", "rules", "alerts_test.yml"], cwd=PROMETHEUS, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stdout + run.stderr
