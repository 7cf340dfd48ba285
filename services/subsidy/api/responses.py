"""What the subsidy service's endpoints answer: one model per body, with every field it carries."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel

from services.subsidy.domain.commands import SpendingBy
from shared.http import Timestamp


class FundCreated(BaseModel):
    fund_id: uuid.UUID
    union_id: uuid.UUID
    budget_fen: int


class PolicyCreated(BaseModel):
    policy_id: uuid.UUID
    valid_from: dt.date | None  # the first day it pays for (inclusive); none: from the start
    valid_until: dt.date | None  # the last day it pays for (inclusive); none: without end
    provider_ids: list[uuid.UUID]  # only bookings at these providers; empty: every one


class DecisionTaken(BaseModel):
    application_id: uuid.UUID
    status: str
    reason: str | None
    approved: bool  # False when approval found a fund unable to pay (the application is then rejected)


class FundBalance(BaseModel):
    fund_id: uuid.UUID
    union_id: uuid.UUID
    name: str
    budget_fen: int
    reserved_fen: int
    spent_fen: int
    available_fen: int


class SubtreeFunds(BaseModel):
    union_id: uuid.UUID
    funds: list[FundBalance]


class ListedApplication(BaseModel):
    application_id: uuid.UUID
    booking_id: uuid.UUID
    child_id: uuid.UUID
    days: int
    fee_fen: int
    amount_fen: int
    status: str
    reason: str | None
    union_path: list[uuid.UUID] | None
    opened_at: Timestamp


class Application(ListedApplication):
    class_id: uuid.UUID | None
    programme_id: uuid.UUID | None
    priority_group: str | None
    decided_by: str | None
    decided_at: Timestamp | None
    totals: dict[str, int]  # fen by line state: proposed, reserved, spent, released


class BookingApplications(BaseModel):
    booking_id: uuid.UUID
    applications: list[ListedApplication]


class ChildApplications(BaseModel):
    child_id: uuid.UUID
    applications: list[ListedApplication]


class SubtreeApplications(BaseModel):
    """A page of the applications in a status in the union's subtree, oldest first."""

    union_id: uuid.UUID
    status: str
    limit: int
    offset: int
    next_offset: int | None  # the offset of the next page; null on the last page
    applications: list[ListedApplication]


class SpendingRow(BaseModel):
    key: str | None  # the employment category, or the programme id
    reserved_fen: int
    spent_fen: int
    children: int


class Spending(BaseModel):
    union_id: uuid.UUID
    by: SpendingBy
    rows: list[SpendingRow]


class StatementDay(BaseModel):
    day: dt.date
    state: str  # booked, attended, absent, given_up_early (not charged), given_up_late (charged)
    fee_fen: int
    subsidy_fen: int
    family_fen: int  # fee less subsidy


class Payment(BaseModel):
    payment_id: uuid.UUID
    amount_fen: int
    source: str  # staff or gateway
    method: str
    reference: str
    recorded_by: str
    received_at: Timestamp


class Refund(BaseModel):
    refund_id: uuid.UUID
    amount_fen: int
    reason: str
    issued_at: Timestamp


class ListedStatement(BaseModel):
    booking_id: uuid.UUID
    child_id: uuid.UUID
    class_id: uuid.UUID
    programme_id: uuid.UUID
    union_path: list[uuid.UUID]
    fee_per_day_fen: int
    revision: int
    fee_fen: int
    subsidy_fen: int
    family_fen: int  # what the family pays in all
    paid_fen: int  # received in all
    refunded_fen: int  # given back in all
    balance_fen: int  # still to pay: family_fen - paid_fen + refunded_fen, never negative
    issued_at: Timestamp


class Statement(ListedStatement):
    days: list[StatementDay]
    payments: list[Payment]
    refunds: list[Refund]


class ChildStatements(BaseModel):
    child_id: uuid.UUID
    statements: list[ListedStatement]


class FamilyStatements(BaseModel):
    guardian_id: uuid.UUID
    statements: list[ListedStatement]  # every child's, by child


class PaymentRecorded(BaseModel):
    payment_id: uuid.UUID
    balance_fen: int  # still to pay after it


class ModelClassDesignated(BaseModel):
    class_id: uuid.UUID
    provider_id: uuid.UUID  # the class's operator, who receives its grants
    union_id: uuid.UUID  # the union whose staff designated it


class GrantPaid(BaseModel):
    grant_id: uuid.UUID
    provider_id: uuid.UUID
    amount_fen: int


class Grant(BaseModel):
    grant_id: uuid.UUID
    fund_id: uuid.UUID
    provider_id: uuid.UUID
    amount_fen: int
    granted_by: str
    granted_at: Timestamp


class ModelClass(ModelClassDesignated):
    union_path: list[uuid.UUID]
    designated_by: str
    designated_at: Timestamp
    grants: list[Grant]


class RefundRuleSet(BaseModel):
    union_id: uuid.UUID
    notice_days: int
