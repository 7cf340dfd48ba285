"""Commands and event handlers of the attendance service; each runs in one transaction and
appends the events it causes to the outbox in that transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from shared.auth import Principal


@dataclass(frozen=True)
class Actor:
    """Who issued a command, when, and the correlation id its events carry."""

    principal: Principal
    correlation_id: uuid.UUID
    now: dt.datetime
