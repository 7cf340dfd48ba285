"""What operators see of subsidy: the funds nearest exhaustion as metrics, and a booking's trace
carried on to subsidy's follow-ups even where no spans are recorded."""

from __future__ import annotations

import datetime as dt
import uuid

from opentelemetry import context
from prometheus_client import REGISTRY

from services.subsidy.app import fund_balances
from shared import tracing
from shared.contracts.partners import StatisticsCell
from shared.contracts.subsidy import FundLow
from shared.timezones import LOCAL_TIME
from shared.topics import Partner
from shared.uow import UnitOfWork
from testkit.scenarios import envelope
from tests.subsidy.conftest import UnionFunds

BOOKING_TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def shown(metric: str, union: UnionFunds, fund_id: str) -> float | None:
    labels = {"service": "subsidy", "union_id": str(union.union_id), "fund_id": fund_id}
    return REGISTRY.get_sample_value(metric, labels)


async def test_a_fund_with_less_than_a_tenth_left_shows_its_balance_and_share(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=100_000)
    await union.policy(fund, "member_percent", percent_bp=10_000)
    await union.deliver(union.booking(days=2, fee=46_000))  # 92,000 reserved: 8 % left
    assert (await union.balance(fund))["available_fen"] == 8_000
    await fund_balances(union.service.runtime)
    assert shown("tuoguan_fund_available_fen", union, fund) == 8_000
    assert shown("tuoguan_fund_available_ratio", union, fund) == 0.08


async def test_without_an_exporter_the_bookings_trace_goes_on_with_the_subsidy_it_caused(union: UnionFunds) -> None:
    fund = await union.fund(budget_fen=1_000_000)
    await union.policy(fund, "member_percent", percent_bp=1500)
    booking = union.booking()
    await union.service.deliver(envelope(booking), traceparent=BOOKING_TRACE)
    (approved,) = await union.service.runtime.pool.fetch(
        """SELECT traceparent FROM outbox WHERE event_type = 'subsidy.approved'
           AND convert_from(payload, 'UTF8')::jsonb #>> '{data,booking_id}' = $1""",
        str(booking.booking_id),
    )
    assert approved["traceparent"] == BOOKING_TRACE


async def test_a_partner_feed_carries_no_trace_that_two_partners_could_join_on(union: UnionFunds) -> None:
    """A command's events carry its request's trace, but not the partners' copies: the same trace id
    in two partners' records would let them link what their pseudonyms keep apart."""
    period = dt.datetime(2027, 7, 5, tzinfo=LOCAL_TIME)

    def cell(_partner: Partner) -> StatisticsCell:
        return StatisticsCell(
            union_id=union.union_id,
            measure="enrolled",
            period_start=period,
            period_end=period + dt.timedelta(days=1),
            suppressed=True,
        )

    runtime = union.service.runtime
    request = tracing.parent_context(BOOKING_TRACE)
    assert request is not None
    token = context.attach(request)  # current, as the request's span is in a command
    try:
        async with UnitOfWork.begin(runtime.pool, runtime.outbox) as uow:
            uow.emit(FundLow(fund_id=uuid.uuid4(), budget_fen=100, available_fen=5, union_id=union.union_id))
            uow.emit(cell, to="statistics", union_id=union.union_id)
    finally:
        context.detach(token)
    rows = await runtime.pool.fetch(
        "SELECT event_type, traceparent FROM outbox WHERE convert_from(payload, 'UTF8')::jsonb #>> '{data,union_id}' = $1",
        str(union.union_id),
    )
    assert {(r["event_type"], r["traceparent"]) for r in rows} == {
        ("fund.low", BOOKING_TRACE),
        ("partner.statistics_cell", None),
    }
