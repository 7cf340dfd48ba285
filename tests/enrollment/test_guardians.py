"""Who is linked to a child, and how they are reached: a co-guardian accepts before they are
linked; addresses are checked at the door; a member has at most so many children and a guardian
at most so many addresses of a kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from testkit.city import City, Parent
from tests.support.inprocess import InProcess


def registration(
    parent: Parent, *, co_guardian: Parent | None = None, channels: list[dict] | None = None, co_category: str = "gig"
) -> dict[str, Any]:
    guardians = [
        {
            "display_name": "王芳",
            "employment_category": "regular",
            "channels": channels or [{"kind": "inapp", "address": "app"}],
        }
    ]
    if co_guardian is not None:
        guardians.append(
            {
                "member_id": str(co_guardian.member_id),
                "display_name": "李强",
                "employment_category": co_category,
                "channels": [{"kind": "inapp", "address": "app"}],
            }
        )
    return {"display_name": "小明", "birth_date": dt.date(2018, 3, 1).isoformat(), "guardians": guardians}


async def test_a_co_guardian_is_linked_to_the_child_only_after_accepting(enrollment: InProcess, city: City) -> None:
    union = await city.union("洛阳市总工会")
    mother = city.parent(union)
    father = city.co_guardian(mother)
    created = (await city.post("/children", registration(mother, co_guardian=father), mother.token)).json()
    child_id = created["child_id"]
    assert created["guardian_ids"] == [str(mother.member_id)] and created["invited_ids"] == [str(father.member_id)]
    assert created["priority_group"] == "regular", "an invited guardian's group does not count yet"

    assert (await city.get(f"/children/{child_id}", father.token)).status_code == 403
    (registered,) = await enrollment.emitted("child.registered", child_id=child_id)
    assert [g["guardian_id"] for g in registered["guardians"]] == [str(mother.member_id)], (
        "nobody is told the invited guardian is one"
    )
    seen_by_mother = (await city.get(f"/children/{child_id}", mother.token)).json()
    assert [g["display_name"] for g in seen_by_mother["invited"]] == ["李强"]
    (invitation,) = (await city.get("/invitations", father.token)).json()["invitations"]
    assert invitation["child_name"] == "小明" and invitation["invited_by"] == "王芳"

    stranger = city.co_guardian(mother)
    assert (await city.post(f"/invitations/{child_id}/acceptance", {}, stranger.token, expect=404)).status_code == 404
    assert (await city.post(f"/invitations/{child_id}/acceptance", {}, mother.token, expect=404)).status_code == 404

    accepted = await city.accept(father, child_id)
    assert sorted(accepted["guardian_ids"]) == sorted([str(mother.member_id), str(father.member_id)])
    assert accepted["priority_group"] == "gig", "once linked, the father's group counts"
    assert (await city.get(f"/children/{child_id}", father.token)).status_code == 200
    _, announced = await enrollment.emitted("child.registered", child_id=child_id)
    assert {g["guardian_id"] for g in announced["guardians"]} == {str(mother.member_id), str(father.member_id)}
    assert (await city.get("/invitations", father.token)).json()["invitations"] == []
    await city.accept(father, child_id, expect=404)


async def test_a_declined_invitation_links_nobody(enrollment: InProcess, city: City) -> None:
    union = await city.union("开封市总工会")
    mother = city.parent(union)
    father = city.co_guardian(mother)
    child_id = (await city.post("/children", registration(mother, co_guardian=father), mother.token)).json()["child_id"]
    await city.post(f"/invitations/{child_id}/refusal", {}, father.token, expect=200)
    await city.accept(father, child_id, expect=404)
    assert (await city.get(f"/children/{child_id}", father.token)).status_code == 403
    assert len(await enrollment.emitted("child.registered", child_id=child_id)) == 1


@pytest.mark.parametrize(
    ("channel", "reason"),
    [
        ({"kind": "sms", "address": "12345"}, "is not a valid phone number"),
        ({"kind": "sms", "address": "010 1234 5678"}, "is not a mobile number"),
        ({"kind": "sms", "address": "call me"}, "is not a phone number"),
        ({"kind": "email", "address": "wang.fang@"}, "is not an e-mail address"),
        ({"kind": "email", "address": "wang fang@163.com"}, "is not an e-mail address"),
    ],
)
async def test_a_phone_number_or_email_address_that_is_not_one_is_refused(
    city: City, channel: dict, reason: str
) -> None:
    union = await city.union("郑州市总工会")
    mother = city.parent(union)
    refused = await city.post("/children", registration(mother, channels=[channel]), mother.token, expect=422)
    (why,) = refused.json()["reasons"]
    assert reason in why["reason"] and "channels" in why["field"], why


async def test_addresses_are_kept_in_one_written_form(enrollment: InProcess, city: City) -> None:
    union = await city.union("安阳市总工会")
    mother = city.parent(union)
    channels = [{"kind": "sms", "address": "138 0013 8000"}, {"kind": "email", "address": "Wang.Fang@Example.COM"}]
    child_id = (await city.post("/children", registration(mother, channels=channels), mother.token)).json()["child_id"]
    (registered,) = await enrollment.emitted("child.registered", child_id=child_id)
    assert [c["address"] for c in registered["guardians"][0]["channels"]] == ["+8613800138000", "Wang.Fang@example.com"]


async def test_the_eleventh_child_of_a_member_is_refused(city: City) -> None:
    union = await city.union("新乡市总工会")
    mother = city.parent(union)
    for _ in range(10):
        await city.post("/children", registration(mother), mother.token)
    refused = await city.post("/children", registration(mother), mother.token, expect=409)
    assert refused.json()["reasons"][0]["reason"] == "a member may be the guardian of at most 10 children"

    father = city.co_guardian(mother)
    for _ in range(10):
        await city.post("/children", registration(father), father.token)
    grandma = city.co_guardian(mother)
    child_id = (await city.post("/children", registration(grandma, co_guardian=father), grandma.token)).json()[
        "child_id"
    ]
    await city.accept(father, child_id, expect=409)


async def test_a_sixth_address_of_a_kind_is_refused(city: City) -> None:
    union = await city.union("许昌市总工会")
    mother = city.parent(union)
    phones = [{"kind": "sms", "address": f"1380013800{i}"} for i in range(6)]
    refused = await city.post("/children", registration(mother, channels=phones), mother.token, expect=422)
    assert refused.json()["reasons"] == [
        {"field": "guardians[0].channels", "reason": "6 sms addresses; a guardian may have at most 5"}
    ]
    await city.post("/children", registration(mother, channels=phones[:5]), mother.token)
