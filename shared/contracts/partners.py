"""Partner feeds: projections of internal events with the least personal data.

Published by the services that own the facts, one copy per partner, on ``partner.<name>.<feed>``.
No names, contacts, birth dates, health data or internal ids of people: a child is a per-partner
pseudonym, an age is a band. A test scans every field of these models for personal data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar, Literal

from pydantic import Field

from shared.contracts.enrollment import ClassType, EmploymentCategory
from shared.envelope import Event

AgeBand = Literal["0-3", "3-6", "6-9", "9-12", "12+"]


class _Insurance(Event):
    STREAM: ClassVar[str] = "partner.insurance"

    pseudonym: str = Field(pattern=r"^[0-9a-f]{32}$", description="The child, as this partner alone knows them")
    cover_id: str = Field(pattern=r"^[0-9a-f]{32}$", description="The booking, pseudonymous like the child")
    days: tuple[dt.date, ...] = Field(min_length=1)

    def partition_key(self) -> str:
        return self.pseudonym


class CoverNeeded(_Insurance):
    """A child needs accident cover on these days (one policy per enrolled child)."""

    TYPE: ClassVar[str] = "partner.cover_needed"

    age_band: AgeBand
    class_type: ClassType
    union_id: uuid.UUID


class CoverEnded(_Insurance):
    """Cover is no longer needed on these days (a cancellation)."""

    TYPE: ClassVar[str] = "partner.cover_ended"


class _Statistics(Event):
    STREAM: ClassVar[str] = "partner.statistics"

    union_id: uuid.UUID

    def partition_key(self) -> str:
        return str(self.union_id)


class EnrolmentCounted(_Statistics):
    """One booking confirmed: counted by union, priority group, age band and class type."""

    TYPE: ClassVar[str] = "partner.enrolment"

    priority_group: EmploymentCategory
    age_band: AgeBand
    class_type: ClassType
    days: int = Field(ge=1)


class AttendanceCounted(_Statistics):
    """One child-day: attended or not, by union and class type."""

    TYPE: ClassVar[str] = "partner.attendance"

    class_type: ClassType
    day: dt.date
    attended: bool


class SubsidyCounted(_Statistics):
    """Subsidy money by union and priority group: approved (reserved) or settled (paid)."""

    TYPE: ClassVar[str] = "partner.subsidy"

    priority_group: EmploymentCategory
    stage: Literal["approved", "settled"]
    amount_fen: int = Field(ge=0)
