"""SQL of the enrollment service, on its own database only."""

from __future__ import annotations

import asyncpg


def present(record: asyncpg.Record | None, what: str) -> asyncpg.Record:
    """A record that another one refers to (a booking's child and class, say): it is always there."""
    if record is None:
        raise LookupError(f"the {what} a record refers to is missing")
    return record
