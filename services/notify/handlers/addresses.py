"""A guardian confirms an outside address with the code it was sent, or asks for a new code. Only
the guardian themself does (an admin cannot)."""

from __future__ import annotations

import datetime as dt
import uuid

from services.notify.access import ensure_confirms
from services.notify.db import addresses as db
from services.notify.domain.codes import check_code
from services.notify.domain.commands import ConfirmAddress
from shared.errors import Conflict, Invalid, Locked, NotFound
from shared.outcomes import Accepted, Done, Outcome, Refused
from shared.principal import Principal
from shared.uow import UnitOfWork


async def confirm_address(
    body: ConfirmAddress,
    guardian_id: uuid.UUID,
    address_id: uuid.UUID,
    caller: Principal,
    uow: UnitOfWork,
    *,
    max_wrong: int,
) -> Outcome:
    tx = uow.tx
    ensure_confirms(caller, guardian_id)
    found = await db.pending_code(tx, guardian_id, address_id)
    if found is None:
        raise NotFound("no such address", field="address_id")
    state, pending = found
    if state == "confirmed":
        return Done({"address_id": str(address_id), "state": "confirmed"})
    verdict = check_code(body.code, str(address_id), pending, max_wrong=max_wrong, now=dt.datetime.now(dt.UTC))
    if verdict == "confirmed":
        await db.confirm(tx, address_id)
        return Done({"address_id": str(address_id), "state": "confirmed"})
    if verdict == "wrong":  # answered, not raised, so that the wrong try commits
        left = max_wrong - await db.count_wrong_code(tx, address_id)
        wrong = (
            f"the code is wrong; {left} more tries with this code"
            if left
            else "the code is wrong, and that was the last try: ask for a new code"
        )
        return Refused(Invalid(wrong, field="code"), word="rejected")
    if verdict == "expired":
        raise Invalid("the code has expired: ask for a new code", field="code")
    if pending.code_hash is None:
        raise Conflict("no code is outstanding for this address: ask for a new code", field="code")
    raise Locked(f"{max_wrong} wrong tries: this code no longer works; ask for a new code", field="code")


async def ask_for_code(
    guardian_id: uuid.UUID, address_id: uuid.UUID, caller: Principal, uow: UnitOfWork, *, most: int
) -> Accepted:
    """A new code goes out with the next tick of the confirmation-code timer."""
    ensure_confirms(caller, guardian_id)
    refusal = await db.want_code(uow.tx, guardian_id, address_id, most)
    if refusal == "missing":
        raise NotFound("no such address", field="address_id")
    if refusal == "confirmed":
        raise Conflict("the address is already confirmed", field="address_id")
    if refusal == "too_many":
        raise Locked(f"{most} codes have been sent to this address; no more are sent", field="address_id")
    return Accepted({"address_id": str(address_id), "state": "unconfirmed", "note": "a new code is on its way"})
