"""Domain data for tests and benchmarks: events that read like the real programmes."""

from __future__ import annotations

import datetime as dt
import uuid

from shared.contracts.enrollment import (
    AuthorisedAdult,
    Channel,
    ChildEnrolled,
    ChildRegistered,
    EmergencyContact,
    GuardianContact,
)
from shared.envelope import Envelope, Event

WUHAN_STEEL_UNION = uuid.UUID("5d0f1a52-7d0b-4c1e-9a43-2f6c1d9e0a01")
SUMMER_DAYS = [dt.date(2027, 7, 5) + dt.timedelta(days=i) for i in range(5)]


def child_registered(
    *, child_id: uuid.UUID | None = None, guardians: int = 1, category: str = "regular"
) -> ChildRegistered:
    return ChildRegistered(
        child_id=child_id or uuid.uuid4(),
        display_name="小红",
        priority_group=category,
        guardians=tuple(
            GuardianContact(
                guardian_id=uuid.uuid4(),
                display_name=f"家长{i}",
                employment_category=category,
                channels=(Channel(kind="inapp", address="app"),),
            )
            for i in range(guardians)
        ),
        authorised_adults=(AuthorisedAdult(adult_id=uuid.uuid4(), display_name="王奶奶", relationship="grandmother"),),
        emergency_contact=EmergencyContact(display_name="王奶奶", phone="13800000000"),
    )


def child_enrolled(
    *,
    child_id: uuid.UUID,
    class_id: uuid.UUID | None = None,
    days: list[dt.date] | None = None,
    site_id: uuid.UUID | None = None,
    provider_id: uuid.UUID | None = None,
    class_type: str = "school_age",
    union_path: tuple[uuid.UUID, ...] = (WUHAN_STEEL_UNION,),
    fee_per_day_fen: int = 4500,
    priority_group: str = "regular",
    boarding: bool = False,
) -> ChildEnrolled:
    return ChildEnrolled(
        booking_id=uuid.uuid4(),
        child_id=child_id,
        class_id=class_id or uuid.uuid4(),
        site_id=site_id or uuid.uuid4(),
        provider_id=provider_id or uuid.uuid4(),
        union_path=union_path,
        programme_id=uuid.uuid4(),
        class_type=class_type,
        boarding=boarding,
        days=tuple(days or SUMMER_DAYS[:2]),
        fee_per_day_fen=fee_per_day_fen,
        priority_group=priority_group,
    )


def envelope(event: Event) -> Envelope:
    return Envelope.wrap(event, producer="enrollment", union_id=WUHAN_STEEL_UNION, correlation_id=uuid.uuid4())


def registered_and_enrolled(*, guardians: int = 1, class_id: uuid.UUID | None = None) -> tuple[Envelope, Envelope]:
    """A child's first two events, in the order enrollment publishes them."""
    registered = child_registered(guardians=guardians)
    return envelope(registered), envelope(child_enrolled(child_id=registered.child_id, class_id=class_id))
