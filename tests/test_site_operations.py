"""Site operations across the real broker and databases: attendance, notify and enrollment each run
as their own process, connected only by Kafka. A class below its staffing rule tells the site lead;
an incident reaches the guardians at once and each insurer's feed with no name and no child id; an
outing asks the guardians for consent, and the child without it stays; a boarder checked in today
is watched for a late pick-up only on the stay's last day; an inspection's findings reach the site
lead. (Each rule in depth: tests/attendance, tests/enrollment.)"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid

import httpx
import pytest

from shared.contracts.enrollment import ChildRegistered, SiteOpened
from shared.partners import pseudonym
from shared.timezones import local_today
from shared.topics import Partner
from testkit.city import City, token
from testkit.kafka import publish_envelopes, read_all
from testkit.scenarios import WUHAN_STEEL_UNION, child_enrolled, child_registered, envelope
from tests.conftest import SharedStarter, Stack
from tests.support.polling import eventually

HOURLY_TIMERS = {"ATTENDANCE_TIMER_INTERVAL_S": "3600"}  # no absence marked while the scenario runs


@pytest.fixture(scope="module")
async def city(module_service: SharedStarter) -> dict[str, str]:
    """The three services' addresses, started together."""
    started = await asyncio.gather(
        module_service("attendance", **HOURLY_TIMERS), module_service("notify"), module_service("enrollment")
    )
    return {s.service: s.url for s in started}


class OpenSite:
    """A site enrollment opened with one child booked today, as attendance and notify hear of it on Kafka."""

    def __init__(self, stack: Stack, urls: dict[str, str], http: httpx.AsyncClient) -> None:
        self.stack, self.urls, self.http = stack, urls, http
        self.opened = SiteOpened(
            site_id=uuid.uuid4(), network_id=uuid.uuid4(), provider_id=uuid.uuid4(), union_path=(WUHAN_STEEL_UNION,)
        )
        self.class_id = uuid.uuid4()
        self.child: ChildRegistered = child_registered(guardians=2)
        self.staff = token("provider_staff", provider_id=self.opened.provider_id)
        self.leads_phone = f"+86 139 {uuid.uuid4().int % 10**8:08d}"
        self.day = local_today()

    async def open_and_book(self, day: dt.date | None = None, *, until: dt.date | None = None) -> None:
        """Open the site and book the child from ``day`` (today by default) to ``until``; a stay of
        more than one day is in a boarding class."""
        self.day = day or local_today()
        days = [self.day + dt.timedelta(days=i) for i in range(((until or self.day) - self.day).days + 1)]
        booked = child_enrolled(
            child_id=self.child.child_id,
            class_id=self.class_id,
            days=days,
            boarding=len(days) > 1,
            site_id=self.opened.site_id,
            provider_id=self.opened.provider_id,
        )
        await publish_envelopes(
            self.stack.kafka,
            self.stack.topic("enrollment.events"),
            [envelope(self.opened), envelope(self.child), envelope(booked)],
        )
        await eventually(self._on_roster)
        await name_the_lead(self.http, self.urls["notify"], self.opened.site_id, self.staff, self.leads_phone)

    async def _on_roster(self) -> bool:
        roster = await self.http.get(
            f"{self.urls['attendance']}/classes/{self.class_id}/roster/{self.day}", headers=self._auth()
        )
        return roster.status_code == 200

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.staff}", "Idempotency-Key": f"k-{uuid.uuid4()}"}

    async def attendance(self, method: str, path: str, body: dict) -> httpx.Response:
        answer = await self.http.request(method, f"{self.urls['attendance']}{path}", json=body, headers=self._auth())
        assert answer.status_code in (200, 201), answer.text
        return answer


async def name_the_lead(http: httpx.AsyncClient, notify: str, site_id: uuid.UUID, bearer: str, phone: str) -> None:
    """The site's lead, named in notify once notify has heard the site opened (404 until then)."""

    async def named() -> bool:
        answer = await http.post(
            f"{notify}/sites/{site_id}/staff-contacts",
            json={"display_name": "王站长", "kind": "sms", "address": phone},
            headers={"Authorization": f"Bearer {bearer}", "Idempotency-Key": f"k-{uuid.uuid4()}"},
        )
        assert answer.status_code in (201, 404), answer.text
        return answer.status_code == 201

    await eventually(named)


async def _told(stack: Stack, source_type: str, **where: object) -> list[dict]:
    column, value = next(iter(where.items()))
    conn = await stack.connect("notify")
    try:
        rows = await conn.fetch(
            f"SELECT recipient, guardian_id, body, safety FROM notifications WHERE source_type = $1 AND {column} = $2",
            source_type,
            value,
        )
    finally:
        await conn.close()
    return [dict(r) for r in rows]


async def test_a_class_below_its_staffing_rule_tells_the_site_lead(stack: Stack, city: dict[str, str]) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        site = OpenSite(stack, city, http)
        await site.open_and_book()
        wuhan = {"roles": [{"role": "lead", "per_class": 1}, {"role": "guard", "per_class": 1}]}
        await site.attendance("PUT", f"/sites/{site.opened.site_id}/staffing-rule", wuhan)
        staff = {"staff_name": "李老师", "role": "lead", "qualifications": []}
        await site.attendance("POST", f"/classes/{site.class_id}/days/{local_today()}/staff", staff)

        (alert,) = await eventually(lambda: _told(stack, "staffing.role_missing", address=site.leads_phone))
    assert alert["recipient"] == "staff" and alert["safety"]
    assert "guard" in alert["body"]


async def test_an_incident_reaches_the_guardians_and_the_insurer_with_no_name(
    stack: Stack, city: dict[str, str]
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        site = OpenSite(stack, city, http)
        await site.open_and_book()
        report = {
            "child_id": str(site.child.child_id),
            "site_id": str(site.opened.site_id),
            "at": (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=3)).isoformat(),
            "kind": "injury",
            "what_happened": "小红在操场摔倒，手肘擦伤",
            "first_aid": "清洗伤口，贴创可贴",
        }
        incident_id = uuid.UUID((await site.attendance("POST", "/incidents", report)).json()["incident_id"])

        async def both_guardians_told() -> list[dict]:
            told = await _told(stack, "incident.reported", child_id=site.child.child_id)
            return told if len(told) == 2 else []

        told = await eventually(both_guardians_told)
    assert {t["guardian_id"] for t in told} == {g.guardian_id for g in site.child.guardians}
    assert all(t["safety"] and t["body"].startswith("安全提醒：小红") for t in told)

    insurer = Partner("pingan", "insurance")

    async def claim_notice() -> list[bytes]:
        records = await read_all(stack.kafka, stack.topic(insurer.stream))
        return [
            r.value
            for r in records
            if json.loads(r.value)["type"] == "partner.claim_notice"
            and json.loads(r.value)["data"]["claim_id"] == pseudonym(insurer, incident_id)
        ]

    (notice,) = await eventually(claim_notice)
    assert json.loads(notice)["data"]["pseudonym"] == pseudonym(insurer, site.child.child_id)
    for secret in (str(site.child.child_id), site.child.child_id.hex, "小红", "操场"):
        assert secret.encode() not in notice


async def test_an_inspection_finding_reaches_the_site_lead(stack: Stack, city: dict[str, str]) -> None:
    today = local_today()
    async with httpx.AsyncClient(base_url=city["enrollment"], timeout=30) as http:
        enrollment = City(http)
        xinxiang = await enrollment.union("新乡市总工会")
        network = await enrollment.network(xinxiang)
        phone = f"+86 137 {uuid.uuid4().int % 10**8:08d}"
        await name_the_lead(http, city["notify"], network.hub_id, xinxiang.staff, phone)
        areas = ("environment", "catering_hygiene", "safety", "staff_present")
        items = [{"area": a, "item": "检查项", "passed": True, "note": "合格"} for a in areas] + [
            {"area": "safety", "item": "灭火器过期", "passed": False, "note": "两具灭火器过期", "fix_by": str(today)}
        ]
        body = {"site_id": str(network.hub_id), "inspected_on": today.isoformat(), "items": items}
        (finding,) = (await enrollment.post("/inspections", body, xinxiang.staff)).json()["findings"]

        (told,) = await eventually(lambda: _told(stack, "inspection.recorded", address=phone))
        closed = await enrollment.post(
            f"/findings/{finding['finding_id']}/closure", {"note": "已更换灭火器"}, xinxiang.staff, expect=200
        )
    assert told["recipient"] == "staff" and "灭火器过期" in told["body"]
    assert closed.json()["fixed_note"] == "已更换灭火器"


async def test_an_outing_asks_the_guardians_and_a_child_without_consent_stays(
    stack: Stack, city: dict[str, str]
) -> None:
    tomorrow = local_today() + dt.timedelta(days=1)
    async with httpx.AsyncClient(timeout=30) as http:
        site = OpenSite(stack, city, http)
        await site.open_and_book(tomorrow)
        museum = {
            "day": tomorrow.isoformat(),
            "destination": "湖北省博物馆",
            "leaves_at": "09:30:00",
            "returns_at": "15:00:00",
            "stays_with": "李老师",
        }
        planned = await site.attendance("POST", f"/classes/{site.class_id}/outings", museum)
        outing_id = planned.json()["outing_id"]

        async def both_guardians_asked() -> list[dict]:
            asked = await _told(stack, "outing.consent_requested", child_id=site.child.child_id)
            return asked if len(asked) == 2 else []

        asked = await eventually(both_guardians_asked)
        outing = await http.get(f"{city['attendance']}/outings/{outing_id}", headers=site._auth())
    assert {a["guardian_id"] for a in asked} == {g.guardian_id for g in site.child.guardians}
    assert all("湖北省博物馆" in a["body"] for a in asked)
    (child,) = outing.json()["children"]
    assert (child["goes"], child["consent"], child["stays_with"]) == (False, None, "李老师"), "no consent, no outing"


async def _late_pickup_days(stack: Stack, child_id: uuid.UUID) -> set[dt.date]:
    conn = await stack.connect("attendance")
    try:
        rows = await conn.fetch(
            "SELECT DISTINCT day FROM timers WHERE kind = 'late_pickup' AND child_id = $1", child_id
        )
    finally:
        await conn.close()
    return {r["day"] for r in rows}


async def test_a_boarder_checked_in_today_is_watched_for_a_late_pick_up_only_on_the_last_day(
    stack: Stack, city: dict[str, str]
) -> None:
    today = local_today()
    async with httpx.AsyncClient(timeout=30) as http:
        boarder, day_child = OpenSite(stack, city, http), OpenSite(stack, city, http)
        await boarder.open_and_book(today, until=today + dt.timedelta(days=2))  # the flag travels on Kafka
        await day_child.open_and_book(today)
        for site in (boarder, day_child):
            hours = {"checkin_cutoff": "23:59:00", "closing": "23:59:30", "grace_minutes": 0}
            await site.attendance("PUT", f"/sites/{site.opened.site_id}/hours", hours)
            checkin = {
                "child_id": str(site.child.child_id),
                "site_id": str(site.opened.site_id),
                "temperature_c": 36.6,
                "symptoms": [],
            }
            await site.attendance("POST", "/checkins", checkin)
        watched = await _late_pickup_days(stack, boarder.child.child_id)
        control = await _late_pickup_days(stack, day_child.child.child_id)
    assert control == {today}, "a day-care child is watched this evening"
    assert watched == {today + dt.timedelta(days=2)}, "the boarder only on the last day of the stay"
