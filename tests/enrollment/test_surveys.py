"""Surveys: a demand survey before a programme opens, its answers counted by area, age and week for
union staff; a satisfaction survey after a term, by class and provider. A family sees only its own."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from shared.timezones import local_today
from testkit.city import SUMMER, City, Parent, Union
from tests.support.inprocess import InProcess

AREAS = ["青山区", "洪山区", "江岸区"]


async def _open(city: City, union: Union, **fields: Any) -> str:
    body = {"union_id": str(union.union_id), "title": "暑期托管需求调查", "closes_on": str(local_today()), **fields}
    return (await city.post("/surveys", body, union.staff)).json()["survey_id"]


def _demand(area: str, ages: list[int], weeks: list[str]) -> dict[str, Any]:
    return {"kind": "demand", "area": area, "children_ages": ages, "weeks": weeks}


async def test_a_demand_survey_tells_union_staff_where_how_old_and_when_children_need_care(city: City) -> None:
    wuhan = await city.union("武汉市总工会")
    steel = await city.union("武钢工会", level="industry", parent=wuhan)
    survey = await _open(city, steel, kind="demand", areas=AREAS)
    families = [
        ("青山区", [7, 9], ["2027-W27", "2027-W28"]),
        ("青山区", [7], ["2027-W28"]),
        ("洪山区", [3], ["2027-W28", "2027-W29"]),
    ]
    parents = [city.parent(steel) for _ in families]
    for parent, (area, ages, weeks) in zip(parents, families, strict=True):
        await city.post(f"/surveys/{survey}/answers", _demand(area, ages, weeks), parent.token)

    results = (await city.get(f"/surveys/{survey}/results", wuhan.staff)).json()
    assert results == {
        "survey_id": survey,
        "kind": "demand",
        "answers": 3,
        "by_area": [
            {"area": "洪山区", "families": 1, "children": 1},
            {"area": "青山区", "families": 2, "children": 3},
        ],
        "by_age": [{"age": 3, "children": 1}, {"age": 7, "children": 2}, {"age": 9, "children": 1}],
        "by_week": [
            {"week": "2027-W27", "families": 1},
            {"week": "2027-W28", "families": 3},
            {"week": "2027-W29", "families": 1},
        ],
    }
    mine = (await city.get(f"/surveys/{survey}/answers/mine", parents[0].token)).json()
    assert [(a["area"], a["children_ages"]) for a in mine["answers"]] == [("青山区", [7, 9])], "only their own"
    assert (await city.get(f"/surveys/{survey}/results", parents[0].token)).status_code == 403
    again = await city.post(
        f"/surveys/{survey}/answers", _demand("青山区", [7], ["2027-W30"]), parents[0].token, expect=409
    )
    assert again.json()["reasons"][0]["reason"] == "you answered this survey already"


async def test_a_demand_answer_must_fit_the_survey_and_come_from_its_part_of_the_tree(city: City) -> None:
    wuhan = await city.union("武汉市总工会")
    steel = await city.union("武钢工会", level="industry", parent=wuhan)
    rail = await city.union("武汉铁路工会", level="industry", parent=wuhan)
    survey = await _open(city, steel, kind="demand", areas=AREAS)
    parent = city.parent(steel)
    answers = f"/surveys/{survey}/answers"
    for bad, field in (
        (_demand("汉阳区", [7], ["2027-W28"]), "area"),
        (_demand("青山区", [18], ["2027-W28"]), "children_ages"),
        (_demand("青山区", [7], ["2027-W99"]), "weeks"),
        (_demand("青山区", [], ["2027-W28"]), "children_ages"),
        ({"kind": "satisfaction", "class_id": str(uuid.uuid4()), "rating": 5}, "kind"),
    ):
        refused = await city.post(answers, bad, parent.token, expect=422)
        assert refused.json()["reasons"][0]["field"].endswith(field), (bad, refused.json())
    fine = _demand("青山区", [7], ["2027-W28"])
    await city.post(answers, fine, city.parent(rail).token, expect=403)
    await city.post(answers, fine, steel.staff, expect=403)
    await city.post(f"/surveys/{uuid.uuid4()}/answers", fine, parent.token, expect=404)
    assert (await city.get(f"/surveys/{survey}/results", rail.staff)).status_code == 403
    assert (await city.get(f"/surveys/{survey}", parent.token)).json()["areas"] == AREAS
    for bad_survey in (
        {"kind": "demand"},  # no areas
        {"kind": "demand", "areas": ["青山区", "青山区"]},
        {"kind": "satisfaction", "areas": AREAS},
        {"kind": "demand", "areas": AREAS, "closes_on": str(local_today() - dt.timedelta(days=1))},
    ):
        body = {"union_id": str(steel.union_id), "title": "调查", "closes_on": str(local_today()), **bad_survey}
        await city.post("/surveys", body, steel.staff, expect=422)
    sibling_survey = {"union_id": str(steel.union_id), "title": "调查", "closes_on": str(local_today())}
    await city.post("/surveys", {**sibling_survey, "kind": "demand", "areas": AREAS}, rail.staff, expect=403)


async def test_a_survey_takes_no_answers_after_it_closed(enrollment: InProcess, city: City) -> None:
    union = await city.union("信阳市总工会")
    survey = await _open(city, union, kind="demand", areas=AREAS)
    yesterday = local_today() - dt.timedelta(days=1)
    await enrollment.runtime.pool.execute(
        "UPDATE surveys SET closes_on = $2 WHERE survey_id = $1", uuid.UUID(survey), yesterday
    )
    late = await city.post(
        f"/surveys/{survey}/answers", _demand("青山区", [5], ["2027-W28"]), city.parent(union).token, expect=409
    )
    assert late.json()["reasons"] == [{"field": "survey_id", "reason": f"the survey closed on {yesterday}"}]


async def test_a_satisfaction_survey_after_a_term_rates_each_class_and_provider(city: City) -> None:
    xinxiang = await city.union("新乡市总工会")
    network = await city.network(xinxiang)
    day_care = await city.klass(network, days=SUMMER[:2])
    boarding = await city.klass(network, days=SUMMER[:2], site_id=network.satellite_ids[0])
    families: list[tuple[Parent, str]] = []
    for class_id in (day_care, day_care, boarding):
        parent = city.parent(xinxiang)
        child = (await city.child(parent))["child_id"]
        await city.book(parent, child, class_id, days=SUMMER[:1])
        families.append((parent, str(class_id)))
    survey = await _open(city, xinxiang, kind="satisfaction", programme_id=str(network.programme_id), title="满意度")
    for (parent, class_id), rating in zip(families, (5, 4, 2), strict=True):
        body = {"kind": "satisfaction", "class_id": class_id, "rating": rating, "comment": "老师很负责"}
        await city.post(f"/surveys/{survey}/answers", body, parent.token)

    results = (await city.get(f"/surveys/{survey}/results", xinxiang.staff)).json()
    by_class = {r["class_id"]: (r["answers"], r["mean"], r["scores"]) for r in results["by_class"]}
    none = {str(s): 0 for s in range(1, 6)}
    assert by_class == {
        str(day_care): (2, 4.5, {**none, "4": 1, "5": 1}),
        str(boarding): (1, 2.0, {**none, "2": 1}),
    }
    assert [(p["provider_id"], p["answers"], p["mean"]) for p in results["by_provider"]] == [
        (str(network.provider_id), 3, 3.67)
    ]
    # Only a family whose child attended rates a class, once.
    stranger = city.parent(xinxiang)
    body = {"kind": "satisfaction", "class_id": str(day_care), "rating": 1}
    await city.post(f"/surveys/{survey}/answers", body, stranger.token, expect=403)
    await city.post(f"/surveys/{survey}/answers", body, families[0][0].token, expect=409)
    other_programme = await city.network(xinxiang)
    elsewhere = await city.klass(other_programme)
    wrong = {"kind": "satisfaction", "class_id": str(elsewhere), "rating": 3}
    await city.post(f"/surveys/{survey}/answers", wrong, families[0][0].token, expect=422)
    mine = (await city.get(f"/surveys/{survey}/answers/mine", families[2][0].token)).json()["answers"]
    assert [(a["class_id"], a["rating"]) for a in mine] == [(str(boarding), 2)]
