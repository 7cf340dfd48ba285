"""Input a newcomer might type that means nothing is refused with 422 and the field that is wrong."""

from __future__ import annotations

import datetime as dt
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
