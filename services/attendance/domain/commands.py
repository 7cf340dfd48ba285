"""The commands the attendance service accepts, validated field by field."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal, Self

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from shared.contracts.attendance import IncidentKind, Qualification
from shared.contracts.enrollment import ClassType


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _this_century(moment: dt.datetime) -> dt.datetime:
    if not 2000 <= moment.year < 2100:
        raise ValueError("a moment between 2000 and 2099")
    return moment


Moment = Annotated[AwareDatetime, AfterValidator(_this_century)]


class CheckIn(Command):
    child_id: uuid.UUID
    site_id: uuid.UUID
    temperature_c: float = Field(ge=34.0, le=43.0, description="Measured at the door")
    symptoms: list[str] = Field(
        default_factory=list, max_length=20, description="e.g. cough, rash; listed symptoms refuse entry"
    )


class NightPresence(Command):
    """A boarding child's night (周托): at the site, or not (then the note says where and why)."""

    present: bool
    note: str | None = Field(None, min_length=1, max_length=500)

    @model_validator(mode="after")
    def _absence_explained(self) -> Self:
        if not self.present and self.note is None:
            raise ValueError("an absent night needs a note: where the child is, and why")
        return self


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


class HeldQualification(Command):
    kind: Qualification
    expires_on: dt.date = Field(description="The last day it is valid")


class StaffOnDuty(Command):
    staff_name: str = Field(min_length=1, max_length=80)
    role: str = Field(min_length=1, max_length=40, description="teacher, carer, life teacher, floater ...")
    qualifications: list[HeldQualification] = Field(
        default_factory=list, max_length=10, description="What the member of staff holds, with expiry dates"
    )


class RoleRequirement(Command):
    """A role a class needs: ``per_class`` of them, plus one for every ``per_children`` children booked."""

    role: str = Field(min_length=1, max_length=40, description="As staff on duty name it: teacher, floater, helper ...")
    per_class: int = Field(0, ge=0, le=20)
    per_children: int | None = Field(None, ge=1, le=100, description="One more per this many children (the N of 2+1+N)")
    qualifications: list[Qualification] = Field(default_factory=list, max_length=3)

    @model_validator(mode="after")
    def _requires_someone(self) -> Self:
        if self.per_class == 0 and self.per_children is None:
            raise ValueError("a role needs per_class or per_children")
        return self


class StaffingRule(Command):
    """The roles a class at a site needs; for one class type, or (none given) for every class there."""

    class_type: ClassType | None = None
    roles: list[RoleRequirement] = Field(min_length=1, max_length=10)

    @model_validator(mode="after")
    def _roles_once(self) -> Self:
        names = [r.role for r in self.roles]
        if len(set(names)) != len(names):
            raise ValueError("each role is listed once")
        return self


class ReportIncident(Command):
    child_id: uuid.UUID
    site_id: uuid.UUID
    at: Moment = Field(description="When it happened")
    kind: IncidentKind
    what_happened: str = Field(min_length=5, max_length=2000)
    first_aid: str | None = Field(None, max_length=1000, description="The first aid given, if any")
    guardians_told_by: str | None = Field(
        None, max_length=200, description="How staff told the guardians (a call, in person); notify also tells them"
    )
    follow_up: str | None = Field(None, max_length=1000, description="What happens next: a doctor, a report ...")


class Disinfection(Command):
    area: str = Field(min_length=1, max_length=80, description="e.g. classroom, toilets, kitchen, toys")
    done_by: str = Field(min_length=1, max_length=80)
    done_at: Moment = Field(description="On the log's day (Asia/Shanghai)")


class Meal(Command):
    meal: Literal["breakfast", "morning_snack", "lunch", "afternoon_snack", "dinner"]
    dishes: list[str] = Field(min_length=1, max_length=12)


class Menu(Command):
    meals: list[Meal] = Field(min_length=1, max_length=5)


class FoodSample(Command):
    """留样: a sample of each dish served, kept refrigerated for 48 hours at least."""

    dish: str = Field(min_length=1, max_length=80)
    amount_g: int = Field(ge=125, le=2000, description="At least 125 g of each dish")
    kept_at: Moment = Field(description="On the log's day (Asia/Shanghai)")


class DiscardSample(Command):
    discarded_at: Moment


class MorningCheck(Command):
    health_worker: str = Field(min_length=1, max_length=80)
    checked_at: Moment = Field(description="On the log's day (Asia/Shanghai)")
    children_checked: int = Field(ge=0, le=2000)
    notes: str | None = Field(None, max_length=1000, description="Anything seen, without children's names")


Activity = Literal["homework_help", "reading", "arts", "sports", "first_aid", "music", "science", "outdoor", "rest"]


class TimetableEntry(Command):
    weekday: int = Field(ge=1, le=7, description="1 is Monday")
    starts: dt.time
    ends: dt.time
    age_group: Literal["0-3", "3-6", "6-9", "9-12", "12+", "all"]
    activity: Activity
    title: str | None = Field(None, max_length=80)

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Self:
        if self.ends <= self.starts:
            raise ValueError("an activity ends after it starts")
        return self


class Timetable(Command):
    activities: list[TimetableEntry] = Field(min_length=1, max_length=100)


class PlanOuting(Command):
    day: dt.date
    destination: str = Field(min_length=1, max_length=120, description="e.g. the provincial museum")
    leaves_at: dt.time
    returns_at: dt.time
    stays_with: str = Field(
        min_length=1, max_length=80, description="The member of staff children without consent stay with"
    )

    @model_validator(mode="after")
    def _returns_after_it_leaves(self) -> Self:
        if self.returns_at <= self.leaves_at:
            raise ValueError("an outing returns after it leaves")
        return self


class OutingConsent(Command):
    child_id: uuid.UUID
    given: bool = Field(description="True to consent, false to withdraw a consent")
