"""What the enrollment endpoints answer. Every field of a body is here: FastAPI keeps only these.

A day's ``waitlist_position`` is there only on a waiting day: those endpoints answer with
``response_model_exclude_unset``, so a field the handler did not set stays out of the body."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel

from shared.http import Timestamp


class UnionCreated(BaseModel):
    union_id: uuid.UUID


class ProviderCreated(BaseModel):
    provider_id: uuid.UUID


class NetworkCreated(BaseModel):
    network_id: uuid.UUID


class SiteCreated(BaseModel):
    site_id: uuid.UUID


class ProgrammeCreated(BaseModel):
    programme_id: uuid.UUID
    priority_order: list[str]


class ClassCreated(BaseModel):
    class_id: uuid.UUID
    min_age_months: int
    max_age_months: int


class Quota(BaseModel):
    priority_group: str
    seats: int
    release_at: Timestamp


class CareClass(BaseModel):
    class_id: uuid.UUID
    programme_id: uuid.UUID
    site_id: uuid.UUID
    union_id: uuid.UUID
    name: str
    class_type: str
    min_age_months: int
    max_age_months: int
    capacity_per_day: int
    booking_mode: str
    fee_per_day_fen: int
    registration_opens_at: Timestamp
    contract_id: uuid.UUID | None  # the provider contract it runs under (none: created before contracts)
    boarding: bool = False  # weekly boarding (周托)
    provider_id: uuid.UUID
    network_id: uuid.UUID
    priority_order: list[str]
    union_path: list[uuid.UUID]
    days: list[dt.date]
    quotas: list[Quota]


class DaySeats(BaseModel):
    day: dt.date
    capacity: int
    taken: int
    free: dict[str, int]  # per pool: "general" and each quota still held
    waitlisted: int


class Availability(BaseModel):
    class_id: uuid.UUID
    days: list[DaySeats]


class RosterChild(BaseModel):
    child_id: uuid.UUID
    display_name: str
    booking_id: uuid.UUID
    pool: str
    priority_group: str


class Roster(BaseModel):
    class_id: uuid.UUID
    day: dt.date
    capacity: int
    children: list[RosterChild]


class GroupFigures(BaseModel):
    children: int
    child_days: int


class Figures(BaseModel):
    union_id: uuid.UUID
    children_enrolled: int
    child_days: int
    by_priority_group: dict[str, GroupFigures]


class ChildRegistered(BaseModel):
    child_id: uuid.UUID
    priority_group: str  # declared by the guardians' categories
    verified_group: str  # what the child books as: regular until union staff verify a claim
    guardian_ids: list[uuid.UUID]
    invited_ids: list[uuid.UUID]
    authorised_adult_ids: list[uuid.UUID]


class Channel(BaseModel):
    kind: str
    address: str


class Guardian(BaseModel):
    guardian_id: uuid.UUID
    display_name: str
    employment_category: str
    channels: list[Channel]


class InvitedGuardian(BaseModel):
    guardian_id: uuid.UUID
    display_name: str


class AuthorisedAdult(BaseModel):
    adult_id: uuid.UUID
    display_name: str
    relationship: str
    id_number: str | None = None  # masked: region and last four characters (none: not given)


class EmergencyContact(BaseModel):
    phone: str  # first, as the stored JSON has it
    display_name: str


class PriorityClaim(BaseModel):
    claim_id: uuid.UUID
    category: str
    evidence: str
    state: Literal["pending", "verified", "rejected"]
    claimed_at: Timestamp
    decided_at: Timestamp | None
    reason: str | None


class PriorityClaimed(BaseModel):
    claim_id: uuid.UUID
    child_id: uuid.UUID
    category: str
    state: Literal["pending"]


class PriorityDecided(BaseModel):
    claim_id: uuid.UUID
    child_id: uuid.UUID
    state: Literal["verified", "rejected"]
    priority_group: str  # the child's verified group now


class Child(BaseModel):
    child_id: uuid.UUID
    union_id: uuid.UUID
    display_name: str
    birth_date: dt.date
    priority_group: str  # declared by the guardians' categories
    verified_group: str  # what the child books as (handlers/priority.py)
    priority_claims: list[PriorityClaim]
    authorised_adults: list[AuthorisedAdult]
    emergency_contact: EmergencyContact | None
    allergies: str | None
    health_notes: str | None
    guardian_ids: list[uuid.UUID]  # the linked guardians
    guardians: list[Guardian]
    invited: list[InvitedGuardian]  # not linked until they accept


class Invitation(BaseModel):
    child_id: uuid.UUID
    child_name: str
    invited_by: str | None  # the inviting guardian's name
    display_name: str  # the name the invitation gives the invited member


class Invitations(BaseModel):
    member_id: uuid.UUID | None
    invitations: list[Invitation]


class GuardianshipAccepted(BaseModel):
    child_id: uuid.UUID
    guardian_ids: list[uuid.UUID]
    priority_group: str  # declared
    verified_group: str


class GuardianshipDeclined(BaseModel):
    child_id: uuid.UUID
    declined: bool


class BookedDay(BaseModel):
    day: dt.date
    state: Literal["confirmed", "waitlisted", "cancelled"]
    waitlist_position: int | None = None  # on a waiting day only
    accept_by: Timestamp | None = None  # on a promoted day held for the family to accept only


class BookingMade(BaseModel):
    booking_id: uuid.UUID
    status: Literal["confirmed", "waitlisted", "partly_waitlisted"]
    days: list[BookedDay]


class BookingCancelled(BaseModel):
    booking_id: uuid.UUID
    cancelled_days: list[dt.date]
    status: Literal["changed", "cancelled"]
    promoted_bookings: list[uuid.UUID]  # waiting bookings that took the freed seats


class Booking(BaseModel):
    booking_id: uuid.UUID
    child_id: uuid.UUID
    class_id: uuid.UUID
    status: Literal["active", "cancelled"]
    priority_group: str
    days: list[BookedDay]


class SeatsAccepted(BaseModel):
    booking_id: uuid.UUID
    accepted_days: list[dt.date]


# Union supervision: provider contracts, the custody agreement (托管协议), inspections and findings.


class ContractSigned(BaseModel):
    contract_id: uuid.UUID
    starts_on: dt.date
    ends_on: dt.date


class Contract(BaseModel):
    contract_id: uuid.UUID
    union_id: uuid.UUID
    provider_id: uuid.UUID
    site_ids: list[uuid.UUID]
    starts_on: dt.date
    ends_on: dt.date
    places: int
    fee_per_day_fen: int
    fee_rules: str | None
    reference: str
    signed_by: str
    signed_at: Timestamp


class AgreementPublished(BaseModel):
    programme_id: uuid.UUID
    version: int


class Agreement(BaseModel):
    programme_id: uuid.UUID
    version: int
    title: str
    body: str | None
    document_ref: str | None
    published_at: Timestamp


class AgreementAccepted(BaseModel):
    programme_id: uuid.UUID
    version: int
    child_id: uuid.UUID
    guardian_id: uuid.UUID
    accepted_at: Timestamp


class AgreementStatus(BaseModel):
    """Whether the child may be booked in the programme as far as the agreement goes."""

    programme_id: uuid.UUID
    child_id: uuid.UUID
    version: int | None  # the current version; None: the programme has no agreement
    accepted: bool  # the current version is accepted for the child (or there is none to accept)
    accepted_by: uuid.UUID | None  # the accepting guardian
    accepted_at: Timestamp | None


class FindingRaised(BaseModel):
    finding_id: uuid.UUID
    area: str
    item: str
    fix_by: dt.date


class InspectionRecorded(BaseModel):
    inspection_id: uuid.UUID
    site_id: uuid.UUID
    findings: list[FindingRaised]


class ChecklistAnswer(BaseModel):
    area: str
    item: str
    passed: bool
    note: str
    fix_by: dt.date | None


class Finding(BaseModel):
    finding_id: uuid.UUID
    inspection_id: uuid.UUID
    site_id: uuid.UUID
    union_id: uuid.UUID
    inspected_on: dt.date
    area: str
    item: str
    note: str
    fix_by: dt.date
    state: Literal["open", "closed"]
    overdue: bool  # open past its deadline
    closed_at: Timestamp | None
    fixed_note: str | None


class Inspection(BaseModel):
    inspection_id: uuid.UUID
    site_id: uuid.UUID
    union_id: uuid.UUID
    inspected_on: dt.date
    inspector: str
    recorded_at: Timestamp
    items: list[ChecklistAnswer]
    findings: list[Finding]


class Findings(BaseModel):
    union_id: uuid.UUID
    state: Literal["open", "closed", "all"]
    overdue: int  # how many of them are open past their deadline
    findings: list[Finding]


class FindingClosed(BaseModel):
    finding_id: uuid.UUID
    closed_at: Timestamp
    fixed_note: str


class SurveyOpened(BaseModel):
    survey_id: uuid.UUID
    kind: Literal["demand", "satisfaction"]


class Survey(BaseModel):
    survey_id: uuid.UUID
    union_id: uuid.UUID
    kind: Literal["demand", "satisfaction"]
    title: str
    closes_on: dt.date
    areas: list[str]
    programme_id: uuid.UUID | None
    opened_at: Timestamp


class SurveyAnswered(BaseModel):
    answer_id: uuid.UUID
    survey_id: uuid.UUID


class SurveyAnswer(BaseModel):
    answer_id: uuid.UUID
    answered_at: Timestamp
    area: str | None
    children_ages: list[int] | None
    weeks: list[str] | None
    class_id: uuid.UUID | None
    rating: int | None
    comment: str | None


class MyAnswers(BaseModel):
    survey_id: uuid.UUID
    member_id: uuid.UUID | None
    answers: list[SurveyAnswer]


class AreaDemand(BaseModel):
    area: str
    families: int
    children: int


class AgeDemand(BaseModel):
    age: int
    children: int


class WeekDemand(BaseModel):
    week: str
    families: int


class ClassRating(BaseModel):
    class_id: uuid.UUID
    name: str
    provider_id: uuid.UUID
    answers: int
    mean: float
    scores: dict[int, int]  # how many answers gave each score, 1 to 5


class ProviderRating(BaseModel):
    provider_id: uuid.UUID
    name: str
    answers: int
    mean: float
    scores: dict[int, int]


class SurveyResults(BaseModel):
    """A demand survey's figures (by area, age, week) or a satisfaction survey's (by class, provider)."""

    survey_id: uuid.UUID
    kind: Literal["demand", "satisfaction"]
    answers: int
    by_area: list[AreaDemand] | None = None
    by_age: list[AgeDemand] | None = None
    by_week: list[WeekDemand] | None = None
    by_class: list[ClassRating] | None = None
    by_provider: list[ProviderRating] | None = None


# Lists for the web pages (issue #16). Every list is paged the same way (api/paging.py).


class Paged(BaseModel):
    limit: int
    offset: int
    next_offset: int | None  # the offset of the next page; null on the last page


class ClassFound(BaseModel):
    """A class a parent may book (or staff see), where it is, who it takes, and its seats in the range searched."""

    class_id: uuid.UUID
    name: str
    class_type: str
    programme_id: uuid.UUID
    programme_name: str
    season: str
    union_id: uuid.UUID
    site_id: uuid.UUID
    site_name: str
    address: str | None  # the site's street address (none: the site was added before addresses)
    district: str | None
    provider_id: uuid.UUID
    min_age_months: int
    max_age_months: int
    booking_mode: str
    fee_per_day_fen: int
    capacity_per_day: int
    registration_opens_at: Timestamp
    first_day: dt.date  # of the class's days in the range searched
    last_day: dt.date
    days_in_range: int
    days_with_free_seats: int  # in any pool; GET /classes/{id}/availability breaks the seats down


class ClassSearch(Paged):
    classes: list[ClassFound]


class WaitingBooking(BaseModel):
    position: int  # 1 is served first: priority group (the programme's order), then arrival
    booking_id: uuid.UUID
    child_id: uuid.UUID
    display_name: str
    priority_group: str
    requested_at: Timestamp


class Waitlist(Paged):
    class_id: uuid.UUID
    day: dt.date
    waiting: list[WaitingBooking]


class DayOccupancy(BaseModel):
    day: dt.date
    capacity: int
    confirmed: int
    waitlisted: int


class ClassOccupancy(BaseModel):
    class_id: uuid.UUID
    name: str
    class_type: str
    programme_id: uuid.UUID
    programme_name: str
    union_id: uuid.UUID
    site_id: uuid.UUID
    site_name: str
    district: str | None
    capacity_per_day: int
    days: list[DayOccupancy]  # the class's days in the range asked for


class UnionClasses(Paged):
    union_id: uuid.UUID
    start: dt.date
    end: dt.date
    classes: list[ClassOccupancy]


class MyBooking(BaseModel):
    booking_id: uuid.UUID
    class_id: uuid.UUID
    class_name: str
    site_id: uuid.UUID
    site_name: str
    status: Literal["active", "cancelled"]
    priority_group: str
    fee_per_day_fen: int
    requested_at: Timestamp
    days: list[BookedDay]


class SubsidyLinks(BaseModel):
    """Where the subsidy service (its own API, the same token) answers for the child: subsidy and
    fees live there, not in enrollment."""

    service: Literal["subsidy"]
    applications: str  # GET path on the subsidy service: the child's applications
    statements: str  # GET path on the subsidy service: a statement per booking, with what is left to pay


class MyChild(BaseModel):
    child_id: uuid.UUID
    display_name: str
    birth_date: dt.date
    verified_group: str
    bookings: list[MyBooking]
    subsidy: SubsidyLinks


class MyChildren(Paged):
    member_id: uuid.UUID
    family_statements: str  # GET path on the subsidy service: the statements of all the caller's children
    children: list[MyChild]


class PickupAdult(BaseModel):
    adult_id: uuid.UUID
    display_name: str
    relationship: str
    id_number: str | None  # masked: region and last four characters (none: listed before ID numbers)


class RecordEdited(BaseModel):
    child_id: uuid.UUID
    changed: list[Literal["guardians", "authorised_adults", "emergency_contact", "health_notes"]]
    authorised_adults: list[PickupAdult]


class GuardianInvited(BaseModel):
    child_id: uuid.UUID
    invited_id: uuid.UUID
    accepted: bool  # false: linked once they accept (POST /invitations/{child_id}/acceptance)


class GuardianRemoved(BaseModel):
    child_id: uuid.UUID
    removed_id: uuid.UUID
    was_linked: bool  # false: it was an invitation not accepted yet
