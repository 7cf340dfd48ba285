"""Role x endpoint, across all four services: the platform admin; staff of the district union that
owns the network, of the city federation above it and of a sibling district; provider staff at
their own site and at another; a parent with their own child and with someone else's.

One table for the reads, and one per service for its commands (every POST and PUT; enrollment's,
which needs no other service, runs in-process in tests/enrollment/test_access.py). A cell is the
exact status: 2xx, or the domain's refusal (409, 422) of a caller who is entitled to ask; 403 for
a caller who is not; and without a token, 401 everywhere."""

from __future__ import annotations

import asyncio
import datetime as dt
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from shared.timezones import LOCAL_TIME
from testkit.city import SUMMER, City, Network, Union, token
from testkit.funds import members_discount
from tests.conftest import SharedStarter, Stack
from tests.support.polling import eventually

ROLES = (
    "admin",
    "staff_inside",
    "staff_above",
    "staff_outside",
    "provider_own",
    "provider_other",
    "parent_own",
    "parent_other",
)
# The platform admin, and staff of the district that owns the network or of the federation above it.
STAFF = ("admin", "staff_inside", "staff_above")
SERVICES = ("enrollment", "attendance", "subsidy", "notify")
OUTING = {"destination": "河南博物院", "leaves_at": "09:30", "returns_at": "15:00", "stays_with": "李老师"}
READING = {"weekday": 1, "starts": "09:00", "ends": "10:00", "age_group": "6-9", "activity": "reading"}

Request = Callable[[str], tuple[str, str, Any]]  # the caller's role -> method, URL, JSON body
Table = dict[str, tuple[Request, dict[str, int]]]


def expect(*allowed: str, ok: int = 200) -> dict[str, int]:
    """``ok`` for the ``allowed`` roles, 403 for everyone else."""
    return {role: ok if role in allowed else 403 for role in ROLES}


def call(method: str, url: str | Callable[[str], str], body: Any = None) -> Request:
    """The same request from every caller; a URL or body given as a function is shaped per caller's role."""
    return lambda role: (method, url(role) if callable(url) else url, body(role) if callable(body) else body)


@dataclass(frozen=True)
class Town:
    """郑州市总工会 above two districts; 金水区 runs a network whose class meets today and in summer."""

    url: dict[str, str]
    bearer: dict[str, str]
    inside: Union
    network: Network
    class_id: uuid.UUID
    fund_id: str
    today: dt.date
    child: dict[str, Any]  # parent_own's
    bookings: dict[str, str]  # one booking of the child per role, each on its own summer day


async def build_town(module_service: SharedStarter) -> Town:
    processes = await asyncio.gather(*(module_service(name) for name in SERVICES))
    url = {name: p.url for name, p in zip(SERVICES, processes, strict=True)}
    async with httpx.AsyncClient(base_url=url["enrollment"], timeout=30) as http:
        return await settle_town(
            City(http), url, lambda union: members_discount(url["subsidy"], union.staff, auto_approve_up_to_fen=0)
        )


async def settle_town(city: City, url: dict[str, str], open_fund: Callable[[Union], Awaitable[str]]) -> Town:
    """The unions, network, class, children and bookings, made through enrollment's API (``city``);
    ``open_fund`` opens the district's fund before the first booking."""
    today = dt.datetime.now(LOCAL_TIME).date()
    zhengzhou = await city.union("郑州市总工会")
    inside = await city.union("金水区总工会", level="district", parent=zhengzhou)
    outside = await city.union("二七区总工会", level="district", parent=zhengzhou)
    network = await city.network(inside, starts_on=today)
    class_id = await city.klass(network, days=[today, *SUMMER[: 2 * len(ROLES)]])
    # Staff decide every application, so each booking leaves one waiting for them.
    fund_id = await open_fund(inside)
    own, other = city.parent(inside), city.parent(inside)
    child = await city.child(own)
    await city.child(other)
    await city.book(own, child["child_id"], class_id, days=[today])
    bookings = {
        role: (await city.book(own, child["child_id"], class_id, days=[day])).json()["booking_id"]
        for role, day in zip(ROLES, SUMMER, strict=False)
    }
    bearer = {
        "admin": city.admin,
        "staff_inside": inside.staff,
        "staff_above": zhengzhou.staff,
        "staff_outside": outside.staff,
        "provider_own": token("provider_staff", provider_id=network.provider_id),
        "provider_other": token("provider_staff", provider_id=uuid.uuid4()),
        "parent_own": own.token,
        "parent_other": other.token,
    }
    return Town(url, bearer, inside, network, class_id, fund_id, today, child, bookings)


async def answers(
    table: Table, bearer: dict[str, str], http: httpx.AsyncClient
) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """Each request of ``table`` from every role, in table order; and each once without a token."""

    async def status(request: Request, role: str, credential: str | None) -> int:
        method, url, body = request(role)
        headers = {
            "Idempotency-Key": f"k-{uuid.uuid4()}",
            **({"Authorization": f"Bearer {credential}"} if credential else {}),
        }
        return (await http.request(method, url, json=body, headers=headers)).status_code

    anonymous = {label: await status(request, ROLES[0], None) for label, (request, _) in table.items()}
    seen = {
        label: {role: await status(request, role, bearer[role]) for role in ROLES}
        for label, (request, _) in table.items()
    }
    return seen, anonymous


async def assert_matrix(table: Table, town: Town, http: httpx.AsyncClient | None = None) -> None:
    """``table`` asked through ``http`` (a service in the test's process), or over the network."""
    if http is None:
        async with httpx.AsyncClient(timeout=30) as client:
            seen, anonymous = await answers(table, town.bearer, client)
    else:
        seen, anonymous = await answers(table, town.bearer, http)
    wrong = {
        f"{label} as {role}": f"{status}, expected {table[label][1][role]}"
        for label, row in seen.items()
        for role, status in row.items()
        if status != table[label][1][role]
    }
    assert not wrong, wrong
    assert set(anonymous.values()) == {401}, f"no token, no answer: {anonymous}"


async def _is(probe: Awaitable[httpx.Response], status: int) -> bool:
    return (await probe).status_code == status


async def _application_of(http: httpx.AsyncClient, booking_id: str) -> str | None:
    found = (await http.get(f"/bookings/{booking_id}/applications")).json()["applications"]
    return found[0]["application_id"] if found else None


async def test_every_role_sees_exactly_what_it_is_entitled_to(stack: Stack, module_service: SharedStarter) -> None:
    town = await build_town(module_service)
    e, a, s, n = (town.url[x] for x in SERVICES)
    child, booking, union = town.child["child_id"], town.bookings["admin"], town.inside.union_id
    day, guardian, class_id = SUMMER[0], town.child["guardian_ids"][0], town.class_id
    # Attendance and subsidy learn of the bookings from events: wait until the admin can see them.
    async with httpx.AsyncClient(
        base_url=s, timeout=30, headers={"Authorization": f"Bearer {town.bearer['admin']}"}
    ) as http:
        application = await eventually(lambda: _application_of(http, booking))  # a refusal is about the caller
    reads = {
        f"{e}/classes/{class_id}": expect(*STAFF, "provider_own", "parent_own", "parent_other"),
        f"{e}/classes/{class_id}/availability?from={day}&to={day}": expect(
            *STAFF, "provider_own", "parent_own", "parent_other"
        ),
        f"{e}/classes/{class_id}/roster/{day}": expect(*STAFF, "provider_own"),
        f"{e}/children/{child}": expect(*STAFF, "parent_own"),
        f"{e}/bookings/{booking}": expect(*STAFF, "parent_own"),
        f"{e}/unions/{union}/figures": expect(*STAFF),
        f"{a}/classes/{class_id}/roster/{day}": expect(*STAFF, "provider_own"),
        f"{a}/children/{child}/attendance": expect(*STAFF, "parent_own"),
        f"{a}/unions/{union}/attendance?day={day}": expect(*STAFF),
        f"{a}/classes/{class_id}/duty/{day}": expect(*STAFF, "provider_own"),
        f"{a}/unions/{union}/incidents?since={day}&until={day}": expect(*STAFF),
        f"{a}/sites/{town.network.hub_id}/days/{day}/log": expect(*STAFF, "provider_own"),
        f"{a}/sites/{town.network.hub_id}/classes/{day}": expect(*STAFF, "provider_own"),
        f"{s}/bookings/{booking}/applications": expect(*STAFF, "parent_own"),
        f"{s}/applications/{application}": expect(*STAFF, "parent_own"),
        f"{s}/children/{child}/applications": expect(*STAFF, "parent_own"),
        f"{s}/funds/{town.fund_id}": expect(*STAFF),
        f"{s}/unions/{union}/funds": expect(*STAFF),
        f"{s}/unions/{union}/spending": expect(*STAFF),
        f"{s}/unions/{union}/applications": expect(*STAFF),
        f"{s}/unions/{union}/ledger.csv": expect(*STAFF),
        f"{s}/bookings/{booking}/statement": expect(*STAFF, "parent_own"),
        f"{s}/children/{child}/statements": expect(*STAFF, "parent_own"),
        f"{s}/guardians/{guardian}/statements": expect("admin", "parent_own"),
        f"{n}/guardians/{guardian}/notifications": expect("admin", "parent_own"),
        f"{n}/guardians/{guardian}/deliveries": expect("admin", "parent_own"),
        f"{n}/guardians/{guardian}/preferences": expect("admin", "parent_own"),
        f"{n}/guardians/{guardian}/webhooks": expect("admin", "parent_own"),
    }
    async with httpx.AsyncClient(timeout=30, headers={"Authorization": f"Bearer {town.bearer['admin']}"}) as http:
        for url in reads:
            await eventually(lambda u=url: _is(http.get(u), 200))
    await assert_matrix({url: (call("GET", url), row) for url, row in reads.items()}, town)


async def test_attendance_commands_are_open_to_exactly_the_entitled(
    stack: Stack, module_service: SharedStarter
) -> None:
    town = await build_town(module_service)
    a, child, hub = town.url["attendance"], town.child, str(town.network.hub_id)
    checkin = {"child_id": child["child_id"], "site_id": hub, "temperature_c": 36.6}
    pickup = {"child_id": child["child_id"], "adult_id": child["authorised_adult_ids"][0]}
    async with httpx.AsyncClient(base_url=a, timeout=30) as http:
        door, provider = City(http), town.bearer["provider_own"]
        await eventually(lambda: _is(door.post("/checkins", checkin, provider, expect=None), 201))
        attempt = (await door.post("/pickups", pickup, provider)).json()["attempt_id"]
        outing = {**OUTING, "day": SUMMER[0].isoformat()}
        outing_id = (await door.post(f"/classes/{town.class_id}/outings", outing, provider)).json()["outing_id"]
    now = dt.datetime.now(dt.UTC)
    table: Table = {
        "check the child in again": (call("POST", f"{a}/checkins", checkin), expect("provider_own")),
        "start a pick-up": (call("POST", f"{a}/pickups", pickup), expect("provider_own", ok=201)),
        "confirm a pick-up with a wrong code": (
            call("POST", f"{a}/pickups/{attempt}/confirmation", {"code": "000000"}),
            expect("provider_own", ok=422),
        ),
        "set the site's hours": (
            call("PUT", f"{a}/sites/{hub}/hours", {"checkin_cutoff": "09:00", "closing": "17:30"}),
            expect(*STAFF, "provider_own"),
        ),
        "record staff on duty": (
            call(
                "POST",
                f"{a}/classes/{town.class_id}/days/{town.today}/staff",
                {"staff_name": "李老师", "role": "teacher"},
            ),
            expect(*STAFF, "provider_own", ok=201),
        ),
        "lift a pick-up lock that is not there": (
            call("POST", f"{a}/children/{child['child_id']}/pickup-release", {"reason": "called the guardian on file"}),
            expect(*STAFF, ok=409),
        ),
        "set the site's staffing rule": (
            call("PUT", f"{a}/sites/{hub}/staffing-rule", {"roles": [{"role": "teacher", "per_class": 2}]}),
            expect(*STAFF, "provider_own"),
        ),
        "report an incident": (
            call(
                "POST",
                f"{a}/incidents",
                {
                    "child_id": child["child_id"],
                    "site_id": hub,
                    "at": (now - dt.timedelta(minutes=1)).isoformat(),
                    "kind": "injury",
                    "what_happened": "摔倒，膝盖擦伤",
                },
            ),
            expect("provider_own", ok=201),
        ),
        "keep the day's menu": (
            call("PUT", f"{a}/sites/{hub}/days/{town.today}/menu", {"meals": [{"meal": "lunch", "dishes": ["米饭"]}]}),
            expect("provider_own"),
        ),
        "set the class's timetable": (
            call("PUT", f"{a}/classes/{town.class_id}/timetable", {"activities": [READING]}),
            expect(*STAFF, "provider_own"),
        ),
        "plan an outing": (
            call("POST", f"{a}/classes/{town.class_id}/outings", {**OUTING, "day": SUMMER[1].isoformat()}),
            expect("provider_own", ok=201),
        ),
        "consent to an outing": (
            call("POST", f"{a}/outings/{outing_id}/consents", {"child_id": child["child_id"], "given": True}),
            expect("parent_own"),
        ),
    }
    await assert_matrix(table, town)


async def test_subsidy_commands_are_open_to_exactly_the_entitled(stack: Stack, module_service: SharedStarter) -> None:
    town = await build_town(module_service)
    s, u = town.url["subsidy"], str(town.inside.union_id)
    async with httpx.AsyncClient(
        base_url=s, timeout=30, headers={"Authorization": f"Bearer {town.bearer['admin']}"}
    ) as http:
        applications = {
            role: await eventually(lambda b=booking: _application_of(http, b), timeout=60)
            for role, booking in town.bookings.items()
        }
    # Subsidy knows the union tree only from class paths, so a union's funds and policies are set up
    # by its own staff, not by the federation's (docs/architecture.md, known limits).
    table: Table = {
        "open a fund for the district": (
            call("POST", f"{s}/funds", {"union_id": u, "name": "困难职工子女托管基金", "budget_fen": 500_000}),
            expect("admin", "staff_inside", ok=201),
        ),
        "add a policy paid from the district's fund": (
            call(
                "POST",
                f"{s}/policies",
                {"union_id": u, "fund_id": town.fund_id, "kind": "per_day", "amount_per_day_fen": 500},
            ),
            expect("admin", "staff_inside", ok=201),
        ),
        "reject an application": (
            call(
                "POST",
                lambda role: f"{s}/applications/{applications[role]}/decision",
                {"approve": False, "reason": "材料不全"},
            ),
            expect(*STAFF),
        ),
        "record a fen the family paid": (
            call("POST", f"{s}/bookings/{town.bookings['admin']}/payments", {"amount_fen": 1, "method": "cash"}),
            expect(*STAFF, ok=201),
        ),
        "set the district's refund rule": (
            call("PUT", f"{s}/unions/{u}/refund-rule", {"notice_days": 2}),
            expect("admin", "staff_inside"),
        ),
        # The first entitled caller designates the class; the others find it designated already.
        "designate the class a model class": (
            call("POST", f"{s}/model-classes", {"class_id": str(town.class_id)}),
            {**expect(*STAFF, ok=409), "admin": 201},
        ),
    }
    await assert_matrix(table, town)


async def test_notify_commands_are_open_to_exactly_the_entitled(stack: Stack, module_service: SharedStarter) -> None:
    town = await build_town(module_service)
    guardian = f"{town.url['notify']}/guardians/{town.child['guardian_ids'][0]}"
    table: Table = {
        "replace a guardian's preferences": (
            call("PUT", f"{guardian}/preferences", {"language": "en", "quiet_start": "21:00", "quiet_end": "07:00"}),
            expect("admin", "parent_own"),
        ),
        # Pick-up codes go to a guardian's webhooks: only the guardian may add one (the address is refused).
        "register a webhook on the loopback": (
            call("POST", f"{guardian}/webhooks", {"url": "https://127.0.0.1/hook"}),
            expect("parent_own", ok=422),
        ),
        "remove a webhook that is not there": (
            call("DELETE", f"{guardian}/webhooks/{uuid.uuid4()}"),
            expect("admin", "parent_own", ok=404),
        ),
        # Who is told of the district's funds: named by its own staff (those above only read its figures).
        "name the district's fund contact": (
            call(
                "POST",
                f"{town.url['notify']}/unions/{town.inside.union_id}/staff-contacts",
                {"display_name": "会计", "kind": "sms", "address": "+86 138 0000 7777"},
            ),
            expect("admin", "staff_inside", ok=201),
        ),
    }
    await assert_matrix(table, town)
