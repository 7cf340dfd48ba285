"""What a command handler returns: a domain result, answered at the HTTP edge (shared/http.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from shared.errors import DomainError


@dataclass(frozen=True)
class Done:
    """The command took effect; ``body`` describes the result."""

    body: dict[str, Any]


@dataclass(frozen=True)
class Created(Done):
    """The command created something."""


@dataclass(frozen=True)
class Accepted(Done):
    """The command was taken on; its effect follows later."""


@dataclass(frozen=True)
class Refused:
    """The command was refused, and the refusal itself is recorded (committed): a refused check-in,
    a wrong pick-up code. A refusal that records nothing is raised instead. ``word`` is what the
    answer calls it: a wrong address-confirmation code has always been answered as "rejected"."""

    error: DomainError
    word: Literal["refused", "rejected"] = "refused"


Outcome = Done | Refused
