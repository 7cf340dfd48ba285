"""The applications waiting for a decision in a union's subtree (the union dashboard's list):
paged, oldest first, seen by the union's staff and by staff of the unions above, nobody else."""

from __future__ import annotations

import uuid

from testkit.city import token
from testkit.scenarios import SUMMER_DAYS, child_enrolled
from tests.subsidy.conftest import UnionFunds


async def test_staff_above_page_through_the_applications_waiting_for_a_decision_and_a_stranger_is_refused(
    union: UnionFunds,
) -> None:
    upper = uuid.uuid4()
    fund = await union.fund(budget_fen=100_000)
    await union.policy(fund, "per_day", amount_per_day_fen=1000, auto_approve_up_to_fen=0)  # staff decide each
    bookings = [
        child_enrolled(child_id=uuid.uuid4(), days=list(SUMMER_DAYS[:2]), union_path=(upper, union.union_id))
        for _ in range(4)
    ]
    for booking in bookings:
        await union.deliver(booking)
    (decided,) = await union.applications(bookings[0].booking_id)
    await union.post(f"/applications/{decided['application_id']}/decision", {"approve": True}, expect=200)

    above = token("union_staff", union_id=upper)
    first = (await union.get(f"/unions/{union.union_id}/applications?limit=2", above)).json()
    assert (first["status"], first["limit"], first["offset"], first["next_offset"]) == ("pending_review", 2, 0, 2)
    rest = (await union.get(f"/unions/{union.union_id}/applications?limit=2&offset=2", above)).json()
    assert rest["next_offset"] is None
    listed = [a["booking_id"] for a in first["applications"] + rest["applications"]]
    assert listed == [str(b.booking_id) for b in bookings[1:]]  # oldest first; the approved one is not waiting
    assert {a["status"] for a in first["applications"] + rest["applications"]} == {"pending_review"}

    approved = (await union.get(f"/unions/{union.union_id}/applications?status=approved")).json()
    assert [a["application_id"] for a in approved["applications"]] == [decided["application_id"]]

    stranger = token("union_staff", union_id=uuid.uuid4())
    assert (await union.get(f"/unions/{union.union_id}/applications", stranger)).status_code == 403
    parent = token("parent", union_id=union.union_id, member_id=uuid.uuid4())
    assert (await union.get(f"/unions/{union.union_id}/applications", parent)).status_code == 403
    assert (await union.get(f"/unions/{union.union_id}/applications?status=maybe")).status_code == 422
