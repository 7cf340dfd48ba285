"""Domain data for tests: enrollment requests and events that read like the real programmes."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from shared.contracts.enrollment import Channel, ChildEnrolled, GuardianContact
from shared.envelope import Envelope

WUHAN_STEEL_UNION = uuid.UUID("5d0f1a52-7d0b-4c1e-9a43-2f6c1d9e0a01")
SUMMER_DAYS = [dt.date(2026, 7, 6) + dt.timedelta(days=i) for i in range(5)]


def enrollment_request(*, class_id: uuid.UUID | None = None, guardians: int = 2, days: int = 3) -> dict[str, Any]:
    """What a parent's app sends to book a child into a summer class."""
    return {
        "union_id": str(WUHAN_STEEL_UNION),
        "class_id": str(class_id or uuid.uuid4()),
        "site_id": str(uuid.uuid4()),
        "child": {"display_name": "小明", "birth_date": "2018-03-14"},
        "days": [d.isoformat() for d in SUMMER_DAYS[:days]],
        "fee_per_day_fen": 4500,
        "guardians": [
            {"display_name": name, "channels": [{"kind": "inapp", "address": f"app:{uuid.uuid4()}"}]}
            for name in ["王芳", "李强", "张伟"][:guardians]
        ],
    }


def child_enrolled(*, child_id: uuid.UUID | None = None, class_id: uuid.UUID | None = None,
                   days: list[dt.date] | None = None, guardians: int = 1) -> ChildEnrolled:
    return ChildEnrolled(
        enrollment_id=uuid.uuid4(),
        child_id=child_id or uuid.uuid4(),
        child_display_name="小红",
        class_id=class_id or uuid.uuid4(),
        site_id=uuid.uuid4(),
        days=tuple(days or SUMMER_DAYS[:2]),
        fee_per_day_fen=4500,
        guardians=tuple(
            GuardianContact(guardian_id=uuid.uuid4(), display_name=f"家长{i}",
                            channels=(Channel(kind="inapp", address="app"),))
            for i in range(guardians)
        ),
    )


def envelope(event: ChildEnrolled) -> Envelope:
    return Envelope.wrap(event, producer="enrollment", union_id=WUHAN_STEEL_UNION, correlation_id=uuid.uuid4())
