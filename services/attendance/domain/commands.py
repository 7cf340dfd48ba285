"""The commands the attendance service accepts, validated field by field."""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, ConfigDict, Field


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckIn(Command):
    child_id: uuid.UUID
    site_id: uuid.UUID
    temperature_c: float = Field(ge=34.0, le=43.0, description="Measured at the door")
    symptoms: list[str] = Field(
        default_factory=list, max_length=20, description="e.g. cough, rash; listed symptoms refuse entry"
    )


class StartPickup(Command):
    child_id: uuid.UUID
    adult_id: uuid.UUID = Field(description="An authorised adult's id, or a guardian's")


class ConfirmPickup(Command):
    code: str = Field(pattern=r"^\d{6}$", description="The one-time code the adult shows")


class ReleasePickup(Command):
    reason: str = Field(
        min_length=10, max_length=500, description="How the adult was confirmed, e.g. a call to the guardian on file"
    )


class Hours(Command):
    checkin_cutoff: dt.time = Field(description="Local time (Asia/Shanghai); booked children not in by then are absent")
    closing: dt.time
    grace_minutes: int = Field(15, ge=0, le=120)
    escalation_interval_s: int = Field(900, ge=1, le=7200, description="Between late pick-up steps")
    site_lead_name: str | None = Field(None, max_length=80)
    site_lead_phone: str | None = Field(None, max_length=32)


class StaffOnDuty(Command):
    staff_name: str = Field(min_length=1, max_length=80)
    role: str = Field(min_length=1, max_length=40, description="teacher, carer, life teacher, floater ...")
