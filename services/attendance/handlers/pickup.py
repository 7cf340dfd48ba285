"""The two-party pick-up handshake.

1. At the door, staff name the adult who came. Anyone not on the child's list (guardians and
   the authorised adults) is refused, with an alert.
2. A one-time code goes to the guardians (through notify); the adult shows it, staff enter it.
   The code leaves attendance only sealed to notify's public key: attendance keeps its hash.
   A wrong code is refused with an alert; three wrong codes lock the attempt; a code lives 10 min.
   Per child per day, five wrong codes or five attempts in all lock the child's pick-up until
   union staff (not the staff at the door) confirm the adult another way and release it.
3. With the right code the child is released: who took the child and when is recorded.
"""

from __future__ import annotations

import uuid

from services.attendance.access import ensure_at_site, ensure_provider_at_site
from services.attendance.db import checkin, roster, timers
from services.attendance.db import pickup as db
from services.attendance.domain import (
    AlreadyPickedUp,
    AttemptClosed,
    CodeExpired,
    NotAtSite,
    NotLockedToday,
    PickupLocked,
    PickupNotAuthorised,
    WrongCode,
)
from services.attendance.domain.adults import pickup_adults
from services.attendance.domain.codes import (
    CODE_TTL,
    MAX_WRONG_CODES,
    code_matches,
    daily_refusal,
    hash_code,
    new_code,
)
from services.attendance.domain.commands import ConfirmPickup, ReleasePickup, StartPickup
from services.attendance.domain.hours import local_today
from services.attendance.handlers.staffing import review
from shared.contracts.attendance import ChildPickedUp, PickupCodeIssued, PickupRefused
from shared.db import present
from shared.errors import DomainError, NotFound
from shared.outcomes import Created, Done, Outcome, Refused
from shared.principal import forbidden
from shared.sealed import seal
from shared.uow import UnitOfWork


async def start(cmd: StartPickup, uow: UnitOfWork, *, seal_to: str) -> Outcome:
    """Ask for a child; ``seal_to`` is notify's public key, the only one the code is readable with."""
    tx, actor = uow.tx, uow.issuer
    today = local_today(actor.now)
    admitted = await checkin.admission(tx, cmd.child_id, today)
    entry = await roster.entry(tx, cmd.child_id, today, admitted["site_id"] if admitted else None)
    if entry is None or admitted is None:
        raise NotAtSite("the child is not at a site today", field="child_id")
    ensure_provider_at_site(actor.principal, entry["provider_id"])
    if await db.handover(tx, cmd.child_id, today):
        raise AlreadyPickedUp("the child has already been picked up", field="child_id")
    where = {"child_id": cmd.child_id, "class_id": entry["class_id"], "site_id": entry["site_id"], "day": today}
    union_id = entry["union_path"][-1]
    adult = pickup_adults(entry["authorised_adults"], entry["guardians"]).get(str(cmd.adult_id))
    if adult is None:
        uow.emit(PickupRefused(**where, reason="not_authorised", at=actor.now), union_id=union_id)
        return Refused(PickupNotAuthorised("this adult is not authorised to pick the child up", field="adult_id"))
    await db.lock_child_day(tx, cmd.child_id, today)
    counts = await db.day_counts(tx, cmd.child_id, today)
    if locked := daily_refusal(counts["attempts"], counts["wrong_codes"], starting=True):
        uow.emit(
            PickupRefused(**where, reason="too_many_attempts", adult_name=adult["display_name"], at=actor.now),
            union_id=union_id,
        )
        return Refused(PickupLocked(locked, field="child_id"))
    attempt_id, code = uuid.uuid4(), new_code()
    expires_at = actor.now + CODE_TTL
    await db.insert_attempt(
        tx, attempt_id, cmd.child_id, today, adult, hash_code(code, str(attempt_id)), expires_at, actor.principal.sub
    )
    uow.emit(
        PickupCodeIssued(
            **where,
            attempt_id=attempt_id,
            adult_name=adult["display_name"],
            sealed_code=seal(seal_to, code),
            expires_at=expires_at,
        ),
        union_id=union_id,
    )
    return Created(
        {
            "attempt_id": str(attempt_id),
            "adult_name": adult["display_name"],
            "expires_at": expires_at.isoformat(),
            "code_sent_to": "guardians",
        }
    )


async def confirm(attempt_id: uuid.UUID, cmd: ConfirmPickup, uow: UnitOfWork) -> Outcome:
    tx, actor = uow.tx, uow.issuer
    attempt = await db.lock_attempt(tx, attempt_id)
    if attempt is None:
        raise NotFound("no such pick-up attempt", field="attempt_id")
    admitted = present(await checkin.admission(tx, attempt["child_id"], attempt["day"]), "check-in")
    entry = present(await roster.entry(tx, attempt["child_id"], attempt["day"], admitted["site_id"]), "roster entry")
    ensure_provider_at_site(actor.principal, entry["provider_id"])
    if attempt["status"] != "pending":
        raise AttemptClosed(f"this pick-up attempt is {attempt['status']}", field="attempt_id")
    where = {
        "child_id": attempt["child_id"],
        "class_id": entry["class_id"],
        "site_id": entry["site_id"],
        "day": attempt["day"],
    }
    union_id = entry["union_path"][-1]

    async def refuse(reason: str, error: type[DomainError], message: str, new_status: str, tries: int) -> Refused:
        await db.set_attempt(tx, attempt_id, status=new_status, wrong_tries=tries)
        uow.emit(
            PickupRefused(**where, reason=reason, adult_name=attempt["adult_name"], at=actor.now), union_id=union_id
        )
        return Refused(error(message, field="code"))

    counts = await db.day_counts(tx, attempt["child_id"], attempt["day"])
    if locked := daily_refusal(counts["attempts"], counts["wrong_codes"], starting=False):
        return await refuse("too_many_attempts", PickupLocked, locked, "locked", attempt["wrong_tries"])
    if actor.now >= attempt["expires_at"]:
        return await refuse(
            "expired", CodeExpired, "the code has expired; start the pick-up again", "expired", attempt["wrong_tries"]
        )
    if not code_matches(cmd.code, str(attempt_id), attempt["code_hash"]):
        tries = attempt["wrong_tries"] + 1
        if daily_refusal(0, counts["wrong_codes"] + 1, starting=False):
            return await refuse(
                "too_many_attempts",
                WrongCode,
                "wrong code; pick-up is now locked for today until union staff release it",
                "locked",
                tries,
            )
        if tries >= MAX_WRONG_CODES:
            return await refuse(
                "too_many_attempts", WrongCode, "wrong code; this attempt is now locked", "locked", tries
            )
        return await refuse("wrong_code", WrongCode, "wrong code", "pending", tries)

    await db.set_attempt(tx, attempt_id, status="completed", wrong_tries=attempt["wrong_tries"])
    await db.insert_handover(tx, attempt, actor.now, actor.principal.sub)
    await timers.cancel(tx, "late_pickup", attempt["child_id"], attempt["day"])
    uow.emit(
        ChildPickedUp(**where, adult_id=attempt["adult_id"], adult_name=attempt["adult_name"], at=actor.now),
        union_id=union_id,
    )
    staffing = await review(
        tx, class_id=entry["class_id"], site_id=entry["site_id"], class_type=entry["class_type"], day=attempt["day"]
    )
    for alarm in staffing.alarm:
        uow.emit(alarm, union_id=union_id)
    return Done(
        {
            "child_id": str(attempt["child_id"]),
            "released_to": attempt["adult_name"],
            "at": actor.now.isoformat(),
        }
    )


async def release(child_id: uuid.UUID, cmd: ReleasePickup, uow: UnitOfWork) -> Done:
    """Union staff lift today's lock on a child's pick-up after confirming the adult another way;
    the day's counts start again (the door staff cannot do this themselves)."""
    tx, actor = uow.tx, uow.issuer
    today = local_today(actor.now)
    entry = await roster.entry(tx, child_id, today, None)
    if entry is None:
        raise NotAtSite("the child is not at a site today", field="child_id")
    if actor.principal.role not in ("admin", "union_staff"):
        raise forbidden("only union staff release a locked pick-up")
    ensure_at_site(actor.principal, entry["provider_id"], entry["union_path"])
    await db.lock_child_day(tx, child_id, today)
    counts = await db.day_counts(tx, child_id, today)
    if daily_refusal(counts["attempts"], counts["wrong_codes"], starting=True) is None:
        raise NotLockedToday("the child's pick-up is not locked today", field="child_id")
    await db.release_day(tx, child_id, today, actor.principal.sub, cmd.reason)
    return Done({"child_id": str(child_id), "day": today.isoformat(), "released_by": actor.principal.sub})
