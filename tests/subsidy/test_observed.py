"""What operators see of subsidy: the funds nearest exhaustion as metrics, and a booking's trace
carried on to subsidy's follow-ups even where no spans are recorded."""

from __future__ import annotations

from prometheus_client import REGISTRY

from services.subsidy.app import fund_balances
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
