"""Wiring of the subsidy service."""

from pathlib import Path

from services.subsidy.api import router
from services.subsidy.handlers.events import events
from shared.service import ServiceDefinition

definition = ServiceDefinition(
    name="subsidy",
    title="Tuoguan subsidy",
    migrations=Path(__file__).parent / "migrations",
    api=router,
    events=events,
)
