"""Wiring of the enrollment service."""

from pathlib import Path

from services.enrollment.api import router
from shared.service import ServiceDefinition

definition = ServiceDefinition(
    name="enrollment",
    title="Tuoguan enrollment",
    migrations=Path(__file__).parent / "migrations",
    api=router,
)
