"""Moving money: reserve on approval, spend on attended days, release on cancellations,
absences and rejections, settle when every day is resolved. Days attendance told of before the
application was opened or approved are kept (``db.days``) and resolved when it is.

A fund is only ever changed by a guarded UPDATE (``reserve`` takes money only if it is still
there), and the table's CHECK constraint refuses any commit that would overspend it. Concurrent
approvals therefore queue on the fund's row and the last ones find it empty.
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.subsidy.db import applications, funds
from services.subsidy.db import days as known_days
from services.subsidy.domain import LOW_SHARE, yuan
from shared import statistics
from shared.contracts.partners import Measure
from shared.contracts.subsidy import (
    FundExhausted,
    FundLow,
    FundShare,
    RuleRefusal,
    SubsidyApproved,
    SubsidyRejected,
    SubsidySettled,
)
from shared.db import present
from shared.metrics import FUND_AVAILABLE_FEN, FUND_AVAILABLE_RATIO
from shared.uow import UnitOfWork


async def _count(tx: asyncpg.Connection, application: asyncpg.Record, measure: Measure, amount: int) -> None:
    """Statistics offices see subsidy money only summed by union, priority group and period."""
    await statistics.count(
        tx,
        statistics.Fact(
            measure,
            str(application["application_id"]),
            application["union_path"][-1],
            application["child_id"],
            priority_group=application["priority_group"],
            amount_fen=amount,
        ),
    )


class NotCovered(Exception):
    def __init__(self, reason: str, code: RuleRefusal, fund: asyncpg.Record | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.fund = fund


async def approve(uow: UnitOfWork, application: asyncpg.Record, *, by: str) -> bool:
    """Reserve the application's money in its funds, all or nothing; approve or reject it."""
    tx = uow.tx
    proposed = await applications.lines_by_policy(tx, application["application_id"], "proposed")
    cap_of = await funds.programme_caps(tx, [row["policy_id"] for row in proposed])
    per_fund: dict[uuid.UUID, int] = {}
    for line in proposed:
        per_fund[line["fund_id"]] = per_fund.get(line["fund_id"], 0) + line["amount_fen"]
    try:
        async with tx.transaction():  # a savepoint: a fund that cannot pay undoes the others
            for line in proposed:
                cap = cap_of.get(line["policy_id"])
                if cap is not None and not await funds.use_programme_cap(
                    tx, line["policy_id"], application["programme_id"], line["amount_fen"], cap
                ):
                    raise NotCovered(
                        f"the policy's cap for this programme ({yuan(cap)}) is reached", "programme_cap_reached"
                    )
            for fund_id, amount in sorted(per_fund.items()):
                if not await reserve(uow, fund_id, amount):
                    raise NotCovered(
                        f"fund {fund_id} cannot cover {yuan(amount)}",
                        "fund_exhausted",
                        await funds.get_fund(tx, fund_id),
                    )
            await applications.move_lines(tx, application["application_id"], ("proposed",), "reserved")
    except NotCovered as refusal:
        await reject(uow, application, by=by, reason=refusal.reason, code=refusal.code)
        if refusal.fund is not None:
            await tell_exhausted(uow, refusal.fund)
        return False
    await applications.set_status(tx, application["application_id"], "approved", by=by)
    await _count(tx, application, "subsidy_approved", sum(per_fund.values()))
    uow.emit(
        SubsidyApproved(
            application_id=application["application_id"],
            booking_id=application["booking_id"],
            child_id=application["child_id"],
            amount_fen=sum(per_fund.values()),
            decided_by=by,
            funds=tuple(FundShare(fund_id=f, amount_fen=a) for f, a in sorted(per_fund.items())),
        )
    )
    await resolve_known_days(uow, present(await applications.lock(tx, application["application_id"]), "application"))
    return True


async def reserve(uow: UnitOfWork, fund_id: uuid.UUID, amount: int) -> bool:
    """Reserve ``amount`` in the fund if it is still there (False, and nothing changes, if not);
    tell the fund's union once when the fund runs low."""
    left = await funds.reserve(uow.tx, fund_id, amount)
    if left is None:
        return False
    if left["available_fen"] < left["budget_fen"] * LOW_SHARE and await funds.flag(uow.tx, fund_id, "low_alerted"):
        uow.emit(
            FundLow(
                fund_id=fund_id,
                budget_fen=left["budget_fen"],
                available_fen=left["available_fen"],
                union_id=left["union_id"],
            )
        )
    return True


async def tell_exhausted(uow: UnitOfWork, fund: asyncpg.Record) -> None:
    """Tell the fund's union, once until money comes back, that the fund could not pay."""
    if await funds.flag(uow.tx, fund["fund_id"], "exhausted_alerted"):
        uow.emit(
            FundExhausted(
                fund_id=fund["fund_id"],
                budget_fen=fund["budget_fen"],
                available_fen=fund["available_fen"],
                union_id=fund["union_id"],
            )
        )


async def reject(
    uow: UnitOfWork, application: asyncpg.Record, *, by: str, reason: str, code: RuleRefusal | None = None
) -> None:
    """``code`` when the rules refused it; staff's own refusals have only their ``reason``."""
    tx = uow.tx
    await applications.move_lines(tx, application["application_id"], ("proposed",), "released")
    await applications.set_status(tx, application["application_id"], "rejected", by=by, reason=reason)
    uow.emit(
        SubsidyRejected(
            application_id=application["application_id"],
            booking_id=application["booking_id"],
            child_id=application["child_id"],
            reason=reason,
            decided_by=by,
            reason_code=code,
        )
    )


async def resolve_days(uow: UnitOfWork, application: asyncpg.Record, days: list[dt.date], *, attended: bool) -> None:
    """Attended days are paid from the reservation; days given up or missed go back to the funds."""
    tx = uow.tx
    await _move_days(tx, application, days, attended=attended)
    await settle_if_done(uow, application)


async def resolve_known_days(uow: UnitOfWork, application: asyncpg.Record) -> None:
    """Resolve the days attendance told of before the application was opened or approved."""
    tx = uow.tx
    told = await known_days.of_booking(tx, application["booking_id"])
    for attended in (True, False):
        if chosen := sorted(day for day, was in told.items() if was is attended):
            await _move_days(tx, application, chosen, attended=attended)
    await settle_if_done(uow, application)


async def _move_days(
    tx: asyncpg.Connection, application: asyncpg.Record, days: list[dt.date], *, attended: bool
) -> None:
    # A day attended before staff decided stays proposed: approve() pays it from the known days.
    moved = await applications.move_lines(
        tx,
        application["application_id"],
        ("reserved",) if attended else ("reserved", "proposed"),
        "spent" if attended else "released",
        days,
    )
    for line in moved:
        if line["was"] != "reserved":
            continue
        if attended:
            await funds.spend(tx, line["fund_id"], line["amount_fen"])
        else:
            await funds.release(tx, line["fund_id"], line["amount_fen"])
            await funds.unuse_programme_cap(tx, line["policy_id"], application["programme_id"], line["amount_fen"])


async def settle_if_done(uow: UnitOfWork, application: asyncpg.Record) -> None:
    tx = uow.tx
    totals = await applications.totals(tx, application["application_id"])
    if totals.get("reserved") or totals.get("proposed") or application["status"] not in ("approved", "pending_review"):
        return
    status = "settled" if totals.get("spent") else "cancelled"
    await applications.set_status(tx, application["application_id"], status)
    if application["status"] == "approved":
        await _count(tx, application, "subsidy_settled", totals.get("spent", 0))
        uow.emit(
            SubsidySettled(
                application_id=application["application_id"],
                booking_id=application["booking_id"],
                child_id=application["child_id"],
                spent_fen=totals.get("spent", 0),
                released_fen=totals.get("released", 0),
            )
        )


FUNDS_SHOWN = 100  # the metrics' bound: the funds nearest exhaustion
_shown_funds: set[tuple[str, str]] = set()


async def show_fund_balances(uow: UnitOfWork) -> None:
    """Timer: ``tuoguan_fund_available_fen`` and ``_ratio`` for the funds nearest exhaustion; one
    small query per tick, never per scrape. A fund that left the set is no longer shown."""
    shown = set()
    for row in await funds.nearest_exhaustion(uow.tx, FUNDS_SHOWN):
        labels = ("subsidy", str(row["union_id"]), str(row["fund_id"]))
        FUND_AVAILABLE_FEN.labels(*labels).set(row["available_fen"])
        FUND_AVAILABLE_RATIO.labels(*labels).set(row["available_fen"] / row["budget_fen"])
        shown.add(labels[1:])
    for gone in _shown_funds - shown:
        FUND_AVAILABLE_FEN.remove("subsidy", *gone)
        FUND_AVAILABLE_RATIO.remove("subsidy", *gone)
    _shown_funds.clear()
    _shown_funds.update(shown)
