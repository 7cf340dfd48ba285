"""Recipients who are not guardians: a child's emergency contact (step 2 of a late pick-up) and
staff contacts (a site's lead: step 3, the staffing ratio, a check-in without confirmed cover; a
union's staff: its funds). They
have no app account and no preferences: each is told on the one channel they were registered
with, at once, and only what is meant for them."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import asyncpg

from services.notify.db import contacts
from services.notify.db.notifications import Notification
from services.notify.domain.others import STAFF_ALL_CLEAR, STAFF_SAFETY, emergency_contact_message, staff_message
from shared.contracts.attendance import (
    CheckInUncovered,
    LatePickupEscalated,
    QualificationExpired,
    StaffingRatioExceeded,
    StaffingRoleMissing,
)
from shared.contracts.enrollment import InspectionRecorded
from shared.contracts.subsidy import FundExhausted, FundLow
from shared.envelope import Event
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)

EMERGENCY_CONTACTS = uuid.UUID("4f1c2a52-7f3e-4c36-9a55-2d0b6c7e8e11")  # names each child's emergency contact
EMERGENCY_LANGUAGE = "zh-CN"  # an emergency contact has no preferences


def emergency_contact_id(child_id: uuid.UUID) -> uuid.UUID:
    """The recipient id of a child's emergency contact: stable, so that an event reaches them once."""
    return uuid.uuid5(EMERGENCY_CONTACTS, str(child_id))


def _scopes_of(event: Event) -> list[tuple[str, uuid.UUID]]:
    """Whose staff contacts are told of ``event``: a site's (its lead), a union's, or both."""
    match event:
        case StaffingRoleMissing() | QualificationExpired():
            return [("site", event.site_id), *([("union", event.union_id)] if event.union_id else [])]
        case (
            LatePickupEscalated(audience="site_lead")
            | StaffingRatioExceeded()
            | InspectionRecorded()
            | CheckInUncovered()
        ):
            return [("site", event.site_id)]
        case FundLow() | FundExhausted() if event.union_id is not None:
            return [("union", event.union_id)]
    return []


Told = tuple[Event, UnitOfWork, str | None]  # an event, its work, and the child's name (if about a child)


async def notes_for_others(
    tx: asyncpg.Connection, told: Sequence[Told], now: dt.datetime
) -> list[tuple[Notification, UnitOfWork]]:
    """The notifications for emergency and staff contacts about these events."""
    if not told:
        return []
    scopes = {s for event, _, _ in told for s in _scopes_of(event)}
    staff = {
        kind: await contacts.staff_contacts(tx, kind, ids) if (ids := [i for k, i in scopes if k == kind]) else {}
        for kind in ("site", "union")
    }
    needed = [
        e.child_id for e, _, _ in told if isinstance(e, LatePickupEscalated) and e.audience == "emergency_contact"
    ]
    emergency = await contacts.emergency_contacts_of(tx, needed) if needed else {}
    notes = []
    for event, uow, child in told:
        if isinstance(event, LatePickupEscalated) and event.audience == "emergency_contact":
            contact = emergency.get(event.child_id)
            if contact is None:
                log.warning(
                    "a late pick-up's step 2 has no emergency contact to tell", extra={"event_type": event.TYPE}
                )
                continue
            to = Recipient(emergency_contact_id(event.child_id), "sms", contact["phone"], EMERGENCY_LANGUAGE)
            notes.append((_note(event, uow, to, emergency_contact_message(event, child or "", to.language), now), uow))
            continue
        reached = [c for kind, at in _scopes_of(event) for c in staff[kind].get(at, [])]
        if not reached:
            log.warning("no staff contact is registered to tell of this event", extra={"event_type": event.TYPE})
        for contact in reached:
            to = Recipient(contact["contact_id"], contact["kind"], contact["address"], contact["language"], "staff")
            words = staff_message(event, child, to.language)
            if words is not None:
                notes.append((_note(event, uow, to, words, now), uow))
    return notes


@dataclass(frozen=True)
class Recipient:
    recipient_id: uuid.UUID
    channel: str
    address: str
    language: str
    kind: str = "emergency_contact"


def _note(event: Event, uow: UnitOfWork, to: Recipient, body: str, now: dt.datetime) -> Notification:
    return Notification(
        notification_id=uuid.uuid4(),
        envelope=uow.handled,
        guardian_id=to.recipient_id,
        child_id=getattr(event, "child_id", None),
        channel=to.channel,
        address=to.address,
        body=body,
        safety=isinstance(event, STAFF_SAFETY) and not isinstance(event, STAFF_ALL_CLEAR),
        language=to.language,
        due_at=now,
        recipient=to.kind,
        traceparent=uow.traceparent,
    )
