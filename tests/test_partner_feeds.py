"""Partners see only what they are entitled to: pseudonyms, age bands, coarse times, aggregates;
and two partners cannot join their feeds."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import uuid

import httpx

from shared.contracts import enrollment
from shared.contracts import partners as partner_contracts
from shared.envelope import Event
from shared.statistics import period_start, publish_closed_periods
from shared.uow import UnitOfWork
from testkit.city import SUMMER, City, token
from testkit.funds import members_discount
from testkit.kafka import publish_envelopes, read_all, wait_caught_up
from testkit.scenarios import child_enrolled, envelope
from tests.conftest import Stack
from tests.support.inprocess import in_process
from tests.support.polling import eventually

PERSONAL = re.compile(
    r"name|birth|phone|address|email|guardian|adult|contact|health|temperature|symptom|"
    r"child_id|member|code|channel|openid",
    re.IGNORECASE,
)
PERIOD_S = 20  # a short statistics period, so that one closes during the test
RETIRED = {"partner.enrolment", "partner.attendance", "partner.subsidy"}  # one event per child: microdata


def personal_fields(model: type[Event]) -> set[str]:
    """Every field name, nested ones included, that looks like personal data."""
    schema = model.model_json_schema()
    names = set(schema.get("properties", {}))
    for definition in schema.get("$defs", {}).values():
        names |= set(definition.get("properties", {}))
    return {n for n in names if PERSONAL.search(n)}


def partner_event_types() -> list[type[Event]]:
    return [m for m in Event.REGISTRY.values() if m.__module__ == partner_contracts.__name__]


def test_no_partner_event_type_carries_a_personal_field() -> None:
    assert len(partner_event_types()) >= 6
    for model in partner_event_types():
        assert personal_fields(model) == set(), model.TYPE


def test_the_scan_does_find_personal_fields_where_they_are() -> None:
    assert {"display_name", "child_id", "phone"} <= personal_fields(enrollment.ChildRegistered)


def on_the_hour(moment: str | int) -> bool:
    at = (
        dt.datetime.fromisoformat(moment)
        if isinstance(moment, str)
        else dt.datetime.fromtimestamp(moment / 1000, dt.UTC)
    )
    return (at.minute, at.second, at.microsecond) == (0, 0, 0)


async def test_two_insurers_cannot_join_their_records_of_one_booking(stack: Stack, start_service) -> None:
    service = await start_service("enrollment").wait_healthy()
    async with httpx.AsyncClient(base_url=service.url, timeout=30) as http:
        city = City(http)
        union = await city.union("伙伴测试工会")
        class_id = await city.klass(await city.network(union), days=SUMMER[:2])
        parent = city.parent(union)
        child = await city.child(parent, name="隐私小明")
        booking = (await city.book(parent, child["child_id"], class_id, days=SUMMER[:2])).json()
        await city.post(
            f"/bookings/{booking['booking_id']}/cancellation",
            {"days": [SUMMER[1].isoformat()]},
            parent.token,
            expect=200,
        )

    async def covers(partner: str) -> list:
        return [
            r
            for r in await read_all(stack.kafka, stack.topic(f"partner.{partner}.insurance"))
            if json.loads(r.value)["type"] == "partner.cover_needed"
            and json.loads(r.value)["data"]["union_id"] == str(union.union_id)
        ]

    (pingan_record,) = await eventually(lambda: covers("pingan"))
    (taiping_record,) = await eventually(lambda: covers("taiping"))
    pingan, taiping = json.loads(pingan_record.value), json.loads(taiping_record.value)
    assert pingan["data"]["pseudonym"] != taiping["data"]["pseudonym"], "not linkable across partners"
    assert uuid.UUID(child["child_id"]).hex not in (pingan["data"]["pseudonym"], taiping["data"]["pseudonym"])
    assert pingan["data"]["age_band"] == "9-12" and pingan["data"]["days"] == [d.isoformat() for d in SUMMER[:2]]

    # The stream is shared with other tests of the run, some of which publish garbage on purpose.
    internal = [
        json.loads(r.value)
        for r in await read_all(stack.kafka, stack.topic("enrollment.events"))
        if booking["booking_id"].encode() in (r.value or b"")
    ]
    (enrolled,) = [e for e in internal if e["type"] == "child.enrolled"]
    assert pingan["correlation_id"] != taiping["correlation_id"], "each partner's copy has its own correlation"
    assert enrolled["correlation_id"] not in (pingan["correlation_id"], taiping["correlation_id"])
    assert pingan["causation_id"] is None and taiping["causation_id"] is None
    assert pingan["event_id"] != taiping["event_id"] and enrolled["event_id"] not in (
        pingan["event_id"],
        taiping["event_id"],
    )
    assert pingan["key"] == pingan["data"]["pseudonym"] and taiping["key"] == taiping["data"]["pseudonym"]
    assert pingan_record.key != taiping_record.key
    for record, event in ((pingan_record, pingan), (taiping_record, taiping)):
        assert on_the_hour(event["occurred_at"]) and on_the_hour(record.timestamp), "times are coarse"
        assert dict(record.headers)["correlation_id"].decode() == event["correlation_id"]

    async def ended(partner: str, cover: dict) -> list[dict]:
        records = [
            json.loads(r.value) for r in await read_all(stack.kafka, stack.topic(f"partner.{partner}.insurance"))
        ]
        return [
            r
            for r in records
            if r["type"] == "partner.cover_ended" and r["data"]["pseudonym"] == cover["data"]["pseudonym"]
        ]

    (end,) = await eventually(lambda: ended("pingan", pingan))
    assert end["data"]["days"] == [SUMMER[1].isoformat()] and end["data"]["cover_id"] == pingan["data"]["cover_id"]
    assert end["correlation_id"] != pingan["correlation_id"] and end["causation_id"] is None
    for record in await read_all(stack.kafka, stack.topic("partner.pingan.insurance")):
        assert "隐私小明".encode() not in record.value and child["child_id"].encode() not in record.value


async def test_a_booking_promoted_from_the_waitlist_updates_the_one_cover_of_the_child(
    stack: Stack, start_service
) -> None:
    service = await start_service("enrollment").wait_healthy()
    async with httpx.AsyncClient(base_url=service.url, timeout=30) as http:
        city = City(http)
        union = await city.union("保险测试工会")
        class_id = await city.klass(await city.network(union), days=SUMMER[:2], capacity=1)
        first_parent, second_parent = city.parent(union), city.parent(union)
        first = await city.child(first_parent)
        second = await city.child(second_parent)
        holder = (await city.book(first_parent, first["child_id"], class_id, days=SUMMER[:1])).json()
        waiting = (await city.book(second_parent, second["child_id"], class_id, days=SUMMER[:2])).json()
        assert [d["state"] for d in waiting["days"]] == ["waitlisted", "confirmed"], waiting
        await city.post(f"/bookings/{holder['booking_id']}/cancellation", {}, first_parent.token, expect=200)

    async def records() -> list[dict]:
        return [json.loads(r.value) for r in await read_all(stack.kafka, stack.topic("partner.pingan.insurance"))]

    async def second_child_told_twice() -> list[dict]:
        found = await records()
        needed = [
            r
            for r in found
            if r["type"] == "partner.cover_needed"
            and r["data"]["union_id"] == str(union.union_id)
            and r["data"]["days"] == [SUMMER[1].isoformat()]
        ]
        if not needed:
            return []
        told = [r for r in found if r["data"]["pseudonym"] == needed[0]["data"]["pseudonym"]]
        return told if len(told) >= 2 else []

    needed, changed = await eventually(second_child_told_twice)
    assert needed["type"] == "partner.cover_needed" and changed["type"] == "partner.cover_changed", "one cover"
    assert changed["data"]["cover_id"] == needed["data"]["cover_id"]
    assert changed["data"]["days"] == [d.isoformat() for d in SUMMER[:2]]
    await asyncio.sleep(1)
    assert [r["type"] for r in await records() if r["data"]["pseudonym"] == needed["data"]["pseudonym"]] == [
        "partner.cover_needed",
        "partner.cover_changed",
    ]


async def a_fresh_period(needs_s: float, period_s: int = PERIOD_S) -> None:
    """Wait, if need be, for a statistics period with at least ``needs_s`` seconds left in it."""
    now = dt.datetime.now(dt.UTC)
    left = (period_start(now, period_s) + dt.timedelta(seconds=period_s) - now).total_seconds()
    if left < needs_s:
        await asyncio.sleep(left + 0.2)


async def cells_of(stack: Stack, union_id: uuid.UUID, measure: str) -> list[dict]:
    records = [json.loads(r.value) for r in await read_all(stack.kafka, stack.topic("partner.henan-stats.statistics"))]
    assert not [r for r in records if r["type"] in RETIRED], "no event per child"
    return [
        r
        for r in records
        if r["type"] == "partner.statistics_cell"
        and r["data"]["union_id"] == str(union_id)
        and r["data"]["measure"] == measure
    ]


def quiet_statistics(service: str) -> dict[str, str]:
    """The service's own timer publishes nothing during the test: the test calls the publisher."""
    return {f"{service.upper()}_STATISTICS_GRACE_S": str(30 * 86_400)}


def fast_statistics(service: str) -> dict[str, str]:
    return {f"{service.upper()}_STATISTICS_PERIOD_S": str(PERIOD_S), f"{service.upper()}_STATISTICS_GRACE_S": "1"}


async def test_a_statistics_office_gets_one_aggregate_per_cell_and_small_cells_suppressed(stack: Stack) -> None:
    """In-process: the period is closed by passing the publisher a later clock, not by waiting."""
    hour = 3600
    async with in_process(stack, "enrollment", **quiet_statistics("enrollment")) as service:
        city = City(service.http)
        union = await city.union("统计测试工会")
        class_id = await city.klass(await city.network(union), days=SUMMER[:2])
        families = []
        for category in ["regular"] * 5 + ["gig"] * 2:
            parent = city.parent(union)
            families.append((parent, await city.child(parent, category=category)))
        await a_fresh_period(needs_s=12, period_s=hour)
        await asyncio.gather(
            *(city.book(parent, child["child_id"], class_id, days=SUMMER[:2]) for parent, child in families)
        )

        async def publish(now: dt.datetime) -> int:
            async with UnitOfWork.begin(service.runtime.pool, service.runtime.outbox) as uow:
                return await publish_closed_periods(uow, now=now, period_s=hour, grace_s=60)

        async def published() -> list[dict]:
            return [
                e
                for e in await service.envelopes("partner.statistics_cell")
                if e["data"]["union_id"] == str(union.union_id) and e["data"]["measure"] == "enrolled"
            ]

        await publish(dt.datetime.now(dt.UTC))  # periods already over go out; the bookings' period is open
        assert await published() == [], "nothing before the period is over"
        later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=hour + 60)
        assert await publish(later) >= 2
        assert await publish(later + dt.timedelta(seconds=60)) == 0, "each period goes out once"
        sent = await published()
    cells = {c["data"]["priority_group"]: c for c in sent}
    assert len(sent) == len(cells) == 2, sent
    regular, gig = cells["regular"]["data"], cells["gig"]["data"]
    assert (regular["suppressed"], regular["children"], regular["class_type"]) == (False, 5, "school_age")
    assert (gig["suppressed"], gig["children"], gig["amount_fen"]) == (True, None, None), "fewer than 5: no numbers"
    start, end = dt.datetime.fromisoformat(regular["period_start"]), dt.datetime.fromisoformat(regular["period_end"])
    assert end - start == dt.timedelta(seconds=hour) and start == period_start(start, hour)
    assert regular["period_start"] == gig["period_start"]
    for cell in cells.values():
        assert on_the_hour(cell["occurred_at"]) and cell["causation_id"] is None


async def test_a_redelivered_enrolment_counts_once_in_the_subsidy_statistics(stack: Stack, start_service) -> None:
    union_id = uuid.uuid4()
    service = await start_service("subsidy", **fast_statistics("subsidy")).wait_healthy()
    await members_discount(service.url, token("union_staff", union_id=union_id), percent_bp=1500)
    bookings = [
        envelope(
            child_enrolled(child_id=uuid.uuid4(), union_path=(union_id,), days=list(SUMMER[:2]), fee_per_day_fen=5000)
        )
        for _ in range(5)
    ]
    topic = stack.topic("enrollment.events")
    await a_fresh_period(needs_s=12)
    await publish_envelopes(stack.kafka, topic, bookings)
    await publish_envelopes(stack.kafka, topic, bookings)  # delivered again: the same events
    await wait_caught_up(stack.kafka, stack.group("subsidy"), topic)

    (approved,) = await eventually(lambda: cells_of(stack, union_id, "subsidy_approved"), timeout=PERIOD_S * 3)
    assert approved["data"]["priority_group"] == "regular" and not approved["data"]["suppressed"]
    assert (approved["data"]["children"], approved["data"]["amount_fen"]) == (5, 5 * 1500)
