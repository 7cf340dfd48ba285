"""Enrollment's commands, role by role (the table's roles: tests/test_access_matrix.py), with
enrollment in the test's process: every POST, and exactly who may send it."""

from __future__ import annotations

import uuid

from shared.timezones import local_today
from testkit.city import SUMMER, City, Parent, Union, class_body, contract_body, registration
from tests.test_access_matrix import ROLES, STAFF, Table, assert_matrix, call, expect, settle_town


async def _no_fund(union: Union) -> str:
    return ""  # subsidy is not running: its funds are the matrix's whole-process tests' business


async def test_enrollment_commands_are_open_to_exactly_the_entitled(city: City) -> None:
    town = await settle_town(city, {"enrollment": ""}, _no_fund)
    e, u, network = town.url["enrollment"], str(town.inside.union_id), town.network
    courier = await city.post(  # parent_own's second child, a courier's whose claim waits for staff
        "/children", registration(category="gig"), town.bearer["parent_own"]
    )
    claim = await city.post(
        f"/children/{courier.json()['child_id']}/priority-claims",
        {"category": "gig", "evidence": "平台骑手证明 编号 0001"},
        town.bearer["parent_own"],
    )
    claim_url = f"{e}/priority-claims/{claim.json()['claim_id']}/decision"
    booking_of = town.bookings["admin"]
    luoyang = await city.union("洛阳市总工会")
    foreign = (
        await city.post("/providers", {"union_id": str(luoyang.union_id), "name": "别家教育"}, luoyang.staff)
    ).json()["provider_id"]
    later = dict(zip(ROLES, SUMMER[len(ROLES) :], strict=False))  # a free day for each role to book
    site = {"network_id": str(network.network_id), "role": "satellite", "name": "社区站点"}
    winter = (
        await city.post(
            "/programmes",
            {
                "network_id": str(network.network_id),
                "name": "寒假托管",
                "season": "winter",
                "starts_on": "2028-01-17",
                "ends_on": "2028-02-11",
            },
            town.inside.staff,
        )
    ).json()["programme_id"]
    agreements = f"{e}/programmes/{winter}/agreements"
    await city.post(agreements, {"title": "寒假托管协议", "body": "条款"}, town.inside.staff)
    today = local_today()
    checklist = [
        {"area": area, "item": f"{area} 检查", "passed": True, "note": "合格"}
        for area in ("environment", "catering_hygiene", "safety", "staff_present")
    ]
    failed = {"area": "safety", "item": "灭火器过期", "passed": False, "note": "过期", "fix_by": str(today)}
    inspection = {"site_id": str(network.hub_id), "inspected_on": today.isoformat(), "items": checklist}
    finding = (
        await city.post("/inspections", {**inspection, "items": [*checklist, failed]}, town.inside.staff)
    ).json()["findings"][0]["finding_id"]
    survey = {"union_id": u, "title": "暑期托管需求调查", "closes_on": today.isoformat()}
    demand = {**survey, "kind": "demand", "areas": ["金水区"]}
    asking = (await city.post("/surveys", demand, town.inside.staff)).json()["survey_id"]
    contract = contract_body(town.inside, network.provider_id, [network.hub_id], SUMMER[0], SUMMER[-1])
    child_url = f"{e}/children/{town.child['child_id']}"
    away = await city.book(  # a day the family will report it is away (no role books this day)
        Parent(uuid.uuid4(), town.inside.union_id, town.bearer["parent_own"]),
        town.child["child_id"],
        town.class_id,
        days=[later["provider_other"]],
    )
    table: Table = {
        "create a union in the district": (
            call("POST", f"{e}/unions", {"name": "某街道工会", "level": "grassroots", "parent_id": u}),
            expect(*STAFF, ok=201),
        ),
        "create a city federation": (
            call("POST", f"{e}/unions", {"name": "开封市总工会", "level": "city"}),
            expect("admin", ok=201),
        ),
        "register a provider": (
            call("POST", f"{e}/providers", {"union_id": u, "name": "阳光教育二部"}),
            expect(*STAFF, ok=201),
        ),
        "create a network": (
            call("POST", f"{e}/networks", {"union_id": u, "name": "第二网络"}),
            expect(*STAFF, ok=201),
        ),
        "add a satellite run by the network's provider": (
            call("POST", f"{e}/sites", {**site, "provider_id": str(network.provider_id)}),
            expect(*STAFF, ok=201),
        ),
        "add a satellite run by another city's provider": (
            call("POST", f"{e}/sites", {**site, "provider_id": foreign}),
            expect(*STAFF, ok=422),
        ),
        "open a programme": (
            call(
                "POST",
                f"{e}/programmes",
                {
                    "network_id": str(network.network_id),
                    "name": "寒假托管",
                    "season": "winter",
                    "starts_on": "2028-01-17",
                    "ends_on": "2028-02-11",
                },
            ),
            expect(*STAFF, ok=201),
        ),
        "create a class": (call("POST", f"{e}/classes", class_body(network)), expect(*STAFF, ok=201)),
        "sign a provider contract": (call("POST", f"{e}/contracts", contract), expect(*STAFF, ok=201)),
        "accept a programme's custody agreement for the child (its guardian only)": (
            call("POST", f"{agreements}/1/acceptances", {"child_id": town.child["child_id"]}),
            expect("parent_own", ok=201),
        ),
        "publish a custody agreement": (
            call(
                "POST", agreements, {"title": "寒假托管协议（修订）", "document_ref": "oss://agreements/winter-2.pdf"}
            ),
            expect(*STAFF, ok=201),
        ),
        "record a site inspection": (call("POST", f"{e}/inspections", inspection), expect(*STAFF, ok=201)),
        "close an inspection finding (the first closes it, the others find it closed)": (
            call("POST", f"{e}/findings/{finding}/closure", {"note": "已更换灭火器"}),
            {**expect(*STAFF, ok=409), "admin": 200},
        ),
        "open a survey": (call("POST", f"{e}/surveys", demand), expect(*STAFF, ok=201)),
        "answer a demand survey (members of its union)": (
            call(
                "POST",
                f"{e}/surveys/{asking}/answers",
                {"kind": "demand", "area": "金水区", "children_ages": [8], "weeks": ["2027-W28"]},
            ),
            expect("parent_own", "parent_other", ok=201),
        ),
        "register a child": (
            call("POST", f"{e}/children", registration()),
            expect("parent_own", "parent_other", ok=201),
        ),
        "book the child": (
            call(
                "POST",
                f"{e}/bookings",
                lambda role: {
                    "child_id": town.child["child_id"],
                    "class_id": str(town.class_id),
                    "days": [later[role].isoformat()],
                },
            ),
            expect(*STAFF, "parent_own", ok=201),
        ),
        "claim a priority category no guardian declared": (
            call(
                "POST",
                f"{e}/children/{town.child['child_id']}/priority-claims",
                {"category": "gig", "evidence": "平台骑手证明 编号 0002"},
            ),
            expect(*STAFF, "parent_own", ok=422),
        ),
        "decide a priority claim (the first decides, the others find it decided)": (
            call("POST", claim_url, {"decision": "verify", "reason": "证明齐全"}),
            {**expect(*STAFF, ok=409), "admin": 200},
        ),
        "accept a promotion's seat when none is held": (
            call("POST", f"{e}/bookings/{booking_of}/promotion/acceptance"),
            expect(*STAFF, "parent_own", ok=409),
        ),
        "release a promotion's seat when none is held": (
            call("POST", f"{e}/bookings/{booking_of}/promotion/release"),
            expect(*STAFF, "parent_own", ok=409),
        ),
        "edit the child's record": (call("PATCH", child_url, {"allergies": "花生过敏"}), expect(*STAFF, "parent_own")),
        "invite a co-guardian (a guardian only)": (
            call(
                "POST",
                f"{child_url}/guardians",
                lambda role: {
                    "member_id": str(uuid.uuid5(uuid.NAMESPACE_URL, role + child_url)),
                    "display_name": "李强",
                    "employment_category": "regular",
                    "channels": [{"kind": "inapp", "address": "app"}],
                },
            ),
            expect("parent_own", ok=201),
        ),
        "remove a guardian the child does not have": (
            call("POST", f"{child_url}/guardians/{uuid.uuid4()}/removal"),
            expect(*STAFF, "parent_own", ok=404),
        ),
        "report a day's absence ahead (a guardian only)": (
            call(
                "POST",
                f"{e}/bookings/{away.json()['booking_id']}/absences",
                {"day": later["provider_other"].isoformat()},
            ),
            expect("parent_own"),
        ),
        "cancel a booking of the child": (
            call("POST", lambda role: f"{e}/bookings/{town.bookings[role]}/cancellation", {}),
            expect(*STAFF, "parent_own"),
        ),
    }
    await assert_matrix(table, town, city.http)
