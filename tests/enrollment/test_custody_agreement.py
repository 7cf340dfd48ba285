"""The custody agreement (托管协议): a guardian accepts the programme's current version for a child
before the child is booked; a new version asks again."""

from __future__ import annotations

import uuid
from typing import Any

from testkit.city import SUMMER, City, Network, Parent, token
from tests.support.inprocess import InProcess


async def _publish(city: City, network: Network, **body: Any) -> int:
    body = body or {"title": "暑期托管服务协议", "body": "家长同意按时接送孩子，并如实告知孩子的健康状况。"}
    path = f"/programmes/{network.programme_id}/agreements"
    return int((await city.post(path, body, network.union.staff)).json()["version"])


async def _family(city: City, network: Network) -> tuple[Parent, str]:
    parent = city.parent(network.union)
    return parent, (await city.child(parent))["child_id"]


async def test_a_booking_needs_the_programmes_custody_agreement_accepted_first(
    enrollment: InProcess, city: City
) -> None:
    wuhan = await city.union("武汉市总工会")
    network = await city.network(wuhan)
    class_id = await city.klass(network)
    parent, child_id = await _family(city, network)
    assert await _publish(city, network) == 1

    refused = (await city.book(parent, child_id, class_id, days=SUMMER[:1], expect=409)).json()
    assert refused["agreement_version"] == 1 and refused["programme_id"] == str(network.programme_id)
    assert refused["reasons"] == [
        {
            "field": "child_id",
            "reason": "a guardian must first accept version 1 of the programme's custody agreement (托管协议) for "
            f"the child: POST /programmes/{network.programme_id}/agreements/1/acceptances",
        }
    ]
    staff = Parent(parent.member_id, wuhan.union_id, wuhan.staff)  # staff book for the family
    staff_for_family = (await city.book(staff, child_id, class_id, days=SUMMER[:1], expect=None)).status_code
    assert staff_for_family == 409, "staff booking for the family need the guardian's acceptance too"

    status_path = f"/programmes/{network.programme_id}/agreement/children/{child_id}"
    assert (await city.get(status_path, parent.token)).json()["accepted"] is False
    agreement = (await city.get(f"/programmes/{network.programme_id}/agreement", parent.token)).json()
    assert agreement["version"] == 1 and agreement["title"] == "暑期托管服务协议" and agreement["document_ref"] is None
    assert await city.agree(parent, child_id, network.programme_id) == 1
    booked = (await city.book(parent, child_id, class_id, days=SUMMER[:1])).json()
    assert booked["status"] == "confirmed"

    status = (await city.get(status_path, wuhan.staff)).json()
    assert status["version"] == 1 and status["accepted"] is True
    assert status["accepted_by"] == str(parent.member_id) and status["accepted_at"]
    audited = await enrollment.runtime.pool.fetchval(
        """SELECT count(*) FROM audit_log WHERE action = 'POST /programmes/{programme_id}/agreements/{version}/acceptances'
           AND target->>'programme_id' = $1 AND target->>'version' = '1'""",
        str(network.programme_id),
    )
    assert audited == 1, "the acceptance is in the audit trail"


async def test_a_new_version_of_the_agreement_asks_again_before_the_next_booking(city: City) -> None:
    network = await city.network(await city.union("襄阳市总工会"))
    class_id = await city.klass(network)
    parent, child_id = await _family(city, network)
    await _publish(city, network)
    await city.agree(parent, child_id, network.programme_id)
    await city.book(parent, child_id, class_id, days=SUMMER[:1])

    assert await _publish(city, network, title="暑期托管服务协议（修订）", document_ref="oss://agreements/v2.pdf") == 2
    refused = (await city.book(parent, child_id, class_id, days=SUMMER[1:2], expect=409)).json()
    assert refused["agreement_version"] == 2, "the booking names the new version to accept"
    path = f"/programmes/{network.programme_id}/agreements"
    stale = await city.post(f"{path}/1/acceptances", {"child_id": child_id}, parent.token, expect=409)
    assert stale.json()["reasons"] == [
        {"field": "version", "reason": "version 1 is not the programme's current agreement: version 2 is current"}
    ]
    await city.agree(parent, child_id, network.programme_id, version=2)
    await city.book(parent, child_id, class_id, days=SUMMER[1:2])
    again = await city.post(f"{path}/2/acceptances", {"child_id": child_id}, parent.token, expect=409)
    assert again.json()["reasons"][0]["reason"] == "a guardian of the child accepted version 2 already"


async def test_only_a_guardian_of_the_child_accepts_the_agreement_and_only_staff_above_publish_it(
    city: City,
) -> None:
    wuhan = await city.union("武汉市总工会")
    steel = await city.union("武钢工会", level="industry", parent=wuhan)
    sibling = await city.union("武汉铁路工会", level="industry", parent=wuhan)
    network = await city.network(steel)
    parent, child_id = await _family(city, network)
    other, _ = await _family(city, network)
    path = f"/programmes/{network.programme_id}/agreements"
    body = {"title": "协议", "body": "条款"}
    for outsider in (sibling.staff, parent.token, token("provider_staff", provider_id=network.provider_id)):
        await city.post(path, body, outsider, expect=403)
    await city.post(path, body, wuhan.staff)  # staff above publish too
    for not_guardian in (other.token, steel.staff, city.admin):
        await city.post(f"{path}/1/acceptances", {"child_id": child_id}, not_guardian, expect=403)
    await city.post(f"{path}/1/acceptances", {"child_id": child_id}, parent.token)

    reads = f"/programmes/{network.programme_id}/agreement"
    assert (await city.get(reads, sibling.staff)).status_code == 403
    assert (await city.get(reads, city.parent(sibling).token)).status_code == 403, "members of another union"
    status = f"{reads}/children/{child_id}"
    assert (await city.get(status, other.token)).status_code == 403, "another family's child"


async def test_a_programme_without_an_agreement_books_without_one_and_says_so(city: City) -> None:
    network = await city.network(await city.union("宜昌市总工会"))
    parent, child_id = await _family(city, network)
    class_id = await city.klass(network)
    reads = f"/programmes/{network.programme_id}/agreement"
    assert (await city.get(reads, parent.token)).status_code == 404
    status = (await city.get(f"{reads}/children/{child_id}", parent.token)).json()
    assert status == {
        "programme_id": str(network.programme_id),
        "child_id": child_id,
        "version": None,
        "accepted": True,
        "accepted_by": None,
        "accepted_at": None,
    }
    await city.book(parent, child_id, class_id, days=SUMMER[:1])


async def test_an_agreement_is_a_text_or_a_document_reference_and_an_acceptance_names_a_known_child(
    city: City,
) -> None:
    network = await city.network(await city.union("十堰市总工会"))
    parent, child_id = await _family(city, network)
    path = f"/programmes/{network.programme_id}/agreements"
    for body in (
        {"title": "协议"},
        {"title": "协议", "body": "条款", "document_ref": "oss://a.pdf"},
        {"title": "", "body": "条款"},
        {"title": "协议", "body": "x" * 20_001},
    ):
        await city.post(path, body, network.union.staff, expect=422)
    await city.post(f"/programmes/{uuid.uuid4()}/agreements", {"title": "协议", "body": "条款"}, city.admin, expect=404)
    await _publish(city, network)
    await city.post(f"{path}/1/acceptances", {"child_id": str(uuid.uuid4())}, parent.token, expect=404)
    await city.post(f"{path}/0/acceptances", {"child_id": child_id}, parent.token, expect=422)
    await city.post(f"{path}/2/acceptances", {"child_id": child_id}, parent.token, expect=409)
