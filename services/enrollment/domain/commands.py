"""The commands the enrollment service accepts, validated field by field."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal, Self, get_args

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from services.enrollment.domain import contacts, identity
from shared.contracts.enrollment import Channel, ClassType, EmergencyContact, EmploymentCategory, InspectionArea
from shared.timezones import local_today

Name = Field(min_length=1, max_length=80)
OLDEST_CHILD_YEARS = 20  # as max_age_months: no class takes anyone older


def iso_weeks(weeks: list[str] | None) -> list[str] | None:
    """The weeks, each checked to be an ISO week like 2026-W28."""
    for week in weeks or ():
        try:
            dt.date.fromisoformat(f"{week}-1")
        except ValueError:
            raise ValueError(f"{week!r} is not an ISO week like 2026-W28") from None
    return weeks


class Command(BaseModel):
    # Spaces around a name are never part of it, and a name of only spaces is none.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class CreateUnion(Command):
    name: str = Name
    level: str = Field(
        pattern=r"^[a-z][a-z0-9_]{1,31}$",
        description="The union's level in its tree, a label such as province, city, district, county, "
        "street, park, industry or grassroots (lower-case letters, digits and _); any depth",
    )
    parent_id: uuid.UUID | None = Field(
        None, description="Absent only for the root of a tree (a province or city federation; the platform admin)"
    )


class CreateProvider(Command):
    union_id: uuid.UUID = Field(description="The union that contracts the provider")
    name: str = Name


class CreateNetwork(Command):
    union_id: uuid.UUID
    name: str = Name


class CreateSite(Command):
    network_id: uuid.UUID
    provider_id: uuid.UUID
    role: Literal["hub", "satellite"]
    name: str = Name
    address: str | None = Field(
        None, min_length=4, max_length=200, description="The street address a family walks to (街道门牌)"
    )
    district: str | None = Field(
        None, min_length=2, max_length=40, description="The district (区/县) parents search by, e.g. 金水区"
    )


class CreateProgramme(Command):
    network_id: uuid.UUID
    name: str = Name
    season: Literal["summer", "winter", "after_school", "year_round"]
    starts_on: dt.date
    ends_on: dt.date
    priority_order: list[EmploymentCategory] | None = Field(
        None, max_length=20, description="Groups served first on the waitlist, most favoured first"
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        if self.priority_order and len(set(self.priority_order)) != len(self.priority_order):
            raise ValueError("priority_order names a group twice")
        return self


class QuotaIn(Command):
    priority_group: EmploymentCategory
    seats: int = Field(gt=0)
    release_at: AwareDatetime = Field(description="After this the unused seats go back to general use")


class CreateClass(Command):
    programme_id: uuid.UUID
    site_id: uuid.UUID
    name: str = Name
    class_type: ClassType
    min_age_months: int | None = Field(None, ge=0, le=240)
    max_age_months: int | None = Field(None, ge=1, le=240)
    capacity_per_day: int = Field(gt=0, le=2000)
    days: list[dt.date] = Field(min_length=1, max_length=366, description="Every day the class runs")
    booking_mode: Literal["term", "week", "day"]
    fee_per_day_fen: int = Field(ge=0, le=1_000_000)
    registration_opens_at: AwareDatetime
    boarding: bool = Field(False, description="Weekly boarding (周托): children stay the nights between booked days")
    quotas: list[QuotaIn] = Field(default_factory=list, max_length=20)

    @field_validator("days")
    @classmethod
    def _ahead(cls, days: list[dt.date]) -> list[dt.date]:
        if days and max(days) < local_today():
            raise ValueError("every day of the class is in the past")
        return days

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if len(set(self.days)) != len(self.days):
            raise ValueError("a day is listed twice")
        if sum(q.seats for q in self.quotas) > self.capacity_per_day:
            raise ValueError("the quotas reserve more seats than the class has")
        if len({q.priority_group for q in self.quotas}) != len(self.quotas):
            raise ValueError("two quotas for one group")
        if (self.min_age_months is None) != (self.max_age_months is None):
            raise ValueError("give both min_age_months and max_age_months, or neither")
        if (
            self.min_age_months is not None
            and self.max_age_months is not None
            and self.min_age_months >= self.max_age_months
        ):
            raise ValueError("min_age_months must be below max_age_months")
        return self


def _checked_channels(channels: list[Channel]) -> list[Channel]:
    """Each address checked and in its one written form; none twice."""
    checked = [c.model_copy(update={"address": contacts.address(c.kind, c.address)}) for c in channels]
    if len({(c.kind, c.address) for c in checked}) != len(checked):
        raise ValueError("an address is listed twice")
    return checked


Channels = Annotated[
    list[Channel],
    Field(
        min_length=1,
        max_length=20,
        description="E-mail and SMS addresses are checked (phones without "
        "+country are Chinese); each new one is confirmed by a "
        "code before it gets notifications",
    ),
    AfterValidator(_checked_channels),
]


class GuardianIn(Command):
    member_id: uuid.UUID | None = Field(
        None,
        description="The guardian's member id; the caller's own when absent. "
        "Another member is invited and linked once they accept",
    )
    display_name: str = Name
    employment_category: EmploymentCategory
    channels: Channels


def _id_number(text: str) -> str:
    return identity.id_number(text)


IdNumber = Annotated[
    str,
    Field(min_length=18, max_length=18, description="The adult's resident ID-card number (GB 11643, check digit)"),
    AfterValidator(_id_number),
]


class AuthorisedAdultIn(Command):
    display_name: str = Name
    relationship: str = Field(min_length=1, max_length=40)
    id_number: IdNumber | None = Field(None, description="Checked when given; kept by enrollment, shown masked")


class PickupAdultIn(AuthorisedAdultIn):
    adult_id: uuid.UUID | None = Field(
        None, description="An adult already listed keeps their id (pick-up codes name it); absent: a new adult"
    )
    id_number: IdNumber = Field(description="Required when the list is edited: checked, kept, shown masked")


def _callable_contact(contact: EmergencyContact | None) -> EmergencyContact | None:
    if contact is None:
        return None
    return contact.model_copy(update={"phone": contacts.phone_number(contact.phone)})


class EditChildRecord(Command):
    """The parts of a child's record to replace; a part left out stays as it is."""

    authorised_adults: list[PickupAdultIn] | None = Field(
        None, max_length=6, description="Everyone allowed to pick the child up (replaces the list; [] for none)"
    )
    emergency_contact: EmergencyContact | None = Field(None, description="Replaces the emergency contact")
    allergies: str | None = Field(None, max_length=500, description="What the child must not eat or touch")
    health_notes: str | None = Field(None, max_length=1000, description="Conditions and medicines staff must know")

    @field_validator("emergency_contact")
    @classmethod
    def _callable(cls, contact: EmergencyContact | None) -> EmergencyContact | None:
        return _callable_contact(contact)

    @model_validator(mode="after")
    def _something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("nothing to change: give authorised_adults, emergency_contact, allergies or health_notes")
        adults = self.authorised_adults or []
        if len({a.id_number for a in adults}) != len(adults):
            raise ValueError("an ID-card number is listed twice")
        ids = [a.adult_id for a in adults if a.adult_id]
        if len(set(ids)) != len(ids):
            raise ValueError("an adult_id is listed twice")
        return self


class InviteGuardian(GuardianIn):
    member_id: uuid.UUID = Field(description="The member invited; linked once they accept (POST /invitations/…)")


class RemoveGuardian(Command):
    """No fields: the path names the guardian."""


class ReportAbsence(Command):
    day: dt.date = Field(description="A day the booking holds a seat, after today")
    note: str | None = Field(None, max_length=200, description="For the family's own record; not shown to others")


class RegisterChild(Command):
    display_name: str = Field(min_length=1, max_length=80, description="What staff call the child")
    birth_date: dt.date
    guardians: list[GuardianIn] = Field(min_length=1, max_length=4)
    authorised_adults: list[AuthorisedAdultIn] = Field(default_factory=list, max_length=6)
    emergency_contact: EmergencyContact | None = None

    @field_validator("emergency_contact")
    @classmethod
    def _callable(cls, contact: EmergencyContact | None) -> EmergencyContact | None:
        return _callable_contact(contact)

    @field_validator("birth_date")
    @classmethod
    def _born(cls, value: dt.date) -> dt.date:
        today = local_today()
        if value > today:
            raise ValueError("birth date is in the future")
        if value < today.replace(year=today.year - OLDEST_CHILD_YEARS, day=min(today.day, 28)):
            raise ValueError(f"birth date is more than {OLDEST_CHILD_YEARS} years ago; children only")
        return value


class AcceptGuardianship(Command):
    employment_category: EmploymentCategory | None = Field(None, description="Yours; as the inviter said when absent")
    channels: Channels | None = Field(None, description="Your own addresses; as the inviter gave them when absent")


class DeclineGuardianship(Command):
    """No fields: the invited member and the child say it all."""


class BookDays(Command):
    child_id: uuid.UUID
    class_id: uuid.UUID
    days: list[dt.date] | None = Field(None, max_length=366, description="For classes booked by the day")
    weeks: list[str] | None = Field(None, max_length=60, description="ISO weeks like 2026-W28, for weekly classes")

    @field_validator("weeks")
    @classmethod
    def _iso_weeks(cls, weeks: list[str] | None) -> list[str] | None:
        return iso_weeks(weeks)


class CancelBooking(Command):
    days: list[dt.date] | None = Field(
        None, max_length=366, description="Give up only these days; all of them when absent"
    )
    reason: str = Field("cancelled by the family", max_length=200)


class ClaimPriority(Command):
    category: Literal["gig", "migrant", "hardship", "model_worker", "dual_worker"] = Field(
        description="A category a linked guardian declared; regular needs no claim"
    )
    evidence: str = Field(
        min_length=3,
        max_length=500,
        description="What proves it: the document and its reference (e.g. 平台骑手证明 编号…), not the document itself",
    )


class DecidePriority(Command):
    decision: Literal["verify", "reject"]
    reason: str = Field(min_length=1, max_length=200, description="Told to the family")


class AcceptSeats(Command):
    """No fields: the booking says which seats are held."""


class ReleaseSeats(Command):
    """No fields: every seat the booking holds for acceptance is given back."""


# Union supervision: provider contracts, the custody agreement (托管协议), inspections (handlers/supervision).


class SignContract(Command):
    union_id: uuid.UUID = Field(description="The contracting union; its staff (or staff above) sign")
    provider_id: uuid.UUID = Field(description="A provider registered by this union or one above it")
    site_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=200, description="The sites the provider runs under this contract"
    )
    starts_on: dt.date
    ends_on: dt.date = Field(description="The last day covered: a class can run only on days the contract covers")
    places: int = Field(gt=0, le=1_000_000, description="Children per day across the contract's classes")
    fee_per_day_fen: int = Field(ge=0, le=1_000_000, description="What the union pays per child and day, in fen")
    fee_rules: str | None = Field(None, max_length=500, description="Where the full fee schedule is, if any")
    reference: str = Field(min_length=1, max_length=80, description="The contract's number (合同编号)")

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        if len(set(self.site_ids)) != len(self.site_ids):
            raise ValueError("a site is listed twice")
        return self


class PublishAgreement(Command):
    title: str = Field(min_length=1, max_length=120)
    body: str | None = Field(None, min_length=1, max_length=20_000, description="The agreement's text, or")
    document_ref: str | None = Field(
        None, min_length=1, max_length=500, description="where the agreement's document is kept"
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.body is None) == (self.document_ref is None):
            raise ValueError("give the agreement's body or a document_ref, one of them")
        return self


class AcceptAgreement(Command):
    child_id: uuid.UUID = Field(description="The child whose bookings in the programme the agreement covers")


INSPECTION_AREAS: tuple[str, ...] = get_args(InspectionArea)


class ChecklistItem(Command):
    area: InspectionArea
    item: str = Field(min_length=1, max_length=120, description="What was checked, e.g. 留样冰箱温度")
    passed: bool
    note: str = Field("", max_length=500, description="What was seen; required when the item failed")
    fix_by: dt.date | None = Field(None, description="A failed item's deadline: it becomes a finding")

    @model_validator(mode="after")
    def _finding(self) -> Self:
        if not self.passed and (not self.note or self.fix_by is None):
            raise ValueError(f"the failed item {self.item!r} needs a note and a fix_by deadline")
        if self.passed and self.fix_by is not None:
            raise ValueError(f"the passed item {self.item!r} has nothing to fix: leave fix_by out")
        return self


class RecordInspection(Command):
    site_id: uuid.UUID
    inspected_on: dt.date
    items: list[ChecklistItem] = Field(
        min_length=len(INSPECTION_AREAS),
        max_length=100,
        description="The checklist: at least one item for each of environment, catering_hygiene, safety "
        "and staff_present",
    )

    @field_validator("inspected_on")
    @classmethod
    def _done(cls, value: dt.date) -> dt.date:
        if value > local_today():
            raise ValueError("an inspection is recorded once it has taken place: inspected_on is in the future")
        return value

    @model_validator(mode="after")
    def _checklist(self) -> Self:
        missing = [a for a in INSPECTION_AREAS if a not in {i.area for i in self.items}]
        if missing:
            raise ValueError("the checklist has no item for " + ", ".join(missing))
        early = [i.item for i in self.items if i.fix_by is not None and i.fix_by < self.inspected_on]
        if early:
            raise ValueError("a deadline before the inspection: " + ", ".join(early))
        return self


class CloseFinding(Command):
    note: str = Field(min_length=3, max_length=500, description="What was fixed, and how")


class OpenSurvey(Command):
    union_id: uuid.UUID = Field(description="Members of this union and those below it answer")
    kind: Literal["demand", "satisfaction"]
    title: str = Field(min_length=1, max_length=120)
    closes_on: dt.date = Field(description="The last day answers are taken")
    areas: list[Annotated[str, Field(min_length=1, max_length=40)]] = Field(
        default_factory=list, max_length=100, description="A demand survey's areas (districts) to choose from"
    )
    programme_id: uuid.UUID | None = Field(None, description="The term a satisfaction survey asks about")

    @model_validator(mode="after")
    def _fits_kind(self) -> Self:
        if self.closes_on < local_today():
            raise ValueError("closes_on is past")
        if self.kind == "demand" and (not self.areas or self.programme_id is not None):
            raise ValueError("a demand survey lists the areas to choose from, and names no programme")
        if self.kind == "satisfaction" and (self.areas or self.programme_id is None):
            raise ValueError("a satisfaction survey names the programme it asks about, and lists no areas")
        if len(set(self.areas)) != len(self.areas):
            raise ValueError("an area is listed twice")
        return self


class DemandAnswer(Command):
    kind: Literal["demand"]
    area: str = Field(min_length=1, max_length=40, description="One of the survey's areas")
    children_ages: list[int] = Field(
        min_length=1, max_length=6, description="Each child's age in whole years (0 to 17)"
    )
    weeks: list[str] = Field(min_length=1, max_length=60, description="ISO weeks like 2027-W28 care is wanted")

    @field_validator("children_ages")
    @classmethod
    def _ages(cls, ages: list[int]) -> list[int]:
        if any(not 0 <= age <= 17 for age in ages):
            raise ValueError("a child's age is from 0 to 17 years")
        return ages

    @field_validator("weeks")
    @classmethod
    def _weeks(cls, weeks: list[str]) -> list[str]:
        if len(set(weeks)) != len(weeks):
            raise ValueError("a week is listed twice")
        return iso_weeks(weeks) or []


class SatisfactionAnswer(Command):
    kind: Literal["satisfaction"]
    class_id: uuid.UUID = Field(description="A class of the programme one of the caller's children attended")
    rating: int = Field(ge=1, le=5, description="1 (poor) to 5 (very good)")
    comment: str | None = Field(None, max_length=1000)


AnswerSurvey = Annotated[DemandAnswer | SatisfactionAnswer, Field(discriminator="kind")]
