"""The unit of work: one transaction, who acts in it, and the events it emits.

A command handler and an event handler each get a :class:`UnitOfWork`. It carries the
transaction (``uow.tx``), the actor of a command, the union the work belongs to, and the
correlation and causation ids its events carry. ``uow.emit(event)`` buffers an event;
``uow.emit(build, to="insurance")`` buffers one event per partner of a feed. The runner flushes
the buffer with one outbox statement just before it commits (:meth:`flush`), so a batch of
events handled in one transaction writes its follow-ups with one INSERT.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import asyncpg

from shared import partners
from shared.db import acquire
from shared.envelope import Envelope, Event
from shared.outbox import FollowUp, Outbox
from shared.principal import Principal
from shared.topics import Partner, sender_of


@dataclass(frozen=True)
class Actor:
    """Who issued a command, when, and the correlation id its events carry."""

    principal: Principal
    correlation_id: uuid.UUID
    now: dt.datetime


_UNSET: object = object()


@dataclass(frozen=True, eq=False)
class UnitOfWork:
    """One transaction's work; see the module's docstring."""

    tx: asyncpg.Connection
    outbox: Outbox
    correlation_id: uuid.UUID
    causation_id: uuid.UUID | None = None
    union_id: uuid.UUID | None = None
    actor: Actor | None = None  # the command's issuer; None for an event handler
    envelope: Envelope | None = None  # the event handled; None for a command
    topic: str | None = None  # the topic the event came from; None for a command
    traceparent: str | None = None  # the handled event's trace context, which its follow-ups carry
    pending: list[FollowUp] = field(default_factory=list)

    @classmethod
    def of_command(cls, tx: asyncpg.Connection, outbox: Outbox, actor: Actor) -> UnitOfWork:
        return cls(tx, outbox, actor.correlation_id, actor=actor)

    @classmethod
    @contextlib.asynccontextmanager
    async def begin(cls, pool: asyncpg.Pool, outbox: Outbox) -> AsyncIterator[UnitOfWork]:
        """A transaction of its own (a timer's work, say), its events flushed before it commits."""
        async with acquire(pool) as tx, tx.transaction():
            uow = cls(tx, outbox, uuid.uuid4())
            yield uow
            await uow.flush()

    def caused_by(self, envelope: Envelope, *, topic: str | None = None, traceparent: str | None = None) -> UnitOfWork:
        """The work of handling ``envelope`` (read from ``topic``) in this transaction: its follow-ups
        are caused by it (and carry ``traceparent``) and share this unit's buffer."""
        return dataclasses.replace(
            self,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
            union_id=envelope.union_id,
            envelope=envelope,
            topic=topic,
            traceparent=traceparent,
        )

    @property
    def sender(self) -> str | None:
        """The partner that published the event handled, known from its inbound topic (which only
        that partner may write), never from what the event says; None for anything else."""
        return sender_of(self.topic)

    def within(self, union_id: uuid.UUID | None) -> UnitOfWork:
        """The same work, its events belonging to ``union_id``."""
        return dataclasses.replace(self, union_id=union_id)

    @property
    def issuer(self) -> Actor:
        """The actor of a command (an event handler has none)."""
        if self.actor is None:
            raise RuntimeError("an event handler's unit of work has no actor")
        return self.actor

    @property
    def handled(self) -> Envelope:
        """The envelope of the event handled (a command has none)."""
        if self.envelope is None:
            raise RuntimeError("a command's unit of work handles no event")
        return self.envelope

    def emit(
        self,
        event: Event | Callable[[Partner], Event],
        *,
        to: str | None = None,
        union_id: uuid.UUID | object | None = _UNSET,
        stream: str | None = None,
    ) -> None:
        """Emit ``event`` when the work commits. With ``to`` (a partner feed), ``event`` builds
        each partner's own event; see :func:`shared.partners.follow_ups` for what they carry.
        ``union_id`` overrides the unit's union; ``stream`` the event's own stream."""
        union = self.union_id if union_id is _UNSET else union_id
        if union is not None and not isinstance(union, uuid.UUID):
            raise TypeError(f"union_id must be a UUID or None, not {union!r}")
        if to is not None:
            if isinstance(event, Event):
                raise TypeError("a partner feed's events are built per partner: pass a function of the partner")
            self.pending.extend(partners.follow_ups(to, event, union_id=union))  # no trace: see Outbox
            return
        if not isinstance(event, Event):
            raise TypeError("without a partner feed (to=...), emit an event")
        self.pending.append(
            FollowUp(event, union, self.correlation_id, self.causation_id, stream, traceparent=self.traceparent)
        )

    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A savepoint in the transaction: if the block fails, its writes and the events it emitted
        are both undone."""
        mark = len(self.pending)
        try:
            async with self.tx.transaction():
                yield
        except BaseException:
            del self.pending[mark:]
            raise

    async def flush(self) -> list[Envelope]:
        """Write the emitted events to the outbox with one statement, in the order emitted."""
        pending, self.pending[:] = list(self.pending), []
        return await self.outbox.append_many(self.tx, pending)
