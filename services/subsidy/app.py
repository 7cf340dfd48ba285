"""Wiring of the subsidy service."""

from pathlib import Path

from services.subsidy.api import router
from services.subsidy.config import SubsidySettings
from services.subsidy.handlers.events import events
from services.subsidy.handlers.ledger import show_fund_balances
from shared.service import Runtime, ServiceDefinition
from shared.statistics import publish_statistics
from shared.uow import UnitOfWork


async def fund_balances(rt: Runtime) -> None:
    """Timer: the fund-balance metrics (``tuoguan_fund_available_*``)."""
    async with UnitOfWork.begin(rt.pool, rt.outbox) as uow:
        await show_fund_balances(uow)


definition = ServiceDefinition(
    name="subsidy",
    secrets=("SUBSIDY_PAYMENT_GATEWAY_SECRET",),
    title="Tuoguan subsidy",
    migrations=Path(__file__).parent / "migrations",
    settings=SubsidySettings,
    api=router,
    events=events,
    timers=[publish_statistics, fund_balances],
)
