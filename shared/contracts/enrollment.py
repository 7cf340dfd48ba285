"""Events published by the enrollment service on ``enrollment.events`` (key: child id).

A child's events share a key, so consumers see ``child.registered`` before the child's first
booking event, and a booking's events in the order they happened.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.envelope import Event

ChannelKind = Literal["inapp", "email", "sms", "wechat", "webhook"]
EmploymentCategory = Literal["gig", "migrant", "hardship", "model_worker", "dual_worker", "regular"]
ClassType = Literal["infant", "kindergarten", "school_age"]
# Who changed or cancelled a booking: a guardian, staff on the family's behalf, or the service itself
# (a promoted seat released at its deadline).
ChangedBy = Literal["parent", "union_staff", "provider_staff", "admin", "system"]


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Channel(_Part):
    """One way to reach a guardian."""

    kind: ChannelKind
    address: str = Field(min_length=1, max_length=320)


class GuardianContact(_Part):
    """A guardian of the child (a union member), as attendance and notify need them."""

    guardian_id: uuid.UUID
    display_name: str = Field(min_length=1, max_length=80)
    employment_category: EmploymentCategory = "regular"
    channels: tuple[Channel, ...] = ()


class AuthorisedAdult(_Part):
    """Someone a guardian allows to pick the child up."""

    adult_id: uuid.UUID
    display_name: str = Field(min_length=1, max_length=80)
    relationship: str = Field(min_length=1, max_length=40)


class EmergencyContact(_Part):
    display_name: str = Field(min_length=1, max_length=80)
    phone: str = Field(min_length=5, max_length=32)


class ChildRegistered(Event):
    """A child was registered, or their guardians, pick-up adults or emergency contact changed.
    Carries the full current picture, so a consumer can replace what it had. ``guardians`` are
    the linked ones only: a co-guardian the registering parent invited appears once they accept."""

    TYPE: ClassVar[str] = "child.registered"
    STREAM: ClassVar[str] = "enrollment.events"

    child_id: uuid.UUID
    display_name: str = Field(min_length=1, max_length=80)
    priority_group: EmploymentCategory
    guardians: tuple[GuardianContact, ...] = Field(min_length=1)
    authorised_adults: tuple[AuthorisedAdult, ...] = ()
    emergency_contact: EmergencyContact | None = None
    allergies: str | None = Field(None, max_length=500, description="What the child must not eat or touch")
    health_notes: str | None = Field(
        None, max_length=1000, description="What the staff on duty must know (conditions, medicines)"
    )

    def partition_key(self) -> str:
        return str(self.child_id)


ChildPart = Literal["guardians", "authorised_adults", "emergency_contact", "health_notes"]


class ChildUpdated(Event):
    """A child's record changed after registration: the guardians are told what changed and by
    whom. The new picture itself travels in ``child.registered``, published just before this (so
    attendance's roster and notify's recipients follow it as they follow a registration)."""

    TYPE: ClassVar[str] = "child.updated"
    STREAM: ClassVar[str] = "enrollment.events"

    child_id: uuid.UUID
    changed: tuple[ChildPart, ...] = Field(min_length=1)
    by: ChangedBy
    by_name: str | None = Field(
        None, max_length=80, description="The guardian who changed it, as the family knows them (a guardian only)"
    )
    by_id: str | None = Field(None, description="The staff member's subject; never given for a guardian")
    guardian_added: str | None = Field(None, max_length=80, description="The new guardian's name, when one joined")
    guardian_removed: str | None = Field(None, max_length=80, description="The name of a guardian no longer linked")

    def partition_key(self) -> str:
        return str(self.child_id)


class _SeatsConfirmed(Event):
    booking_id: uuid.UUID
    child_id: uuid.UUID
    class_id: uuid.UUID
    site_id: uuid.UUID
    provider_id: uuid.UUID
    union_path: tuple[uuid.UUID, ...] = Field(
        min_length=1, description="The class's union and its ancestors, root first"
    )
    programme_id: uuid.UUID
    class_type: ClassType
    boarding: bool = Field(
        False, description="Weekly boarding (周托): the child stays the nights between consecutive booked days"
    )
    days: tuple[dt.date, ...] = Field(min_length=1)
    fee_per_day_fen: int = Field(ge=0)
    priority_group: EmploymentCategory

    def partition_key(self) -> str:
        return str(self.child_id)


class SiteOpened(Event):
    """Union staff added a site to a network: attendance knows it (and who may set its hours)
    before any child is booked there. Keyed by the site, so it does not wait behind a child's events."""

    TYPE: ClassVar[str] = "site.opened"
    STREAM: ClassVar[str] = "enrollment.events"

    site_id: uuid.UUID
    network_id: uuid.UUID
    provider_id: uuid.UUID
    union_path: tuple[uuid.UUID, ...] = Field(
        min_length=1, description="The network's union and those above it, city first"
    )

    def partition_key(self) -> str:
        return str(self.site_id)


class ChildEnrolled(_SeatsConfirmed):
    """A booking got confirmed seats on these days (the booking's waitlisted days, if any,
    follow in ``booking.waitlisted``)."""

    TYPE: ClassVar[str] = "child.enrolled"
    STREAM: ClassVar[str] = "enrollment.events"


class BookingPromoted(_SeatsConfirmed):
    """Seats freed up and a waitlisted booking now holds them on these days. With ``accept_by``
    the seats are held for the family until then: they accept them, or give them up (by then or
    by not answering) and the seats go to the next on the waitlist (``booking.changed`` or
    ``booking.cancelled`` by ``system``)."""

    TYPE: ClassVar[str] = "booking.promoted"
    STREAM: ClassVar[str] = "enrollment.events"

    accept_by: dt.datetime | None = Field(
        None, description="The family accepts the seats by then, or they go to the next child; none: confirmed"
    )


class WaitlistPlace(_Part):
    day: dt.date
    position: int = Field(ge=1)


class BookingWaitlisted(Event):
    """A booking is on the waitlist for these days, at these positions."""

    TYPE: ClassVar[str] = "booking.waitlisted"
    STREAM: ClassVar[str] = "enrollment.events"

    booking_id: uuid.UUID
    child_id: uuid.UUID
    class_id: uuid.UUID
    places: tuple[WaitlistPlace, ...] = Field(min_length=1)

    def partition_key(self) -> str:
        return str(self.child_id)


# BookingChanged.reason (and BookingCancelled.reason) of a day a guardian said ahead the child would miss.
ABSENCE_REPORTED = "absence reported by a parent"


class BookingChanged(Event):
    """Some days of a booking were given up; the others stand."""

    TYPE: ClassVar[str] = "booking.changed"
    STREAM: ClassVar[str] = "enrollment.events"

    booking_id: uuid.UUID
    child_id: uuid.UUID
    class_id: uuid.UUID
    removed_days: tuple[dt.date, ...] = Field(min_length=1)
    confirmed_days: tuple[dt.date, ...]
    waitlisted_days: tuple[dt.date, ...]
    reason: str | None = Field(
        None, max_length=200, description="Why: as the family gave it, or an absence a parent reported ahead"
    )
    by: ChangedBy | None = Field(None, description="Who did it (absent in events from before it was told)")
    by_id: str | None = Field(
        None, description="The staff member's subject; never given for a parent (personal data) or the system"
    )

    def partition_key(self) -> str:
        return str(self.child_id)


class BookingCancelled(Event):
    """The whole booking was cancelled; ``days`` are the days it held or waited for."""

    TYPE: ClassVar[str] = "booking.cancelled"
    STREAM: ClassVar[str] = "enrollment.events"

    booking_id: uuid.UUID
    child_id: uuid.UUID
    class_id: uuid.UUID
    days: tuple[dt.date, ...]
    reason: str = Field(max_length=200)
    by: ChangedBy | None = Field(None, description="Who did it (absent in events from before it was told)")
    by_id: str | None = Field(
        None, description="The staff member's subject; never given for a parent (personal data) or the system"
    )

    def partition_key(self) -> str:
        return str(self.child_id)


class _PriorityDecided(Event):
    child_id: uuid.UUID
    claim_id: uuid.UUID
    category: EmploymentCategory
    reason: str = Field(min_length=1, max_length=200)

    def partition_key(self) -> str:
        return str(self.child_id)


class _CoverDecided(Event):
    STREAM: ClassVar[str] = "enrollment.events"

    child_id: uuid.UUID
    programme_id: uuid.UUID
    days: tuple[dt.date, ...] = Field(min_length=1, description="The days of the cover when the insurer answered")
    insurer: str = Field(min_length=1, max_length=64, description="The partner that answered (TUOGUAN_PARTNERS)")

    def partition_key(self) -> str:
        return str(self.child_id)


class PriorityVerified(_PriorityDecided):
    """Union staff verified a family's claim to a priority category, on its evidence: the child's
    bookings made from now on get the priority (and the subsidy) of ``priority_group``, the most
    favoured category verified for the child. Bookings made before keep the group they were made with."""

    TYPE: ClassVar[str] = "priority.verified"
    STREAM: ClassVar[str] = "enrollment.events"

    priority_group: EmploymentCategory


class PriorityRejected(_PriorityDecided):
    """Union staff rejected a family's claim to a priority category, for ``reason``; the child
    keeps the group it had (regular when nothing is verified)."""

    TYPE: ClassVar[str] = "priority.rejected"
    STREAM: ClassVar[str] = "enrollment.events"


InspectionArea = Literal["environment", "catering_hygiene", "safety", "staff_present"]


class FindingDue(_Part):
    """A failed checklist item of an inspection, to be fixed by ``fix_by``."""

    finding_id: uuid.UUID
    area: InspectionArea
    item: str = Field(min_length=1, max_length=120, description="What the inspector checked, in their words")
    fix_by: dt.date


class InspectionRecorded(Event):
    """Union staff inspected a site with the checklist; each failed item is a finding the site must
    fix by its deadline (none: the site passed). Notify tells the site's lead. Keyed by the site."""

    TYPE: ClassVar[str] = "inspection.recorded"
    STREAM: ClassVar[str] = "enrollment.events"

    inspection_id: uuid.UUID
    site_id: uuid.UUID
    inspected_on: dt.date
    union_path: tuple[uuid.UUID, ...] = Field(
        min_length=1, description="The site's union and those above it, city first"
    )
    findings: tuple[FindingDue, ...] = Field(max_length=100)

    def partition_key(self) -> str:
        return str(self.site_id)


class FindingClosed(Event):
    """Union staff closed an inspection finding, with a note of what was fixed. Keyed by the site."""

    TYPE: ClassVar[str] = "finding.closed"
    STREAM: ClassVar[str] = "enrollment.events"

    finding_id: uuid.UUID
    inspection_id: uuid.UUID
    site_id: uuid.UUID
    union_path: tuple[uuid.UUID, ...] = Field(min_length=1)
    fix_by: dt.date
    late: bool = Field(description="Closed after its deadline")

    def partition_key(self) -> str:
        return str(self.site_id)


class ChildCoverConfirmed(_CoverDecided):
    """An insurer confirmed the child's accident cover in a programme (its answer ``cover.confirmed``
    on its inbound topic): the child is insured on these days under the policy."""

    TYPE: ClassVar[str] = "child.cover_confirmed"

    policy_number: str = Field(min_length=1, max_length=64)


class ChildCoverRefused(_CoverDecided):
    """An insurer refused (or withdrew) the child's cover in a programme (its answer ``cover.refused``)."""

    TYPE: ClassVar[str] = "child.cover_refused"

    reason: str | None = Field(None, max_length=200)
