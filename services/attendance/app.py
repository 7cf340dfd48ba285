"""Wiring of the attendance service."""

from pathlib import Path

from services.attendance.api import router
from services.attendance.handlers import events
from shared.service import ServiceDefinition

definition = ServiceDefinition(
    name="attendance",
    title="Tuoguan attendance",
    migrations=Path(__file__).parent / "migrations",
    api=router,
    events=events,
)
