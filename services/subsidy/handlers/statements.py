"""The family's side of the money: statements follow bookings, attendance and subsidy decisions;
payments come from staff or the payment gateway; refunds follow revisions. The rules (what a day
costs, rounding, the refund rule) are in ``domain.statements``.

Every change to a statement happens under its row lock (``statements.lock``), after the locks the
ledger takes (a child's, then its applications'), so a payment and a revision never interleave:
one of them sees what the other committed. The table's CHECK refuses any commit that leaves the
family having paid more than it owes.
"""

from __future__ import annotations

import datetime as dt
import uuid

import asyncpg

from services.subsidy import access
from services.subsidy.db import days as known_days
from services.subsidy.db import statements
from services.subsidy.domain import statements as rules
from services.subsidy.domain.commands import GatewayPayment, RecordPayment, RefundRule
from shared.contracts.enrollment import BookingPromoted, ChildEnrolled
from shared.contracts.subsidy import PaymentReceived, RefundIssued, StatementIssued
from shared.errors import Conflict, NotFound
from shared.money import yuan
from shared.outcomes import Created, Done
from shared.uow import UnitOfWork


class Overpaid(Conflict):
    """The payment is more than the family still owes (the balance never goes negative)."""


async def follow_booking(event: ChildEnrolled | BookingPromoted, uow: UnitOfWork) -> None:
    """Issue (or extend) the booking's statement with its confirmed days; days attendance already
    told of count as they were."""
    tx = uow.tx
    await statements.open_statement(tx, event, list(event.union_path))
    for day, attended in (await known_days.of_booking(tx, event.booking_id)).items():
        await statements.set_state(tx, event.booking_id, day, "attended" if attended else "absent")
    await revise(uow, event.booking_id, cause=event.TYPE, moved=True)


async def give_up(uow: UnitOfWork, booking_id: uuid.UUID, days: list[dt.date], cause: str) -> None:
    """Days given up: free before the cut-off, charged in full after it (``domain.statements``)."""
    tx = uow.tx
    statement = await statements.lock(tx, booking_id)
    if statement is None:
        return
    at = uow.handled.occurred_at
    notice = await statements.refund_notice(tx, list(statement["union_path"]))
    given_up = await statements.booked_days(tx, booking_id, days)
    for day in given_up:
        state = rules.given_up(day, at, rules.REFUND_NOTICE_DAYS if notice is None else notice)
        await statements.set_state(tx, booking_id, day, state)
    await revise(uow, booking_id, cause=cause, moved=bool(given_up))


async def set_refund_rule(union_id: uuid.UUID, cmd: RefundRule, uow: UnitOfWork) -> Done:
    """Union staff set how long before a day it must be given up to be refunded, for their classes."""
    principal = uow.issuer.principal
    access.ensure_union_staff_of(principal, union_id)
    await statements.set_refund_rule(uow.tx, union_id, cmd.notice_days, principal.sub)
    return Done({"union_id": str(union_id), "notice_days": cmd.notice_days})


async def mark_day(uow: UnitOfWork, booking_id: uuid.UUID, day: dt.date, *, attended: bool, cause: str) -> None:
    tx = uow.tx
    if await statements.lock(tx, booking_id) is None:
        return  # the booking's statement is issued later, with this day (``follow_booking``)
    # A no-show is a change the family hears of; an attended day is what was booked (it revises
    # the statement only if its money changed).
    moved = not attended and bool(await statements.booked_days(tx, booking_id, [day]))
    await statements.set_state(tx, booking_id, day, "attended" if attended else "absent")
    await revise(uow, booking_id, cause=cause, moved=moved)


async def revise(uow: UnitOfWork, booking_id: uuid.UUID, *, cause: str, moved: bool = False) -> None:
    """Work the statement out again from its days and the ledger; issue a new revision when a day
    moved or its money changed, refunding what the family paid beyond what it now owes."""
    tx = uow.tx
    statement = await statements.lock(tx, booking_id)
    if statement is None:
        return
    subsidy = await statements.ledger_subsidy(tx, booking_id)
    days = [
        rules.charge(day, state, statement["fee_per_day_fen"], subsidy.get(day, 0))
        for day, state in await statements.day_states(tx, booking_id)
    ]
    totals = rules.totals(days)
    before = (statement["fee_fen"], statement["subsidy_fen"], statement["family_fen"])
    if statement["revision"] and not moved and before == (totals.fee_fen, totals.subsidy_fen, totals.family_fen):
        return
    net_paid = statement["paid_fen"] - statement["refunded_fen"]
    refund = rules.refund_due(totals.family_fen, net_paid)
    work = uow.within(statement["union_path"][-1])
    if refund:
        refund_id = uuid.uuid4()
        reason = f"the statement now comes to {yuan(totals.family_fen)} ({cause})"
        await statements.insert_refund(tx, refund_id, booking_id, refund, reason)
        work.emit(
            RefundIssued(
                booking_id=booking_id,
                child_id=statement["child_id"],
                refund_id=refund_id,
                amount_fen=refund,
                reason=reason,
            )
        )
    revision = await statements.store_revision(tx, booking_id, days, totals, refund)
    work.emit(
        StatementIssued(
            booking_id=booking_id,
            child_id=statement["child_id"],
            revision=revision,
            cause=cause,
            fee_fen=totals.fee_fen,
            subsidy_fen=totals.subsidy_fen,
            family_fen=totals.family_fen,
            paid_fen=net_paid - refund,
            balance_fen=totals.family_fen - net_paid + refund,
        )
    )


async def record_payment(booking_id: uuid.UUID, cmd: RecordPayment, uow: UnitOfWork) -> Created:
    """Union staff record money the family paid them (cash, a bank transfer)."""
    statement = await _statement(uow.tx, booking_id)
    access.ensure_records_payments(uow.issuer.principal, statement)
    payment_id = uuid.uuid4()
    return await _receive(
        uow,
        statement,
        payment_id,
        amount_fen=cmd.amount_fen,
        source="staff",
        method=cmd.method,
        reference=cmd.reference or str(payment_id),
        recorded_by=uow.issuer.principal.sub,
    )


async def gateway_payment(cmd: GatewayPayment, uow: UnitOfWork) -> Done:
    """The payment gateway tells of money a family paid online (its signature checked at the edge).
    The same gateway transaction told again is answered with the payment already recorded."""
    tx = uow.tx
    statement = await _statement(tx, cmd.booking_id)
    known = await statements.payment_by_reference(tx, "gateway", cmd.transaction_id)
    if known is not None:
        if (known["booking_id"], known["amount_fen"]) != (cmd.booking_id, cmd.amount_fen):
            raise Conflict("this transaction was told before with another booking or amount", field="transaction_id")
        balance = statement["family_fen"] - statement["paid_fen"] + statement["refunded_fen"]
        return Done({"payment_id": str(known["payment_id"]), "balance_fen": balance})
    return await _receive(
        uow,
        statement,
        uuid.uuid4(),
        amount_fen=cmd.amount_fen,
        source="gateway",
        method=cmd.method,
        reference=cmd.transaction_id,
        recorded_by=uow.issuer.principal.sub,
    )


async def _statement(tx: asyncpg.Connection, booking_id: uuid.UUID) -> asyncpg.Record:
    statement = await statements.lock(tx, booking_id)
    if statement is None:
        raise NotFound("no statement for this booking", field="booking_id")
    return statement


async def _receive(
    uow: UnitOfWork, statement: asyncpg.Record, payment_id: uuid.UUID, *, amount_fen: int, **fields: str
) -> Created:
    net_paid = statement["paid_fen"] - statement["refunded_fen"]
    if rules.overpays(amount_fen, statement["family_fen"], net_paid):
        balance = statement["family_fen"] - net_paid
        raise Overpaid(
            f"{yuan(amount_fen)} is more than the {yuan(balance)} still to pay", field="amount_fen", balance_fen=balance
        )
    booking_id = statement["booking_id"]
    balance = await statements.insert_payment(uow.tx, payment_id, booking_id, amount_fen=amount_fen, **fields)
    uow.within(statement["union_path"][-1]).emit(
        PaymentReceived(
            booking_id=booking_id,
            child_id=statement["child_id"],
            payment_id=payment_id,
            amount_fen=amount_fen,
            source=fields["source"],
            balance_fen=balance,
        )
    )
    return Created({"payment_id": str(payment_id), "balance_fen": balance})
