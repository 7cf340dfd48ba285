"""Wiring of the notify service."""

from pathlib import Path

from services.notify.api import router
from services.notify.handlers import events
from shared.service import ServiceDefinition

definition = ServiceDefinition(
    name="notify",
    title="Tuoguan notify",
    migrations=Path(__file__).parent / "migrations",
    api=router,
    events=events,
)
