"""Commands of the enrollment service."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg

from services.enrollment import db
from services.enrollment.domain import EnrollmentRequest
from shared.contracts.enrollment import ChildEnrolled, GuardianContact
from shared.outbox import Outbox


async def enroll(
    request: EnrollmentRequest, *, tx: asyncpg.Connection, outbox: Outbox, correlation_id: uuid.UUID
) -> tuple[int, dict[str, Any]]:
    """Register the child and guardians, confirm the booked days, and emit child.enrolled."""
    child_id, enrollment_id = uuid.uuid4(), uuid.uuid4()
    guardians = [
        GuardianContact(guardian_id=uuid.uuid4(), display_name=g.display_name, channels=tuple(g.channels))
        for g in request.guardians
    ]
    await db.insert_child(tx, child_id, request)
    await db.insert_guardians(tx, child_id, guardians)
    await db.insert_enrollment(tx, enrollment_id, child_id, request)
    await outbox.append(
        tx,
        ChildEnrolled(
            enrollment_id=enrollment_id, child_id=child_id, child_display_name=request.child.display_name,
            class_id=request.class_id, site_id=request.site_id, days=tuple(request.days),
            fee_per_day_fen=request.fee_per_day_fen, guardians=tuple(guardians),
        ),
        union_id=request.union_id,
        correlation_id=correlation_id,
    )
    return 201, {
        "enrollment_id": str(enrollment_id),
        "child_id": str(child_id),
        "status": "confirmed",
        "days": [d.isoformat() for d in request.days],
        "guardian_ids": [str(g.guardian_id) for g in guardians],
    }
