"""Events published by the attendance service on ``attendance.events`` (key: child id).

Health details (temperatures, symptoms) never leave the attendance service: events say only
whether a screening passed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.envelope import Event


class _ChildDay(Event):
    STREAM: ClassVar[str] = "attendance.events"

    child_id: uuid.UUID
    class_id: uuid.UUID
    site_id: uuid.UUID
    day: dt.date

    def partition_key(self) -> str:
        return str(self.child_id)


class ChildCheckedIn(_ChildDay):
    """A child arrived, passed the health screening and was admitted; the day counts as attended."""

    TYPE: ClassVar[str] = "child.checked_in"

    booking_id: uuid.UUID
    programme_id: uuid.UUID
    at: AwareDatetime
    screening: Literal["passed"] = "passed"


class CheckInRefused(_ChildDay):
    """A child was turned away at the door because the health screening failed."""

    TYPE: ClassVar[str] = "checkin.refused"

    at: AwareDatetime
    screening: Literal["refused"] = "refused"


class ChildAbsent(_ChildDay):
    """A booked child was not checked in by the site's cut-off time."""

    TYPE: ClassVar[str] = "child.absent"

    booking_id: uuid.UUID
    programme_id: uuid.UUID


class PickupCodeIssued(_ChildDay):
    """An authorised adult asked for the child; the one-time code goes to the guardians,
    who pass it to that adult to confirm the handover.

    Version 2: the code is sealed to notify's public key (a libsodium sealed box, base64), so
    only notify can read it; version 1 carried it in clear and is no longer produced or read."""

    TYPE: ClassVar[str] = "pickup.code_issued"
    VERSION: ClassVar[int] = 2

    attempt_id: uuid.UUID
    adult_name: str
    sealed_code: str = Field(
        min_length=1, max_length=200, description="The code sealed to notify's public key (sealed box, base64)"
    )
    expires_at: AwareDatetime


class PickupRefused(_ChildDay):
    """A pick-up was refused: the adult is not authorised, or the confirmation is wrong or expired."""

    TYPE: ClassVar[str] = "pickup.refused"

    reason: Literal["not_authorised", "wrong_code", "expired", "too_many_attempts"]
    adult_name: str | None = None
    at: AwareDatetime


class ChildPickedUp(_ChildDay):
    """The child was handed to an authorised adult, who confirmed it."""

    TYPE: ClassVar[str] = "child.picked_up"

    adult_id: uuid.UUID
    adult_name: str
    at: AwareDatetime


class LatePickupEscalated(_ChildDay):
    """A child is still at the site after closing time: step 1 tells the guardians, step 2 the
    emergency contact, step 3 the site lead."""

    TYPE: ClassVar[str] = "pickup.late_escalated"

    step: int = Field(ge=1, le=3)
    audience: Literal["guardians", "emergency_contact", "site_lead"]


class StaffingRatioExceeded(Event):
    """More children are present in a class than its staff on duty may look after. Raised once
    when the class-day goes over its ratio; ``staffing.ratio_restored`` clears it."""

    TYPE: ClassVar[str] = "staffing.ratio_exceeded"
    STREAM: ClassVar[str] = "attendance.events"

    class_id: uuid.UUID
    site_id: uuid.UUID
    day: dt.date
    children_present: int
    staff_on_duty: int
    children_per_staff: int

    def partition_key(self) -> str:
        return str(self.class_id)


class StaffingRatioRestored(StaffingRatioExceeded):
    """A class-day that was over its ratio is back under it (staff came, or children left):
    the alarm ``staffing.ratio_exceeded`` raised for it is cleared."""

    TYPE: ClassVar[str] = "staffing.ratio_restored"


Qualification = Literal["teacher_certificate", "health_certificate", "first_aid"]


class _ClassDay(Event):
    """A fact about a class's day at a site, for the site lead and the unions above it."""

    STREAM: ClassVar[str] = "attendance.events"

    class_id: uuid.UUID
    site_id: uuid.UUID
    day: dt.date
    union_id: uuid.UUID | None = Field(None, description="The union that runs the class (the last of its path)")

    def partition_key(self) -> str:
        return str(self.class_id)


class StaffingRoleMissing(_ClassDay):
    """A class-day has fewer staff of a role on duty than its site's staffing rule requires (for
    example Xinxiang's 2+1+N: two teachers, one floater, a helper per N children). Raised once per
    class-day and role; ``staffing.role_filled`` clears it."""

    TYPE: ClassVar[str] = "staffing.role_missing"

    role: str
    required: int = Field(ge=1)
    on_duty: int = Field(ge=0)
    children: int = Field(ge=0, description="Children booked on the class-day, which the rule counts per N")


class StaffingRoleFilled(StaffingRoleMissing):
    """A role reported missing on a class-day now has its staff on duty."""

    TYPE: ClassVar[str] = "staffing.role_filled"


class QualificationExpired(_ClassDay):
    """A member of staff on duty lacks a qualification their role requires, or holds one that has
    expired by the day. Raised once per class-day, member of staff and qualification."""

    TYPE: ClassVar[str] = "staffing.qualification_expired"

    staff_name: str
    role: str
    qualification: Qualification
    expires_on: dt.date | None = Field(None, description="When it expired; absent when it is not held at all")


IncidentKind = Literal["injury", "illness", "allergic_reaction", "lost_or_missing", "altercation", "other"]


class IncidentReported(_ChildDay):
    """Site staff reported an accident or incident involving a child; the guardians are told at once,
    as a safety alert. What happened stays in attendance: the event carries its kind only."""

    TYPE: ClassVar[str] = "incident.reported"

    incident_id: uuid.UUID
    at: AwareDatetime
    kind: IncidentKind
    first_aid_given: bool
    follow_up_needed: bool


class OutingConsentRequested(_ChildDay):
    """Staff plan an outing for the child's class: the guardians are asked to consent (or not) in the
    app. Without a consent the child stays at the site with a named member of staff."""

    TYPE: ClassVar[str] = "outing.consent_requested"

    outing_id: uuid.UUID
    destination: str
    leaves_at: dt.time
    returns_at: dt.time


class CheckInUncovered(_ChildDay):
    """A child was admitted although no insurer has confirmed their accident cover for the day
    (``cover``: no answer yet, or refused). Entry is not refused for it; the site lead is told."""

    TYPE: ClassVar[str] = "checkin.uncovered"

    booking_id: uuid.UUID
    programme_id: uuid.UUID
    cover: Literal["pending", "refused"]
    at: AwareDatetime
