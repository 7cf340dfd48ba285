"""Wiring of the enrollment service."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from services.enrollment.api import router
from services.enrollment.config import EnrollmentSettings, settings_of
from services.enrollment.handlers.events import events
from services.enrollment.handlers.holds import release_lapsed
from services.enrollment.handlers.waitlist import release_due_quotas
from shared.service import Runtime, ServiceDefinition
from shared.statistics import publish_statistics
from shared.uow import UnitOfWork


async def release_quotas(rt: Runtime) -> None:
    """Timer: quotas past their release time give their unused seats to the waitlist."""
    async with UnitOfWork.begin(rt.pool, rt.outbox) as uow:
        await release_due_quotas(uow, now=dt.datetime.now(dt.UTC), hold=settings_of(rt).promotion_hold)


async def release_lapsed_promotions(rt: Runtime) -> None:
    """Timer: promoted seats not accepted by their deadline go to the next waiting child."""
    async with UnitOfWork.begin(rt.pool, rt.outbox) as uow:
        await release_lapsed(uow, now=dt.datetime.now(dt.UTC), hold=settings_of(rt).promotion_hold)


definition = ServiceDefinition(
    name="enrollment",
    secrets=("TUOGUAN_PSEUDONYM_KEY",),
    title="Tuoguan enrollment",
    migrations=Path(__file__).parent / "migrations",
    api=router,
    events=events,
    timers=[release_quotas, release_lapsed_promotions, publish_statistics],
    settings=EnrollmentSettings,
)
