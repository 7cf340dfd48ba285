"""The parent portal's search and child-record pages against enrollment's APIs (a stand-in answering
as enrollment does): what is sent, and a refusal shown next to its field in plain words."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

from services.web.app import create_app
from services.web.config import WebSettings
from services.web.i18n import LANG_COOKIE
from services.web.session import TOKEN_COOKIE

FORM = {"content-type": "application/x-www-form-urlencoded"}
UNION = "7f0c3a4e-3b1a-4c55-9a49-0d6f2b1c9e10"
CHILD = str(uuid.uuid4())
GRANDMA = str(uuid.uuid4())
RECORD = {
    "child_id": CHILD, "display_name": "小明", "birth_date": "2017-09-01", "authorised_adults": [
        {"adult_id": GRANDMA, "display_name": "奶奶", "relationship": "祖母", "id_number": "110105********0011"}
    ], "emergency_contact": None, "allergies": None, "health_notes": None,
}  # fmt: skip
FOUND = {
    "class_id": str(uuid.uuid4()), "name": "小学托管班", "site_name": "站点0", "district": "金水区",
    "address": "花园路 1 号", "programme_name": "暑期托管", "min_age_months": 72, "max_age_months": 144,
    "fee_per_day_fen": 4500, "first_day": "2027-07-05", "last_day": "2027-07-09", "days_in_range": 5,
    "days_with_free_seats": 5,
}  # fmt: skip
CHECK_DIGIT = "Value error, the ID-card number's check digit is 2, but its first 17 digits give 1"


@asynccontextmanager
async def parent_portal(answer: Callable[[httpx.Request], httpx.Response]) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(WebSettings(dev_sign_in=True), transports={"enrollment": httpx.MockTransport(answer)})
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app), httpx.AsyncClient(transport=transport, base_url="http://web") as http:
        signed_in = await http.post("/signin/dev", content=f"role=parent&union={UNION}", headers=FORM)
        http.cookies.set(TOKEN_COOKIE, signed_in.cookies[TOKEN_COOKIE])
        yield http


def enrollment(seen: list[httpx.Request], refuse_edit: bool = False) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body: dict[str, Any]
        if request.url.path == "/me/children":
            body = {"limit": 100, "offset": 0, "next_offset": None, "children": [{**RECORD, "bookings": []}]}
        elif request.url.path == "/classes":
            body = {"limit": 20, "offset": 0, "next_offset": 20, "classes": [FOUND]}
        elif request.method == "PATCH" and refuse_edit:
            reasons = [{"field": "body.authorised_adults.1.id_number", "reason": CHECK_DIGIT}]
            return httpx.Response(422, json={"error": "invalid_request", "reasons": reasons})
        elif request.method == "PATCH":
            body = {"child_id": CHILD, "changed": ["authorised_adults"], "authorised_adults": []}
        else:
            body = RECORD
        return httpx.Response(200, json=body)

    return answer


async def test_a_parent_searches_classes_by_district_age_and_free_seats_and_sees_where_each_is() -> None:
    seen: list[httpx.Request] = []
    async with parent_portal(enrollment(seen)) as http:
        page = await http.get("/parent/classes", params={"district": "金水区", "age": "8", "free_seats": "true"})
    assert page.status_code == 200
    search = next(r for r in seen if r.url.path == "/classes")
    assert dict(search.url.params) == {"district": "金水区", "age": "8", "free_seats": "true"}
    assert f'href="/parent/classes/{FOUND["class_id"]}"' in page.text
    assert "花园路 1 号" in page.text and "5/5 天有空位" in page.text
    assert "offset=20" in page.text  # the next page


async def test_a_wrong_id_card_check_digit_is_explained_next_to_that_adults_field_in_both_languages() -> None:
    seen: list[httpx.Request] = []
    form = (
        f"key=k1&adult_id={GRANDMA}&adult_name=奶奶&relationship=祖母&id_number=11010519491231002X"
        "&adult_id=&adult_name=张阿姨&relationship=邻居&id_number=110105194912310022"
        "&adult_id=&adult_name=&relationship=&id_number="  # a blank row is left out
    )
    async with parent_portal(enrollment(seen, refuse_edit=True)) as http:
        chinese = await http.post(f"/parent/children/{CHILD}/adults", content=form.encode(), headers=FORM)
        http.cookies.set(LANG_COOKIE, "en")
        english = await http.post(f"/parent/children/{CHILD}/adults", content=form.encode(), headers=FORM)
    assert chinese.status_code == english.status_code == 422
    sent = json.loads(next(r for r in seen if r.method == "PATCH").content)
    assert sent == {
        "authorised_adults": [
            {"adult_id": GRANDMA, "display_name": "奶奶", "relationship": "祖母", "id_number": "11010519491231002X"},
            {"display_name": "张阿姨", "relationship": "邻居", "id_number": "110105194912310022"},
        ]
    }
    assert next(r for r in seen if r.method == "PATCH").headers["Idempotency-Key"] == "k1"
    assert (
        '<p class="error" id="id_number-1-error" role="alert">身份证号码最后一位（校验码）与前 17 位不符'
        in chinese.text
    )
    assert 'id="id_number-0-error"' not in chinese.text  # grandma's row is fine
    assert "its check digit) does not match the rest" in english.text
