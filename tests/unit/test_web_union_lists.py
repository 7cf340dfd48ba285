"""The union dashboard's lists against enrollment's and subsidy's staff lists (stand-ins answering
as they do): classes with seats per day, a class-day's waitlist, the applications waiting."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx

from services.web.app import create_app
from services.web.config import WebSettings
from services.web.session import TOKEN_COOKIE

FORM = {"content-type": "application/x-www-form-urlencoded"}
UNION = "7f0c3a4e-3b1a-4c55-9a49-0d6f2b1c9e10"
CLASS = str(uuid.uuid4())
APPLICATION = str(uuid.uuid4())
OCCUPANCY = {
    "limit": 50, "offset": 0, "next_offset": None, "union_id": UNION, "start": "2027-07-05", "end": "2027-07-06",
    "classes": [{
        "class_id": CLASS, "name": "小学托管班", "site_name": "站点0", "district": "金水区", "programme_name": "暑期托管",
        "days": [
            {"day": "2027-07-05", "capacity": 2, "confirmed": 2, "waitlisted": 3},
            {"day": "2027-07-06", "capacity": 2, "confirmed": 1, "waitlisted": 0},
        ],
    }],
}  # fmt: skip
WAITLIST = {
    "limit": 100, "offset": 0, "next_offset": None, "class_id": CLASS, "day": "2027-07-05",
    "waiting": [{"position": 1, "display_name": "小华", "priority_group": "gig", "requested_at": "2027-06-01T08:00:00+08:00"}],
}  # fmt: skip
PENDING = {
    "limit": 50, "offset": 0, "next_offset": None, "union_id": UNION, "status": "pending_review",
    "applications": [{"application_id": APPLICATION, "amount_fen": 675, "days": 1, "opened_at": "2027-06-01T00:00:00+00:00"}],
}  # fmt: skip


def stand_in(seen: list[httpx.Request]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        path = request.url.path
        if path.endswith("/waitlist/2027-07-05"):
            return httpx.Response(200, json=WAITLIST)
        if path == f"/unions/{UNION}/classes":
            return httpx.Response(200, json=OCCUPANCY)
        if path == f"/unions/{UNION}/applications":
            return httpx.Response(200, json=PENDING)
        return httpx.Response(404, json={"error": "not_found", "reasons": []})

    return answer


async def test_union_staff_see_seats_per_class_day_its_waitlist_and_the_applications_waiting() -> None:
    seen: list[httpx.Request] = []
    answer = httpx.MockTransport(stand_in(seen))
    app = create_app(WebSettings(dev_sign_in=True), transports={"enrollment": answer, "subsidy": answer})
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://web") as http:
        signed_in = await http.post("/signin/dev", content=f"role=union_staff&union={UNION}", headers=FORM)
        http.cookies.set(TOKEN_COOKIE, signed_in.cookies[TOKEN_COOKIE])
        dashboard = await http.get("/union", params={"from": "2027-07-05", "to": "2027-07-06"})
        waitlist = await http.get(f"/union/classes/{CLASS}/waitlist/2027-07-05")
    assert dashboard.status_code == 200 and waitlist.status_code == 200
    classes = next(r for r in seen if r.url.path == f"/unions/{UNION}/classes")
    assert (classes.url.params["from"], classes.url.params["to"]) == ("2027-07-05", "2027-07-06")
    assert f'<a href="/union/classes/{CLASS}/waitlist/2027-07-05">3</a>' in dashboard.text
    assert "/waitlist/2027-07-06" not in dashboard.text  # nobody waits that day
    assert f'href="/union/applications/{APPLICATION}"' in dashboard.text and "¥6.75" in dashboard.text
    assert "小华" in waitlist.text and "gig" in waitlist.text
