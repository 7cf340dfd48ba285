"""The one way a command says no: a status and field-level reasons, answered as JSON."""

from __future__ import annotations

from typing import Any

import asyncpg


class CommandRejected(Exception):
    """A command broke a rule; answered with ``status`` and field-level reasons."""

    def __init__(self, status: int, reasons: list[dict[str, Any]], *, retry_after_s: int | None = None) -> None:
        super().__init__(reasons)
        self.status = status
        self.reasons = reasons
        self.retry_after_s = retry_after_s  # answered as Retry-After (a 503 or 429 the client may retry)


# What the database itself refuses, and how it is answered (shared/http.py): a unique violation
# conflicts with an existing record (409); any other broken constraint, or a value PostgreSQL
# cannot store such as a NUL character, is the request's fault (422).
DATABASE_REFUSALS = (asyncpg.IntegrityConstraintViolationError, asyncpg.DataError)


def refusal_status(refused: CommandRejected | asyncpg.PostgresError) -> int:
    """The HTTP status a refused command is answered with."""
    if isinstance(refused, CommandRejected):
        return refused.status
    return 409 if isinstance(refused, asyncpg.UniqueViolationError) else 422
