"""The unit of work: events emitted in a transaction reach the outbox with one statement, caused by
and correlated with what they follow; and every domain error has its HTTP status in one table."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import uuid
from typing import Any

import asyncpg
import pytest

import services
from shared import errors, partners
from shared.contracts.enrollment import SiteOpened
from shared.contracts.partners import CoverEnded
from shared.envelope import Envelope
from shared.http import answer, status_of
from shared.outbox import FollowUp
from shared.outcomes import Created, Refused
from shared.uow import UnitOfWork


class FakeOutbox:
    def __init__(self) -> None:
        self.statements: list[list[FollowUp]] = []

    async def append_many(self, tx: Any, events: list[FollowUp]) -> list[Envelope]:
        self.statements.append(list(events))
        return []


class FakeTransaction:
    async def __aenter__(self) -> None:
        return None

    async def __aexit__(self, *exc: object) -> bool:
        return False


class FakeConnection:
    def transaction(self) -> FakeTransaction:
        return FakeTransaction()


def _site() -> SiteOpened:
    return SiteOpened(
        site_id=uuid.uuid4(), network_id=uuid.uuid4(), provider_id=uuid.uuid4(), union_path=(uuid.uuid4(),)
    )


def _envelope(union_id: uuid.UUID) -> Envelope:
    return Envelope.wrap(_site(), producer="enrollment", union_id=union_id, correlation_id=uuid.uuid4())


async def test_the_follow_ups_of_a_batch_are_written_with_one_statement_caused_by_their_events() -> None:
    outbox = FakeOutbox()
    work = UnitOfWork(FakeConnection(), outbox, correlation_id=uuid.uuid4())  # type: ignore[arg-type]
    first, second = _envelope(uuid.uuid4()), _envelope(uuid.uuid4())
    a, b, c = _site(), _site(), _site()
    work.caused_by(first).emit(a)
    work.caused_by(second).emit(b)
    work.caused_by(first).emit(c, union_id=None)
    assert outbox.statements == [], "nothing is written before the flush"
    await work.flush()
    (written,) = outbox.statements
    assert [f.event for f in written] == [a, b, c]
    assert [(f.correlation_id, f.causation_id) for f in written] == [
        (first.correlation_id, first.event_id),
        (second.correlation_id, second.event_id),
        (first.correlation_id, first.event_id),
    ]
    assert [f.union_id for f in written] == [first.union_id, second.union_id, None]
    await work.flush()
    assert outbox.statements[1] == [], "a flush writes each event once"


async def test_events_emitted_in_a_savepoint_that_fails_are_dropped_with_its_writes() -> None:
    work = UnitOfWork(FakeConnection(), FakeOutbox(), correlation_id=uuid.uuid4())  # type: ignore[arg-type]
    kept = _site()
    work.emit(kept)
    with pytest.raises(RuntimeError):
        async with work.savepoint():
            work.caused_by(_envelope(uuid.uuid4())).emit(_site())
            raise RuntimeError("the deferred event cannot be told")
    assert [f.event for f in work.pending] == [kept]


def test_a_partner_feed_gets_one_event_per_partner_unrelated_to_the_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUOGUAN_PARTNERS", "one:insurance,two:insurance,stats:statistics")
    work = UnitOfWork(FakeConnection(), FakeOutbox(), correlation_id=uuid.uuid4())  # type: ignore[arg-type]
    union = uuid.uuid4()
    ids = {"one": "1" * 32, "two": "2" * 32}
    day = dt.date(2026, 7, 1)
    work.emit(
        lambda p: CoverEnded(pseudonym=ids[p.name], cover_id=ids[p.name], days=(day,)), to="insurance", union_id=union
    )
    assert [f.stream for f in work.pending] == ["partner.one.insurance", "partner.two.insurance"]
    assert [f.event.pseudonym for f in work.pending] == [ids["one"], ids["two"]]
    assert all(f.causation_id is None and f.correlation_id != work.correlation_id for f in work.pending)
    assert {f.union_id for f in work.pending} == {union}
    assert all(f.occurred_at == partners.coarse(f.occurred_at) for f in work.pending)


def _every_domain_error() -> set[type[errors.DomainError]]:
    for module in pkgutil.walk_packages(services.__path__, "services."):
        if ".handlers" in module.name or ".domain" in module.name:
            importlib.import_module(module.name)
    found, todo = set(), [errors.DomainError]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.add(sub)
            todo.append(sub)
    return found


def test_every_domain_error_has_its_status_at_the_edge() -> None:
    named = _every_domain_error()
    assert {"BookingRefused", "PickupNotAuthorised", "AlreadyDecided"} <= {e.__name__ for e in named}
    for error in named:
        assert 400 <= status_of(error) < 600, error
    with pytest.raises(LookupError):
        status_of(type("Unlisted", (errors.DomainError,), {}))


def test_refusals_keep_the_answers_clients_know() -> None:
    assert answer(errors.NotFound("no such class", field="class_id")) == (
        404,
        {"error": "rejected", "reasons": [{"field": "class_id", "reason": "no such class"}]},
    )
    assert answer(Refused(errors.Invalid("fever", field="health_screening", admitted=False))) == (
        422,
        {"error": "refused", "admitted": False, "reasons": [{"field": "health_screening", "reason": "fever"}]},
    )
    assert answer(Created({"id": "x"})) == (201, {"id": "x"})
    assert answer(asyncpg.UniqueViolationError("duplicate"))[0] == 409
    assert answer(asyncpg.ForeignKeyViolationError("dangling"))[0] == 422
    assert answer(asyncpg.DataError("NUL"))[1]["error"] == "invalid_request"
