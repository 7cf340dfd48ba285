"""Verified priority: a family's priority category (courier, migrant, hardship, model worker) gives
the child priority and money only once union staff verify it on evidence; until then the child
books as a regular member."""

from __future__ import annotations

import asyncio
import uuid

from testkit.city import SUMMER, City, token
from tests.support.inprocess import InProcess

FAR_FUTURE = "2030-01-01T00:00:00Z"
VERIFY = {"decision": "verify", "reason": "平台骑手证明与社保记录一致"}


async def test_a_couriers_child_books_as_a_regular_member_until_union_staff_verify_the_claim(
    enrollment: InProcess, city: City
) -> None:
    union = await city.union("郑州市总工会")
    class_id = await city.klass(
        await city.network(union),
        capacity=2,
        days=SUMMER[:3],
        quotas=[{"priority_group": "gig", "seats": 1, "release_at": FAR_FUTURE}],
    )
    regular, courier = city.parent(union), city.parent(union)
    held = (await city.book(regular, (await city.child(regular))["child_id"], class_id, days=SUMMER[:3])).json()
    child = await city.child(courier, category="gig", verified=False)
    assert (child["priority_group"], child["verified_group"]) == ("gig", "regular"), "declared, not verified"
    (registered,) = await enrollment.emitted("child.registered", child_id=child["child_id"])
    assert registered["priority_group"] == "regular", "events carry only a verified category"

    before = (await city.book(courier, child["child_id"], class_id, days=SUMMER[:1])).json()
    assert before["status"] == "waitlisted", "the seat held for couriers is not an unverified courier's"

    claim = (await city.claim(courier, child["child_id"], "gig")).json()
    assert claim["state"] == "pending"
    decided = await city.post(f"/priority-claims/{claim['claim_id']}/decision", VERIFY, union.staff, expect=200)
    assert decided.json()["priority_group"] == "gig"
    (verified,) = await enrollment.emitted("priority.verified", child_id=child["child_id"])
    assert (verified["category"], verified["reason"], verified["priority_group"]) == ("gig", VERIFY["reason"], "gig")

    after = (await city.book(courier, child["child_id"], class_id, days=SUMMER[1:2])).json()
    assert after["status"] == "confirmed", "verified, the child takes the seat held for couriers"
    (enrolled,) = await enrollment.emitted("child.enrolled", booking_id=after["booking_id"])
    assert enrolled["priority_group"] == "gig", "subsidy reads the verified group"
    earlier = (await city.get(f"/bookings/{before['booking_id']}", courier.token)).json()
    assert earlier["priority_group"] == "regular", "verification counts for bookings made after it"
    cancelled = {"days": [SUMMER[0].isoformat()]}
    await city.post(f"/bookings/{held['booking_id']}/cancellation", cancelled, regular.token, expect=200)
    (promoted,) = await enrollment.emitted("booking.promoted", booking_id=before["booking_id"])
    assert promoted["priority_group"] == "regular", "a seat won later by an earlier booking is not subsidised as gig"
    seen = (await city.get(f"/children/{child['child_id']}", courier.token)).json()
    assert seen["verified_group"] == "gig"
    assert [(c["state"], c["reason"]) for c in seen["priority_claims"]] == [("verified", VERIFY["reason"])]


async def test_a_rejected_claim_gives_nothing_and_the_family_is_told_why(enrollment: InProcess, city: City) -> None:
    union = await city.union("新乡市总工会")
    parent = city.parent(union)
    child = await city.child(parent, category="hardship", verified=False)
    claim = (await city.claim(parent, child["child_id"], "hardship")).json()
    rejection = {"decision": "reject", "reason": "困难职工证明已过期"}
    url = f"/priority-claims/{claim['claim_id']}/decision"
    rejected = await city.post(url, rejection, union.staff, expect=200)
    assert (rejected.json()["state"], rejected.json()["priority_group"]) == ("rejected", "regular")
    (told,) = await enrollment.emitted("priority.rejected", child_id=child["child_id"])
    assert told["reason"] == "困难职工证明已过期"
    assert not await enrollment.emitted("priority.verified", child_id=child["child_id"])

    again = await city.post(url, VERIFY, union.staff, expect=409)
    assert again.json()["reasons"][0]["reason"] == "the claim is decided already"
    renewed = (await city.claim(parent, child["child_id"], "hardship")).json()
    assert renewed["claim_id"] != claim["claim_id"], "after a rejection the family may claim again with new evidence"


async def test_only_staff_of_the_childs_part_of_the_tree_decide_and_a_claim_needs_evidence(
    enrollment: InProcess, city: City
) -> None:
    province = await city.union("河南省总工会", level="province")
    zhengzhou = await city.union("郑州市总工会", level="city", parent=province)
    luoyang = await city.union("洛阳市总工会", level="city", parent=province)
    parent = city.parent(zhengzhou)
    child = await city.child(parent, category="migrant", verified=False)
    child_id = child["child_id"]

    stranger = city.parent(zhengzhou)
    assert (await city.claim(stranger, child_id, "migrant", expect=403)).status_code == 403
    undeclared = await city.claim(parent, child_id, "gig", expect=422)
    assert undeclared.json()["reasons"][0] == {
        "field": "category",
        "reason": "no guardian of the child declared this category",
    }
    for body, field in (
        ({"category": "migrant", "evidence": ""}, "evidence"),
        ({"category": "regular", "evidence": "居住证 编号 123"}, "category"),
        ({"category": "migrant"}, "evidence"),
    ):
        refused = await city.post(f"/children/{child_id}/priority-claims", body, parent.token, expect=422)
        assert field in {r["field"] for r in refused.json()["reasons"]}

    body = {"category": "migrant", "evidence": "居住证 编号 4101-2026-0042"}
    first = await city.post(f"/children/{child_id}/priority-claims", body, parent.token, key="claim-once-0001")
    replay = await city.post(f"/children/{child_id}/priority-claims", body, parent.token, key="claim-once-0001")
    assert first.json() == replay.json(), "a retried claim is the same claim"
    twice = await city.post(f"/children/{child_id}/priority-claims", body, parent.token, expect=409)
    assert "pending or verified already" in twice.json()["reasons"][0]["reason"]

    url = f"/priority-claims/{first.json()['claim_id']}/decision"
    provider = token("provider_staff", provider_id=uuid.uuid4())
    for outsider in (luoyang.staff, parent.token, provider):
        assert (await city.post(url, VERIFY, outsider, expect=403)).status_code == 403
    no_reason = await city.post(url, {"decision": "verify", "reason": ""}, province.staff, expect=422)
    assert no_reason.json()["reasons"][0]["field"] == "reason"
    missing = await city.post(f"/priority-claims/{uuid.uuid4()}/decision", VERIFY, province.staff, expect=404)
    assert missing.json()["reasons"][0]["field"] == "claim_id"
    assert not await enrollment.emitted("priority.verified", child_id=child_id), "nothing was decided yet"

    decided = await city.post(url, VERIFY, province.staff, expect=200, key="decide-once-0001")
    replayed = await city.post(url, VERIFY, province.staff, expect=200, key="decide-once-0001")
    assert decided.json() == replayed.json()
    assert len(await enrollment.emitted("priority.verified", child_id=child_id)) == 1, "one decision, told once"
    audited = await enrollment.runtime.pool.fetchval(
        "SELECT count(*) FROM audit_log WHERE action = 'POST /priority-claims/{claim_id}/decision' AND target->>'claim_id' = $1",
        first.json()["claim_id"],
    )
    assert audited >= 1, "the decision is in the audit trail"


async def test_two_staff_deciding_one_claim_at_once_make_one_decision(enrollment: InProcess, city: City) -> None:
    union = await city.union("周口市总工会")
    parent = city.parent(union)
    child = await city.child(parent, category="model_worker", verified=False)
    claim = (await city.claim(parent, child["child_id"], "model_worker")).json()
    url = f"/priority-claims/{claim['claim_id']}/decision"
    answers = await asyncio.gather(
        city.post(url, VERIFY, union.staff, expect=None),
        city.post(url, {"decision": "reject", "reason": "材料不全"}, union.staff, expect=None),
    )
    assert sorted(a.status_code for a in answers) == [200, 409]
    told = [
        *await enrollment.emitted("priority.verified", child_id=child["child_id"]),
        *await enrollment.emitted("priority.rejected", child_id=child["child_id"]),
    ]
    assert len(told) == 1, "the family is told one decision"
