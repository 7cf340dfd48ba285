"""What a caller may ask of the subsidy service: every request body (and query model) it accepts."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.subsidy.domain.policies import KINDS
from shared.contracts.enrollment import EmploymentCategory

MAX_PROVIDERS = 50  # the providers one policy may name


class CreateFund(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    union_id: uuid.UUID | None = Field(None, description="Defaults to the caller's union")
    name: str = Field(min_length=1, max_length=80)
    budget_fen: int = Field(gt=0, le=10**12)


class CreatePolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    union_id: uuid.UUID | None = Field(None, description="Defaults to the caller's union")
    fund_id: uuid.UUID
    kind: Literal[tuple(KINDS)]  # type: ignore[valid-type]  # the kinds registered in domain/policies
    percent_bp: int | None = Field(None, ge=1, le=10_000, description="member_percent: 1500 is 15 %")
    amount_per_day_fen: int | None = Field(None, gt=0, description="per_day and fund_grant")
    groups: list[EmploymentCategory] = Field(default_factory=list)
    class_ids: list[uuid.UUID] = Field(default_factory=list, description="Only these classes (model classes)")
    cap_per_child_fen: int | None = Field(None, gt=0)
    cap_per_programme_fen: int | None = Field(None, gt=0)
    auto_approve_up_to_fen: int | None = Field(None, ge=0, description="Above this, staff decide; none: always")
    valid_from: dt.date | None = Field(None, description="The first day it pays for (inclusive); none: from the start")
    valid_until: dt.date | None = Field(None, description="The last day it pays for (inclusive); none: without end")
    provider_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=MAX_PROVIDERS, description="Only bookings at these providers; empty: every one"
    )

    @model_validator(mode="after")
    def _complete(self) -> Self:
        missing = KINDS[self.kind].missing(dict(self))
        if missing:
            raise ValueError(missing)
        if self.valid_from is not None and self.valid_until is not None and self.valid_until < self.valid_from:
            raise ValueError("valid_until comes before valid_from")
        return self


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    approve: bool
    reason: str = Field("", max_length=300)

    @model_validator(mode="after")
    def _reason_for_rejection(self) -> Self:
        if not self.approve and not self.reason.strip():
            raise ValueError("a rejection needs a reason")
        return self


SpendingBy = Literal["employment_category", "programme"]  # how GET /unions/{union_id}/spending groups its rows


MAX_PAYMENT_FEN = 10**9  # ¥10,000,000: far above any term's fee


class RecordPayment(BaseModel):
    """Money a family paid to union staff, towards a booking's statement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    amount_fen: int = Field(gt=0, le=MAX_PAYMENT_FEN)
    method: Literal["cash", "bank_transfer", "card"]
    reference: str | None = Field(None, min_length=1, max_length=80, description="A receipt number; unique")


class GatewayPayment(BaseModel):
    """What the payment gateway posts when a family paid online (docs/payment-gateway.md)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    transaction_id: str = Field(min_length=1, max_length=100, description="The gateway's own id of the payment")
    booking_id: uuid.UUID
    amount_fen: int = Field(gt=0, le=MAX_PAYMENT_FEN)
    method: Literal["wechat_pay", "alipay", "unionpay"]


class DesignateModelClass(BaseModel):
    """Union staff make a class a model class (示范班), whose operator may get lump-sum grants."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    class_id: uuid.UUID


class GrantToModelClass(BaseModel):
    """A lump-sum grant to a model class's operator, paid from one of the union's funds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fund_id: uuid.UUID
    amount_fen: int = Field(gt=0, le=10**12)


class RefundRule(BaseModel):
    """A union's refund rule: a day given up at least ``notice_days`` before it is refunded in full."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    notice_days: int = Field(ge=0, le=60, description="0: even on the day itself, before it ends")
