"""A guardian's preferences: what, where and when they want to be told."""

from __future__ import annotations

import uuid
from typing import Any

from services.notify.access import ensure_self
from services.notify.db import recipients
from services.notify.domain.commands import ReplacePreferences
from services.notify.domain.planning import Preferences
from shared.db import Conn
from shared.outcomes import Done
from shared.principal import Principal
from shared.uow import UnitOfWork


async def preferences_of(conn: Conn, guardian_id: uuid.UUID) -> dict[str, Any]:
    """The guardian's preferences as they are answered (the defaults if they never saved any)."""
    p = await recipients.preferences(conn, guardian_id)
    return {
        "guardian_id": guardian_id,
        "muted_kinds": list(p.muted_kinds),
        "channels": list(p.channels) if p.channels is not None else None,
        "quiet_start": p.quiet_start,
        "quiet_end": p.quiet_end,
        "language": p.language,
    }


async def replace_preferences(
    body: ReplacePreferences, guardian_id: uuid.UUID, caller: Principal, uow: UnitOfWork
) -> Done:
    ensure_self(caller, guardian_id)
    prefs = Preferences(
        tuple(body.muted_kinds),
        tuple(body.channels) if body.channels is not None else None,
        body.quiet_start,
        body.quiet_end,
        body.language,
    )
    await recipients.save_preferences(uow.tx, guardian_id, prefs)
    return Done(await preferences_of(uow.tx, guardian_id))
