"""Events published by the subsidy service on ``subsidy.events`` (key: child id; fund events: fund id)."""

from __future__ import annotations

import uuid
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.envelope import Event

RuleRefusal = Literal["fund_exhausted", "programme_cap_reached"]  # why the rules refused a subsidy


class _ChildApplication(Event):
    STREAM: ClassVar[str] = "subsidy.events"

    application_id: uuid.UUID
    booking_id: uuid.UUID
    child_id: uuid.UUID

    def partition_key(self) -> str:
        return str(self.child_id)


class SubsidyRequested(_ChildApplication):
    """A subsidy application was opened for a booking's confirmed days."""

    TYPE: ClassVar[str] = "subsidy.requested"

    days: int = Field(ge=1)
    fee_fen: int = Field(ge=0)
    amount_fen: int = Field(ge=0, description="What the union's policies would pay")
    automatic: bool = Field(description="False when union staff must decide")


class FundShare(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    fund_id: uuid.UUID
    amount_fen: int = Field(gt=0)


class SubsidyApproved(_ChildApplication):
    """The subsidy is approved and its money reserved in the funds named."""

    TYPE: ClassVar[str] = "subsidy.approved"

    amount_fen: int = Field(gt=0)
    funds: tuple[FundShare, ...] = Field(min_length=1)
    decided_by: str


class SubsidyRejected(_ChildApplication):
    """The subsidy was refused, with the reason."""

    TYPE: ClassVar[str] = "subsidy.rejected"

    reason: str
    decided_by: str
    reason_code: RuleRefusal | None = Field(
        None, description="Why, when the rules refused it; None when union staff did (``reason`` is their words)"
    )


class SubsidySettled(_ChildApplication):
    """Every day of the application is resolved: attended days were paid, the rest released."""

    TYPE: ClassVar[str] = "subsidy.settled"

    spent_fen: int = Field(ge=0)
    released_fen: int = Field(ge=0)


class _FundEvent(Event):
    STREAM: ClassVar[str] = "subsidy.events"

    fund_id: uuid.UUID
    budget_fen: int
    available_fen: int
    union_id: uuid.UUID | None = Field(None, description="The union whose fund it is (its staff are told)")

    def partition_key(self) -> str:
        return str(self.fund_id)


class FundLow(_FundEvent):
    """Less than a tenth of the fund's budget is left."""

    TYPE: ClassVar[str] = "fund.low"


class FundExhausted(_FundEvent):
    """The fund could not cover a subsidy; applications are being rejected."""

    TYPE: ClassVar[str] = "fund.exhausted"


class _FamilyMoney(Event):
    """Money between a family and the programme, for one booking (its term); key: the child."""

    STREAM: ClassVar[str] = "subsidy.events"

    booking_id: uuid.UUID
    child_id: uuid.UUID

    def partition_key(self) -> str:
        return str(self.child_id)


class StatementIssued(_FamilyMoney):
    """A family's statement for a booking was issued (revision 1) or revised: per booked day the
    fee, the subsidy and what the family pays; here its totals."""

    TYPE: ClassVar[str] = "statement.issued"

    revision: int = Field(ge=1)
    cause: str = Field(description="What revised it: the event type or command that changed it")
    fee_fen: int = Field(ge=0, description="The fee of the days charged")
    subsidy_fen: int = Field(ge=0, description="What the union's funds pay of it")
    family_fen: int = Field(ge=0, description="What the family pays: fee less subsidy")
    paid_fen: int = Field(ge=0, description="Received from the family, less refunds")
    balance_fen: int = Field(ge=0, description="Still to pay (never negative)")


class PaymentReceived(_FamilyMoney):
    """The family paid towards a booking's statement (recorded by staff, or by the payment gateway)."""

    TYPE: ClassVar[str] = "payment.received"

    payment_id: uuid.UUID
    amount_fen: int = Field(gt=0)
    source: str = Field(description="staff or gateway")
    balance_fen: int = Field(ge=0, description="Still to pay after this payment")


class RefundIssued(_FamilyMoney):
    """Money the family paid for days no longer charged goes back to them."""

    TYPE: ClassVar[str] = "refund.issued"

    refund_id: uuid.UUID
    amount_fen: int = Field(gt=0)
    reason: str


class _ModelClassEvent(Event):
    STREAM: ClassVar[str] = "subsidy.events"

    class_id: uuid.UUID
    provider_id: uuid.UUID

    def partition_key(self) -> str:
        return str(self.class_id)


class ModelClassDesignated(_ModelClassEvent):
    """Union staff designated a class a model class (示范班): its operator may get lump-sum grants."""

    TYPE: ClassVar[str] = "model_class.designated"

    union_id: uuid.UUID
    designated_by: str


class ModelClassGrantPaid(_ModelClassEvent):
    """A lump-sum grant to a model class's operator, paid from a fund that could cover it."""

    TYPE: ClassVar[str] = "model_class.grant_paid"

    grant_id: uuid.UUID
    fund_id: uuid.UUID
    amount_fen: int = Field(gt=0)
    granted_by: str
