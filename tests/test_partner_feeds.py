"""Partners see only what they are entitled to: pseudonyms, age bands, no personal data."""

from __future__ import annotations

import json
import re
import uuid

import httpx

from deploy.city import SUMMER, City
from shared.contracts import enrollment, partners as partner_contracts
from shared.envelope import Event
from tests.conftest import Stack
from tests.support.kafka import read_all
from tests.support.polling import eventually

PERSONAL = re.compile(r"name|birth|phone|address|email|guardian|adult|contact|health|temperature|symptom|"
                      r"child_id|member|code|channel|openid", re.IGNORECASE)


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
    assert len(partner_event_types()) >= 5
    for model in partner_event_types():
        assert personal_fields(model) == set(), model.TYPE


def test_the_scan_does_find_personal_fields_where_they_are() -> None:
    assert {"display_name", "child_id", "phone"} <= personal_fields(enrollment.ChildRegistered)


async def test_insurers_get_unlinkable_pseudonyms_and_statistics_get_counts(stack: Stack, start_service) -> None:
    service = await start_service("enrollment").wait_healthy()
    async with httpx.AsyncClient(base_url=service.url, timeout=30) as http:
        city = City(http)
        union = await city.union("伙伴测试工会")
        class_id = await city.klass(await city.network(union), days=SUMMER[:2])
        parent = city.parent(union)
        child = await city.child(parent, name="隐私小明")
        booking = (await city.book(parent, child["child_id"], class_id, days=SUMMER[:2])).json()
        await city.post(f"/bookings/{booking['booking_id']}/cancellation", {"days": [SUMMER[1].isoformat()]},
                        parent.token, expect=200)

    async def covers(partner: str) -> list[dict]:
        records = [json.loads(r.value) for r in await read_all(stack.kafka, stack.topic(f"partner.{partner}.insurance"))]
        needed = [r for r in records
                  if r["type"] == "partner.cover_needed" and r["data"]["union_id"] == str(union.union_id)]
        return needed

    (pingan,) = await eventually(lambda: covers("pingan"))
    (taiping,) = await eventually(lambda: covers("taiping"))
    assert pingan["data"]["pseudonym"] != taiping["data"]["pseudonym"], "not linkable across partners"
    assert uuid.UUID(child["child_id"]).hex not in (pingan["data"]["pseudonym"], taiping["data"]["pseudonym"])
    assert pingan["data"]["age_band"] == "9-12" and pingan["data"]["days"] == [d.isoformat() for d in SUMMER[:2]]
    assert pingan["key"] == pingan["data"]["pseudonym"]

    async def ended(partner: str, cover: dict) -> list[dict]:
        records = [json.loads(r.value) for r in await read_all(stack.kafka, stack.topic(f"partner.{partner}.insurance"))]
        return [r for r in records if r["type"] == "partner.cover_ended"
                and r["data"]["pseudonym"] == cover["data"]["pseudonym"]]

    (end,) = await eventually(lambda: ended("pingan", pingan))
    assert end["data"]["days"] == [SUMMER[1].isoformat()] and end["data"]["cover_id"] == pingan["data"]["cover_id"]
    for record in await read_all(stack.kafka, stack.topic("partner.pingan.insurance")):
        assert "隐私小明".encode() not in record.value and child["child_id"].encode() not in record.value

    async def counted() -> list[dict]:
        records = [json.loads(r.value) for r in await read_all(stack.kafka, stack.topic("partner.henan-stats.statistics"))]
        return [r for r in records if r["data"].get("union_id") == str(union.union_id)]

    (enrolment,) = await eventually(counted)
    assert enrolment["type"] == "partner.enrolment"
    assert {k: enrolment["data"][k] for k in ("priority_group", "age_band", "class_type", "days")} == {
        "priority_group": "regular", "age_band": "9-12", "class_type": "school_age", "days": 2}
    assert set(enrolment["data"]) == {"union_id", "priority_group", "age_band", "class_type", "days"}
