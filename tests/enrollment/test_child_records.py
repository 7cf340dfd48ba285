"""A child's record after registration: guardians keep the pick-up adults (each with an ID-card
number whose check digit is right), the emergency contact and the health and allergy notes
current; a co-guardian is invited and linked only on accepting; every change publishes the full
picture again (attendance and notify replace theirs) and tells the guardians what changed and by whom."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from testkit.city import City, Parent, registration, token
from tests.support.inprocess import InProcess

GRANDMA_ID = "11010519491231002X"  # GB 11643 check digit X
UNCLE_ID = "440524188001010014"


async def edit(
    city: City, child_id: str, body: dict[str, Any], bearer: str, *, key: str | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {bearer}", "Idempotency-Key": key or f"k-{uuid.uuid4()}"}
    return await city.http.patch(f"/children/{child_id}", json=body, headers=headers)


async def family(city: City) -> tuple[Parent, dict[str, Any]]:
    union = await city.union("郑州市总工会")
    parent = city.parent(union)
    return parent, await city.child(parent)


async def test_a_guardian_updates_pick_up_adults_contact_and_allergies_and_consumers_get_the_new_picture(
    enrollment: InProcess, city: City
) -> None:
    parent, child = await family(city)
    child_id = child["child_id"]
    grandma = child["authorised_adult_ids"][0]
    body = {
        "authorised_adults": [
            {"adult_id": grandma, "display_name": "王奶奶", "relationship": "grandmother", "id_number": GRANDMA_ID},
            {"display_name": "王舅舅", "relationship": "uncle", "id_number": UNCLE_ID},
        ],
        "emergency_contact": {"display_name": "王舅舅", "phone": "139 1234 5678"},
        "allergies": "花生过敏",
        "health_notes": "哮喘，书包里有吸入器",
    }
    edited = await edit(city, child_id, body, parent.token)
    assert edited.status_code == 200, edited.text
    assert edited.json()["changed"] == ["authorised_adults", "emergency_contact", "health_notes"]
    adults = edited.json()["authorised_adults"]
    assert adults[0]["adult_id"] == grandma, "a listed adult keeps the id pick-up codes name"
    assert [a["id_number"] for a in adults] == ["110105********002X", "440524********0014"], "shown masked"

    record = (await city.get(f"/children/{child_id}", parent.token)).json()
    assert (record["allergies"], record["health_notes"]) == ("花生过敏", "哮喘，书包里有吸入器")
    assert record["emergency_contact"] == {"display_name": "王舅舅", "phone": "+8613912345678"}
    assert GRANDMA_ID not in str(record), "the full ID number is never shown back"

    *_, picture = await enrollment.emitted("child.registered", child_id=child_id)
    assert (picture["allergies"], picture["health_notes"]) == ("花生过敏", "哮喘，书包里有吸入器")
    assert [a["display_name"] for a in picture["authorised_adults"]] == ["王奶奶", "王舅舅"]
    assert all("id_number" not in a for a in picture["authorised_adults"]), "ID numbers stay in enrollment"
    (told,) = await enrollment.emitted("child.updated", child_id=child_id)
    assert (told["changed"], told["by"], told["by_name"], told["by_id"]) == (
        ["authorised_adults", "emergency_contact", "health_notes"],
        "parent",
        "王芳",
        None,
    )


async def test_a_part_left_out_stays_and_a_retry_changes_nothing_twice(enrollment: InProcess, city: City) -> None:
    parent, child = await family(city)
    child_id = child["child_id"]
    first = await edit(city, child_id, {"allergies": "牛奶"}, parent.token, key="same-key-allergy")
    again = await edit(city, child_id, {"allergies": "牛奶"}, parent.token, key="same-key-allergy")
    assert first.json() == again.json() and first.json()["changed"] == ["health_notes"]
    assert len(await enrollment.emitted("child.updated", child_id=child_id)) == 1, "one change, told once"
    record = (await city.get(f"/children/{child_id}", parent.token)).json()
    assert record["authorised_adults"][0]["display_name"] == "王奶奶", "the pick-up adults were not touched"
    assert record["emergency_contact"]["display_name"] == "王奶奶"


async def test_an_id_number_with_a_wrong_check_digit_is_refused_with_the_reason(city: City) -> None:
    parent, child = await family(city)
    adult = {"display_name": "王舅舅", "relationship": "uncle"}
    for number, reason in [
        ("440524188001010013", "check digit is 3, but its first 17 digits give 4"),
        ("440524188013010014", "birth date 18801301 is not a date"),
        ("44052418800101001", "at least 18 characters"),
        ("44052418800101001Y", "17 digits followed by a digit or X"),
    ]:
        refused = await edit(
            city, child["child_id"], {"authorised_adults": [{**adult, "id_number": number}]}, parent.token
        )
        assert refused.status_code == 422, number
        assert any(reason in r["reason"] for r in refused.json()["reasons"]), refused.json()
        assert any("id_number" in r["field"] for r in refused.json()["reasons"]), refused.json()


async def test_bad_edits_are_refused_with_reasons(city: City) -> None:
    parent, child = await family(city)
    child_id = child["child_id"]
    stranger_adult = {
        "adult_id": str(uuid.uuid4()),
        "display_name": "某人",
        "relationship": "uncle",
        "id_number": UNCLE_ID,
    }
    cases = [
        ({}, "nothing to change"),
        ({"authorised_adults": [stranger_adult]}, "no such pick-up adult"),
        ({"emergency_contact": {"display_name": "王奶奶", "phone": "hello"}}, "not a phone number"),
        ({"allergies": "x" * 501}, "at most 500"),
        (
            {"authorised_adults": [{**stranger_adult, "adult_id": None}, {**stranger_adult, "adult_id": None}]},
            "listed twice",
        ),
    ]
    for body, reason in cases:
        refused = await edit(city, child_id, body, parent.token)
        assert refused.status_code == 422, (body, refused.text)
        assert any(reason in r["reason"] for r in refused.json()["reasons"]), refused.json()


async def test_a_stranger_cannot_edit_a_child_that_is_not_theirs(enrollment: InProcess, city: City) -> None:
    parent, child = await family(city)
    child_id = child["child_id"]
    elsewhere = await city.union("洛阳市总工会")
    for bearer in (
        city.co_guardian(parent).token,  # a member of the same union, not a guardian
        elsewhere.staff,
        token("provider_staff", provider_id=uuid.uuid4()),
    ):
        assert (await edit(city, child_id, {"allergies": "无"}, bearer)).status_code == 403
    assert await city.post(
        f"/children/{child_id}/guardians/{parent.member_id}/removal", {}, elsewhere.staff, expect=403
    )
    assert await enrollment.emitted("child.updated", child_id=child_id) == []

    staff = token("union_staff", union_id=parent.union_id)
    assert (await edit(city, child_id, {"health_notes": "需午睡"}, staff)).status_code == 200
    (told,) = await enrollment.emitted("child.updated", child_id=child_id)
    assert (told["by"], told["by_name"]) == ("union_staff", None) and told["by_id"].startswith("union_staff-")


async def test_a_co_guardian_is_invited_linked_on_accepting_and_the_guardians_are_told(
    enrollment: InProcess, city: City
) -> None:
    mother, child = await family(city)
    child_id = child["child_id"]
    father = city.co_guardian(mother)
    invitation = {
        "member_id": str(father.member_id),
        "display_name": "李强",
        "employment_category": "gig",
        "channels": [{"kind": "inapp", "address": "app"}],
    }
    invited = await city.post(f"/children/{child_id}/guardians", invitation, mother.token)
    assert invited.json() == {"child_id": child_id, "invited_id": str(father.member_id), "accepted": False}
    assert (await city.get(f"/children/{child_id}", father.token)).status_code == 403, "not linked before accepting"
    assert await enrollment.emitted("child.updated", child_id=child_id) == []
    await city.post(f"/children/{child_id}/guardians", invitation, mother.token, expect=409)

    await city.accept(father, child_id)
    (told,) = await enrollment.emitted("child.updated", child_id=child_id)
    assert (told["changed"], told["guardian_added"], told["by_name"]) == (["guardians"], "李强", "李强")
    assert (await city.get(f"/children/{child_id}", father.token)).status_code == 200
    await city.post(f"/children/{child_id}/guardians", invitation, mother.token, expect=409)


async def test_a_guardian_is_unlinked_but_never_the_last_one(enrollment: InProcess, city: City) -> None:
    union = await city.union("郑州市总工会")
    mother = city.parent(union)
    child = await city.child(mother, guardians=2)
    child_id = child["child_id"]
    father_id = next(g for g in child["guardian_ids"] if g != str(mother.member_id))

    removed = await city.post(f"/children/{child_id}/guardians/{father_id}/removal", {}, mother.token, expect=200)
    assert removed.json() == {"child_id": child_id, "removed_id": father_id, "was_linked": True}
    *_, picture = await enrollment.emitted("child.registered", child_id=child_id)
    assert [g["guardian_id"] for g in picture["guardians"]] == [str(mother.member_id)], "notify and attendance follow"
    told = [t for t in await enrollment.emitted("child.updated", child_id=child_id) if t["guardian_removed"]]
    assert [(t["guardian_removed"], t["by_name"]) for t in told] == [("家长1", "王芳")]

    last = await city.post(f"/children/{child_id}/guardians/{mother.member_id}/removal", {}, mother.token, expect=409)
    assert "only guardian" in last.json()["reasons"][0]["reason"]
    await city.post(f"/children/{child_id}/guardians/{uuid.uuid4()}/removal", {}, mother.token, expect=404)


async def test_a_pick_up_adults_id_number_given_at_registration_is_checked_kept_and_shown_masked(
    enrollment: InProcess, city: City
) -> None:
    parent = city.parent(await city.union("郑州市总工会"))
    body = registration()
    body["authorised_adults"][0]["id_number"] = "11010519491231002x"
    child_id = (await city.post("/children", body, parent.token)).json()["child_id"]
    record = (await city.get(f"/children/{child_id}", parent.token)).json()
    assert record["authorised_adults"][0]["id_number"] == "110105********002X"
    (picture,) = await enrollment.emitted("child.registered", child_id=child_id)
    assert "id_number" not in picture["authorised_adults"][0], "no event carries an ID number"

    body["authorised_adults"][0]["id_number"] = "110105194912310021"
    refused = await city.post("/children", body, parent.token, expect=422)
    assert refused.json()["reasons"][0]["field"].endswith("id_number"), refused.json()
    assert "check digit" in refused.json()["reasons"][0]["reason"]
