"""Commands and event handlers of the subsidy service; each runs in one transaction and appends
the events it causes to the outbox in that transaction."""

from shared.commands import Actor

__all__ = ["Actor"]
