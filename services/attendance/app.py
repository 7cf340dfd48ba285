"""Wiring of the attendance service."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from services.attendance.api import router
from services.attendance.config import AttendanceSettings
from services.attendance.handlers.events import events
from services.attendance.handlers.timers import fire_due
from shared.service import Runtime, ServiceDefinition
from shared.statistics import publish_statistics
from shared.uow import UnitOfWork


async def fire_timers(rt: Runtime) -> None:
    """Timer: absences at the cut-off, late pick-up escalation after closing."""
    async with UnitOfWork.begin(rt.pool, rt.outbox) as uow:
        await fire_due(uow, now=dt.datetime.now(dt.UTC))


definition = ServiceDefinition(
    name="attendance",
    secrets=("TUOGUAN_PSEUDONYM_KEY", "ATTENDANCE_NOTIFY_SEAL_PUBLIC_KEY"),
    title="Tuoguan attendance",
    migrations=Path(__file__).parent / "migrations",
    api=router,
    events=events,
    timers=[fire_timers, publish_statistics],
    # A six-digit code has a million values: guessing is slowed at the edge as well as capped per child.
    tight_limits=(("/pickups/{attempt_id}/confirmation", "10/minute"), ("/pickups", "30/minute")),
    settings=AttendanceSettings,
)
