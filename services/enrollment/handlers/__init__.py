"""Commands of the enrollment service. Each runs inside the caller's transaction and appends the
events it causes to the outbox in that same transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from shared.auth import Principal


@dataclass(frozen=True)
class Actor:
    """Who issued a command, and the correlation id its events carry."""

    principal: Principal
    correlation_id: uuid.UUID
