"""Staffing by role: a site's rule says which roles a class needs (Xinxiang's 2+1+N, Wuhan's lead,
health worker and guard), the duty view shows what is missing, and each missing role or lapsed
qualification is raised once, through the outbox, for the site lead and the union."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid

from testkit.city import token
from tests.attendance.conftest import SiteDay, today
from tests.support.inprocess import InProcess

XINXIANG_2_1_N = {
    "roles": [
        {"role": "teacher", "per_class": 2, "qualifications": ["teacher_certificate"]},
        {"role": "floater", "per_class": 1},
        {"role": "helper", "per_children": 10, "qualifications": ["health_certificate"]},
    ]
}
WUHAN = {
    "class_type": "school_age",
    "roles": [
        {"role": "lead", "per_class": 1, "qualifications": ["teacher_certificate"]},
        {"role": "health worker", "per_class": 1, "qualifications": ["health_certificate", "first_aid"]},
        {"role": "guard", "per_class": 1},
    ],
}
VALID = (today() + dt.timedelta(days=365)).isoformat()


def held(*kinds: str, expires_on: str = VALID) -> list[dict]:
    return [{"kind": k, "expires_on": expires_on} for k in kinds]


async def on_duty(site: SiteDay, name: str, role: str, qualifications: list[dict] | None = None) -> None:
    answer = await site.post(
        f"/classes/{site.class_id}/days/{today()}/staff",
        {"staff_name": name, "role": role, "qualifications": qualifications or []},
    )
    assert answer.status_code == 201, answer.text


async def rule(site: SiteDay, body: dict, bearer: str | None = None) -> int:
    answer = await site.post(f"/sites/{site.site_id}/staffing-rule", body, bearer, method="PUT")
    return answer.status_code


async def test_a_xinxiang_class_below_2_plus_1_plus_n_raises_each_missing_role_once(
    site: SiteDay, attendance: InProcess
) -> None:
    for _ in range(11):  # 11 children: two helpers (one per 10)
        child = await site.book_child()
    assert await rule(site, XINXIANG_2_1_N) == 200
    await on_duty(site, "李老师", "teacher", held("teacher_certificate"))
    await on_duty(site, "张阿姨", "Helper", held("health_certificate"))
    assert (await site.check_in(child.child_id)).status_code == 201  # the class starts; nothing new is raised

    duty = (await site.get(f"/classes/{site.class_id}/duty/{today()}")).json()
    assert duty["children_booked"] == 11
    assert duty["missing_roles"] == ["teacher", "floater", "helper"]
    assert duty["roles"] == [
        {"role": "teacher", "required": 2, "on_duty": 1, "missing": True},
        {"role": "floater", "required": 1, "on_duty": 0, "missing": True},
        {"role": "helper", "required": 2, "on_duty": 1, "missing": True},
    ]
    missing = await attendance.emitted("staffing.role_missing", class_id=site.class_id)
    # raised when the first teacher was recorded alone; the helper who came next did not fill the role
    assert sorted((m["role"], m["required"], m["on_duty"]) for m in missing) == [
        ("floater", 1, 0),
        ("helper", 2, 0),
        ("teacher", 2, 1),
    ]
    assert {(m["site_id"], m["union_id"], m["children"]) for m in missing} == {
        (str(site.site_id), str(site.union_path[-1]), 11)
    }

    await on_duty(site, "王老师", "teacher", held("teacher_certificate"))
    await on_duty(site, "赵老师", "floater")
    await on_duty(site, "赵老师", "floater")  # recorded again: no second event
    filled = await attendance.emitted("staffing.role_filled", class_id=site.class_id)
    assert sorted(f["role"] for f in filled) == ["floater", "teacher"]
    assert len(await attendance.emitted("staffing.role_missing", class_id=site.class_id)) == 3
    duty = (await site.get(f"/classes/{site.class_id}/duty/{today()}")).json()
    assert duty["missing_roles"] == ["helper"]


async def test_an_expired_or_missing_certificate_is_raised_once_per_member_of_staff(
    site: SiteDay, attendance: InProcess
) -> None:
    await site.book_child()
    assert await rule(site, WUHAN) == 200
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    await on_duty(site, "陈校长", "lead", held("teacher_certificate"))
    await on_duty(site, "刘医生", "health worker", held("health_certificate", expires_on=yesterday))
    await on_duty(site, "刘医生", "health worker", held("health_certificate", expires_on=yesterday))
    await on_duty(site, "老周", "guard")

    lapsed = await attendance.emitted("staffing.qualification_expired", class_id=site.class_id)
    assert sorted((e["staff_name"], e["qualification"], e["expires_on"]) for e in lapsed) == [
        ("刘医生", "first_aid", None),
        ("刘医生", "health_certificate", yesterday),
    ]
    duty = (await site.get(f"/classes/{site.class_id}/duty/{today()}")).json()
    assert duty["missing_roles"] == []
    assert [q["qualification"] for q in duty["lapsed_qualifications"]] == ["health_certificate", "first_aid"]
    assert duty["staff_on_duty"][0] == {
        "staff_name": "刘医生",
        "role": "health worker",
        "qualifications": [{"kind": "health_certificate", "expires_on": yesterday}],
    }


async def test_a_class_types_own_rule_comes_before_the_sites_rule(site: SiteDay) -> None:
    await site.book_child()
    assert await rule(site, XINXIANG_2_1_N) == 200
    assert await rule(site, {**WUHAN, "class_type": "infant"}) == 200  # another class type's rule
    duty = (await site.get(f"/classes/{site.class_id}/duty/{today()}")).json()
    assert [r["role"] for r in duty["roles"]] == ["teacher", "floater", "helper"]
    assert await rule(site, WUHAN) == 200  # school age, this class's type
    duty = (await site.get(f"/classes/{site.class_id}/duty/{today()}")).json()
    assert duty["missing_roles"] == ["lead", "health worker", "guard"]


async def test_a_staffing_rule_is_set_by_the_sites_provider_or_union_staff_above_it(site: SiteDay) -> None:
    await site.book_child()
    above, outside = token("union_staff", union_id=site.union_path[-1]), token("union_staff", union_id=uuid.uuid4())
    assert await rule(site, WUHAN, above) == 200
    assert await rule(site, WUHAN, outside) == 403
    assert await rule(site, WUHAN, token("provider_staff", provider_id=uuid.uuid4())) == 403
    assert await rule(site, WUHAN, token("parent", member_id=uuid.uuid4(), union_id=uuid.uuid4())) == 403
    assert (await site.get(f"/classes/{site.class_id}/duty/{today()}", outside)).status_code == 403
    nobody = await site.post(f"/sites/{uuid.uuid4()}/staffing-rule", WUHAN, method="PUT")
    assert nobody.status_code == 404


async def test_a_rule_that_asks_for_nobody_or_names_a_role_twice_is_refused_with_reasons(site: SiteDay) -> None:
    await site.book_child()
    for body, reason in (
        ({"roles": [{"role": "teacher"}]}, "per_class or per_children"),
        ({"roles": [{"role": "teacher", "per_class": 1}, {"role": "teacher", "per_class": 2}]}, "once"),
        ({"roles": []}, "at least 1"),
        ({"roles": [{"role": "nurse", "per_class": 1, "qualifications": ["driving_licence"]}]}, "first_aid"),
    ):
        answer = await site.post(f"/sites/{site.site_id}/staffing-rule", body, method="PUT")
        assert answer.status_code == 422, body
        assert reason in answer.text


async def test_staff_recorded_at_once_raise_the_missing_role_once_and_fill_it_once(
    site: SiteDay, attendance: InProcess
) -> None:
    await site.book_child()
    assert await rule(site, {"roles": [{"role": "teacher", "per_class": 2}]}) == 200
    await asyncio.gather(*(on_duty(site, f"老师{i}", "teacher") for i in range(5)))
    # Each review counts under the class-day's lock: the first sees one teacher, the second two.
    missing = await attendance.emitted("staffing.role_missing", class_id=site.class_id)
    filled = await attendance.emitted("staffing.role_filled", class_id=site.class_id)
    assert [(m["required"], m["on_duty"]) for m in missing] == [(2, 1)]
    assert [(f["required"], f["on_duty"]) for f in filled] == [(2, 2)]
