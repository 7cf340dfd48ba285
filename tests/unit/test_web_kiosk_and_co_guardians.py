"""The kiosk's lists and the co-guardian invitation against stand-ins answering as attendance and
enrollment do: what is asked, what is shown, and a refusal next to its field in plain words."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx

from services.web.app import create_app
from services.web.config import WebSettings
from services.web.session import TOKEN_COOKIE

FORM = {"content-type": "application/x-www-form-urlencoded"}
PROVIDER, UNION = str(uuid.uuid4()), "7f0c3a4e-3b1a-4c55-9a49-0d6f2b1c9e10"
HUB, SATELLITE, CLASS, CHILD = (str(uuid.uuid4()) for _ in range(4))
GRANDMA, MOTHER = str(uuid.uuid4()), str(uuid.uuid4())
PAGE = {"limit": 20, "offset": 0}
SITES = {**PAGE, "next_offset": 20, "day": "2027-07-05", "sites": [
    {"site_id": HUB, "network_id": None, "provider_id": PROVIDER, "union_id": UNION, "classes_on_day": 1},
    {"site_id": SATELLITE, "network_id": None, "provider_id": PROVIDER, "union_id": UNION, "classes_on_day": 0},
]}  # fmt: skip
CLASSES = {**PAGE, "next_offset": None, "site_id": HUB, "day": "2027-07-05", "classes": [
    {"class_id": CLASS, "class_type": "infant", "booked": 6, "expected": 0, "present": 6, "absent": 0,
     "picked_up": 0, "refused": 0, "staff_on_duty": 1, "children_per_staff": 5, "ratio_exceeded": True},
]}  # fmt: skip
FOUND = {**PAGE, "next_offset": None, "classes": [
    {"class_id": CLASS, "name": "婴幼儿班", "site_id": HUB, "site_name": "武钢一号站"}
]}  # fmt: skip
ROSTER = {
    "class_id": CLASS, "day": "2027-07-05", "children_present": 1, "staff_on_duty": [], "children_per_staff": 5,
    "ratio_exceeded": False, "children": [{
        "child_id": CHILD, "display_name": "小刚", "booking_id": str(uuid.uuid4()), "site_id": HUB,
        "status": "present", "cover": "confirmed", "policy_number": "P1", "checked_in_at": None,
        "picked_up_at": None, "picked_up_by": None, "allergies": None, "health_notes": None,
        "pickup_adults": [
            {"adult_id": GRANDMA, "display_name": "王奶奶", "relationship": "奶奶", "guardian": False},
            {"adult_id": MOTHER, "display_name": "王芳", "relationship": None, "guardian": True},
        ],
    }],
}  # fmt: skip
RECORD = {
    "child_id": CHILD, "display_name": "小刚", "birth_date": "2017-09-01", "authorised_adults": [],
    "emergency_contact": None, "allergies": None, "health_notes": None, "invited": [],
}  # fmt: skip
PARENT_HOME = {
    "/me/children": {**PAGE, "next_offset": None, "children": []},
    "/invitations": {"member_id": None, "invitations": []},
}
Answer = Callable[[httpx.Request], httpx.Response]


@asynccontextmanager
async def web(role: str, ids: str, **services: Answer) -> AsyncIterator[httpx.AsyncClient]:
    transports = {name: httpx.MockTransport(answer) for name, answer in services.items()}
    app = create_app(WebSettings(dev_sign_in=True), transports=transports)
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://web") as http:
        signed_in = await http.post("/signin/dev", content=f"role={role}&{ids}", headers=FORM)
        http.cookies.set(TOKEN_COOKIE, signed_in.cookies[TOKEN_COOKIE])
        yield http


def answering(seen: list[httpx.Request], by_path: dict[str, object], refuse: httpx.Response | None = None) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.method == "POST" and refuse is not None:
            return refuse
        body = next((b for p, b in by_path.items() if request.url.path.startswith(p)), RECORD)
        return httpx.Response(200, json=body)

    return answer


def sites_but_refusing(prefix: str, status: int, field: str, reason: str) -> Answer:
    """Attendance answering the sites list, and refusing what lies under ``prefix``."""
    sites = answering([], {"/sites": SITES})

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith(prefix):
            return httpx.Response(status, json={"error": "refused", "reasons": [{"field": field, "reason": reason}]})
        return sites(request)

    return answer


async def test_staff_choose_a_site_named_by_enrollment_then_a_class_with_its_counts() -> None:
    seen: list[httpx.Request] = []
    asked_for_names: list[httpx.Request] = []
    attendance = answering(seen, {"/sites/": CLASSES, "/sites": SITES})
    enrollment = answering(asked_for_names, {"/classes": FOUND})
    async with web("provider_staff", f"provider={PROVIDER}", attendance=attendance, enrollment=enrollment) as http:
        sites = await http.get("/kiosk")
        classes = await http.get(f"/kiosk/sites/{HUB}")
    assert f'<a href="/kiosk/sites/{HUB}">武钢一号站</a>' in sites.text
    assert f"站点 {SATELLITE[:8]}" in sites.text, "a site enrollment does not name is shown by its number"
    assert 'href="/kiosk?offset=20"' in sites.text
    assert 'id="class_id"' in sites.text, "the number stays as a fallback"
    assert f'<a href="/kiosk/classes/{CLASS}">婴幼儿班</a>' in classes.text
    assert "未到 0 · 在园 6 · 缺勤 0 · 已接走 0" in classes.text and "超出师生比" in classes.text
    assert [r.url.path for r in seen] == ["/sites", f"/sites/{HUB}/classes/{seen[1].url.path[-10:]}"]
    at_the_site = asked_for_names[-1].url.params
    assert at_the_site["site_id"] == HUB and at_the_site["from"] == at_the_site["to"] == seen[1].url.path[-10:]


async def test_without_enrollment_the_lists_show_numbers_and_a_refused_site_says_why() -> None:
    attendance = sites_but_refusing("/sites/", 403, "", "this site is not yours")

    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("enrollment is down")

    async with web("provider_staff", f"provider={PROVIDER}", attendance=attendance, enrollment=down) as http:
        sites = await http.get("/kiosk")
        refused = await http.get(f"/kiosk/sites/{uuid.uuid4()}")
    assert sites.status_code == 200 and f"站点 {HUB[:8]}" in sites.text
    assert refused.status_code == 403 and 'id="form-error"' in refused.text


async def test_the_pick_up_adults_are_offered_by_name_with_a_label_each() -> None:
    seen: list[httpx.Request] = []
    async with web("provider_staff", f"provider={PROVIDER}", attendance=answering(seen, {"/classes": ROSTER})) as http:
        roster = await http.get(f"/kiosk/classes/{CLASS}")
    for adult, label in ((GRANDMA, "王奶奶（奶奶）"), (MOTHER, "王芳（监护人）")):
        radio = f'id="adult-{adult}-{CHILD}" name="adult_id" value="{adult}" required>'
        assert radio in roster.text and f'<label for="adult-{adult}-{CHILD}">{label}</label>' in roster.text
    assert 'id="adult_id-' not in roster.text, "no number to type"


async def test_an_invitation_sends_what_enrollment_needs_and_its_refusal_goes_next_to_the_field() -> None:
    seen: list[httpx.Request] = []
    reasons = [{"field": "member_id", "reason": "this member is already a guardian of the child, or invited"}]
    refuse = httpx.Response(409, json={"error": "conflict", "reasons": reasons})
    form = f"key=k7&member_id={MOTHER}&invite_name=李强&invite_category=gig"
    enrollment = answering(seen, PARENT_HOME, refuse)
    async with web("parent", f"union={UNION}", enrollment=enrollment) as http:
        page = await http.post(f"/parent/children/{CHILD}/guardians", content=form.encode(), headers=FORM)
    sent = next(r for r in seen if r.method == "POST")
    assert sent.url.path == f"/children/{CHILD}/guardians" and sent.headers["Idempotency-Key"] == "k7"
    assert json.loads(sent.content) == {
        "member_id": MOTHER,
        "display_name": "李强",
        "employment_category": "gig",
        "channels": [{"kind": "inapp", "address": "app"}],
    }
    assert page.status_code == 422
    assert (
        '<p class="error" id="member_id-error" role="alert">这位会员已经是孩子的监护人，或已被邀请。</p>' in page.text
    )
    assert 'value="李强"' in page.text and '<option value="gig" selected>' in page.text, "what was typed stays"


async def test_a_class_number_the_roster_does_not_know_is_explained_above_the_sites() -> None:
    attendance = sites_but_refusing("/classes/", 404, "class_id", "no bookings in this class")
    enrollment = answering([], {"/classes": FOUND})
    async with web("provider_staff", f"provider={PROVIDER}", attendance=attendance, enrollment=enrollment) as http:
        page = await http.get(f"/kiosk?class_id={uuid.uuid4()}", follow_redirects=True)
    assert page.status_code == 404
    assert '<p class="error" id="class_id-error" role="alert">' in page.text and "武钢一号站" in page.text


async def test_an_invited_parent_declines_and_a_refused_answer_is_said_at_the_top_of_the_home_page() -> None:
    seen: list[httpx.Request] = []
    invitation = {"child_id": CHILD, "child_name": "小刚", "invited_by": "王芳", "display_name": "李强"}
    enrollment = answering(seen, {**PARENT_HOME, "/invitations": {"member_id": None, "invitations": [invitation]}})
    async with web("parent", f"union={UNION}", enrollment=enrollment) as http:
        home = await http.get("/parent")
        declined = await http.post(f"/parent/invitations/{CHILD}/refusal", content=b"key=k9", headers=FORM)
    assert "王芳 邀请您成为 小刚 的监护人" in home.text
    assert f'action="/parent/invitations/{CHILD}/acceptance"' in home.text
    assert declined.status_code == 303 and declined.headers["location"] == "/parent"
    sent = next(r for r in seen if r.method == "POST")
    assert sent.url.path == f"/invitations/{CHILD}/refusal" and sent.headers["Idempotency-Key"] == "k9"

    reasons = [{"field": "child_id", "reason": "no open invitation to this child"}]
    refuse = httpx.Response(404, json={"error": "not_found", "reasons": reasons})
    async with web("parent", f"union={UNION}", enrollment=answering([], PARENT_HOME, refuse)) as http:
        refused = await http.post(f"/parent/invitations/{CHILD}/acceptance", content=b"key=k10", headers=FORM)
    assert refused.status_code == 404 and 'id="form-error"' in refused.text
