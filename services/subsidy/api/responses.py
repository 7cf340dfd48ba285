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


class SpendingRow(BaseModel):
    key: str | None  # the employment category, or the programme id
    reserved_fen: int
    spent_fen: int
    children: int


class Spending(BaseModel):
    union_id: uuid.UUID
    by: SpendingBy
    rows: list[SpendingRow]
