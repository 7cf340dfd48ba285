"""Input a newcomer might type that means nothing is refused with 422 and the field that is wrong;
a request without a key or a token, or about nothing that exists, is told so (4xx with reasons)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest

from shared.timezones import local_today
from testkit.city import SUMMER, City, class_body, registration

TODAY = local_today()


def child(**changes: Any) -> dict[str, Any]:
    body = registration()
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = body
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (child(display_name="   "), "display_name"),
        (child(birth_date="1850-03-01"), "birth_date"),
        (child(birth_date=(TODAY + dt.timedelta(days=30)).isoformat()), "birth_date"),
        (child(guardians__0__channels=[{"kind": "email", "address": "not-an-email"}]), "channels"),
        (child(emergency_contact={"display_name": "王奶奶", "phone": "hello"}), "emergency_contact"),
    ],
    ids=["name-of-spaces", "born-1850", "born-next-month", "email-not-an-email", "phone-hello"],
)
async def test_a_child_that_cannot_be_real_is_refused(city: City, body: dict, field: str) -> None:
    union = await city.union("郑州市总工会")
    refused = await city.post("/children", body, city.parent(union).token, expect=422)
    assert any(field in r["field"] for r in refused.json()["reasons"]), refused.json()


async def test_availability_from_after_to_is_refused(city: City) -> None:
    union = await city.union("郑州市总工会")
    class_id = await city.klass(await city.network(union))
    answer = await city.get(f"/classes/{class_id}/availability", union.staff, **{"from": SUMMER[4], "to": SUMMER[0]})
    assert answer.status_code == 422
    assert answer.json()["reasons"] == [{"field": "from", "reason": "from is after to"}]


async def test_a_class_whose_days_are_all_past_is_refused(city: City) -> None:
    union = await city.union("郑州市总工会")
    network = await city.network(union, starts_on=dt.date(2026, 7, 6), ends_on=SUMMER[-1])
    body = class_body(network, days=[dt.date(2026, 7, 6), dt.date(2026, 7, 7)])
    refused = await city.post("/classes", body, union.staff, expect=422)
    assert [r["field"] for r in refused.json()["reasons"]] == ["days"], refused.json()


async def test_malformed_requests_get_4xx_with_field_reasons(city: City) -> None:
    http = city.http
    union = await city.union("郑州市总工会")
    network = await city.network(union)
    bad_class = {
        "programme_id": str(network.programme_id),
        "site_id": "not-a-uuid",
        "name": "",
        "class_type": "teenagers",
        "capacity_per_day": 0,
        "days": [],
        "booking_mode": "day",
        "fee_per_day_fen": 1.5,
        "registration_opens_at": "2026-06-01T08:00:00",
    }
    invalid = await city.post("/classes", bad_class, union.staff, expect=None)
    not_json = await http.post(
        "/classes",
        content=b"{oops",
        headers={
            "Authorization": f"Bearer {union.staff}",
            "Idempotency-Key": f"bad-{uuid.uuid4()}",
            "Content-Type": "application/json",
        },
    )
    no_key = await http.post(
        "/unions",
        json={"name": "x", "level": "district", "parent_id": str(union.union_id)},
        headers={"Authorization": f"Bearer {union.staff}"},
    )
    no_token = await http.get(f"/unions/{union.union_id}/figures")
    forged = await http.get(f"/unions/{union.union_id}/figures", headers={"Authorization": "Bearer forged.token.x"})
    missing = await city.get(f"/classes/{uuid.uuid4()}", union.staff)
    not_a_uuid = await city.get("/classes/42", union.staff)

    assert invalid.status_code == 422
    fields = {r["field"] for r in invalid.json()["reasons"]}
    assert {
        "site_id",
        "name",
        "class_type",
        "capacity_per_day",
        "days",
        "fee_per_day_fen",
        "registration_opens_at",
    } <= fields
    assert not_json.status_code == 422
    assert no_key.status_code == 422 and no_key.json()["reasons"][0]["field"] == "header.Idempotency-Key"
    assert no_token.status_code == 401 and forged.status_code == 401
    assert missing.status_code == 404 and missing.json()["reasons"][0]["field"] == "class_id"
    assert not_a_uuid.status_code == 422


async def test_a_value_postgres_cannot_store_is_a_422_not_a_500(city: City) -> None:
    """Found by the fuzzer: a NUL character inside a string."""
    union = await city.union("郑州市总工会")
    parent = city.parent(union)
    answer = await city.post(
        "/children",
        {
            "display_name": "小\u0000明",
            "birth_date": "2018-03-14",
            "guardians": [
                {
                    "display_name": "王芳",
                    "employment_category": "regular",
                    "channels": [{"kind": "inapp", "address": "app"}],
                }
            ],
        },
        parent.token,
        expect=None,
    )
    assert answer.status_code == 422
    assert "cannot be stored" in answer.json()["reasons"][0]["reason"]
