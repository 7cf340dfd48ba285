"""Which handler takes which event, and in what order a batch of events is handled.

A service declares its handlers on an :class:`EventRouter`:

- ``@router.on(ChildEnrolled)``: ``async def h(event, uow)``, called once per event;
- ``@router.on_batch(ChildCheckedIn)``: ``async def h(batch)`` with ``batch`` a list of
  ``(event, uow)``, called once for many events, so that it can write them with multi-row
  statements.

Each event's :class:`shared.uow.UnitOfWork` shares the transaction and the buffer of follow-up
events with the others of its batch: what they emit is written with one statement at the end.

:func:`plan` orders a partition's events into rounds. Events of one key (one child) keep their
order: an event runs in a later round than its key's previous event whenever the two need
different handlers. Within a round, events that share handlers are handed over together, in
offset order. Events of different keys are independent, as they are across partitions.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from shared import logs
from shared.envelope import Event
from shared.uow import UnitOfWork

E = TypeVar("E", bound=Event)
Handler = Callable[..., Awaitable[None]]


EventBatch = list[tuple[E, UnitOfWork]]  # a batch handler's argument: EventBatch[ChildRegistered], say


@dataclass(frozen=True, eq=False)
class Step:
    """One registered handler; ``batch`` says it takes a list of ``(event, uow)``."""

    handler: Handler
    batch: bool

    async def run(self, items: Sequence[tuple[Event, UnitOfWork]], *, one_by_one: bool = False) -> None:
        """Run over ``items``; a failure is raised as :class:`HandlerFailed` naming the item. A batch
        handler cannot say which item failed (it names the first), unless it runs ``one_by_one``."""
        index = 0
        try:
            if self.batch and not one_by_one:
                await self.handler(list(items))
                return
            for event, uow in items:
                logs.correlation_id.set(str(uow.correlation_id))
                logs.event_id.set(str(uow.causation_id))
                if self.batch:
                    await self.handler([(event, uow)])
                else:
                    await self.handler(event, uow)
        except Exception as exc:
            raise HandlerFailed(index, exact=one_by_one or not self.batch or len(items) == 1) from exc


class HandlerFailed(Exception):
    """The handler failed on the ``index``-th item it was given (or, unless ``exact``, on one of
    the items from there on); the cause is chained."""

    def __init__(self, index: int, *, exact: bool) -> None:
        super().__init__(index)
        self.index = index
        self.exact = exact


class EventRouter:
    """Maps event types to a service's handlers."""

    def __init__(self) -> None:
        self.handlers: dict[str, tuple[Step, ...]] = {}
        self.streams: set[str] = set()

    def on(self, event_type: type[E]) -> Callable[[Handler], Handler]:
        """Register ``async def h(event, uow)`` for ``event_type``."""
        return self._register(event_type, batch=False)

    def on_batch(self, *event_types: type[Event]) -> Callable[[Handler], Handler]:
        """Register ``async def h(batch)`` for each of ``event_types``."""

        def register(handler: Handler) -> Handler:
            for event_type in event_types:
                self._register(event_type, batch=True)(handler)
            return handler

        return register

    def _register(self, event_type: type[Event], *, batch: bool) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.handlers[event_type.TYPE] = (*self.handlers.get(event_type.TYPE, ()), _step(handler, batch))
            self.streams.add(event_type.STREAM)
            return handler

        return register


_STEPS: dict[tuple[Handler, bool], Step] = {}


def _step(handler: Handler, batch: bool) -> Step:
    """One Step per handler, so that events of several types that share a handler share a group."""
    return _STEPS.setdefault((handler, batch), Step(handler, batch))


@dataclass(frozen=True)
class Group:
    """Events that run together: the same handlers, the same round; positions in the slice."""

    steps: tuple[Step, ...]
    positions: list[int]


def plan(keys: Sequence[str], steps: Sequence[tuple[Step, ...]]) -> list[Group]:
    """Groups in the order to run them, for events with these keys and handlers (offset order)."""
    last: dict[str, tuple[int, tuple[Step, ...]]] = {}
    rounds: list[dict[tuple[Step, ...], list[int]]] = []
    for position, (key, handlers) in enumerate(zip(keys, steps, strict=True)):
        previous = last.get(key)
        level = 0 if previous is None else previous[0] + (previous[1] != handlers)
        last[key] = (level, handlers)
        if level == len(rounds):
            rounds.append({})
        rounds[level].setdefault(handlers, []).append(position)
    return [Group(handlers, positions) for groups in rounds for handlers, positions in groups.items()]
