"""Insurers answer on their own inbound topics about the covers they were told of: enrollment finds
the child by the insurer's cover id and tells attendance. Answers are untrusted input: a malformed
record, an unknown cover or another insurer's cover is dead-lettered and changes nothing."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from aiokafka import ConsumerRecord

from shared.contracts.partners import CoverConfirmed, CoverRefused
from shared.envelope import Envelope, Event
from testkit.city import SUMMER, City
from testkit.scenarios import child_registered
from tests.support.inprocess import InProcess


@dataclass
class DeadLetters:
    """Records the dead letters the consumer parks, as the dead-letter topic would keep them."""

    parked: list[tuple[bytes | None, str, int, BaseException]] = field(default_factory=list)

    async def publish(self, record: ConsumerRecord, exc: BaseException, *, attempts: int, kind: str) -> None:
        self.parked.append((record.value, kind, attempts, exc))


def answer(event: Event, insurer: str = "pingan") -> Envelope:
    """An insurer's answer as it publishes it (the envelope's claims are its own)."""
    return Envelope.wrap(event, producer=insurer, union_id=None, correlation_id=uuid.uuid4())


async def a_covered_child(city: City, enrollment: InProcess) -> tuple[str, dict[str, str]]:
    """A child booked on two summer days, and the cover id each insurer was told."""
    union = await city.union("保险回执工会")
    class_id = await city.klass(await city.network(union), days=SUMMER[:2])
    parent = city.parent(union)
    child = await city.child(parent)
    await city.book(parent, child["child_id"], class_id, days=SUMMER[:2])
    rows = await enrollment.runtime.pool.fetch(
        "SELECT topic, payload FROM outbox WHERE event_type = 'partner.cover_needed' ORDER BY id"
    )
    told = {
        r["topic"].split(".")[-2]: json.loads(r["payload"])["data"]
        for r in rows
        if json.loads(r["payload"])["data"]["union_id"] == str(union.union_id)
    }
    return child["child_id"], {insurer: data["cover_id"] for insurer, data in told.items()}


async def answers_status(enrollment: InProcess, child_id: str) -> dict[str, str]:
    rows = await enrollment.runtime.pool.fetch(
        "SELECT insurer, status FROM insurer_covers WHERE child_id = $1", uuid.UUID(child_id)
    )
    return {r["insurer"]: r["status"] for r in rows}


async def test_an_insurers_confirmation_goes_on_with_the_child_the_days_and_the_policy(
    city: City, enrollment: InProcess
) -> None:
    child_id, covers = await a_covered_child(city, enrollment)
    await enrollment.deliver(
        answer(CoverConfirmed(cover_id=covers["pingan"], policy_number="PA-2027-0001")),
        topic="partner.pingan.inbound",
    )
    (confirmed,) = await enrollment.emitted("child.cover_confirmed", child_id=child_id)
    assert confirmed["days"] == [d.isoformat() for d in SUMMER[:2]]
    assert (confirmed["insurer"], confirmed["policy_number"]) == ("pingan", "PA-2027-0001")
    assert await answers_status(enrollment, child_id) == {"pingan": "confirmed", "taiping": "pending"}


async def test_an_insurers_refusal_goes_on_to_attendance(city: City, enrollment: InProcess) -> None:
    child_id, covers = await a_covered_child(city, enrollment)
    await enrollment.deliver(
        answer(CoverRefused(cover_id=covers["taiping"], reason="超出承保年龄"), "taiping"),
        topic="partner.taiping.inbound",
    )
    (refused,) = await enrollment.emitted("child.cover_refused", child_id=child_id)
    assert (refused["insurer"], refused["reason"]) == ("taiping", "超出承保年龄")
    assert await enrollment.emitted("child.cover_confirmed", child_id=child_id) == []


async def test_the_same_answer_twice_has_one_effect(city: City, enrollment: InProcess) -> None:
    child_id, covers = await a_covered_child(city, enrollment)
    first = answer(CoverConfirmed(cover_id=covers["pingan"], policy_number="PA-2027-0002"))
    resent = answer(CoverConfirmed(cover_id=covers["pingan"], policy_number="PA-2027-0002"))  # a new event id
    await enrollment.deliver(first, first, topic="partner.pingan.inbound")
    await enrollment.deliver(first, resent, topic="partner.pingan.inbound")
    assert len(await enrollment.emitted("child.cover_confirmed", child_id=child_id)) == 1


async def test_a_cover_that_gains_days_awaits_a_new_answer(city: City, enrollment: InProcess) -> None:
    union = await city.union("保险续保工会")
    class_id = await city.klass(await city.network(union), days=SUMMER[:2])
    parent = city.parent(union)
    child = await city.child(parent)
    await city.book(parent, child["child_id"], class_id, days=SUMMER[:1])
    (needed,) = [
        json.loads(r["payload"])["data"]
        for r in await enrollment.runtime.pool.fetch(
            "SELECT payload FROM outbox WHERE event_type = 'partner.cover_needed' AND topic LIKE '%.pingan.insurance'"
        )
        if json.loads(r["payload"])["data"]["union_id"] == str(union.union_id)
    ]
    confirmation = CoverConfirmed(cover_id=needed["cover_id"], policy_number="PA-2027-0003")
    await enrollment.deliver(answer(confirmation), topic="partner.pingan.inbound")
    await city.book(parent, child["child_id"], class_id, days=SUMMER[1:2])
    assert (await answers_status(enrollment, child["child_id"]))["pingan"] == "pending"
    await enrollment.deliver(answer(confirmation), topic="partner.pingan.inbound")
    first, second = await enrollment.emitted("child.cover_confirmed", child_id=child["child_id"])
    assert first["days"] == [SUMMER[0].isoformat()] and second["days"] == [d.isoformat() for d in SUMMER[:2]]


async def test_bad_unknown_and_foreign_answers_are_dead_lettered_and_change_nothing(
    city: City, enrollment: InProcess
) -> None:
    child_id, covers = await a_covered_child(city, enrollment)
    confirm = answer(CoverConfirmed(cover_id=covers["pingan"], policy_number="PA-2027-0004"))
    with_a_child_id = json.loads(confirm.to_bytes())
    with_a_child_id["data"]["child_id"] = child_id
    bad_policy = json.loads(confirm.to_bytes())
    bad_policy["data"]["policy_number"] = "'; DROP TABLE insurer_covers; --"
    forged = child_registered(child_id=uuid.UUID(child_id), category="gig")
    inbound = "partner.pingan.inbound"
    records = [
        enrollment.record(confirm, inbound, b"not json at all"),
        enrollment.record(confirm, inbound, json.dumps(with_a_child_id).encode()),
        enrollment.record(confirm, inbound, json.dumps(bad_policy).encode()),
        enrollment.record(answer(forged), inbound),  # an internal event type, forged on the inbound topic
        enrollment.record(answer(CoverConfirmed(cover_id=uuid.uuid4().hex, policy_number="PA-1")), inbound),
        enrollment.record(answer(CoverConfirmed(cover_id=covers["taiping"], policy_number="PA-1")), inbound),
    ]
    dead = DeadLetters()
    outcomes = await enrollment.consumer(dead).process_batch(records)

    assert outcomes == ["dead_lettered"] * 6
    parked = {value: (kind, attempts) for value, kind, attempts, _ in dead.parked}  # partitions run concurrently
    assert len(dead.parked) == 6 and set(parked) == {r.value for r in records}, "parked byte for byte"
    assert [parked[r.value] for r in records] == [("malformed", 1)] * 4 + [("rejected", 1)] * 2, "no retries"
    assert await answers_status(enrollment, child_id) == {"pingan": "pending", "taiping": "pending"}
    assert await enrollment.emitted("child.cover_confirmed", child_id=child_id) == []
    assert len(await enrollment.emitted("child.registered", child_id=child_id)) == 1, "only the real registration"
