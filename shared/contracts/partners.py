"""Partner feeds: projections of internal events with the least personal data.

Published by the services that own the facts, one copy per partner, on ``partner.<name>.<feed>``.
No names, contacts, birth dates, health data or internal ids of people: a child is a per-partner
pseudonym, an age is a band. A test scans every field of these models for personal data.

Insurers answer on their own inbound topic, ``partner.<name>.inbound`` (the stream ``partner.inbound``),
which only they may write: ``cover.confirmed`` with a policy number, or ``cover.refused``, naming the
cover by the ``cover_id`` they were told. Enrollment consumes the answers and treats them as
untrusted input: a record that does not fit these models, or names a cover the insurer was not
told of, goes to the dead-letter topic and changes nothing.

Statistics offices receive :class:`StatisticsCell` aggregates per closed period (shared/statistics.py).
``EnrolmentCounted``, ``AttendanceCounted`` and ``SubsidyCounted`` were one event per child (microdata);
they are no longer published and stay declared only so the contract gate keeps their shape.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import ClassVar, Literal

from pydantic import AwareDatetime, Field

from shared.contracts.attendance import IncidentKind
from shared.contracts.enrollment import ClassType, EmploymentCategory
from shared.envelope import Event
from shared.topics import INBOUND

AgeBand = Literal["0-3", "3-6", "6-9", "9-12", "12+"]


class _Insurance(Event):
    STREAM: ClassVar[str] = "partner.insurance"

    pseudonym: str = Field(pattern=r"^[0-9a-f]{32}$", description="The child, as this partner alone knows them")
    cover_id: str = Field(
        pattern=r"^[0-9a-f]{32}$",
        description="The child's cover in a programme (the covered period), pseudonymous like "
        "the child; later changes of the cover carry the same id",
    )
    days: tuple[dt.date, ...] = Field(min_length=1)

    def partition_key(self) -> str:
        return self.pseudonym


class CoverNeeded(_Insurance):
    """A child needs accident cover on these days: told once per child and programme; later days
    come as ``partner.cover_changed``, days given up as ``partner.cover_ended``."""

    TYPE: ClassVar[str] = "partner.cover_needed"

    age_band: AgeBand
    class_type: ClassType
    union_id: uuid.UUID


class CoverChanged(_Insurance):
    """A cover already needed (same ``cover_id``) now covers more days, for example when a
    waitlisted day of the booking is promoted; ``days`` are all the days it now covers."""

    TYPE: ClassVar[str] = "partner.cover_changed"


class CoverEnded(_Insurance):
    """Cover is no longer needed on these days (a cancellation)."""

    TYPE: ClassVar[str] = "partner.cover_ended"


class ClaimNotice(Event):
    """An accident or incident at a site that the insurer may be claimed against: the child's
    pseudonym and cover, the day, the kind of incident and whether first aid was given. No name,
    no child id, no description (it could name people)."""

    TYPE: ClassVar[str] = "partner.claim_notice"
    STREAM: ClassVar[str] = "partner.insurance"

    pseudonym: str = Field(pattern=r"^[0-9a-f]{32}$", description="The child, as this partner alone knows them")
    cover_id: str = Field(
        pattern=r"^[0-9a-f]{32}$", description="The cover the claim falls under (partner.cover_needed)"
    )
    claim_id: str = Field(pattern=r"^[0-9a-f]{32}$", description="The incident, pseudonymous like the child")
    day: dt.date
    incident_kind: IncidentKind
    first_aid_given: bool
    class_type: ClassType
    union_id: uuid.UUID

    def partition_key(self) -> str:
        return self.pseudonym


class _InsurerAnswer(Event):
    STREAM: ClassVar[str] = INBOUND

    cover_id: str = Field(
        pattern=r"^[0-9a-f]{32}$", description="The cover as this insurer was told it (partner.cover_needed)"
    )

    def partition_key(self) -> str:
        return self.cover_id


class CoverConfirmed(_InsurerAnswer):
    """Published by an insurer: it covers the child on the cover's days under this policy. Days the
    cover gains later (``partner.cover_changed``) need a new answer."""

    TYPE: ClassVar[str] = "cover.confirmed"

    policy_number: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9./_-]*$")


class CoverRefused(_InsurerAnswer):
    """Published by an insurer: it does not cover the child (or no longer does)."""

    TYPE: ClassVar[str] = "cover.refused"

    reason: str | None = Field(None, max_length=200)


class _Statistics(Event):
    STREAM: ClassVar[str] = "partner.statistics"

    union_id: uuid.UUID

    def partition_key(self) -> str:
        return str(self.union_id)


SMALLEST_CELL = 5  # fewer children than this in a cell, and its numbers are not published
Measure = Literal["enrolled", "attended", "absent", "subsidy_approved", "subsidy_settled"]


class StatisticsCell(_Statistics):
    """One cell of a closed period: how many children a measure counted in a union, by class type
    (enrolled, attended, absent) and priority group (enrolled, subsidy money). A cell of fewer than
    five children is suppressed: it comes without its numbers."""

    TYPE: ClassVar[str] = "partner.statistics_cell"

    measure: Measure = Field(
        description="enrolled: a booking confirmed; attended, absent: a child-day at the "
        "check-in cut-off; subsidy_approved, subsidy_settled: money reserved, paid"
    )
    class_type: ClassType | None = None
    priority_group: EmploymentCategory | None = None
    period_start: AwareDatetime = Field(description="In China Standard Time; the period is closed")
    period_end: AwareDatetime
    suppressed: bool = Field(description="True when fewer than five children are in the cell; then no numbers")
    children: int | None = Field(None, ge=SMALLEST_CELL, description="Distinct children the measure counted")
    amount_fen: int | None = Field(None, ge=0, description="Subsidy measures: the money, in fen")


class EnrolmentCounted(_Statistics):
    """Retired (one event per booking, no longer published): see `partner.statistics_cell`."""

    TYPE: ClassVar[str] = "partner.enrolment"

    priority_group: EmploymentCategory
    age_band: AgeBand
    class_type: ClassType
    days: int = Field(ge=1)


class AttendanceCounted(_Statistics):
    """Retired (one event per child-day, no longer published): see `partner.statistics_cell`."""

    TYPE: ClassVar[str] = "partner.attendance"

    class_type: ClassType
    day: dt.date
    attended: bool


class SubsidyCounted(_Statistics):
    """Retired (one event per application, no longer published): see `partner.statistics_cell`."""

    TYPE: ClassVar[str] = "partner.subsidy"

    priority_group: EmploymentCategory
    stage: Literal["approved", "settled"]
    amount_fen: int = Field(ge=0)
