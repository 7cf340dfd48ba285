"""Events published by the subsidy service on ``subsidy.events`` (key: child id)."""

from __future__ import annotations

import uuid
from typing import ClassVar

from pydantic import Field

from shared.envelope import Event


class SubsidyRequested(Event):
    """A subsidy application was opened for a booking's confirmed days."""

    TYPE: ClassVar[str] = "subsidy.requested"
    STREAM: ClassVar[str] = "subsidy.events"

    application_id: uuid.UUID
    booking_id: uuid.UUID
    child_id: uuid.UUID
    days: int = Field(ge=1)
    fee_fen: int = Field(ge=0)

    def partition_key(self) -> str:
        return str(self.child_id)
