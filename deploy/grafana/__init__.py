"""Grafana dashboards, one per service, generated: ``python -m deploy.grafana`` writes
``deploy/grafana/<service>.json`` (tests/unit/test_observability.py checks they are current and
that every panel's metric is one the services export)."""
