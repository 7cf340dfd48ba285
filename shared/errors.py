"""The one way a command says no: a status and field-level reasons, answered as JSON."""

from __future__ import annotations

from typing import Any


class CommandRejected(Exception):
    """A command broke a rule; answered with ``status`` and field-level reasons."""

    def __init__(self, status: int, reasons: list[dict[str, Any]], *, retry_after_s: int | None = None) -> None:
        super().__init__(reasons)
        self.status = status
        self.reasons = reasons
        self.retry_after_s = retry_after_s  # answered as Retry-After (a 503 or 429 the client may retry)
