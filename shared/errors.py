"""Domain errors: how a handler says no, in the domain's words. The HTTP edge (shared/http.py)
maps each class to a status code in one table; handlers know nothing of HTTP.

Raise an error to refuse a command and roll its transaction back. To refuse and still commit
what the refusal records (a refused check-in, a wrong pick-up code), return it wrapped in
:class:`shared.outcomes.Refused` instead."""

from __future__ import annotations

from typing import Any

import asyncpg


class DomainError(Exception):
    """A rule was broken; ``reasons`` are field-level (``{"field", "reason"}``), ``details`` are
    further fields of the answer."""

    def __init__(
        self,
        reason: str = "",
        *,
        field: str = "",
        reasons: list[dict[str, Any]] | None = None,
        retry_after_s: int | None = None,
        **details: Any,
    ) -> None:
        self.reasons = reasons if reasons is not None else [{"field": field, "reason": reason}]
        super().__init__("; ".join(str(r.get("reason", "")) for r in self.reasons))
        self.retry_after_s = retry_after_s  # the client may retry after this many seconds
        self.details = details


class Invalid(DomainError):
    """The command contradicts itself or the rules, whatever the state."""


class NotFound(DomainError):
    """What the command names does not exist (or the caller may not know that it does)."""


class UnknownReference(NotFound):
    """An event names what this service does not know, or what is not its sender's (a partner's
    answer about another partner's cover): it can never be handled, so the event consumer sends it
    to the dead-letter topic at once (kind ``rejected``) instead of retrying it."""


class Conflict(DomainError):
    """The command does not fit the current state."""


class NotAllowed(DomainError):
    """The caller may not do this."""


class Unauthenticated(DomainError):
    """The caller could not be identified."""


class Gone(DomainError):
    """What the command needed has expired."""


class Locked(DomainError):
    """Too many tries: the thing is locked until someone releases it."""


class Unavailable(DomainError):
    """Not now: something the command needs is busy or unreachable; retry later."""


# What the database itself refuses: a unique violation conflicts with an existing record; any other
# broken constraint, or a value PostgreSQL cannot store such as a NUL character, is the request's
# fault. The statuses are in shared/http.py's table.
DATABASE_REFUSALS = (asyncpg.IntegrityConstraintViolationError, asyncpg.DataError)
