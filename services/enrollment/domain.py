"""Rules of enrollment that need no I/O."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.contracts.enrollment import Channel


class ChildIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str = Field(min_length=1, max_length=80, description="What staff call the child")
    birth_date: dt.date

    @field_validator("birth_date")
    @classmethod
    def _born(cls, value: dt.date) -> dt.date:
        if value > dt.date.today():
            raise ValueError("birth date is in the future")
        return value


class GuardianIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: str = Field(min_length=1, max_length=80)
    channels: list[Channel] = Field(min_length=1, max_length=5)


class EnrollmentRequest(BaseModel):
    """A child, the class and the days booked, and who to tell."""

    model_config = ConfigDict(extra="forbid")

    union_id: uuid.UUID
    class_id: uuid.UUID
    site_id: uuid.UUID
    child: ChildIn
    days: list[dt.date] = Field(min_length=1, max_length=120)
    fee_per_day_fen: int = Field(ge=0, le=1_000_000, description="Fee per child-day, integer fen")
    guardians: list[GuardianIn] = Field(min_length=1, max_length=4)

    @field_validator("days")
    @classmethod
    def _distinct_sorted(cls, days: list[dt.date]) -> list[dt.date]:
        if len(set(days)) != len(days):
            raise ValueError("a day is booked twice")
        return sorted(days)
