"""Commands of the enrollment service. Each runs inside the caller's transaction and appends the
events it causes to the outbox in that same transaction."""

from shared.commands import Actor

__all__ = ["Actor"]
