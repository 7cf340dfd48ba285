"""Union staff inspect a site with a checklist; failed items become findings with deadlines,
tracked until staff of that part of the union tree close them with a note of what was fixed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from shared.timezones import local_today
from testkit.city import City, Network, token
from tests.support.inprocess import InProcess


def checklist(inspected_on: dt.date, *failed: tuple[str, str, dt.date]) -> list[dict[str, Any]]:
    """Every area passed, but the ``failed`` (area, item, fix_by) items."""
    passed = [
        ("environment", "活动室通风采光"),
        ("catering_hygiene", "留样冰箱 48 小时留样"),
        ("safety", "消防通道畅通"),
        ("staff_present", "2+1+N 人员在岗"),
    ]
    return [
        *({"area": a, "item": i, "passed": True, "note": "合格"} for a, i in passed),
        *(
            {"area": a, "item": i, "passed": False, "note": "现场发现问题", "fix_by": f.isoformat()}
            for a, i, f in failed
        ),
    ]


async def _inspect(
    city: City, network: Network, staff: str, on: dt.date, *failed: tuple[str, str, dt.date]
) -> dict[str, Any]:
    body = {"site_id": str(network.hub_id), "inspected_on": on.isoformat(), "items": checklist(on, *failed)}
    return (await city.post("/inspections", body, staff)).json()


async def test_an_inspection_finding_is_tracked_until_closed(enrollment: InProcess, city: City) -> None:
    today = local_today()
    xinxiang = await city.union("新乡市总工会")
    district = await city.union("红旗区总工会", level="district", parent=xinxiang)
    network = await city.network(district)
    last_week = today - dt.timedelta(days=7)
    recorded = await _inspect(
        city,
        network,
        xinxiang.staff,
        last_week,
        ("catering_hygiene", "留样记录不全", today - dt.timedelta(days=1)),
        ("safety", "灭火器过期", today + dt.timedelta(days=7)),
    )
    assert [(f["area"], f["item"]) for f in recorded["findings"]] == [
        ("catering_hygiene", "留样记录不全"),
        ("safety", "灭火器过期"),
    ]
    late, pending = (f["finding_id"] for f in recorded["findings"])

    open_ = (await city.get(f"/unions/{xinxiang.union_id}/findings", xinxiang.staff)).json()
    assert [(f["finding_id"], f["overdue"]) for f in open_["findings"]] == [(late, True), (pending, False)]
    assert open_["overdue"] == 1 and {f["site_id"] for f in open_["findings"]} == {str(network.hub_id)}

    closed = await city.post(
        f"/findings/{late}/closure", {"note": "已补全留样记录并培训厨师"}, district.staff, expect=200
    )
    assert closed.json()["fixed_note"] == "已补全留样记录并培训厨师"
    again = await city.post(f"/findings/{late}/closure", {"note": "再次关闭"}, district.staff, expect=409)
    assert again.json()["reasons"][0]["reason"].startswith("the finding was closed already, at ")

    still_open = (await city.get(f"/unions/{district.union_id}/findings", district.staff)).json()
    assert [f["finding_id"] for f in still_open["findings"]] == [pending] and still_open["overdue"] == 0
    done = (await city.get(f"/unions/{district.union_id}/findings", district.staff, state="closed")).json()
    assert [(f["finding_id"], f["state"], f["overdue"]) for f in done["findings"]] == [(late, "closed", False)]

    inspection = (
        await city.get(
            f"/inspections/{recorded['inspection_id']}", token("provider_staff", provider_id=network.provider_id)
        )
    ).json()  # the provider sees what it must fix
    assert inspection["inspected_on"] == last_week.isoformat() and len(inspection["items"]) == 6
    assert {f["finding_id"]: f["state"] for f in inspection["findings"]} == {late: "closed", pending: "open"}
    (recorded_event,) = await enrollment.emitted("inspection.recorded", inspection_id=recorded["inspection_id"])
    assert recorded_event["site_id"] == str(network.hub_id)
    assert recorded_event["union_path"] == [str(xinxiang.union_id), str(district.union_id)]
    assert [f["finding_id"] for f in recorded_event["findings"]] == [late, pending], "the site's lead is told these"
    (closed_event,) = await enrollment.emitted("finding.closed", finding_id=late)
    assert closed_event["late"] is True and closed_event["site_id"] == str(network.hub_id)
    audited = await enrollment.runtime.pool.fetch(
        "SELECT action FROM audit_log WHERE target->>'finding_id' = $1 ORDER BY at", late
    )
    assert [r["action"] for r in audited] == ["POST /findings/{finding_id}/closure"] * 2, "closed, then refused"


async def test_a_checklist_must_cover_every_area_and_a_failed_item_needs_a_note_and_deadline(city: City) -> None:
    network = await city.network(await city.union("焦作市总工会"))
    today = local_today()
    staff = network.union.staff
    whole = checklist(today)

    def body(items: list[dict[str, Any]], on: dt.date = today) -> dict[str, Any]:
        return {"site_id": str(network.hub_id), "inspected_on": on.isoformat(), "items": items}

    cases = {
        "no staff_present item": [*whole[:3], {**whole[0], "item": "厕所清洁"}],
        "a failed item without a deadline": [
            *whole,
            {"area": "safety", "item": "插座无保护", "passed": False, "note": "x"},
        ],
        "a failed item without a note": [
            *whole,
            {"area": "safety", "item": "插座无保护", "passed": False, "fix_by": today.isoformat()},
        ],
        "a deadline before the inspection": [
            *whole,
            {"area": "safety", "item": "插座", "passed": False, "note": "x", "fix_by": "2020-01-01"},
        ],
        "a passed item with a deadline": [{**whole[0], "fix_by": today.isoformat()}, *whole[1:]],
        "an unknown area": [*whole, {"area": "parking", "item": "车位", "passed": True}],
    }
    for label, items in cases.items():
        refused = await city.post("/inspections", body(items), staff, expect=422)
        assert refused.json()["reasons"], label
    tomorrow = today + dt.timedelta(days=1)
    future = await city.post("/inspections", body(whole, tomorrow), staff, expect=422)
    assert future.json()["reasons"][0]["field"] == "inspected_on"
    unknown = {**body(whole), "site_id": str(uuid.uuid4())}
    await city.post("/inspections", unknown, staff, expect=404)
    await city.post("/findings/" + str(uuid.uuid4()) + "/closure", {"note": "已整改"}, staff, expect=404)
    await city.post("/findings/" + str(uuid.uuid4()) + "/closure", {"note": ""}, staff, expect=422)


async def test_only_union_staff_of_the_sites_part_of_the_tree_inspect_it_and_close_its_findings(city: City) -> None:
    today = local_today()
    zhengzhou = await city.union("郑州市总工会")
    jinshui = await city.union("金水区总工会", level="district", parent=zhengzhou)
    erqi = await city.union("二七区总工会", level="district", parent=zhengzhou)
    network = await city.network(jinshui)
    elsewhere = await city.network(erqi)
    provider = token("provider_staff", provider_id=network.provider_id)
    parent = city.parent(jinshui).token
    body = {"site_id": str(network.hub_id), "inspected_on": today.isoformat(), "items": checklist(today)}
    for outsider in (erqi.staff, provider, parent):
        await city.post("/inspections", body, outsider, expect=403)

    fix_by = today + dt.timedelta(days=3)
    mine = await _inspect(city, network, jinshui.staff, today, ("environment", "墙面脱落", fix_by))
    theirs = await _inspect(city, elsewhere, erqi.staff, today, ("safety", "门禁损坏", fix_by))
    finding = mine["findings"][0]["finding_id"]
    for outsider in (erqi.staff, provider, parent):
        await city.post(f"/findings/{finding}/closure", {"note": "已修复"}, outsider, expect=403)
    listed = (await city.get(f"/unions/{jinshui.union_id}/findings", jinshui.staff)).json()["findings"]
    assert [f["finding_id"] for f in listed] == [finding], "a sibling district's findings stay out"
    above = (await city.get(f"/unions/{zhengzhou.union_id}/findings", zhengzhou.staff)).json()["findings"]
    assert {f["finding_id"] for f in above} == {finding, theirs["findings"][0]["finding_id"]}
    for outsider in (erqi.staff, provider, parent):
        assert (await city.get(f"/unions/{jinshui.union_id}/findings", outsider)).status_code == 403
    reads = f"/inspections/{mine['inspection_id']}"
    for outsider in (erqi.staff, token("provider_staff", provider_id=elsewhere.provider_id), parent):
        assert (await city.get(reads, outsider)).status_code == 403
    await city.post(f"/findings/{finding}/closure", {"note": "已修复墙面"}, zhengzhou.staff, expect=200)
