"""Wiring of the subsidy service."""

from pathlib import Path

from services.subsidy.api import router
from services.subsidy.config import SubsidySettings
from services.subsidy.handlers.events import events
from shared.service import ServiceDefinition
from shared.statistics import publish_statistics

definition = ServiceDefinition(
    name="subsidy",
    secrets=("SUBSIDY_PAYMENT_GATEWAY_SECRET",),
    title="Tuoguan subsidy",
    migrations=Path(__file__).parent / "migrations",
    settings=SubsidySettings,
    api=router,
    events=events,
    timers=[publish_statistics],
)
