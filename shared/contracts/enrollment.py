"""Events published by the enrollment service on ``enrollment.events`` (key: child id)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.envelope import Event


ChannelKind = Literal["inapp", "email", "sms", "wechat", "webhook"]


class Channel(BaseModel):
    """One way to reach a guardian."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ChannelKind
    address: str = Field(min_length=1, max_length=320)


class GuardianContact(BaseModel):
    """A guardian of the child, as attendance and notify need them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    guardian_id: uuid.UUID
    display_name: str = Field(min_length=1, max_length=80)
    channels: tuple[Channel, ...] = ()


class ChildEnrolled(Event):
    """A child holds confirmed seats in a class on the listed days."""

    TYPE: ClassVar[str] = "child.enrolled"
    STREAM: ClassVar[str] = "enrollment.events"

    enrollment_id: uuid.UUID
    child_id: uuid.UUID
    child_display_name: str = Field(min_length=1, max_length=80)
    class_id: uuid.UUID
    site_id: uuid.UUID
    days: tuple[dt.date, ...] = Field(min_length=1)
    fee_per_day_fen: int = Field(ge=0)
    guardians: tuple[GuardianContact, ...] = Field(min_length=1)

    def partition_key(self) -> str:
        return str(self.child_id)
