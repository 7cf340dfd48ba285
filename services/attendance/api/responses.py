"""What the attendance API answers with: one model per kind of body. The commands' bodies are
built by the handlers (services/attendance/handlers/) and answered as they are; these models
describe them in the OpenAPI document. The queries' bodies are filtered through them."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, Field

from shared.http import Timestamp

CoverStatus = Literal["confirmed", "refused", "pending"]


class CheckedIn(BaseModel):
    checkin_id: uuid.UUID
    admitted: bool
    at: Timestamp
    children_present: int | None = Field(None, description="In the class now; absent when the child was already in")
    staff_on_duty: int | None = Field(None, description="Absent when the child was already in")
    already_checked_in: bool | None = Field(
        None, description="True when the child had been admitted earlier today (or, boarding, earlier in the stay)"
    )
    in_care_since: dt.date | None = Field(None, description="With already_checked_in: the day of the admission")
    cover: CoverStatus | None = Field(
        None, description="The day's accident cover; not confirmed: admitted, and the site lead is told"
    )


class PickupStarted(BaseModel):
    attempt_id: uuid.UUID
    adult_name: str
    expires_at: Timestamp
    code_sent_to: Literal["guardians"]


class PickedUp(BaseModel):
    child_id: uuid.UUID
    released_to: str
    at: Timestamp


class PickupReleased(BaseModel):
    child_id: uuid.UUID
    day: dt.date
    released_by: str


class SiteHoursSet(BaseModel):
    site_id: uuid.UUID
    checkin_cutoff: dt.time
    closing: dt.time
    grace_minutes: int
    escalation_interval_s: int
    site_lead_name: str | None
    site_lead_phone: str | None


class StaffMember(BaseModel):
    staff_name: str
    role: str


class StaffOnDutyList(BaseModel):
    class_id: uuid.UUID
    day: dt.date
    staff: list[StaffMember]


class PickupAdult(BaseModel):
    """Someone staff may hand the child to (after the code handshake): no ID-card number here."""

    adult_id: uuid.UUID
    display_name: str
    relationship: str | None = Field(description="As the guardians gave it; None for a guardian")
    guardian: bool


class RosterChild(BaseModel):
    child_id: uuid.UUID
    display_name: str
    booking_id: uuid.UUID
    site_id: uuid.UUID
    status: Literal["expected", "present", "refused", "absent", "picked_up"]
    cover: CoverStatus = Field(
        description="Confirmed by an insurer, refused by every insurer that answered, or pending"
    )
    policy_number: str | None = Field(description="The confirming insurer's policy, when confirmed")
    checked_in_at: Timestamp | None
    picked_up_at: Timestamp | None
    picked_up_by: str | None
    allergies: str | None = None  # as the guardians keep them in the child's record
    health_notes: str | None = None
    pickup_adults: list[PickupAdult] = Field(
        description="The authorised adults, then the guardians: those POST /pickups accepts as adult_id"
    )


class Roster(BaseModel):
    class_id: uuid.UUID
    day: dt.date
    children: list[RosterChild]
    children_present: int
    staff_on_duty: list[StaffMember]
    children_per_staff: int
    ratio_exceeded: bool


class BookingAttendance(BaseModel):
    programme_id: uuid.UUID | None
    booking_id: uuid.UUID
    booked_days: int
    attended_days: int
    absent_days: int


class ChildAttendance(BaseModel):
    child_id: uuid.UUID
    bookings: list[BookingAttendance]


class ClassAttendance(BaseModel):
    site_id: uuid.UUID
    class_id: uuid.UUID
    booked: int
    attended: int
    absent: int


class SiteMissingLogs(BaseModel):
    site_id: uuid.UUID
    missing: list[Literal["disinfection", "menu", "food_sample", "morning_check"]]


class UnionAttendance(BaseModel):
    union_id: uuid.UUID
    day: dt.date
    classes: list[ClassAttendance]
    booked: int
    attended: int
    absent: int
    sites_missing_logs: int = Field(description="Sites with classes that day and a daily log missing")
    missing_logs: list[SiteMissingLogs]


class RoleRequirementView(BaseModel):
    role: str
    per_class: int
    per_children: int | None
    qualifications: list[str]


class StaffingRuleSet(BaseModel):
    site_id: uuid.UUID
    class_type: str | None = Field(description="None: the rule of every class at the site without a rule of its own")
    roles: list[RoleRequirementView]


class QualificationHeld(BaseModel):
    kind: str
    expires_on: dt.date


class StaffOnDutyWithQualifications(BaseModel):
    staff_name: str
    role: str
    qualifications: list[QualificationHeld]


class RoleOnDuty(BaseModel):
    role: str
    required: int
    on_duty: int
    missing: bool


class QualificationLapse(BaseModel):
    staff_name: str
    role: str
    qualification: str
    expires_on: dt.date | None = Field(description="None: not held at all")


class Duty(BaseModel):
    class_id: uuid.UUID
    day: dt.date
    children_booked: int
    rule: list[RoleRequirementView] | None = Field(description="None: the site has no staffing rule by role")
    staff_on_duty: list[StaffOnDutyWithQualifications]
    roles: list[RoleOnDuty]
    missing_roles: list[str]
    lapsed_qualifications: list[QualificationLapse]


class IncidentRecorded(BaseModel):
    incident_id: uuid.UUID
    child_id: uuid.UUID
    class_id: uuid.UUID
    site_id: uuid.UUID
    day: dt.date
    kind: str
    guardians_alerted: bool = Field(description="The guardians are told at once, as a safety alert")


class Incident(BaseModel):
    incident_id: uuid.UUID
    child_id: uuid.UUID
    display_name: str | None
    class_id: uuid.UUID
    site_id: uuid.UUID
    day: dt.date
    at: Timestamp
    kind: str
    what_happened: str
    first_aid: str | None
    guardians_told_by: str | None
    follow_up: str | None
    reported_by: str
    reported_at: Timestamp


class UnionIncidents(BaseModel):
    union_id: uuid.UUID
    since: dt.date
    until: dt.date
    incidents: list[Incident]


class DisinfectionLogged(BaseModel):
    disinfection_id: uuid.UUID
    site_id: uuid.UUID
    day: dt.date


class MealView(BaseModel):
    meal: str
    dishes: list[str]


class MenuSet(BaseModel):
    site_id: uuid.UUID
    day: dt.date
    meals: list[MealView]


class SampleKept(BaseModel):
    sample_id: uuid.UUID
    site_id: uuid.UUID
    day: dt.date
    dish: str


class SampleDiscarded(BaseModel):
    sample_id: uuid.UUID
    discarded_at: Timestamp


class MorningCheckSet(BaseModel):
    site_id: uuid.UUID
    day: dt.date
    health_worker: str
    checked_at: Timestamp
    children_checked: int
    notes: str | None


class DisinfectionView(BaseModel):
    disinfection_id: uuid.UUID
    area: str
    done_by: str
    done_at: Timestamp


class SampleView(BaseModel):
    sample_id: uuid.UUID
    dish: str
    amount_g: int
    kept_at: Timestamp
    kept_by: str
    discarded_at: Timestamp | None
    discarded_by: str | None


class MorningCheckView(BaseModel):
    health_worker: str
    checked_at: Timestamp
    children_checked: int
    notes: str | None


class SiteDayLog(BaseModel):
    site_id: uuid.UUID
    day: dt.date
    disinfections: list[DisinfectionView]
    menu: list[MealView] | None
    food_samples: list[SampleView]
    morning_check: MorningCheckView | None
    missing: list[Literal["disinfection", "menu", "food_sample", "morning_check"]]


class TimetableEntryView(BaseModel):
    weekday: int
    starts: dt.time
    ends: dt.time
    age_group: str
    activity: str
    title: str | None


class TimetableSet(BaseModel):
    class_id: uuid.UUID
    activities: list[TimetableEntryView]


class OutingPlanned(BaseModel):
    outing_id: uuid.UUID
    class_id: uuid.UUID
    day: dt.date
    destination: str
    leaves_at: dt.time
    returns_at: dt.time
    stays_with: str
    asked: int = Field(description="Children booked that day whose guardians are asked for consent")


class ConsentRecorded(BaseModel):
    outing_id: uuid.UUID
    child_id: uuid.UUID
    given: bool
    at: Timestamp


class OutingChild(BaseModel):
    child_id: uuid.UUID
    display_name: str
    consent: bool | None = Field(description="The guardians' latest word; None: not asked back yet")
    consent_at: Timestamp | None
    goes: bool
    stays_with: str | None = Field(description="The member of staff the child stays with, without consent")


class Outing(BaseModel):
    outing_id: uuid.UUID
    class_id: uuid.UUID
    site_id: uuid.UUID
    day: dt.date
    destination: str
    leaves_at: dt.time
    returns_at: dt.time
    stays_with: str
    children: list[OutingChild]


class NightRecorded(BaseModel):
    class_id: uuid.UUID
    night: dt.date = Field(description="The night after this day")
    child_id: uuid.UUID
    present: bool
    note: str | None


class NightOfChild(BaseModel):
    child_id: uuid.UUID
    display_name: str
    status: Literal["present", "absent", "missing"] = Field(description="missing: no record of the night yet")
    note: str | None
    recorded_by: str | None
    recorded_at: Timestamp | None


class NightRoll(BaseModel):
    class_id: uuid.UUID
    night: dt.date = Field(description="The night after this day")
    children: list[NightOfChild] = Field(description="The boarding children staying that night")
    missing: int = Field(description="Children whose night has no record")


class Paged(BaseModel):
    limit: int
    offset: int
    next_offset: int | None = Field(description="The offset of the next page; null on the last page")


class ClassOfDay(BaseModel):
    """A class at the site with children booked on the day: where they are now, and the staff."""

    class_id: uuid.UUID
    class_type: str | None
    booked: int
    expected: int
    present: int
    absent: int
    picked_up: int
    refused: int = Field(description="Kept at home by the health screening")
    staff_on_duty: int
    children_per_staff: int
    ratio_exceeded: bool


class SiteClasses(Paged):
    site_id: uuid.UUID
    day: dt.date
    classes: list[ClassOfDay]


class KnownSite(BaseModel):
    site_id: uuid.UUID
    network_id: uuid.UUID | None = Field(description="None: known from its bookings only (opened before site.opened)")
    provider_id: uuid.UUID
    union_id: uuid.UUID | None = Field(description="The union whose network the site belongs to, when known")
    classes_on_day: int = Field(description="Classes with children booked on the day asked about")


class Sites(Paged):
    day: dt.date
    sites: list[KnownSite]
