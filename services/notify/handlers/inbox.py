"""A guardian's in-app inbox as the caller may read it: a pick-up code shows only to the guardian
reading their own inbox, and only until it expires; admins never see it."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from services.notify.access import reveals_code
from services.notify.db import notifications
from services.notify.domain.codes import with_code
from shared.db import Conn
from shared.principal import Principal

HIDDEN = ("language", "sealed_code", "code_expires_at")


async def inbox_of(
    conn: Conn,
    caller: Principal,
    guardian_id: uuid.UUID,
    limit: int,
    *,
    private_key: str,
    since: dt.datetime | None = None,
) -> list[dict[str, Any]]:
    """The guardian's in-app notifications, newest first (from ``since`` on, if given), as ``caller`` may see them."""
    items = await notifications.inbox_of(conn, guardian_id, limit, since)
    reveal, now = reveals_code(caller, guardian_id), dt.datetime.now(dt.UTC)
    return [
        {
            **{k: v for k, v in item.items() if k not in HIDDEN},
            "body": with_code(
                item["body"],
                item["language"],
                notifications.sealed_code(item),
                private_key=private_key,
                reveal=reveal,
                now=now,
            ),
        }
        for item in items
    ]
