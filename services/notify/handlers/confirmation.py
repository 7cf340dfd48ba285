"""Confirmation codes: each new outside address gets a one-time code, and nothing else, until the
guardian confirms it.

A timer (not the event handler, which knows no settings) picks the addresses waiting for a code,
keeps the code's hash, and queues one message with the code sealed to notify's own key, as
pick-up codes are: the dispatcher opens it just before sending, and it is blanked at expiry.
Addresses learned from registrations beyond a guardian's quota per kind are forgotten first.
"""

from __future__ import annotations

import datetime as dt
import logging

import asyncpg

from services.notify.config import NotifySettings
from services.notify.db import addresses as db
from services.notify.domain.codes import hash_code, new_code
from services.notify.domain.messages import confirmation_message
from shared.db import acquire
from shared.sealed import public_key_of, seal

log = logging.getLogger(__name__)
BATCH = 100


async def send_confirmation_codes(pool: asyncpg.Pool, settings: NotifySettings, now: dt.datetime) -> int:
    """Queue a code for each address waiting for one; how many were queued."""
    public_key = public_key_of(settings.seal_private_key)
    expires_at = now + dt.timedelta(seconds=settings.confirmation_code_ttl_s)
    async with acquire(pool) as tx, tx.transaction():
        for dropped in await db.drop_over_quota(tx, settings.max_addresses_per_kind):
            log.warning(
                "an address beyond the guardian's quota was not kept",
                extra={"guardian_id": str(dropped["guardian_id"]), "kind": dropped["kind"]},
            )
        waiting = await db.claim_code_wanted(tx, BATCH)
        for address in waiting:
            code = new_code()
            await db.issue_code(
                tx,
                address,
                code_hash=hash_code(code, str(address["address_id"])),
                sealed_code=seal(public_key, code),
                expires_at=expires_at,
                body=confirmation_message(address["language"], expires_at),
            )
    return len(waiting)
