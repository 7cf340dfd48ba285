"""Fan-out: every guardian of the child, in-app and on each address they confirmed, once per event;
and those who are not guardians (see ``others``): the emergency contact, a site's lead, a union's staff."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

import asyncpg

from services.notify.db import addresses, contacts, notifications, recipients
from services.notify.domain.codes import NO_CODE, SealedCode
from services.notify.domain.messages import TOLD, Told, message
from services.notify.domain.others import STAFF_TOLD, StaffTold
from services.notify.domain.planning import SAFETY_ALERTS, Preferences, plan, reachable
from services.notify.handlers.others import notes_for_others
from shared.consumer import is_transient
from shared.contracts.attendance import CheckInUncovered, LatePickupEscalated, PickupCodeIssued
from shared.contracts.enrollment import ChildRegistered, SiteOpened
from shared.contracts.notify import NotificationDelivered
from shared.envelope import Envelope
from shared.routing import EventBatch, EventRouter
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)

events = EventRouter()
OUTSIDE_LEARNED = ("email", "sms", "wechat")


@events.on_batch(ChildRegistered)
async def know_the_guardians(batch: EventBatch[ChildRegistered]) -> None:
    """Keep each guardian of the child, replacing what was known of the child, and learn their new
    addresses (unconfirmed: they get a confirmation code first); then tell them what happened before
    their registration reached notify. Webhook addresses are registered with notify, not here."""
    work = batch[0][1]
    tx = work.tx
    children = {event.child_id for event, _ in batch}
    await recipients.lock_children(tx, children)
    before = await recipients.recipients_of(tx, children)
    await recipients.replace_recipients(tx, [event for event, _ in batch])
    await contacts.replace_emergency_contacts(tx, [event for event, _ in batch])
    await _catch_up_joined_guardians(batch, before)
    offered = [
        (g.guardian_id, c.kind, c.address)
        for event, _ in batch
        for g in event.guardians
        for c in g.channels
        if c.kind in OUTSIDE_LEARNED
    ]
    await addresses.lock_guardians(tx, {g for g, _, _ in offered})
    await addresses.learn(tx, offered)
    for waiting in await recipients.deferred(tx, children):
        # Each in its own savepoint: one that cannot be told (unreadable after a schema change,
        # say) stays deferred and is logged, rather than failing the registration with it.
        try:
            async with work.savepoint():
                envelope = Envelope.model_validate_json(waiting["envelope"])
                event = envelope.payload()
                if not isinstance(event, Told):  # only what _tell deferred is kept
                    raise TypeError(f"a deferred {event.TYPE} is not an event guardians are told of")
                await _tell([(event, work.caused_by(envelope))])
                await recipients.forget_deferred(tx, waiting["event_id"])
        except Exception as exc:
            if is_transient(exc):
                raise
            log.error(
                "a deferred event could not be told; it stays deferred",
                extra={"deferred_event_id": str(waiting["event_id"]), "error": repr(exc)},
            )


async def _catch_up_joined_guardians(
    batch: EventBatch[ChildRegistered], before: dict[uuid.UUID, list[asyncpg.Record]]
) -> None:
    """A co-guardian joins when they accept, and the registration that says so can reach notify after
    events that happened since (they travel on other topics): give the newcomer the child's in-app
    notifications from the moment they joined, so that nothing after it passes them by."""
    for event, uow in batch:
        known = {g["guardian_id"] for g in before.get(event.child_id, [])}
        if not known:  # the child's first registration: deferred events are told below
            continue
        for guardian in event.guardians:
            if guardian.guardian_id in known:
                continue
            shared = await notifications.share_since(
                uow.tx, event.child_id, guardian.guardian_id, uow.handled.occurred_at
            )
            for row in shared:
                uow.emit(
                    NotificationDelivered(
                        notification_id=row["notification_id"],
                        guardian_id=guardian.guardian_id,
                        child_id=event.child_id,
                        channel="inapp",
                        source_event_id=row["source_event_id"],
                        source_event_type=row["source_type"],
                    )
                )


@events.on_batch(SiteOpened)
async def know_the_sites(batch: EventBatch[SiteOpened]) -> None:
    """Whose staff may name a site's lead (see ``access``)."""
    await contacts.remember_sites(batch[0][1].tx, [event for event, _ in batch])


@events.on_batch(*TOLD)
async def tell_the_guardians(batch: EventBatch[Told]) -> None:
    await _tell(batch)


@events.on_batch(*STAFF_TOLD)
async def tell_the_staff(batch: EventBatch[StaffTold]) -> None:
    """A site's lead of its staffing ratio and of a child admitted without confirmed cover (named
    when notify knows the child), a union's staff of its funds; each event once."""
    tx = batch[0][1].tx
    children = {event.child_id for event, _ in batch if isinstance(event, CheckInUncovered)}
    known = await recipients.recipients_of(tx, children) if children else {}
    told = [
        (
            event,
            uow,
            known[event.child_id][0]["child_name"]
            if isinstance(event, CheckInUncovered) and event.child_id in known
            else None,
        )
        for event, uow in batch
    ]
    notes = await notes_for_others(tx, told, dt.datetime.now(dt.UTC))
    await notifications.insert(tx, [n for n, _ in notes])


async def _tell(batch: EventBatch[Told]) -> None:
    """One notification per guardian and channel for each event, and an in-app one announced as delivered."""
    tx = batch[0][1].tx
    children = {event.child_id for event, _ in batch}
    known = await recipients.recipients_of(tx, children)
    if unknown := children - known.keys():
        # Attendance's events travel on another topic than the child's registration and can
        # overtake it: keep the event until the registration arrives, rather than tell nobody.
        # The registration may be committing in a concurrent batch right now: under the child's
        # lock, either it has committed (and we see its guardians) or it will see our deferral.
        await recipients.lock_children(tx, unknown)
        known |= await recipients.recipients_of(tx, unknown)
    guardian_ids = {g["guardian_id"] for rows in known.values() for g in rows}
    prefs = await recipients.preferences_of(tx, guardian_ids)
    confirmed = await addresses.confirmed_of(tx, guardian_ids)
    now = dt.datetime.now(dt.UTC)
    notes: list[tuple[notifications.Notification, UnitOfWork]] = []
    waiting = []
    for_others = []
    for event, uow in batch:
        if event.child_id not in known:
            waiting.append((uow.handled, event.child_id))
            continue
        if isinstance(event, LatePickupEscalated) and event.audience != "guardians":
            for_others.append((event, uow, known[event.child_id][0]["child_name"]))
            continue
        code = SealedCode(event.sealed_code, event.expires_at) if isinstance(event, PickupCodeIssued) else NO_CODE
        for guardian in known[event.child_id]:
            p = prefs.get(guardian["guardian_id"], Preferences())
            body = message(event, guardian["child_name"], p.language)
            if body is None:
                continue
            for planned in plan(event, reachable(confirmed.get(guardian["guardian_id"], [])), p, now):
                notes.append(
                    (
                        notifications.Notification(
                            notification_id=uuid.uuid4(),
                            envelope=uow.handled,
                            guardian_id=guardian["guardian_id"],
                            child_id=event.child_id,
                            channel=planned.channel,
                            address=planned.address,
                            body=body,
                            safety=isinstance(event, SAFETY_ALERTS),
                            language=p.language,
                            due_at=planned.due_at,
                            code=code,
                            traceparent=uow.traceparent,
                        ),
                        uow,
                    )
                )
    notes += await notes_for_others(tx, for_others, now)
    await recipients.defer(tx, waiting)
    fresh = await notifications.insert(tx, [n for n, _ in notes])
    for n, uow in notes:
        if n.notification_id in fresh and n.channel == "inapp":
            uow.emit(
                NotificationDelivered(
                    notification_id=n.notification_id,
                    guardian_id=n.guardian_id,
                    child_id=n.child_id,
                    channel="inapp",
                    source_event_id=n.envelope.event_id,
                    source_event_type=n.envelope.type,
                )
            )
